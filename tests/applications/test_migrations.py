"""applications 0003 moves the profile's blacklist fields into Blacklisting records (and back); 0005
marks a 92 code's profile as not an independent legal person."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("applications", "0002_registration_commitment_and_overrides")]
AFTER = [("applications", "0005_verified_eligibility")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


def profile(apps, name, uscc, **values):
    org = apps.get_model("accounts", "Organisation").objects.create(kind="enterprise", name=name, uscc=uscc)
    return apps.get_model("applications", "EnterpriseProfile").objects.create(
        organisation=org,
        legal_representative="陈法人",
        registered_address="云浮市云城区",
        district="yuncheng",
        sector="industry",
        declared_size="small",
        employees=50,
        revenue=800,
        total_assets=600,
        **values,
    )


@pytest.mark.django_db(transaction=True)
def test_the_profiles_blacklist_becomes_a_record_and_comes_back():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        listed = profile(
            old,
            "迁移测试企业",
            "91445302MA5C0003",
            blacklisted_until=dt.date(2028, 5, 1),
            blacklist_reason="提供虚假材料",
        )
        profile(old, "个体户", "92445302MA5C0004")
        new = migrate(AFTER)
        [record] = new.get_model("applications", "Blacklisting").objects.all()
        assert (record.enterprise_id, record.listed_until, record.reason, record.source) == (
            listed.organisation_id,
            dt.date(2028, 5, 1),
            "提供虚假材料",
            "migrated",
        )
        assert record.listed_from <= record.listed_until
        Profile = new.get_model("applications", "EnterpriseProfile")
        assert Profile.objects.get(organisation__uscc="92445302MA5C0004").is_independent_legal_person is False
        assert Profile.objects.get(pk=listed.pk).is_independent_legal_person is True
        back = migrate(BEFORE)
        again = back.get_model("applications", "EnterpriseProfile").objects.get(pk=listed.pk)
        assert (again.blacklisted_until, again.blacklist_reason) == (dt.date(2028, 5, 1), "提供虚假材料")
    finally:
        migrate(latest)
