"""The API's idempotency records move to the platform (common.IdempotencyRecord): copy every row,
with its original created_at, then drop the lenders table. Reversible: the rows are copied back."""

from django.db import migrations

COLUMNS = "user_id, endpoint, key, request_hash, status_code, response, created_at"


def _copy(apps, schema_editor, source, target):
    quote = schema_editor.quote_name
    source_table = apps.get_model(*source)._meta.db_table
    target_table = apps.get_model(*target)._meta.db_table
    columns = ", ".join(quote(c.strip()) for c in COLUMNS.split(","))
    schema_editor.execute(
        f"INSERT INTO {quote(target_table)} ({columns}) SELECT {columns} FROM {quote(source_table)}"
    )


def to_common(apps, schema_editor):
    _copy(apps, schema_editor, ("lenders", "IdempotencyRecord"), ("common", "IdempotencyRecord"))


def to_lenders(apps, schema_editor):
    _copy(apps, schema_editor, ("common", "IdempotencyRecord"), ("lenders", "IdempotencyRecord"))


class Migration(migrations.Migration):

    dependencies = [
        ("common", "0001_initial"),
        ("lenders", "0004_filing_contract_unique_unless_refused"),
    ]

    operations = [
        migrations.RunPython(to_common, to_lenders),
        migrations.DeleteModel(name="IdempotencyRecord"),
    ]
