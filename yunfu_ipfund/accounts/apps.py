from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_migrate


class AccountsConfig(AppConfig):
    name = "yunfu_ipfund.accounts"
    label = "accounts"
    verbose_name = "用户与机构"

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth import signals as auth_signals
        from django.db.models.signals import post_delete, post_save
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from . import receivers
        from .models import RecoveryCodeDevice, User
        from .roles import ensure_role_groups
        from .second_factor import forget_device
        from .services import check_groups_change

        post_migrate.connect(ensure_role_groups, dispatch_uid="accounts.ensure_role_groups")
        # 三员分立 and the bank's four eyes hold whatever writes a user's groups.
        m2m_changed.connect(check_groups_change, sender=User.groups.through, dispatch_uid="accounts.roles")
        auth_signals.user_logged_in.connect(receivers.on_login, dispatch_uid="accounts.login")
        auth_signals.user_logged_out.connect(receivers.on_logout, dispatch_uid="accounts.logout")
        auth_signals.user_login_failed.connect(
            receivers.on_login_failed, dispatch_uid="accounts.login_failed"
        )
        user_locked_out.connect(receivers.on_locked_out, dispatch_uid="accounts.locked_out")
        # A verified session's device is read through the cache (second_factor.cached_device).
        for device_model in (TOTPDevice, RecoveryCodeDevice):
            for signal in (post_save, post_delete):
                signal.connect(
                    forget_device,
                    sender=device_model,
                    dispatch_uid=f"accounts.forget.{device_model.__name__}",
                )
