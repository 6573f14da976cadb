"""Named personas and shared fixtures. Domain tests add theirs in tests/<app>/conftest.py; the builders
the fixtures call are in tests/factories.py."""

import functools
import os
import secrets
import threading
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import TransactionTestCase
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import PASSWORD, make_org, make_user  # noqa: F401  (PASSWORD importable from here too)
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.identifiers import make_uscc

# Property tests check behaviour, not speed: no per-example deadline, which a loaded 2-core CI machine
# would otherwise turn into flaky failures (speed is measured by bench/, never by tests).
hypothesis_settings.register_profile("portal", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("portal")


def pytest_configure(config):
    # `@pytest.mark.article(7)` (or several numbers): the articles of the Measures a test covers, read by
    # `manage.py measures_map` into docs/measures-map.md (yunfu_ipfund.common.articles).
    config.addinivalue_line("markers", "article(*numbers): the articles of the Measures the test covers")
    config.addinivalue_line(
        "markers", "db_owner: runs as the owner of the tables (tampering on purpose; DDL)"
    )
    config.addinivalue_line(
        "markers",
        "real_second_factor: a login leaves the session owing its second factor, as in production "
        "(tests/platform/test_second_factor.py, the browser walk); otherwise every login is verified",
    )


@pytest.fixture
def bureau(db):
    return make_org("bureau", "云浮市市场监督管理局")


@pytest.fixture
def finance_bureau(db):
    return make_org("finance", "云浮市财政局")


@pytest.fixture
def bank_a(db):
    return make_org("bank", "中国工商银行云浮分行", make_uscc("91445300MA4A0001"))


@pytest.fixture
def bank_b(db):
    return make_org("bank", "中国农业银行云浮分行", make_uscc("91445300MA4B0002"))


@pytest.fixture
def enterprise_a(db):
    return make_org("enterprise", "云浮市云石科技有限公司", make_uscc("91445302MA5C0003"))


@pytest.fixture
def enterprise_b(db):
    return make_org("enterprise", "罗定市稻香农业发展有限公司", make_uscc("91445381MA5D0004"))


@pytest.fixture
def enterprise_user(enterprise_a):
    return make_user("ent_a", enterprise_a, Role.ENTERPRISE_USER, full_name="陈企业")


@pytest.fixture
def enterprise_b_user(enterprise_b):
    return make_user("ent_b", enterprise_b, Role.ENTERPRISE_USER, full_name="黄企业")


@pytest.fixture
def bank_officer(bank_a):
    return make_user("bank_a_officer", bank_a, Role.BANK_OFFICER, full_name="李经办")


@pytest.fixture
def bank_supervisor(bank_a):
    return make_user("bank_a_supervisor", bank_a, Role.BANK_SUPERVISOR, full_name="王复核")


@pytest.fixture
def bank_b_officer(bank_b):
    return make_user("bank_b_officer", bank_b, Role.BANK_OFFICER, full_name="赵经办")


@pytest.fixture
def bank_b_supervisor(bank_b):
    return make_user("bank_b_supervisor", bank_b, Role.BANK_SUPERVISOR, full_name="钱复核")


@pytest.fixture
def bureau_clerk(bureau):
    return make_user("bureau_clerk", bureau, Role.BUREAU_CLERK, full_name="周经办")


@pytest.fixture
def bureau_approver(bureau):
    return make_user("bureau_approver", bureau, Role.BUREAU_APPROVER, full_name="吴审核")


@pytest.fixture
def finance_user(finance_bureau):
    return make_user("finance", finance_bureau, Role.FINANCE, full_name="郑财政")


@pytest.fixture
def administrator(bureau):
    user = make_user("admin", bureau, Role.ADMINISTRATOR, full_name="系统管理员")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture
def outsider(db):
    org = make_org("enterprise", "外地某公司", make_uscc("91110108MA0E0005"))
    return make_user("outsider", org, Role.ENTERPRISE_USER)


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL); skipped on SQLite"
)


# --- Two database roles (issue 12; docs/operations.md "Database roles") ---------------------------------
# On PostgreSQL the suite runs as the runtime role, as production does: pytest-django creates the test
# database with DATABASE_URL's role (the owner: it needs CREATEDB), `grant_runtime_role` then creates
# `<test database>_app` with the runtime grants, and the connections switch to it (the settings dict
# is shared by every thread's connection, so run_in_parallel's threads use it too). What only the owner
# may do goes through `db_owner()`: the flush after each transactional test (it TRUNCATEs), tests
# marked `db_owner` (tampering with the database on purpose, e.g. disabling a trigger) and the
# migration tests (modules named test_migrations.py: they run DDL). TEST_AS_DB_OWNER=1 keeps the owner.
DB_ROLES = {}


@contextmanager
def db_owner():
    """Connect as the owner of the tables inside the block (no-op on SQLite or before the switch)."""
    if not DB_ROLES:
        yield
        return
    conf = connection.settings_dict
    saved = (conf["USER"], conf["PASSWORD"])
    connection.close()
    conf["USER"], conf["PASSWORD"] = DB_ROLES["owner"]
    try:
        yield
    finally:
        connection.close()
        conf["USER"], conf["PASSWORD"] = saved


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    if connection.vendor != "postgresql" or os.environ.get("TEST_AS_DB_OWNER"):
        yield
        return
    from yunfu_ipfund.common.dbroles import grant_runtime_role

    conf = connection.settings_dict
    role, password = f"{conf['NAME']}_app"[:63], secrets.token_urlsafe(24)
    with django_db_blocker.unblock():
        grant_runtime_role(role, password)
        connection.close()
    DB_ROLES["owner"] = (conf["USER"], conf["PASSWORD"])
    DB_ROLES["runtime"] = (role, password)
    conf["USER"], conf["PASSWORD"] = role, password
    yield
    with django_db_blocker.unblock():
        connection.close()
    conf["USER"], conf["PASSWORD"] = DB_ROLES.pop("owner")  # pytest-django drops the database as owner
    DB_ROLES.clear()


_transactional_teardown = TransactionTestCase._fixture_teardown


def _fixture_teardown_as_owner(self):
    with db_owner():
        _transactional_teardown(self)


TransactionTestCase._fixture_teardown = _fixture_teardown_as_owner


@pytest.fixture
def _as_db_owner(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), db_owner():
        yield


# Modules that tamper with the database on purpose (to show the checks find it) need the owner: until
# each marks its tests `db_owner`, a module whose source disables or drops a trigger runs as the owner.
_OWNER_SQL = ("DISABLE TRIGGER", "DROP TRIGGER")


@functools.cache
def _needs_owner(path):
    if path.name == "test_migrations.py":  # migrations run DDL
        return True
    try:
        source = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return any(sql in source for sql in _OWNER_SQL) and path.name != "test_db_roles.py"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("db_owner") or _needs_owner(item.path):
            item.fixturenames.insert(0, "_as_db_owner")  # first: around the test's database fixtures


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Every user a test makes would cost a full PBKDF2 hash (about 0.35 s here); what the tests check
    is who may do what, not the hash's cost, so they hash with MD5 (production keeps the default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _verify_second_factor(sender, request, user, **kwargs):
    """Test-only: the session of any login (force_login, client.login, a POST to the login page) is
    verified by a confirmed authenticator of the user's, as if the code page had been passed."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from yunfu_ipfund.accounts import second_factor

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="tests", confirmed=True)
    # As second_factor.login does (force_login's request has no request.user for django_otp.login).
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    second_factor.remember_device(device)


@pytest.fixture(autouse=True)
def _second_factor_verified_at_login(request):
    """The suite signs staff in to test what they may do, not the second factor: each login is verified
    (accounts.second_factor), except in tests marked `real_second_factor` and the browser walk."""
    if request.node.get_closest_marker("real_second_factor") or "tests/e2e/" in str(request.node.path):
        yield
        return
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_verify_second_factor, dispatch_uid="tests.second_factor")
    try:
        yield
    finally:
        user_logged_in.disconnect(dispatch_uid="tests.second_factor")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"


def run_in_parallel(*calls, timeout=120):
    """Run each callable in its own thread (its own database connection), all released together by a
    barrier, as real concurrent transactions on PostgreSQL. Returns, in order, each call's result or
    the exception it raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def runner(i, call):
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except Exception as exc:  # returned to the test, which asserts on it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results
