"""How the platform's layers talk upwards without importing upwards: common.workdays reads the holiday
table it is given; accounts tells the audit log of the administrators' changes by a signal."""

import datetime as dt

import pytest

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.accounts.signals import admin_changed, send_admin_changed
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common import workdays

D = dt.date


class InventedTable(workdays.HolidayTable):
    """2031: New Year's Day off, Saturday 4 January a make-up working day; the year declared complete."""

    def days(self, year):
        return {D(2031, 1, 1): False, D(2031, 1, 4): True} if year == 2031 else {}

    def has_year(self, year):
        return year == 2031

    def last_year(self):
        return 2031


@pytest.fixture
def invented_table():
    previous = workdays.holiday_table()
    workdays.use_holiday_table(InventedTable())
    yield
    workdays.use_holiday_table(previous)


def test_the_calculator_reads_the_table_it_is_given(invented_table):
    assert workdays.is_working_day(D(2031, 1, 1)) is False
    assert workdays.is_working_day(D(2031, 1, 4)) is True  # a Saturday
    result = workdays.add_workdays(D(2030, 12, 31), 2)  # (1 Jan off) Thu 2, Fri 3
    assert result == D(2031, 1, 3) and result.provisional is False
    assert workdays.is_known_year(2031) and workdays.last_known_year() == 2031


def test_with_an_empty_table_an_unknown_year_is_monday_to_friday_and_provisional(monkeypatch):
    heard = []
    monkeypatch.setattr(workdays, "unknown_year_listeners", [heard.append])
    previous = workdays.holiday_table()
    workdays.use_holiday_table(workdays.HolidayTable())
    try:
        result = workdays.add_workdays(D(2031, 1, 3), 1)  # Friday -> Monday
    finally:
        workdays.use_holiday_table(previous)
    assert result == D(2031, 1, 6) and result.provisional is True
    assert heard == [2031]


@pytest.mark.django_db
def test_an_administrators_change_to_a_user_is_an_audit_event_with_its_code(
    client_for, administrator, bureau_clerk
):
    client = client_for(administrator)
    page = client.get(f"/admin/accounts/user/{bureau_clerk.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update(
        username=bureau_clerk.username,
        groups=[g.pk for g in bureau_clerk.groups.all()],
        organisation=bureau_clerk.organisation_id,
        full_name="改名的经办",
        is_active="on",
        date_joined_0="2026-11-26",
        date_joined_1="09:00:00",
    )
    data.pop("password", None)
    data.pop("last_login", None)
    assert client.post(f"/admin/accounts/user/{bureau_clerk.pk}/change/", data).status_code == 302
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(bureau_clerk.pk))
    assert (event.code, event.action) == ("accounts.user.update", "修改用户")
    assert event.data == {"groups": [Role.BUREAU_CLERK], "active": True}
    assert event.actor_id == administrator.pk


@pytest.mark.django_db
def test_an_organisation_created_in_the_admin_is_an_audit_event(administrator):
    org = Organisation.objects.create(kind="finance", name="云浮市财政局（测试）")
    send_admin_changed(by=administrator, obj=org, created=True, data={"name": org.name})
    event = AuditEvent.objects.get(object_type="accounts.organisation", object_id=str(org.pk))
    assert (event.code, event.action) == ("accounts.organisation.create", "新增机构")


def test_nobody_listening_to_the_administrators_changes_is_an_error(monkeypatch):
    monkeypatch.setattr(admin_changed, "has_listeners", lambda sender=None: False)
    with pytest.raises(Exception, match="nothing records"):
        send_admin_changed(by=None, obj=Organisation(kind="bank", name="x"), created=True, data={})
