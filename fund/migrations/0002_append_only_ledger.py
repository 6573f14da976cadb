from django.db import migrations

from yunfu_ipfund.common.db import append_only


class Migration(migrations.Migration):
    dependencies = [("fund", "0001_initial")]
    operations = [append_only("fund_posting"), append_only("fund_entry")]
