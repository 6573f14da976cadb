"""Audit actions of the bank API keys."""

from yunfu_ipfund.audit.actions import audit_action

API_KEY_ISSUE = audit_action("lenders.apikey.issue", "生成接口密钥")
API_KEY_REVOKE = audit_action("lenders.apikey.revoke", "撤销接口密钥")
