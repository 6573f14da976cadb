from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PolicyConfig(AppConfig):
    name = "yunfu_ipfund.policy"
    label = "policy"
    verbose_name = "政策参数"

    def ready(self):
        from .seed import seed_if_empty

        post_migrate.connect(seed_if_empty, sender=self)
