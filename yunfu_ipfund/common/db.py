"""Database-level guards, used from migrations."""

from django.db import migrations

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION refuse_change_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _create(table):
    def forwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            # params=None: the SQL goes to the server as written (the function body contains '%').
            schema_editor.execute(_PG_FUNCTION, params=None)
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION refuse_change_append_only();",
                params=None,
            )
        elif vendor == "sqlite":
            # SQLite is the zero-setup fallback: it refuses UPDATE; DELETE stays possible there because
            # Django's test flush empties tables with DELETE (on PostgreSQL it uses TRUNCATE).
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: UPDATE refused'); END;"
            )

    def backwards(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", params=None)
        elif vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")

    return forwards, backwards


def append_only(table):
    """A migration operation that makes `table` refuse UPDATE and DELETE of rows on PostgreSQL (UPDATE only
    on SQLite). TRUNCATE and disabling the trigger are left to the table owner, which only runs
    migrations: the portal connects as the runtime role of `common.dbroles` (`manage.py db_roles`), which
    owns no table and gets SELECT/INSERT only on the tables carrying this trigger."""
    forwards, backwards = _create(table)
    return migrations.RunPython(forwards, backwards)
