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
