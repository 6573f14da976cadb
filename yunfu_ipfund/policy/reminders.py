"""The reminder kinds the policy app raises: about the Measures in force and the holiday table."""

from yunfu_ipfund.notices.reminders import reminder_kind

POLICY_EXPIRY = reminder_kind("policy.version.expiry", "《管理办法》即将失效且无后续版本")
POLICY_MISSING = reminder_kind("policy.version.missing", "今日不在任何一版《管理办法》的施行期内")
HOLIDAY_YEAR_MISSING = reminder_kind("policy.holiday_year.missing", "节假日表缺少年度安排")
