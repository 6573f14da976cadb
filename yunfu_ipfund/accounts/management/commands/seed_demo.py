"""Demo data: the bureau, the finance bureau, three cooperating banks, Yunfu enterprises, one user per role.

Idempotent: running it twice changes nothing. Each domain app then adds its own demo records
through its demo.py (applications, lenders, fund, compensation, in that order).
"""

import base64

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from yunfu_ipfund.accounts import second_factor
from yunfu_ipfund.accounts.models import Organisation, User
from yunfu_ipfund.accounts.roles import Role
from yunfu_ipfund.common.identifiers import make_uscc
from yunfu_ipfund.common.plugins import app_modules

DEMO_PASSWORD = "Yunfu@2026demo"
# The second factor of every demo staff account (accounts.second_factor): one fixed TOTP secret, printed
# at the end, to add to an authenticator app; or run with DEMO_SHOW_TOTP=1 (scripts/demo.sh does) and the
# code page shows the current code under a red 演示环境 banner. Demo only: never in production.
DEMO_TOTP_SECRET = "YUNFUDEMOTOTPSECRETONLYFORDEMO23"

ORGANISATIONS = [
    ("bureau", "云浮市市场监督管理局", "11445300MB2C1234"),
    ("finance", "云浮市财政局", "11445300MB2C5678"),
    ("bank", "中国工商银行股份有限公司云浮分行", "91445300MA4UG001"),
    ("bank", "中国农业银行股份有限公司云浮分行", "91445300MA4UG002"),
    ("bank", "中国建设银行股份有限公司云浮分行", "91445300MA4UG003"),
    # Admitted, then suspended and reinstated / terminated by the demo (the bank notices).
    ("bank", "中国银行股份有限公司云浮分行", "91445300MA4UG004"),
    ("bank", "广东云浮农村商业银行股份有限公司", "91445300MA4UG005"),
    ("enterprise", "云浮市云石科技有限公司", "91445302MA51A001"),
    ("enterprise", "罗定市稻香农业发展有限公司", "91445381MA51A002"),
    ("enterprise", "新兴县禅心茶业有限公司", "91445321MA51A003"),
    ("enterprise", "郁南县无核黄皮食品有限公司", "91445322MA51A004"),
    ("enterprise", "云浮市云安区石材机械制造有限公司", "91445303MA51A005"),
]

# username, full name, organisation, roles, staff (admin site)
USERS = [
    ("qiye1", "陈晓云", "云浮市云石科技有限公司", [Role.ENTERPRISE_USER], False),
    ("qiye2", "黄稻香", "罗定市稻香农业发展有限公司", [Role.ENTERPRISE_USER], False),
    ("qiye3", "梁禅心", "新兴县禅心茶业有限公司", [Role.ENTERPRISE_USER], False),
    ("gongshang_jb", "李经办", "中国工商银行股份有限公司云浮分行", [Role.BANK_OFFICER], False),
    ("gongshang_fh", "王复核", "中国工商银行股份有限公司云浮分行", [Role.BANK_SUPERVISOR], False),
    ("nonghang_jb", "赵经办", "中国农业银行股份有限公司云浮分行", [Role.BANK_OFFICER], False),
    ("nonghang_fh", "钱复核", "中国农业银行股份有限公司云浮分行", [Role.BANK_SUPERVISOR], False),
    ("jianhang_jb", "孙经办", "中国建设银行股份有限公司云浮分行", [Role.BANK_OFFICER], False),
    ("jianhang_fh", "周复核", "中国建设银行股份有限公司云浮分行", [Role.BANK_SUPERVISOR], False),
    ("shijianju_jb", "吴经办", "云浮市市场监督管理局", [Role.BUREAU_CLERK], False),
    ("shijianju_sh", "郑审核", "云浮市市场监督管理局", [Role.BUREAU_APPROVER], False),
    ("caizheng", "冯财政", "云浮市财政局", [Role.FINANCE], False),
    ("admin", "系统管理员", "云浮市市场监督管理局", [Role.ADMINISTRATOR], True),
    # 三员分立: two security administrators, so that one files and the other approves, and the auditor.
    ("anquan", "安全管理员", "云浮市市场监督管理局", [Role.SECURITY_ADMIN], True),
    ("anquan2", "安全管理员（二）", "云浮市市场监督管理局", [Role.SECURITY_ADMIN], True),
    ("shenji", "审计管理员", "云浮市市场监督管理局", [Role.AUDIT_ADMIN], True),
]


class Command(BaseCommand):
    help = "创建演示数据（可重复运行）：市场监管局、财政局、三家合作银行、五家企业及各角色演示账号。"

    def handle(self, *args, **options):
        with transaction.atomic():
            orgs = {}
            for kind, name, stem in ORGANISATIONS:
                org, _ = Organisation.objects.get_or_create(
                    name=name, defaults={"kind": kind, "uscc": make_uscc(stem)}
                )
                orgs[name] = org
            for username, full_name, org_name, roles, staff in USERS:
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "full_name": full_name,
                        "organisation": orgs[org_name],
                        "is_staff": staff,
                        "email": f"{username}@demo.yunfu.invalid",
                    },
                )
                if created:
                    user.set_password(DEMO_PASSWORD)  # stamps password_changed_at: not forced to change
                    user.must_change_password = False
                    user.save()
                user.groups.add(*[Group.objects.get(name=role) for role in roles])
                if second_factor.is_staff_account(user) and not second_factor.is_enrolled(user):
                    TOTPDevice.objects.create(
                        user=user,
                        name="演示认证器",
                        confirmed=True,
                        key=base64.b32decode(DEMO_TOTP_SECRET).hex(),
                    )
        # Demo records notify people as real ones do; keep those e-mails off the console while seeding.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for _app, module in app_modules("demo"):
                module.seed(self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                "演示数据已就绪。登录地址 http://127.0.0.1:8000/accounts/login/ ，"
                f"演示账号（密码均为 {DEMO_PASSWORD}）："
            )
        )
        for username, full_name, org_name, roles, _ in USERS:
            self.stdout.write(
                f"  {username:<14} {'、'.join(r.label for r in roles):<8} {org_name}（{full_name}）"
            )
        grouped = " ".join(DEMO_TOTP_SECRET[i : i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4))
        self.stdout.write(
            "银行、市场监管局、财政局及管理员账号登录须输入动态验证码（第二认证因素）。演示账号均已绑定同一演示密钥"
            f"（Base32，TOTP，30 秒，6 位）：{grouped}\n"
            "  可将该密钥加入手机认证器应用；或以 DEMO_SHOW_TOTP=1 启动（scripts/demo.sh 已设置），"
            "验证码页面将以红色“演示环境”横幅显示当前验证码。企业账号无须动态验证码。"
        )
