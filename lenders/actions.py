"""Audit actions of the bank side that are not a workflow move (each move of lenders.models is an action
of its own, `lenders.<model>.<move>`, with its label), and the precise codes a move is recorded under
where a bank's report makes it (a repayment that repays in full, an overdue report, a classification)."""

from yunfu_ipfund.audit.actions import audit_action

BANK_ADMIT = audit_action("lenders.cooperatingbank.admit", "准入合作银行")

FILING_CREATE = audit_action("lenders.loanfiling.create", "起草备案")
FILING_UPDATE = audit_action("lenders.loanfiling.update", "修改备案")
FILING_DOCUMENT_ADD = audit_action("lenders.loanfiling.document_add", "上传备案材料")
FILING_OVERRIDE_LATE = audit_action("lenders.loanfiling.override_late", "核准逾期备案")

LOAN_COVER = audit_action("lenders.coveredloan.cover", "纳入风险补偿范围")
# A bank's report on a covered loan, whether or not it moves the loan's status.
LOAN_REPORT_REPAYMENT = audit_action("lenders.coveredloan.report.repayment", "报告还款")
LOAN_REPORT_OVERDUE = audit_action("lenders.coveredloan.report.overdue", "报告逾期")
LOAN_REPORT_CLASSIFICATION = audit_action("lenders.coveredloan.report.classification", "报告风险分类")
LOAN_REPORT_EXTENSION = audit_action("lenders.coveredloan.report.extension", "报告展期")

PROPOSAL_CREATE = audit_action("lenders.suspensionproposal.create", "提出暂停备案建议")

# Fraud found before a claim: the enterprise's other covered loans flagged for review, and cleared.
LOAN_REVIEW_FLAG = audit_action("lenders.coveredloan.review_flag", "标记待复核（同一企业另有贷款被认定骗取）")
LOAN_REVIEW_FLAG_CLEAR = audit_action("lenders.coveredloan.review_flag_clear", "解除待复核标记")

IMPORT_SUBMIT = audit_action("lenders.importjob.submit", "提交批量导入")
IMPORT_FINISH = audit_action("lenders.importjob.finish", "批量导入完成")

API_TOKEN_ISSUE = audit_action("lenders.apitoken.issue", "生成接口令牌")
FILING_ARCHIVE = audit_action("lenders.loanfiling.archive", "下载案卷")
