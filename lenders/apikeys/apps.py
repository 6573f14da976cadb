from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "lenders.apikeys"
    label = "apikeys"
    verbose_name = "银行接口密钥"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import m2m_changed

        from yunfu_ipfund.accounts.models import User
        from yunfu_ipfund.accounts.signals import security_event

        from . import receivers, schema  # noqa: F401  (schema: the OpenAPI description of the key)

        # A user's keys stop when their rights change: the security events of accounts (deactivation,
        # inactivity lock, password change or reset, role grant or revoke, organisation move) and any
        # write of User.groups, whatever makes it.
        security_event.connect(receivers.on_security_event, dispatch_uid="apikeys.security_event")
        m2m_changed.connect(
            receivers.on_groups_changed, sender=User.groups.through, dispatch_uid="apikeys.groups"
        )
