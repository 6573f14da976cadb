"""Demo records of the enterprise side, on top of the platform's demo organisations and users. Idempotent.

- 云浮市云石科技有限公司 (qiye1): profile (industry, small), two patents and a trademark, one draft,
  one submitted and one bank-accepted registration to 中国工商银行股份有限公司云浮分行 (the accepted one is
  what the lenders demo files as a disbursed loan).
- 罗定市稻香农业发展有限公司 (qiye2): profile (industry: rice processing, micro), two patents and a trademark.
- `STAGE_REGISTRATIONS`: one more patent and one bank-accepted registration per loan of the lenders and
  compensation demos (each loan pledges its own patent: an asset pledged under a live loan cannot be
  pledged again), with the three demo banks.

Profiles and assets are written directly (demo data is not judged), with audit events; each profile's
USCC matches its district, its figures classify it as small or micro, and the bureau clerk (shijianju_jb)
has recorded a clean credit check for it, so its registrations pass Art 7; registrations are submitted
and accepted through the workflow like real ones.
"""

import datetime as dt
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from yunfu_ipfund.accounts.models import Organisation, User
from yunfu_ipfund.audit.services import audit_record
from yunfu_ipfund.audit.workflow import transition
from yunfu_ipfund.common.checks import FAIL
from yunfu_ipfund.common.dates import add_months, today
from yunfu_ipfund.common.identifiers import make_patent_number, make_uscc
from yunfu_ipfund.policy.models import IPType
from yunfu_ipfund.policy.services import policy_in_force

from .actions import ASSET_REGISTER, CREDIT_CHECK, PROFILE_CREATE, REGISTRATION_CREATE
from .eligibility import registration_checks
from .models import CreditCheck, EnterpriseProfile, IPAsset, LoanRegistration

BANK = "中国工商银行股份有限公司云浮分行"
DEMO_CLERK = "shijianju_jb"

ENTERPRISES = [
    {
        "user": "qiye1",
        "name": "云浮市云石科技有限公司",
        "uscc_stem": "91445302MA51A001",
        "profile": dict(
            legal_representative="陈晓云",
            registered_address="云浮市云城区河口街道石材科技园8号",
            district="yuncheng",
            sector="industry",
            declared_size="small",
            employees=46,
            revenue=Decimal("1850.00"),
            total_assets=Decimal("1320.00"),
            is_independent_legal_person=True,
        ),
        "assets": [
            (IPType.INVENTION, "202010345671", "一种石材智能切割方法及装置"),
            (IPType.UTILITY_MODEL, "202120456782", "一种石材抛光废水循环装置"),
            (IPType.TRADEMARK, "38561234", "云石"),
        ],
        "trademark_class": 19,
    },
    {
        "user": "qiye2",
        "name": "罗定市稻香农业发展有限公司",
        "uscc_stem": "91445381MA51A002",
        "profile": dict(
            legal_representative="黄稻香",
            registered_address="罗定市素龙街道稻香路18号",
            district="luoding",
            sector="industry",
            declared_size="micro",
            employees=18,
            revenue=Decimal("260.00"),
            total_assets=Decimal("410.00"),
            is_independent_legal_person=True,
        ),
        "assets": [
            (IPType.INVENTION, "202210567893", "一种富硒大米低温加工方法"),
            (IPType.DESIGN, "202230678904", "大米包装袋（稻香）"),
            (IPType.TRADEMARK, "41234567", "罗定稻香"),
        ],
        "trademark_class": 30,
    },
    {
        # The enterprise of the demo's fraud cases (rescinded compensations, a loan excluded): its
        # blacklisting leaves the other two demo enterprises' next steps open.
        "user": "qiye3",
        "name": "新兴县禅心茶业有限公司",
        "uscc_stem": "91445321MA51A003",
        "profile": dict(
            legal_representative="梁禅心",
            registered_address="新兴县六祖镇禅心茶园1号",
            district="xinxing",
            sector="industry",
            declared_size="small",
            employees=32,
            revenue=Decimal("960.00"),
            total_assets=Decimal("720.00"),
            is_independent_legal_person=True,
        ),
        "assets": [
            (IPType.INVENTION, "202210711031", "一种禅茶低温发酵方法"),
            (IPType.UTILITY_MODEL, "202220711032", "一种茶叶杀青温控装置"),
            (IPType.TRADEMARK, "45678901", "禅心"),
        ],
        "trademark_class": 30,
    },
]

DRAFT_PURPOSE = "购置石材智能切割生产线（演示草稿）"
SUBMITTED_PURPOSE = "补充流动资金，采购石材原料（演示）"
ACCEPTED_PURPOSE = "石材废料综合利用技术改造（演示，银行已受理）"
BANK_OFFICER = "gongshang_jb"
ICBC, ABC, CCB = (
    "中国工商银行股份有限公司云浮分行",
    "中国农业银行股份有限公司云浮分行",
    "中国建设银行股份有限公司云浮分行",
)
OFFICERS = {ICBC: "gongshang_jb", ABC: "nonghang_jb", CCB: "jianhang_jb"}

# One accepted registration per demo loan of lenders.demo and compensation.demo, each pledging its own
# patent: (purpose, enterprise user, bank, amount, (type, application-number body, title)).
# The purpose is the key lenders.demo finds the registration by.
STAGE_REGISTRATIONS = [
    (
        "富硒大米烘干线改造（演示，备案草稿）",
        "qiye2",
        ABC,
        "600000.00",
        (IPType.UTILITY_MODEL, "202220711001", "一种富硒大米低温烘干装置"),
    ),
    (
        "稻谷仓储智能化改造（演示，备案待审核）",
        "qiye2",
        ABC,
        "900000.00",
        (IPType.UTILITY_MODEL, "202220711002", "一种稻谷仓储温湿度监测装置"),
    ),
    (
        "石材边角料回收线（演示，备案退回补正）",
        "qiye1",
        CCB,
        "700000.00",
        (IPType.UTILITY_MODEL, "202120711003", "一种石材边角料破碎回收装置"),
    ),
    (
        "大米包装线扩建（演示，不予备案）",
        "qiye2",
        CCB,
        "500000.00",
        (IPType.UTILITY_MODEL, "202220711004", "一种大米真空包装封口装置"),
    ),
    (
        "石材雕刻设备购置（演示，正常在保）",
        "qiye1",
        ABC,
        "1200000.00",
        (IPType.INVENTION, "202110711005", "一种石材三维雕刻路径规划方法"),
    ),
    (
        "石材展厅装修（演示，逾期）",
        "qiye1",
        CCB,
        "800000.00",
        (IPType.UTILITY_MODEL, "202120711006", "一种石材展示架"),
    ),
    (
        "稻米加工流动资金（演示，已还清）",
        "qiye2",
        ICBC,
        "500000.00",
        (IPType.UTILITY_MODEL, "202220711007", "一种稻米色选装置"),
    ),
    (
        "富硒米粉生产线（演示，补偿申请草稿）",
        "qiye2",
        ICBC,
        "1000000.00",
        (IPType.INVENTION, "202210711008", "一种富硒米粉制备方法"),
    ),
    (
        "石材废水处理设备（演示，补偿待补正）",
        "qiye1",
        ABC,
        "1000000.00",
        (IPType.INVENTION, "202110711009", "一种石材加工废水絮凝处理方法"),
    ),
    (
        "石材荒料采购（演示，补偿已受理）",
        "qiye1",
        CCB,
        "900000.00",
        (IPType.UTILITY_MODEL, "202120711010", "一种石材荒料吊装夹具"),
    ),
    (
        "稻谷收购资金（演示，补偿已初审）",
        "qiye2",
        ICBC,
        "800000.00",
        (IPType.UTILITY_MODEL, "202220711011", "一种稻谷除杂筛分装置"),
    ),
    (
        "碾米设备升级（演示，补偿拟予补偿）",
        "qiye2",
        ABC,
        "1000000.00",
        (IPType.INVENTION, "202210711012", "一种低碎米率碾米方法"),
    ),
    (
        "大米品牌推广（演示，补偿不予补偿）",
        "qiye2",
        CCB,
        "600000.00",
        (IPType.UTILITY_MODEL, "202220711013", "一种大米定量灌装装置"),
    ),
    (
        "石材数控设备融资（演示，补偿公示中）",
        "qiye1",
        ICBC,
        "1500000.00",
        (IPType.INVENTION, "202110711014", "一种石材数控磨边方法"),
    ),
]
YEARS_IN_FORCE = {IPType.INVENTION: 20, IPType.UTILITY_MODEL: 10, IPType.DESIGN: 15, IPType.TRADEMARK: 10}


def _seed_enterprise(spec, stdout):
    org = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE, name=spec["name"]).first()
    user = User.objects.filter(username=spec["user"]).first()
    if org is None or user is None:
        stdout.write(f"  applications: 未找到演示企业“{spec['name']}”或用户 {spec['user']}，跳过。")
        return None, None, []
    if not org.uscc:
        org.uscc = make_uscc(spec["uscc_stem"])
        org.save(update_fields=["uscc"])
    day = today()
    profile, created = EnterpriseProfile.objects.get_or_create(
        organisation=org,
        defaults={
            **spec["profile"],
            "annual_report_year": day.year - 1,
            "credit_declared_on": day,
            "credit_declared_by": user,
        },
    )
    if created:
        audit_record(by=user, action=PROFILE_CREATE, obj=profile, reason="演示数据")
    _credit_check(org)
    assets = []
    for ip_type, body, title in spec["assets"]:
        is_patent = ip_type != IPType.TRADEMARK
        number = make_patent_number(body) if is_patent else body
        grant = dt.date(int(body[:4]) + 1, 6, 18) if is_patent else dt.date(2020, 3, 7)
        years = YEARS_IN_FORCE[ip_type]
        asset, created = IPAsset.objects.get_or_create(
            ip_type=ip_type,
            number=number,
            defaults=dict(
                enterprise=org,
                title=title,
                holder_name=org.name,
                grant_date=grant,
                expiry_date=add_months(dt.date(int(body[:4]), 1, 1) if is_patent else grant, 12 * years),
                annual_fee_paid_through=add_months(day, 8) if is_patent else None,
                trademark_class=None if is_patent else spec["trademark_class"],
                created_by=user,
            ),
        )
        if created:
            audit_record(by=user, action=ASSET_REGISTER, obj=asset, reason="演示数据")
        assets.append(asset)
    return org, user, assets


# A one-page PDF standing for the clerk's print-out of the credit publicity system (demo only).
DEMO_EXTRACT = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _credit_check(org):
    """The bureau clerk's recorded credit check of a demo enterprise, dated today (idempotent: one a
    day), so that its registrations pass Art 7 as real ones must."""
    clerk = User.objects.filter(username=DEMO_CLERK).first()
    day = today()
    if clerk is None or CreditCheck.objects.filter(enterprise=org, queried_on=day).exists():
        return
    check = CreditCheck(
        enterprise=org,
        provider="人工查询录入",
        source="国家企业信用信息公示系统",
        queried_on=day,
        credit_clean=True,
        annual_report_on_time=True,
        note="演示数据：企业及法定代表人无不良信用记录，年度报告按时报送。",
        content_type="application/pdf",
        sha256=hashlib.sha256(DEMO_EXTRACT).hexdigest(),
        by=clerk,
    )
    check.extract.save("upload", ContentFile(DEMO_EXTRACT), save=False)
    check.save()
    audit_record(by=clerk, action=CREDIT_CHECK, obj=check, reason="演示数据")


def _registration(org, user, bank, purpose, amount, assets):
    registration, created = LoanRegistration.objects.get_or_create(
        enterprise=org,
        bank=bank,
        purpose=purpose,
        defaults=dict(amount=amount, term_months=12, created_by=user),
    )
    if created:
        registration.assets.set(assets)
        audit_record(
            by=user,
            action=REGISTRATION_CREATE,
            obj=registration,
            to_state=LoanRegistration.Status.DRAFT,
            reason="演示数据",
        )
    return registration, created


def _stage_asset(org, user, ip_type, body, title):
    asset, created = IPAsset.objects.get_or_create(
        ip_type=ip_type,
        number=make_patent_number(body),
        defaults=dict(
            enterprise=org,
            title=title,
            holder_name=org.name,
            grant_date=dt.date(int(body[:4]) + 1, 6, 18),
            expiry_date=add_months(dt.date(int(body[:4]), 1, 1), 12 * YEARS_IN_FORCE[ip_type]),
            annual_fee_paid_through=add_months(today(), 8),
            created_by=user,
        ),
    )
    if created:
        audit_record(by=user, action=ASSET_REGISTER, obj=asset, reason="演示数据")
    return asset


def _accept(registration, officer):
    reason = "材料齐全，同意受理（演示）"
    transition(
        registration,
        "accept",
        by=officer,
        reason=reason,
        decided_at=timezone.now(),
        decided_by=officer,
        decision_reason=reason,
    )


def _seed_stage_registrations(stdout):
    """The accepted registrations the stage loans of the lenders demo are filed on (idempotent)."""
    made = 0
    for purpose, username, bank_name, amount, (ip_type, body, title) in STAGE_REGISTRATIONS:
        user = User.objects.filter(username=username).select_related("organisation").first()
        bank = Organisation.objects.filter(kind=Organisation.Kind.BANK, name=bank_name).first()
        officer = User.objects.filter(username=OFFICERS[bank_name], organisation=bank).first()
        if user is None or user.organisation is None or bank is None or officer is None:
            continue
        with transaction.atomic():
            asset = _stage_asset(user.organisation, user, ip_type, body, title)
            registration, created = _registration(
                user.organisation, user, bank, purpose, Decimal(amount), [asset]
            )
            if created:
                _submit(registration, user)
                _accept(registration, officer)
                made += 1
    return made


def _submit(registration, user):
    day = today()
    policy = policy_in_force(day)
    # The bank admissions are seeded by the lenders app after this one: its check is left out here.
    checks = [
        c
        for c in registration_checks(registration, policy=policy, on=day)
        if not (c.rule == "cooperating_bank" and c.outcome == FAIL)
    ]
    now = timezone.now()
    transition(
        registration,
        "submit",
        by=user,
        reason="演示数据",
        submitted_at=now,
        policy=policy,
        submitted_checks=[c.as_dict() for c in checks],
        commitment_signed_at=now,
        commitment_signed_by=user,
        commitment_ip="127.0.0.1",
        commitment_truthful=True,
        commitment_credit_inquiry=True,
        commitment_publication=True,
    )


@transaction.atomic
def seed(stdout):
    bank = Organisation.objects.filter(kind=Organisation.Kind.BANK, name=BANK).first()
    seeded = [_seed_enterprise(spec, stdout) for spec in ENTERPRISES]
    org, user, assets = seeded[0]
    if org is None or bank is None:
        return
    invention, utility, trademark = assets
    _registration(org, user, bank, DRAFT_PURPOSE, Decimal("800000.00"), [utility])
    registration, created = _registration(
        org, user, bank, SUBMITTED_PURPOSE, Decimal("1500000.00"), [utility, trademark]
    )
    if created:
        _submit(registration, user)
    registration, created = _registration(
        org, user, bank, ACCEPTED_PURPOSE, Decimal("2000000.00"), [invention]
    )
    officer = User.objects.filter(username=BANK_OFFICER, organisation=bank).first()
    if created:
        _submit(registration, user)
        if officer is not None:
            _accept(registration, officer)
    _seed_stage_registrations(stdout)
    stdout.write(
        f"  applications: 企业信息 {len(ENTERPRISES)} 家、质押融资登记：草稿、已提交各 1 笔，银行已受理 "
        f"{1 + len(STAGE_REGISTRATIONS)} 笔（供贷款备案和补偿申请演示）。"
    )
