from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "yunfu_ipfund.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        # Imported here, not at the top: they import models, which exist only once apps are ready.
        from yunfu_ipfund.accounts.models import Organisation, User
        from yunfu_ipfund.accounts.signals import admin_changed

        from . import security
        from .receivers import record_admin_change

        for model in (Organisation, User):
            uid = f"audit.admin_change.{model._meta.label}"
            admin_changed.connect(record_admin_change, sender=model, dispatch_uid=uid)
        # accounts' security events, every admin-site change, AdminRequest's workflow (audit.security)
        security.connect()
