"""Audit actions of the enterprise side that are not workflow moves (each move of
`LoanRegistration.WORKFLOW` records itself as `applications.loanregistration.<move>`)."""

from yunfu_ipfund.audit.actions import audit_action

PROFILE_CREATE = audit_action("applications.enterpriseprofile.create", "填写企业信息")
PROFILE_UPDATE = audit_action("applications.enterpriseprofile.update", "修改企业信息")
CREDIT_DECLARE = audit_action("applications.enterpriseprofile.declare_credit", "作出信用声明")
BLACKLIST = audit_action("applications.enterpriseprofile.blacklist", "列入失信黑名单")
CREDIT_CHECK = audit_action("applications.creditcheck.record", "记录信用核查")
REGION_OVERRIDE = audit_action("applications.enterpriseprofile.override_region", "核准登记机关与注册地不一致")

ASSET_REGISTER = audit_action("applications.ipasset.register", "登记知识产权")
ASSET_UPDATE = audit_action("applications.ipasset.update", "更新知识产权信息")
ASSET_OVERRIDE_HOLDER = audit_action("applications.ipasset.override_holder", "核准权利人名称不一致")

REGISTRATION_CREATE = audit_action("applications.loanregistration.create", "创建质押融资登记")
REGISTRATION_UPDATE = audit_action("applications.loanregistration.update", "修改质押融资登记")
REGISTRATION_SIGN = audit_action("applications.loanregistration.sign", "签署承诺书")
