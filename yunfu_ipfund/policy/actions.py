"""The audit actions the policy app records (services and the admin)."""

from yunfu_ipfund.audit.actions import audit_action

POLICY_VERSION_CREATE = audit_action("policy.version.create", "发布政策版本")
POLICY_VERSION_UPDATE = audit_action("policy.version.update", "修改政策版本")
LPR_CREATE = audit_action("policy.lpr.create", "录入LPR")
LPR_UPDATE = audit_action("policy.lpr.update", "修改LPR")
HOLIDAY_YEAR_CREATE = audit_action("policy.holiday_year.create", "登记节假日年度")
HOLIDAY_YEAR_DELETE = audit_action("policy.holiday_year.delete", "删除节假日年度")
HOLIDAY_DAY_CREATE = audit_action("policy.holiday_day.create", "录入节假日")
HOLIDAY_DAY_UPDATE = audit_action("policy.holiday_day.update", "修改节假日")
HOLIDAY_DAY_DELETE = audit_action("policy.holiday_day.delete", "删除节假日")
IP_TYPE_CREATE = audit_action("policy.ip_type.create", "登记知识产权类型")
IP_TYPE_UPDATE = audit_action("policy.ip_type.update", "修改知识产权类型")
REMINDER_RECOUNT = audit_action("policy.holiday.reminder_recount", "节假日表调整后重算期限")
