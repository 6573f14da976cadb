"""The public statistics page: aggregate figures for anyone, no names."""

from lenders.models import CooperatingBank


def test_anyone_sees_the_aggregate_figures_without_logging_in(client, db):
    page = client.get("/fund/statistics/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "统计数据" in text
    # The opening provincial allocation is posted by migration: 5,000,000.00 available on a fresh database.
    assert "5,000,000.00 元" in text


def test_the_page_counts_active_banks_and_names_no_enterprise(
    client, bank_a, bank_b, enterprise_a, bureau_approver
):
    import datetime as dt

    from lenders.services import bank_admit, bank_suspend

    for bank, number in ((bank_a, "HZ-1"), (bank_b, "HZ-2")):
        bank_admit(
            by=bureau_approver,
            organisation=bank,
            agreement_number=number,
            agreement_valid_from=dt.date(2026, 1, 5),
            agreement_valid_to=dt.date(2028, 1, 4),
        )
    bank_suspend(
        by=bureau_approver, bank=CooperatingBank.objects.get(organisation=bank_b), reason="不良率超过阈值"
    )
    text = client.get("/fund/statistics/").content.decode()
    assert "<dt>合作银行</dt><dd>1 家</dd>" in text
    assert enterprise_a.name not in text
