"""Where the credit record and annual-report check of Art 7 comes from: a small, pluggable provider.

`CreditProvider.check(enterprise, **inputs) -> CreditResult` answers, for one enterprise, whether it and
its legal representative are free of bad credit records in the look-back and whether its annual reports
were filed on time, with the query's source, day and (where there is one) the extract as a file.
The service `enterprise_credit_check_record` calls the provider named by the setting `CREDIT_PROVIDER`
(a dotted path; default `ManualCreditProvider`) and records what it returns as a `CreditCheck`.

Only the manual provider exists: the bureau clerk looks the enterprise up and types in what they saw,
uploading the extract. Adapters for later, not built (no interface is open to the bureau yet):
- 国家企业信用信息公示系统 (www.gsxt.gov.cn): annual reports, 经营异常名录, 严重违法失信名单;
- 信用中国 (www.creditchina.gov.cn): 失信被执行人, 重大税收违法, administrative penalties.
Each would return a `CreditResult` with its own `source` and the report it fetched as `extract`.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from yunfu_ipfund.common.errors import ValidationFailed
from yunfu_ipfund.common.parsing import parse_text

DEFAULT_PROVIDER = "applications.credit.ManualCreditProvider"

MANUAL_SOURCES = ("国家企业信用信息公示系统", "信用中国", "中国人民银行征信中心", "其他")

MSG_SOURCE = "请选择查询来源（{choices}）。"
MSG_QUERIED_ON = "请填写查询日期。"
MSG_QUERIED_FUTURE = "查询日期 {day:%Y-%m-%d} 晚于今天。"
MSG_EXTRACT_REQUIRED = "请上传查询结果截图或报告（PDF、JPEG 或 PNG）。"
MSG_RESULT_REQUIRED = "请选择“{label}”的核查结果。"


@dataclass(frozen=True)
class CreditResult:
    source: str  # which system was consulted, e.g. 国家企业信用信息公示系统
    queried_on: dt.date
    credit_clean: bool  # no bad credit record of the firm or its legal representative in the look-back
    annual_report_on_time: bool
    note: str = ""
    extract: object = None  # an UploadedFile (or None when the provider keeps no file)


class CreditProvider:
    """One way of checking an enterprise's credit. Subclasses name themselves and implement `check`."""

    name = ""

    def check(self, enterprise, **inputs) -> CreditResult:
        raise NotImplementedError


class ManualCreditProvider(CreditProvider):
    """The clerk's own look-up: `inputs` are what the clerk typed in and the extract they uploaded."""

    name = "人工查询录入"

    def check(
        self,
        enterprise,
        *,
        source=None,
        queried_on=None,
        credit_clean=None,
        annual_report_on_time=None,
        note="",
        extract=None,
        today=None,
    ) -> CreditResult:
        if source not in MANUAL_SOURCES:
            raise ValidationFailed(MSG_SOURCE.format(choices="、".join(MANUAL_SOURCES)), code="credit_source")
        if not isinstance(queried_on, dt.date):
            raise ValidationFailed(MSG_QUERIED_ON, code="credit_queried_on")
        if today is not None and queried_on > today:
            raise ValidationFailed(MSG_QUERIED_FUTURE.format(day=queried_on), code="credit_queried_on")
        for value, label in ((credit_clean, "不良信用记录"), (annual_report_on_time, "年度报告")):
            if not isinstance(value, bool):
                raise ValidationFailed(MSG_RESULT_REQUIRED.format(label=label), code="credit_result")
        if extract is None:
            raise ValidationFailed(MSG_EXTRACT_REQUIRED, code="credit_extract")
        return CreditResult(
            source=source,
            queried_on=queried_on,
            credit_clean=credit_clean,
            annual_report_on_time=annual_report_on_time,
            note=parse_text(note, field="核查说明", required=False, max_length=2000),
            extract=extract,
        )


def credit_provider() -> CreditProvider:
    """The provider named by settings.CREDIT_PROVIDER (a dotted path), the manual one by default."""
    return import_string(getattr(settings, "CREDIT_PROVIDER", DEFAULT_PROVIDER) or DEFAULT_PROVIDER)()
