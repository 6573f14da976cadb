from django.db import migrations

from yunfu_ipfund.policy.seed import seed_measures


def seed(apps, schema_editor):
    seed_measures(apps.get_model("policy", "PolicyVersion"), apps.get_model("policy", "LprRate"))


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
