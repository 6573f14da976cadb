"""A covering index for "each loan's latest event on or before a day" (selectors._live_figures).

PostgreSQL: (loan_id, occurred_on DESC, id DESC) INCLUDE (status_after, covered_outstanding_after), so
`DISTINCT ON (loan_id) ... ORDER BY loan_id, occurred_on DESC, id DESC` is an index-only scan in
order, with no sort and no heap access (LoanEvent is append-only, so the visibility map stays set).
SQLite has no INCLUDE: the same key columns. Written as SQL, not as Meta.indexes, because INCLUDE
is PostgreSQL-only and the model state does not need to know about it.
"""

from django.db import migrations

NAME = "lenders_loanevent_latest"


def create(apps, schema_editor):
    include = " INCLUDE (status_after, covered_outstanding_after)" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON lenders_loanevent (loan_id, occurred_on DESC, id DESC){include}"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("lenders", "0002_loanevent_append_only")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
