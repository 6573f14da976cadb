"""Audit actions of compensation that are not a workflow move (each move is an action of its own,
`compensation.<model>.<move>`, declared with its label in compensation.models), and the precise codes
that a move is recorded under where one move has several outcomes (a second review in full or in
part, a close on write-off or full recovery)."""

from yunfu_ipfund.audit.actions import audit_action

CLAIM_CREATE = audit_action("compensation.claim.create", "创建补偿申请")
CLAIM_UPDATE = audit_action("compensation.claim.update", "修改补偿申请")
EVIDENCE_UPLOAD = audit_action("compensation.claim.evidence_upload", "上传补偿申请材料")
EVIDENCE_NOT_APPLICABLE = audit_action("compensation.claim.evidence_not_applicable", "材料标记为不适用")
# A file with the same content as another material of the claim, or as a file in another claim.
EVIDENCE_DUPLICATE = audit_action("compensation.claim.evidence_duplicate", "材料内容与其他材料相同（提示）")

# The second review's outcome (the move `approve`, recorded as what was approved).
APPROVE_FULL = audit_action("compensation.claim.approve.full", "复审：全额补偿")
APPROVE_PARTIAL = audit_action("compensation.claim.approve.partial", "复审：部分补偿")
APPROVE_BY_OUTCOME = {"full": APPROVE_FULL, "partial": APPROVE_PARTIAL}

BATCH_PUBLISH = audit_action("compensation.publicnoticebatch.publish", "发布公示批次")
OBJECTION_RECEIVE = audit_action("compensation.claim.objection_receive", "收到公示异议")
# The clerk's ruling on an objection (recorded about the objection).
OBJECTION_FOUNDED = audit_action("compensation.objection.rule.founded", "认定公示异议成立")
OBJECTION_UNFOUNDED = audit_action("compensation.objection.rule.unfounded", "认定公示异议不成立")
OBJECTION_RULING = {"founded": OBJECTION_FOUNDED, "unfounded": OBJECTION_UNFOUNDED}

RECOVERY_PREPARE = audit_action("compensation.claim.recovery_prepare", "起草追偿报告")
RECOVERY_UPDATE = audit_action("compensation.recovery.update", "修改追偿报告")
RECOVERY_REPORT = audit_action("compensation.claim.recovery_report", "报告追偿")

# The move `close`, recorded as how the claim was closed.
CLOSE_WRITE_OFF = audit_action("compensation.claim.close.write_off", "结案：核销结案")
CLOSE_FULL_RECOVERY = audit_action("compensation.claim.close.full_recovery", "结案：已全额追回")
CLOSE_BY_REASON = {"write_off": CLOSE_WRITE_OFF, "full_recovery": CLOSE_FULL_RECOVERY}
CLAIM_ARCHIVE = audit_action("compensation.claim.archive", "下载案卷")
