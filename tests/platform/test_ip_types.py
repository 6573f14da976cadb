"""IP types are data (issue 9; DOMAIN Rulings "IP types are data", Art 2): a table seeded with the five
types of Art 2; a version lists its types from it; a new Measures adds a type, and assets and filings
of that type are accepted under that version only; copyright and the like stay out with Art 2's message."""

import datetime as dt

import pytest
import time_machine

from applications.eligibility import asset_checks
from applications.forms import AssetForm
from applications.models import IPAsset
from applications.services import ip_asset_register
from tests.applications.conftest import make_patent
from yunfu_ipfund.audit.models import AuditEvent
from yunfu_ipfund.common.checks import FAIL, PASS
from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.policy import services
from yunfu_ipfund.policy.models import IPTypeEntry, PolicyVersion, ip_type_family
from yunfu_ipfund.policy.seed import DEFAULTS_2025

pytestmark = [pytest.mark.django_db, pytest.mark.article(2)]

SHIPPED = [
    ("invention", "发明专利", "patent"),
    ("utility_model", "实用新型专利", "patent"),
    ("design", "外观设计专利", "patent"),
    ("trademark", "注册商标", "trademark"),
    ("geo_indication", "地理标志", "geo_indication"),
]
NEW = dict(code="collective_mark", name="集体商标", family="trademark", sort=45)
NUMBER = "38561234"


def new_version(administrator, **overrides):
    fields = dict(
        code="2030",
        title="云浮市中小微企业知识产权质押融资风险补偿资金管理办法（2030年）",
        issuing_body="云浮市市场监督管理局",
        legal_basis="同上",
        effective_from=dt.date(2030, 9, 25),
        effective_to=dt.date(2035, 9, 24),
        **DEFAULTS_2025,
    )
    fields.update(overrides)
    return services.policy_version_create(by=administrator, reason="新办法", **fields)


@pytest.fixture
def collective_mark(administrator):
    return services.ip_type_save(by=administrator, reason="2030年办法新增", **NEW)


@pytest.fixture
def version_2030(administrator, collective_mark):
    scope = [*DEFAULTS_2025["ip_types_in_scope"], NEW["code"]]
    return new_version(administrator, ip_types_in_scope=scope)


def register_mark(user, org):
    return ip_asset_register(
        by=user,
        enterprise=org,
        ip_type=NEW["code"],
        number=NUMBER,
        title="云浮石艺",
        holder_name=org.name,
        trademark_class=19,
        expiry_date=dt.date(2036, 1, 1),
    )


def test_the_table_holds_the_five_types_of_article_2_in_order():
    assert [(t.code, t.name, t.family) for t in IPTypeEntry.objects.all()] == SHIPPED
    assert all(t.active for t in IPTypeEntry.objects.all())


def test_both_shipped_versions_list_their_types_from_the_table():
    for version in PolicyVersion.objects.all():
        assert [t.code for t in version.ip_types()] == [code for code, _, _ in SHIPPED]


def test_a_stored_code_keeps_its_name_and_family(enterprise_a):
    asset = make_patent(enterprise_a)
    assert asset.get_ip_type_display() == "发明专利" and ip_type_family(asset.ip_type) == "patent"


def test_a_version_cannot_list_a_type_that_is_not_in_the_table(administrator):
    with pytest.raises(ValidationFailed) as caught:
        new_version(administrator, ip_types_in_scope=["invention", "collective_mark"])
    assert [d["field"] for d in caught.value.details] == ["ip_types_in_scope"]
    assert "collective_mark" in caught.value.message and "第二条" in caught.value.message
    assert not PolicyVersion.objects.filter(code="2030").exists()


def test_a_version_cannot_list_an_inactive_type(administrator, collective_mark):
    services.ip_type_save(by=administrator, entry=collective_mark, **{**NEW, "active": False})
    with pytest.raises(ValidationFailed):
        new_version(administrator, ip_types_in_scope=["invention", "collective_mark"])


def test_a_new_type_is_added_audited_and_listed_by_the_new_version(administrator, version_2030):
    entry = IPTypeEntry.objects.get(code="collective_mark")
    assert AuditEvent.objects.filter(code="policy.ip_type.create", object_id=str(entry.pk)).count() == 1
    assert [t.code for t in version_2030.ip_types()][3:] == ["trademark", "collective_mark", "geo_indication"]
    assert "collective_mark" not in PolicyVersion.objects.get(code="2025").ip_types_in_scope


def test_the_code_of_a_type_cannot_change_once_saved(administrator, collective_mark):
    with pytest.raises(ValidationFailed) as caught:
        services.ip_type_save(by=administrator, entry=collective_mark, **{**NEW, "code": "mark2"})
    assert caught.value.code == "ip_type_code_fixed"


def test_a_family_outside_article_2_is_refused(administrator):
    with pytest.raises(ValidationFailed) as caught:
        services.ip_type_save(by=administrator, code="breed", name="新品种", family="plant")
    assert "知识产权类型有误" in caught.value.message
    assert not IPTypeEntry.objects.filter(code="breed").exists()


@pytest.mark.parametrize(
    "code, name", [("copyright", "著作权"), ("sw", "计算机软件著作权"), ("tm_secret", "商业秘密（商标）")]
)
def test_copyright_and_the_like_cannot_be_added_to_the_table_whatever_family(administrator, code, name):
    with pytest.raises(ValidationFailed) as caught:
        services.ip_type_save(by=administrator, code=code, name=name, family="trademark")
    assert caught.value.code == "ip_type_excluded" and "第二条" in caught.value.message
    assert not IPTypeEntry.objects.filter(code=code).exists()


def test_the_admin_adds_a_type_through_the_audited_service(login_as, administrator):
    client = login_as(administrator)
    response = client.post(
        "/admin/policy/iptypeentry/add/",
        {"code": "collective_mark", "name": "集体商标", "family": "trademark", "sort": "45", "active": "on"},
    )
    assert response.status_code == 302
    entry = IPTypeEntry.objects.get(code="collective_mark")
    assert AuditEvent.objects.filter(code="policy.ip_type.create", object_id=str(entry.pk)).count() == 1
    response = client.post(
        "/admin/policy/iptypeentry/add/",
        {"code": "copyright", "name": "著作权", "family": "trademark", "sort": "1"},
    )
    assert response.status_code == 302 and not IPTypeEntry.objects.filter(code="copyright").exists()


def test_an_asset_of_the_new_type_is_refused_under_the_version_that_does_not_list_it(
    enterprise_user, enterprise_a, version_2030
):
    with pytest.raises(ValidationFailed) as caught:
        register_mark(enterprise_user, enterprise_a)  # today: the 2025 Measures are in force
    assert caught.value.code == "ip_not_in_version"
    assert "集体商标" in caught.value.message and "第二条" in caught.value.message
    assert not IPAsset.objects.exists()


def test_an_asset_of_the_new_type_is_accepted_under_the_version_that_lists_it(
    enterprise_user, enterprise_a, version_2030
):
    with time_machine.travel(dt.datetime(2030, 9, 25, 10, tzinfo=dt.UTC)):
        asset = register_mark(enterprise_user, enterprise_a)
    assert asset.ip_type == "collective_mark" and asset.number == NUMBER and asset.trademark_class == 19
    assert asset.get_ip_type_display() == "集体商标"


def test_a_filing_judges_the_new_type_in_scope_under_that_version_only(enterprise_a, version_2030):
    asset = IPAsset.objects.create(
        enterprise=enterprise_a,
        ip_type="collective_mark",
        number=NUMBER,
        title="云浮石艺",
        holder_name=enterprise_a.name,
        trademark_class=19,
        expiry_date=dt.date(2036, 1, 1),
    )

    def outcome(policy):
        checks = asset_checks([asset], enterprise=enterprise_a, policy=policy, maturity=None)
        return next(c.outcome for c in checks if c.rule == "ip_in_scope")

    assert outcome(version_2030) == PASS
    assert outcome(PolicyVersion.objects.get(code="2025")) == FAIL


def test_the_asset_form_offers_the_active_types_and_names_the_excluded_ones(administrator, collective_mark):
    offered = dict(AssetForm().fields["ip_type"].choices)
    assert offered["collective_mark"] == "集体商标" and offered["invention"] == "发明专利"
    assert offered["copyright"] == "著作权（不属于支持范围）"
    services.ip_type_save(by=administrator, entry=collective_mark, **{**NEW, "active": False})
    assert "collective_mark" not in dict(AssetForm().fields["ip_type"].choices)


def test_copyright_stays_out_with_the_article_2_message(enterprise_user, enterprise_a):
    with pytest.raises(ValidationFailed) as caught:
        ip_asset_register(
            by=enterprise_user,
            enterprise=enterprise_a,
            ip_type="copyright",
            number="国作登字-2024-A-1",
            title="x",
            holder_name=enterprise_a.name,
        )
    assert caught.value.code == "ip_out_of_scope"
    assert "第二条" in caught.value.message and "著作权" in caught.value.message


# --- the public home page prints the version in force's types --------------------------------------


def test_the_home_page_prints_the_types_of_the_version_in_force(client):
    PolicyVersion.objects.filter(code="2025").update(ip_types_in_scope=["invention", "trademark"])
    page = client.get("/").content.decode()
    assert '<strong class="ip-types">发明专利、注册商标</strong>' in page
    assert "地理标志</strong>" not in page and "外观设计专利" not in page


def test_the_home_page_prints_all_five_shipped_types(client):
    page = client.get("/").content.decode()
    assert (
        '<strong class="ip-types">发明专利、实用新型专利、外观设计专利、注册商标、地理标志</strong>' in page
    )


def test_the_measures_page_lists_each_versions_types(client, version_2030):
    page = client.get("/measures/").content.decode()
    assert "<td>发明专利、实用新型专利、外观设计专利、注册商标、集体商标、地理标志</td>" in page  # 2030
    assert "<td>发明专利、实用新型专利、外观设计专利、注册商标、地理标志</td>" in page  # 2025 and 2020


def test_an_asset_of_a_new_patent_family_type_is_a_patent(administrator, enterprise_a):
    """A type a later Measures adds to the patent family is a patent wherever the asset asks (annual
    fee, the Art 7-11 asset checks), not only the three built-in patent codes."""
    services.ip_type_save(
        by=administrator,
        reason="新办法新增",
        code="patent_extra",
        name="专利（新增类）",
        family="patent",
        sort=35,
    )
    asset = make_patent(enterprise_a)
    assert asset.is_patent
    asset.ip_type = "patent_extra"
    assert asset.is_patent
    asset.ip_type = "trademark"
    assert not asset.is_patent
