"""The request memo (common.memo): the policy version and the holiday table read once per request,
re-read after a write in the same request, never kept across requests or threads, and not used at all
outside a request (Celery tasks, management commands)."""

import datetime as dt
import threading

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from yunfu_ipfund.common.errors import DomainError
from yunfu_ipfund.common.memo import RequestMemoMiddleware, memo_active, memoized, request_memo
from yunfu_ipfund.common.workdays import add_workdays, holiday_table, is_known_year
from yunfu_ipfund.policy.models import HolidayDay, HolidayYear, PolicyVersion
from yunfu_ipfund.policy.services import policy_in_force

YEAR = 2030  # a year chinesecalendar does not know: the staff's table decides it
NEW_YEAR = dt.date(YEAR, 1, 1)  # a Tuesday


@pytest.fixture
def year_2030(db):
    HolidayYear.objects.create(year=YEAR, source="国办发明电〔2029〕1号")
    HolidayDay.objects.create(date=dt.date(YEAR, 1, 2), kind=HolidayDay.Kind.HOLIDAY, name="元旦")


def test_it_computes_every_time_outside_a_request():
    calls = []
    assert not memo_active()
    assert memoized("k", lambda: calls.append(1) or len(calls)) == 1
    assert memoized("k", lambda: calls.append(1) or len(calls)) == 2


def test_it_remembers_within_a_request_and_forgets_at_its_end():
    calls = []
    with request_memo():
        assert memo_active()
        assert [memoized("k", lambda: calls.append(1) or len(calls)) for _ in range(3)] == [1, 1, 1]
    assert not memo_active()
    with request_memo():
        assert memoized("k", lambda: calls.append(1) or len(calls)) == 2


def test_the_policy_in_force_is_read_once_per_request(db, django_assert_num_queries):
    today = timezone.localdate()
    with request_memo():
        with django_assert_num_queries(1):
            first = policy_in_force(today)
            assert policy_in_force(today) is first
    with django_assert_num_queries(2):  # outside a request: read on every call, as before
        policy_in_force(today)
        policy_in_force(today)


def test_a_policy_version_saved_or_deleted_in_the_request_is_seen(db):
    with request_memo():
        version = policy_in_force(timezone.localdate())
        PolicyVersion.objects.filter(pk=version.pk).update(title="旧标题")  # no signal: the memo stays
        assert policy_in_force(timezone.localdate()).title != "旧标题"
        fresh = PolicyVersion.objects.get(pk=version.pk)
        fresh.title = "新标题"
        fresh.save()
        assert policy_in_force(timezone.localdate()).title == "新标题"
        later = PolicyVersion.objects.order_by("-effective_from").first()
        day = later.effective_to
        assert policy_in_force(day).pk == later.pk
        later.delete()
        with pytest.raises(DomainError, match="不在任何一版"):
            policy_in_force(day)


def test_one_add_workdays_reads_each_year_once_and_a_second_reads_nothing(
    year_2030, django_assert_num_queries
):
    with request_memo():
        with django_assert_num_queries(2):  # the year's exceptions, the declared years
            assert add_workdays(NEW_YEAR, 5) == dt.date(YEAR, 1, 9)
        with django_assert_num_queries(0):
            assert add_workdays(NEW_YEAR, 5) == dt.date(YEAR, 1, 9)
            assert is_known_year(YEAR)
            assert holiday_table().last_year() == YEAR


def test_a_holiday_edit_in_the_request_is_seen_after_save_and_delete(year_2030):
    with request_memo():
        assert add_workdays(NEW_YEAR, 1) == dt.date(YEAR, 1, 3)
        extra = HolidayDay.objects.create(date=dt.date(YEAR, 1, 3), kind=HolidayDay.Kind.HOLIDAY)
        assert add_workdays(NEW_YEAR, 1) == dt.date(YEAR, 1, 4)
        extra.delete()
        assert add_workdays(NEW_YEAR, 1) == dt.date(YEAR, 1, 3)
        HolidayYear.objects.get(year=YEAR).delete()
        assert not is_known_year(YEAR)


def test_an_edit_between_two_requests_is_seen_by_the_second(year_2030):
    seen = []

    def view(request):
        seen.append(add_workdays(NEW_YEAR, 1))
        return HttpResponse("ok")

    middleware = RequestMemoMiddleware(view)
    middleware(RequestFactory().get("/"))
    HolidayDay.objects.create(date=dt.date(YEAR, 1, 3), kind=HolidayDay.Kind.HOLIDAY)  # e.g. staff
    middleware(RequestFactory().get("/"))
    assert seen == [dt.date(YEAR, 1, 3), dt.date(YEAR, 1, 4)]
    assert not memo_active()


def test_another_thread_does_not_see_the_request_memo():
    seen = {}
    with request_memo():
        memoized("k", lambda: "request value")
        thread = threading.Thread(target=lambda: seen.update(active=memo_active(), value=memoized("k", str)))
        thread.start()
        thread.join()
    assert seen == {"active": False, "value": ""}
