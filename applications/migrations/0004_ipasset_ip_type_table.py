# The asset's type is validated against the IP type table (policy 0004), not a fixed list: a new
# Measures can add a type. The column is unchanged (the five shipped codes stay as stored).

import yunfu_ipfund.policy.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0003_blacklisting'),
        ('policy', '0004_ip_type_table'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ipasset',
            name='ip_type',
            field=models.CharField(choices=yunfu_ipfund.policy.models.ip_type_choices, max_length=20, verbose_name='类型'),
        ),
    ]
