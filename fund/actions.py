"""Audit actions of the fund (its one workflow move, StatementPeriod.sign_off, is an action of its own,
`fund.statementperiod.sign_off`). A posting is recorded under the action of the business it books."""

from yunfu_ipfund.audit.actions import audit_action

# Postings, by the business they book (the default of a posting without one: POST_BY_KIND).
CONTRIBUTION_POST = audit_action("fund.posting.contribution", "登记出资拨入")
INTEREST_POST = audit_action("fund.posting.interest", "登记利息收入")
RECOVERY_RECEIVE = audit_action("fund.posting.recovery", "确认追偿款返还")
CLAWBACK_RECEIVE = audit_action("fund.posting.clawback", "确认追回资金入账")
# The bureau's instruction, by its purpose (the commitment and its memorandum posting).
COMMITMENT_CREATE = {
    "claim": audit_action("fund.commitment.create.claim", "下达资金承诺（代偿拨付）"),
    "fee": audit_action("fund.commitment.create.fee", "下达资金承诺（费用支出）"),
    "treasury": audit_action("fund.commitment.create.treasury", "下达资金承诺（上缴国库）"),
}
COMMITMENT_RELEASE = audit_action("fund.posting.release", "释放资金承诺")
PAYOUT_POST = audit_action("fund.posting.payout", "确认代偿拨付")
FEE_PAY = audit_action("fund.posting.fee", "确认费用支出")
TREASURY_RETURN_POST = audit_action("fund.posting.treasury_return", "确认上缴国库")
POSTING_REVERSE = audit_action("fund.posting.reversal", "冲正凭证")

RETURN_DUE_EXPECT = audit_action("fund.returndue.expect", "登记应返还追偿款")
RETURN_DUE_SETTLE = audit_action("fund.returndue.settle", "追偿款已返还")

COVER_PAUSE = audit_action("fund.fundcoverpause.pause", "暂停新增纳入风险补偿")
COVER_RESUME = audit_action("fund.fundcoverpause.resume", "恢复新增纳入风险补偿")

PERIOD_CREATE = audit_action("fund.statementperiod.create", "新建对账期间")
LINE_ADD = audit_action("fund.statementperiod.line_add", "录入对账单明细")
STATEMENT_IMPORT = audit_action("fund.statementperiod.import", "导入对账单")
AUTO_MATCH = audit_action("fund.statementperiod.auto_match", "自动对账")
LINE_MATCH = audit_action("fund.statementperiod.match", "手工对账")
LINE_UNMATCH = audit_action("fund.statementperiod.unmatch", "取消对账匹配")

# An official report of the fund issued, by its notice kind (fund.documents).
REPORT_ISSUE = {
    "fund_monthly_statement": audit_action("fund.report.monthly_statement", "出具风险补偿资金专户月度报表"),
    "fund_annual_report": audit_action("fund.report.annual_report", "出具风险补偿资金年度报告"),
}
