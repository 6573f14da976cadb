"""The fund's reports, which state the covered outstanding at the end of their period (the fund knows no
loans, so the bank side reads that figure and issues them)."""

from fund import reports as fund_reports

from ..selectors import covered_outstanding

# --- the fund's reports, which state the covered outstanding at the end of their period ----------------


def fund_report_issue(*, by, year, month=None):
    """Issue the fund's monthly statement (with a month) or annual report, with the covered outstanding
    at the end of the period (the loans' figure, read here: fund.reports knows no loans)."""
    _start, end = fund_reports.report_period(year, month)
    covered = covered_outstanding(as_of=end)
    if month:
        return fund_reports.monthly_statement_issue(
            by=by, year=year, month=month, covered_outstanding=covered
        )
    return fund_reports.annual_report_issue(by=by, year=year, covered_outstanding=covered)
