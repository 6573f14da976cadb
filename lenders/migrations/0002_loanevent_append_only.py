from django.db import migrations

from yunfu_ipfund.common.db import append_only


class Migration(migrations.Migration):
    dependencies = [("lenders", "0001_initial")]

    operations = [append_only("lenders_loanevent")]
