"""Two database roles (issue 12): the owner runs migrations, the runtime role serves the portal.

The owner (`MIGRATE_DATABASE_URL`) owns every table: it creates and alters them, and only it could
TRUNCATE a table or disable a trigger. The runtime role (`DATABASE_URL`: gunicorn, Celery) owns
nothing and gets, per table of the `public` schema:

- the append-only tables (those with the `refuse_change_append_only` trigger of `common.db.append_only`,
  read from the database itself): SELECT and INSERT only;
- every other table: SELECT, INSERT, UPDATE, DELETE;
- sequences: USAGE, SELECT.

Never TRUNCATE, REFERENCES or TRIGGER, never CREATE on the schema, no role attributes (no SUPERUSER,
CREATEDB, CREATEROLE, BYPASSRLS): DDL, TRUNCATE and ALTER TABLE … DISABLE TRIGGER are refused because
it owns no table. Default privileges give tables the owner creates later the ordinary four rights until
`manage.py db_roles` runs again after the next migrate (deployments run it after every migrate) and
narrows the new append-only ones; their triggers refuse UPDATE/DELETE meanwhile anyway.

`grant_runtime_role` is idempotent: it creates the role or updates its password and attributes, then
revokes and grants everything again, so a table that stopped or started being append-only is right.
"""

from django.db import connections

APPEND_ONLY_FUNCTION = "refuse_change_append_only"
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
APPEND_ONLY_RIGHTS = "SELECT, INSERT"
SEQUENCE_RIGHTS = "USAGE, SELECT"
ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"


class RoleSetupError(Exception):
    pass


def append_only_tables(cursor):
    cursor.execute(
        """
        SELECT DISTINCT c.relname FROM pg_trigger t
        JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE p.proname = %s AND n.nspname = 'public' AND NOT t.tgisinternal
        ORDER BY c.relname
        """,
        [APPEND_ONLY_FUNCTION],
    )
    return [row[0] for row in cursor.fetchall()]


def public_tables(cursor):
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    )
    return [row[0] for row in cursor.fetchall()]


def grant_runtime_role(role, password, *, using="default"):
    """Create or update the runtime `role` in the database of connection `using` (which must connect as
    the owner of the tables, or a superuser) and give it exactly its rights. Returns
    (tables, append_only_tables)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise RoleSetupError("数据库角色只适用于 PostgreSQL（SQLite 没有角色）。")
    owner = connection.settings_dict["USER"]
    if not role or role == owner:
        raise RoleSetupError(
            f"运行角色“{role}”与表的所有者“{owner}”相同：请在 DATABASE_URL 中使用单独的运行角色，"
            "并以 MIGRATE_DATABASE_URL 的所有者角色执行迁移和本命令。"
        )
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # The owner of the tables: the role that ran the migrations (a superuser may run this command).
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'django_migrations'")
        row = cursor.fetchone()
        if row is None:
            raise RoleSetupError("数据库尚未迁移：请先执行 manage.py migrate。")
        table_owner = row[0]
        if role == table_owner:
            raise RoleSetupError(f"运行角色“{role}”拥有这些表，不能作为运行角色。")
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        verb = "ALTER" if cursor.fetchone() else "CREATE"
        if password:
            cursor.execute(f"{verb} ROLE {qn(role)} WITH {ROLE_ATTRIBUTES} PASSWORD %s", [password])
        else:
            cursor.execute(f"{verb} ROLE {qn(role)} WITH {ROLE_ATTRIBUTES}")
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
        cursor.execute(f"GRANT CONNECT ON DATABASE {qn(database)} TO {qn(role)}")
        cursor.execute(f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {qn(role)}")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {qn(role)}")
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {qn(role)}")
        cursor.execute(f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA public TO {qn(role)}")
        guarded = append_only_tables(cursor)
        for table in guarded:
            cursor.execute(f"REVOKE UPDATE, DELETE ON {qn(table)} FROM {qn(role)}")
        cursor.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {qn(role)}")
        cursor.execute(f"GRANT {SEQUENCE_RIGHTS} ON ALL SEQUENCES IN SCHEMA public TO {qn(role)}")
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {qn(table_owner)} IN SCHEMA public "
            f"GRANT {TABLE_RIGHTS} ON TABLES TO {qn(role)}"
        )
        cursor.execute(
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {qn(table_owner)} IN SCHEMA public "
            f"GRANT {SEQUENCE_RIGHTS} ON SEQUENCES TO {qn(role)}"
        )
        tables = public_tables(cursor)
    return tables, guarded
