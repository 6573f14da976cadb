"""With the cache (Redis) unreachable, the portal keeps answering (issue 12, item 4): the rate limiter
counts in the process instead of failing with a 500, and still limits; what lives in the cache (the
public statistics) is recomputed, and the writes that forget it are skipped."""

import logging

import pytest

from tests.factories import Flow
from tests.factories import make_non_performing_loan as make_loan
from yunfu_ipfund.common import cache as resilient_cache
from yunfu_ipfund.common import ratelimit

from .brokers import DOWN_URL

REDIS_DOWN = {"default": {"BACKEND": "yunfu_ipfund.common.cache.ResilientRedisCache", "LOCATION": DOWN_URL}}


@pytest.fixture(autouse=True)
def cache_down(db, settings, monkeypatch):
    settings.CACHES = REDIS_DOWN
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(ratelimit, "_local", {})
    monkeypatch.setattr(ratelimit, "_cache_down", False)
    monkeypatch.setattr(resilient_cache, "_down", False)


def test_verify_answers_and_still_limits_when_the_cache_is_down(client, settings, caplog, db):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 2
    with caplog.at_level(logging.ERROR, logger="yunfu_ipfund.common.ratelimit"):
        answers = [client.post("/verify/", {"number": "x", "code": "y"}) for _ in range(3)]
    assert [r.status_code for r in answers[:2]] == [200, 200]
    assert "未通过验证" in answers[0].content.decode()
    assert answers[2].status_code == 429 and "查询过于频繁" in answers[2].content.decode()
    # Another address has its own allowance; the outage is logged once, not once per request.
    assert (
        client.post("/verify/", {"number": "x", "code": "y"}, REMOTE_ADDR="198.51.100.9").status_code == 200
    )
    assert len([r for r in caplog.records if "cache is unreachable" in r.getMessage()]) == 1


def test_an_objection_is_received_when_the_cache_is_down(
    client,
    settings,
    bank_a,
    enterprise_a,
    bank_officer,
    bank_supervisor,
    bureau_clerk,
    bureau_approver,
    finance_user,
):
    from compensation.models import Objection

    flow = Flow(bank_officer, bank_supervisor, bureau_clerk, bureau_approver, finance_user)
    claim = flow.published(make_loan(bank_a, enterprise_a, bank_officer))
    url = claim.batch.get_absolute_url()
    posted = client.post(
        url,
        {
            "claim": claim.pk,
            "name": "张三",
            "contact": "13800000000",
            "content": "该企业仍在正常经营，贷款并未逾期",
        },
    )
    assert posted.status_code == 302
    assert Objection.objects.filter(claim=claim).count() == 1
    settings.PUBLIC_FORM_RATE_PER_HOUR = 1
    again = client.post(
        url,
        {
            "claim": claim.pk,
            "name": "张三",
            "contact": "13800000000",
            "content": "该企业仍在正常经营，再次反映",
        },
    )
    assert again.status_code == 429 and Objection.objects.filter(claim=claim).count() == 1


def test_the_cache_reads_miss_and_the_writes_are_skipped_when_redis_is_down(caplog):
    import redis
    from django.core.cache import cache

    with caplog.at_level(logging.ERROR, logger="yunfu_ipfund.common.cache"):
        assert cache.get("figures") is None and cache.get("figures", "默认") == "默认"
        assert cache.get_many(["a", "b"]) == {}
        cache.set("figures", 1)
        cache.delete("figures")  # what a signal forgetting cached figures does on every save: no error
        cache.clear()
    assert len([r for r in caplog.records if "Redis is unreachable" in r.getMessage()]) == 1
    with pytest.raises(redis.exceptions.ConnectionError):  # a count never silently fails (common.ratelimit)
        cache.incr("rate:x")


def test_the_limiter_counts_in_the_cache_again_once_it_is_back(rf, settings, caplog):
    settings.PUBLIC_FORM_RATE_PER_HOUR = 5
    request = rf.post("/verify/", REMOTE_ADDR="203.0.113.7")
    assert ratelimit.rate_limited(request, "verify") is False
    assert ratelimit._local == {
        "rate:verify:203.0.113.7": [1, ratelimit._local["rate:verify:203.0.113.7"][1]]
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    with caplog.at_level(logging.WARNING, logger="yunfu_ipfund.common.ratelimit"):
        assert ratelimit.rate_limited(request, "verify") is False
    assert cache.get("rate:verify:203.0.113.7") == 1
    assert any("reachable again" in r.getMessage() for r in caplog.records)
