"""Logins, logouts, failed logins and axes lockouts, sent out as security events (accounts.actions)."""

from .actions import LOCKED_OUT, LOGIN, LOGIN_FAILED, LOGOUT
from .models import User
from .signals import send_security_event


def _named(username):
    """The account a failed attempt named, or an unsaved stand-in when no such account exists."""
    username = (username or "")[:150]
    return User.objects.filter(username=username).first() or User(username=username or "（空）")


def on_login(sender, request, user, **kwargs):
    send_security_event(LOGIN, by=user, obj=user)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        send_security_event(LOGOUT, by=user, obj=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    send_security_event(LOGIN_FAILED, by=None, obj=_named(username), data={"username": username[:150]})


def on_locked_out(sender, request, username, ip_address, **kwargs):
    send_security_event(
        LOCKED_OUT, by=None, obj=_named(username), data={"username": (username or "")[:150], "ip": ip_address}
    )
