"""The articles of the Measures (《管理办法》, 24 articles) and what the portal does for each: ONE list.

Every daily check (notices.checks) names its article from here; a function that implements a rule
declares it with `@implements(ARTICLE_7)` (or a module-level `ARTICLES = (ARTICLE_7, …)`), a test with
`@pytest.mark.article(7)`; `manage.py measures_map` walks the code and the tests and writes
docs/measures-map.md (article -> the functions that implement it -> the tests that cover it).

In common (the bottom layer) because every layer names articles: the notices' daily checks, policy,
the domain apps. It imports no app.
"""

import sys
import types
from dataclasses import dataclass

CN_DIGITS = "零一二三四五六七八九"


def article_label(number):
    """第七条, 第十二条, 第二十条, 第二十四条 (the Measures' own numbering, Chinese numerals)."""
    number = int(number)
    if not 1 <= number <= 99:
        raise ValueError(f"article number out of range: {number}")
    tens, units = divmod(number, 10)
    text = ("" if tens == 1 else CN_DIGITS[tens]) + "十" if tens else ""
    text += CN_DIGITS[units] if units else ""
    return f"第{text}条"


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    does: str  # what the system does for it (DOMAIN.md, "The Measures, article by article")

    @property
    def label(self):
        return article_label(self.number)

    def __str__(self):
        return f"{self.label}（{self.title}）"


_BY_GROUP = [
    ((1,), "制定依据", "“关于”页面；政策版本记载制定依据（粤办函〔2019〕79号、国知发运字〔2019〕38号）。"),
    (
        (2,),
        "定义",
        "知识产权质押融资仅指以专利权、商标专用权或地理标志出质的贷款；著作权、计算机软件著作权、"
        "植物新品种权、商业秘密等不属于支持范围，明确拒绝并说明理由；支持的类型为政策版本所列的类型表数据。",
    ),
    (
        (3,),
        "资金与合作机构",
        "风险补偿资金为省级专项资金500万元（无地方配套，可有其他出资）；合作机构为经市监局准入并签订合作协议的银行。",
    ),
    ((4,), "专户管理", "资金存放于专户，利息滚存入资金；系统记载资金台账并与专户对账单核对。"),
    ((5, 6), "管理职责", "市监局管理资金和业务流程，财政局监督资金使用；对应系统中的角色与权限。"),
    (
        (7,),
        "支持对象",
        "云浮市（云城区、云安区、罗定市、新兴县、郁南县）登记注册、具有独立法人资格的中小微企业"
        "（工信部联企业〔2011〕300号），按时报送年报，企业及法定代表人近36个月无不良信用记录，拥有出质知识产权。",
    ),
    (
        (8, 9, 10, 11),
        "贷款流程",
        "企业注册并申请→银行受理、放款、办理质押登记→银行在备案期限内向市监局备案→市监局审核并确认纳入"
        "风险补偿范围、出具备案确认书；银行报告还款、逾期和风险分类。",
    ),
    (
        (12, 13),
        "风险补偿",
        "在保贷款形成不良后，银行在申请期限内申请补偿；市监局审查完整性、审核、公示、决定并从资金中拨付；"
        "补偿额为资金分担比例乘以未收回的在保本金，受上限约束且不超过资金可用余额。",
    ),
    ((14,), "追偿", "补偿后银行继续追偿（诉讼、处置质押知识产权），按资金分担比例在期限内返还净追偿款。"),
    (
        (15, 16),
        "风险控制",
        "放大倍数上限；不良率或补偿额超过阈值的银行暂停新增备案；累计代偿超过资金规模一定比例时暂停新增；"
        "弄虚作假的取消补偿并追回。",
    ),
    (
        (17, 18, 19, 20, 21, 22),
        "各方职责",
        "市监局、财政局、合作银行、企业各自的义务转化为权限、期限和提醒；提供虚假信息的追回补偿并列入3年黑名单。",
    ),
    ((23, 24), "施行与解释", "每个政策版本有施行期；办法到期前系统提前预警（2020年办法已到期失效）。"),
]

ARTICLES = tuple(
    Article(
        number,
        title
        if len(numbers) == 1
        else f"{title}（{article_label(numbers[0])}至{article_label(numbers[-1])}）",
        does,
    )
    for numbers, title, does in _BY_GROUP
    for number in numbers
)
BY_NUMBER = {a.number: a for a in ARTICLES}
assert sorted(BY_NUMBER) == list(range(1, 25)), "the Measures have 24 articles"


def article(number):
    """The Article numbered `number` (1-24); anything else is a programming error."""
    try:
        return BY_NUMBER[int(number)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"《管理办法》没有第 {number} 条（共24条）") from None


(
    ARTICLE_1,
    ARTICLE_2,
    ARTICLE_3,
    ARTICLE_4,
    ARTICLE_5,
    ARTICLE_6,
    ARTICLE_7,
    ARTICLE_8,
    ARTICLE_9,
    ARTICLE_10,
    ARTICLE_11,
    ARTICLE_12,
    ARTICLE_13,
    ARTICLE_14,
    ARTICLE_15,
    ARTICLE_16,
    ARTICLE_17,
    ARTICLE_18,
    ARTICLE_19,
    ARTICLE_20,
    ARTICLE_21,
    ARTICLE_22,
    ARTICLE_23,
    ARTICLE_24,
) = ARTICLES


def implements(*articles):
    """Declare the articles a function implements: `@implements(ARTICLE_12, ARTICLE_13)`. The function is
    returned unchanged, with `__articles__` (numbers, sorted) that `manage.py measures_map` reads."""
    numbers = sorted({(a if isinstance(a, Article) else article(a)).number for a in articles})
    if not numbers:
        raise ValueError("implements() needs at least one article")

    def decorator(fn):
        fn.__articles__ = tuple(sorted(set(getattr(fn, "__articles__", ())) | set(numbers)))
        return fn

    return decorator


# Modules that implement articles but are not annotated yet (other teams' files), mapped by their dotted
# path: read by the daily checks' registry (notices.checks.check_articles) and by `manage.py
# measures_map`. An annotation in the module (@implements, ARTICLES) is preferred; its entry here then
# goes. Keys are module paths, not imports (this module imports no app).
MODULE_ARTICLES = {
    "applications.services.assets": (2,),
    "applications.services.enterprises": (7,),
    "applications.services.registrations": (8,),
    "compensation.checks": (14,),
    "compensation.services.clawback": (16, 22),
    "compensation.services.intake": (12,),
    "compensation.services.payment": (13,),
    "compensation.services.publicity": (13,),
    "compensation.services.recovery": (14,),
    "compensation.services.drafting": (12,),
    "compensation.services.review": (12, 13),
    "fund.checks": (4, 15, 16),
    "fund.statements": (4,),
    "fund.reports": (4, 6),
    "fund.services.payments": (4, 13),
    "fund.services.receipts": (3, 4, 14),
    "lenders.checks": (11, 15, 16),
    "yunfu_ipfund.accounts.roles": (5, 6, 17, 18, 19, 20, 21),
    "yunfu_ipfund.policy.seed": (1, 3, 23),
}


def articles_of(obj):
    """The articles `obj` (a function or a module) declares: its @implements, else its module's ARTICLES,
    else the module's entry in MODULE_ARTICLES; sorted Article objects (empty when none)."""
    numbers = getattr(obj, "__articles__", ())
    if not numbers:
        name = obj.__name__ if isinstance(obj, types.ModuleType) else getattr(obj, "__module__", "")
        declared = getattr(sys.modules.get(name), "ARTICLES", ())
        numbers = [a.number if isinstance(a, Article) else int(a) for a in declared]
        numbers = numbers or MODULE_ARTICLES.get(name, ())
    return tuple(article(n) for n in sorted(set(numbers)))
