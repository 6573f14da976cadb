from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续多次输入错误，账号将被暂时锁定。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    username = forms.CharField(
        label="用户名", max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    password = forms.CharField(
        label="密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label="动态验证码",
        max_length=20,
        help_text="认证器应用当前显示的 6 位数字；手机丢失时可输入一个恢复码。",
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "spellcheck": "false",
            }
        ),
    )


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="认证器应用显示的 6 位验证码",
        max_length=10,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )
