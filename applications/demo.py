"""Demo records of the enterprise side, on top of the platform's demo organisations and users. Idempotent.

- 云浮市云石科技有限公司 (qiye1): profile (industry, small), two patents and a trademark, one draft,
  one submitted and one bank-accepted registration to 中国工商银行股份有限公司云浮分行 (the accepted one is
  what the lenders demo files as a disbursed loan).
- 罗定市稻香农业发展有限公司 (qiye2): profile (industry: rice processing, micro), two patents and a trademark.

Records are written directly (demo data is not judged), with audit events, and the submission goes
through the state machine like a real one.
"""

import datetime as dt
from decimal import Decimal

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

from .actions import ASSET_REGISTER, PROFILE_CREATE, REGISTRATION_CREATE
from .eligibility import registration_checks
from .models import EnterpriseProfile, IPAsset, LoanRegistration

BANK = "中国工商银行股份有限公司云浮分行"

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
]

DRAFT_PURPOSE = "购置石材智能切割生产线（演示草稿）"
SUBMITTED_PURPOSE = "补充流动资金，采购石材原料（演示）"
ACCEPTED_PURPOSE = "石材废料综合利用技术改造（演示，银行已受理）"
BANK_OFFICER = "gongshang_jb"
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
    stdout.write(
        "  applications: 企业信息 2 家、知识产权 6 项、质押融资登记 3 笔（草稿、已提交、银行已受理各 1）。"
    )
