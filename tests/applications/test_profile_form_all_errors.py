"""Issue 14 item 2 on the enterprise profile: every failing field at once, each named in Chinese, the
limits of the 万元 figures stated in 万元, everything typed kept."""

from django.urls import reverse

from applications.models import EnterpriseProfile

URL = reverse("applications:profile_edit")

GOOD = {
    "legal_representative": "张三",
    "registered_address": "云浮市云城区云浮大道1号",
    "district": "yuncheng",
    "is_independent_legal_person": "yes",
    "sector": "industry",
    "declared_size": "small",
    "employees": "50",
    "revenue": "3000",
    "total_assets": "5000",
    "annual_report_year": "2025",
}


def test_all_failing_fields_are_named_at_once(client_for, enterprise_user):
    typed = {**GOOD, "uscc": "91445321MA52B7779A", "district": "outside", "revenue": "1" + "0" * 14}
    response = client_for(enterprise_user).post(URL, typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert "请修改以下 3 处后再提交" in body
    assert "统一社会信用代码：" in body and "校验码" in body
    assert "注册地所在县（市、区）：企业须在云浮市" in body
    assert "上年营业收入（万元）：金额过大（超过 999,999,999.99 万元），请核对。" in body
    assert " 元）" not in body  # no limit of a 万元 figure in 元
    assert 'value="张三"' in body and 'value="91445321MA52B7779A"' in body
    assert not EnterpriseProfile.objects.filter(organisation=enterprise_user.organisation).exists()


def test_a_figure_over_the_portal_limit_is_also_told_in_wan(client_for, enterprise_user):
    response = client_for(enterprise_user).post(URL, {**GOOD, "total_assets": "1" + "0" * 17})
    assert response.status_code == 400
    assert "资产总额（万元）：金额过大（超过 999,999,999.99 万元），请核对。" in response.content.decode()


def test_a_good_profile_is_saved(client_for, enterprise_user):
    response = client_for(enterprise_user).post(URL, {**GOOD, "uscc": enterprise_user.organisation.uscc})
    assert response.status_code == 302
    profile = EnterpriseProfile.objects.get(organisation=enterprise_user.organisation)
    assert str(profile.revenue) == "3000.00"
