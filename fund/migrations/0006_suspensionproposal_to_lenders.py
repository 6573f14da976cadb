"""SuspensionProposal moves to the lenders app (Art 15-16 decisions about a bank are the bank side's).

Only the state leaves the fund here: the table and its rows stay, and lenders 0006 takes the model
over (then renames the table). No row is copied or lost."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("fund", "0005_cover_pause")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SuspensionProposal")],
            database_operations=[],
        ),
    ]
