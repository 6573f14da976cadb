"""The security events accounts records: one code and one Chinese label each.

accounts sits below the audit log and cannot import it: it declares its codes here as plain codes and
sends them out with `signals.send_security_event`; the audit log registers each as an audit action
and appends it to the hash-chained log (audit.security).
"""

from yunfu_ipfund.common.codes import Code, Registry

security_event = Registry("security event", Code)

LOGIN = security_event("accounts.login", "登录")
LOGOUT = security_event("accounts.logout", "退出登录")
LOGIN_FAILED = security_event("accounts.login_failed", "登录失败")
LOCKED_OUT = security_event("accounts.locked_out", "登录失败次数过多，账号被锁定")
PASSWORD_CHANGE = security_event("accounts.password_change", "修改密码")
PASSWORD_RESET = security_event("accounts.password_reset", "重置密码")
ROLE_GRANT = security_event("accounts.role_grant", "授予角色")
ROLE_REVOKE = security_event("accounts.role_revoke", "撤销角色")
ACCOUNT_REACTIVATE = security_event("accounts.reactivate", "启用账号")
ACCOUNT_DEACTIVATE = security_event("accounts.deactivate", "停用账号")
ACCOUNT_LOCK_INACTIVE = security_event("accounts.lock_inactive", "长期未使用，账号被锁定")
ORGANISATION_MOVE = security_event("accounts.organisation_change", "变更所属机构")
SECOND_FACTOR_ENROL = security_event("accounts.second_factor.enrol", "启用第二认证因素（动态验证码）")
SECOND_FACTOR_VERIFY = security_event("accounts.second_factor.verify", "第二认证因素验证通过")
SECOND_FACTOR_FAILED = security_event("accounts.second_factor.failed", "第二认证因素验证失败")
SECOND_FACTOR_LOCKED = security_event("accounts.second_factor.locked", "动态验证码错误次数过多，账号被锁定")
RECOVERY_CODE_USED = security_event("accounts.second_factor.recovery_code", "使用恢复码登录")
RECOVERY_CODES_REISSUE = security_event("accounts.second_factor.recovery_codes", "重新生成恢复码")
SECOND_FACTOR_RESET = security_event("accounts.second_factor.reset", "重置第二认证因素")
REQUEST_FILE = security_event("accounts.adminrequest.file", "提交管理操作申请")
REQUEST_REFUSED = security_event("accounts.adminrequest.refused", "管理操作被拒绝")
ADMIN_SITE_ADD = security_event("admin.add", "管理后台新增")
ADMIN_SITE_CHANGE = security_event("admin.change", "管理后台修改")
ADMIN_SITE_DELETE = security_event("admin.delete", "管理后台删除")
WRITE_REFUSED = security_event("access.write_refused", "操作被拒绝")
AUDIT_EXPORT = security_event("audit.export", "导出审计日志")
