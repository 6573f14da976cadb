import datetime as dt
from decimal import Decimal

from django.db import migrations

from yunfu_ipfund.policy.seed import LPR_HISTORY, VERSIONS


def seed(apps, schema_editor):
    PolicyVersion = apps.get_model("policy", "PolicyVersion")
    LprRate = apps.get_model("policy", "LprRate")
    for fields in VERSIONS:
        PolicyVersion.objects.get_or_create(code=fields["code"], defaults=fields)
    for day, rate in LPR_HISTORY:
        LprRate.objects.get_or_create(effective_date=dt.date.fromisoformat(day), defaults={"one_year_rate": Decimal(rate)})


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
