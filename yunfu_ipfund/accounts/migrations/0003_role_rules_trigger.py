"""The role rules of accounts.roles.role_conflict, held by PostgreSQL as well: a row of
accounts_user_groups that would give one account an administrative role beside a business role, two
administrative roles, or both bank roles is refused, whatever writes it (the ORM's check is
accounts.services.check_groups_change; this one also holds for raw SQL and bulk inserts).
The role names are the groups' names as stored (accounts.roles.Role), frozen here as a migration is."""

from django.db import migrations

ADMIN = "'administrator','security_admin','audit_admin'"
BUSINESS = "'enterprise_user','bank_officer','bank_supervisor','bureau_clerk','bureau_approver','finance'"

CREATE = f"""
CREATE OR REPLACE FUNCTION accounts_role_rules() RETURNS trigger AS $$
DECLARE
    names text[];
BEGIN
    SELECT array_agg(g.name) INTO names
      FROM accounts_user_groups ug JOIN auth_group g ON g.id = ug.group_id
     WHERE ug.user_id = NEW.user_id;
    IF (SELECT count(*) FROM unnest(names) n WHERE n IN ({ADMIN})) > 1
       OR ((SELECT count(*) FROM unnest(names) n WHERE n IN ({ADMIN})) > 0
           AND (SELECT count(*) FROM unnest(names) n WHERE n IN ({BUSINESS})) > 0)
       OR names @> ARRAY['bank_officer', 'bank_supervisor']::text[] THEN
        RAISE EXCEPTION '三员分立：账号 % 不能同时持有这些角色（%）',
            NEW.user_id, array_to_string(names, '、') USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS accounts_role_rules ON accounts_user_groups;
CREATE CONSTRAINT TRIGGER accounts_role_rules AFTER INSERT OR UPDATE ON accounts_user_groups
    FOR EACH ROW EXECUTE FUNCTION accounts_role_rules();
"""

DROP = """
DROP TRIGGER IF EXISTS accounts_role_rules ON accounts_user_groups;
DROP FUNCTION IF EXISTS accounts_role_rules();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_separation_of_duties_passwords")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
