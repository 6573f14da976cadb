"""An itemised rule check, as shown to enterprises, banks and reviewers and printed on notices.

Every eligibility, filing or claim rule of the Measures reports one `Check`; a list of them is the
answer to "may this go ahead, and if not, why". Helpers here turn a list into a verdict or an error.
"""

from dataclasses import asdict, dataclass

from .errors import DomainError

PASS, FAIL, WARN = "pass", "fail", "warn"


@dataclass(frozen=True)
class Check:
    rule: str  # stable code, e.g. "single_loan_cap"
    label: str  # what is checked, in Chinese
    outcome: str  # PASS, FAIL or WARN (a warning is shown but does not block)
    message: str  # the figures: "申请 600 万元，超过单笔上限 500 万元"
    article: str = ""  # e.g. "第七条"

    @property
    def passed(self):
        return self.outcome != FAIL

    def as_dict(self):
        return asdict(self)


def all_pass(checks):
    return all(c.passed for c in checks)


def failures(checks):
    return [c for c in checks if not c.passed]


def raise_if_failed(checks, message):
    """Refuse with every failed rule itemised (DomainError.details), or do nothing."""
    failed = failures(checks)
    if failed:
        raise DomainError(
            message,
            code="rules_failed",
            details=[
                {
                    "rule": c.rule,
                    "message": f"{c.label}：{c.message}" + (f"（{c.article}）" if c.article else ""),
                }
                for c in failed
            ],
        )
