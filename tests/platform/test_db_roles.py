"""Two database roles (issue 12): the suite, like production, connects as the runtime role, which owns
no table and cannot undo the append-only rule. PostgreSQL only (SQLite has no roles)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tests.conftest import DB_ROLES, postgres_only
from yunfu_ipfund.common.dbroles import append_only_tables, grant_runtime_role

pytestmark = [pytest.mark.django_db, postgres_only]

APPEND_ONLY = ["audit_auditevent", "fund_entry", "fund_posting", "lenders_loanevent"]


def _refused(sql):
    """Run `sql` in a savepoint; the database's refusal (privilege or trigger) as text, or None."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        return str(exc)
    return None


def _current_user():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, usesuper FROM pg_user WHERE usename = current_user")
        return cursor.fetchone()


def test_the_suite_runs_as_the_runtime_role_not_the_owner():
    user, superuser = _current_user()
    assert DB_ROLES, "the suite did not switch to the runtime role"
    assert user == DB_ROLES["runtime"][0] != DB_ROLES["owner"][0]
    assert superuser is False


def test_the_append_only_tables_are_read_from_their_triggers():
    with connection.cursor() as cursor:
        assert set(APPEND_ONLY) <= set(append_only_tables(cursor))


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_runtime_role_cannot_undo_the_append_only_rule(table):
    assert "permission denied" in (_refused(f"TRUNCATE {table}") or "")
    assert "must be owner" in (_refused(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only") or "")
    assert "must be owner" in (_refused(f"ALTER TABLE {table} DISABLE TRIGGER ALL") or "")
    assert "permission denied" in (_refused(f"UPDATE {table} SET id = id") or "")
    assert "permission denied" in (_refused(f"DELETE FROM {table}") or "")
    assert "must be owner" in (_refused(f"DROP TABLE {table}") or "")


def test_the_runtime_role_has_no_ddl_and_no_truncate_anywhere():
    assert "permission denied" in (_refused("CREATE TABLE yunfu_intruder (id int)") or "")
    assert "must be owner" in (_refused("ALTER TABLE accounts_user ADD COLUMN intruder int") or "")
    assert "permission denied" in (_refused("TRUNCATE accounts_user CASCADE") or "")
    replaced = _refused(
        "CREATE OR REPLACE FUNCTION refuse_change_append_only() RETURNS trigger AS $$ "
        "BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql"
    )
    assert replaced and ("must be owner" in replaced or "permission denied" in replaced)


def test_the_runtime_roles_rights_table_by_table():
    role = DB_ROLES["runtime"][0]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT tablename,
                   has_table_privilege(%s, quote_ident(tablename), 'SELECT'),
                   has_table_privilege(%s, quote_ident(tablename), 'INSERT'),
                   has_table_privilege(%s, quote_ident(tablename), 'UPDATE'),
                   has_table_privilege(%s, quote_ident(tablename), 'DELETE'),
                   has_table_privilege(%s, quote_ident(tablename), 'TRUNCATE'),
                   has_table_privilege(%s, quote_ident(tablename), 'TRIGGER'),
                   has_table_privilege(%s, quote_ident(tablename), 'REFERENCES'),
                   tableowner
            FROM pg_tables WHERE schemaname = 'public'
            """,
            [role] * 7,
        )
        rows = cursor.fetchall()
    assert len(rows) > 20
    for table, select, insert, update, delete, truncate, trigger, references, owner in rows:
        assert owner != role, table
        assert (select, insert, truncate, trigger, references) == (True, True, False, False, False), table
        expected = (False, False) if table in APPEND_ONLY else (True, True)
        assert (update, delete) == expected, table


@pytest.mark.db_owner
def test_the_command_is_idempotent_and_refuses_the_owner_as_runtime_role(capsys):
    role, password = DB_ROLES["runtime"]
    call_command("db_roles", role=role, password=password)
    call_command("db_roles", role=role, password=password)
    out = capsys.readouterr().out
    assert f"运行角色“{role}”" in out and "audit_auditevent" in out
    with pytest.raises(CommandError, match="所有者"):
        call_command("db_roles", role=DB_ROLES["owner"][0], password="")


@pytest.mark.db_owner
def test_the_owner_connection_is_used_for_db_owner_tests():
    assert _current_user()[0] == DB_ROLES["owner"][0]
    tables, guarded = grant_runtime_role(DB_ROLES["runtime"][0], DB_ROLES["runtime"][1])
    assert set(APPEND_ONLY) <= set(guarded) and set(guarded) < set(tables)


def test_the_default_privileges_cover_tables_created_later():
    role = DB_ROLES["runtime"][0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_to_string(defaclacl, ',') FROM pg_default_acl d "
            "JOIN pg_namespace n ON n.oid = d.defaclnamespace WHERE n.nspname = 'public'"
        )
        acls = ",".join(row[0] for row in cursor.fetchall())
    assert f"{role}=arwd/" in acls  # tables: SELECT, INSERT, UPDATE, DELETE
    assert f"{role}=rU/" in acls  # sequences: SELECT, USAGE
