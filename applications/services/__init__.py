"""Writes of the enterprise side, by job:

- `enterprises`: the enterprise profile, its credit declaration (Art 7);
- `blacklist`: `blacklist_enterprise`, the one way to list an enterprise (Art 21);
- `assets`: IP assets, their dates and the bureau's holder override (Art 2);
- `registrations`: pledge-loan registrations, the commitment and the workflow moves (Art 8).

Every function is keyword-only, takes the actor (`by`), runs in one transaction and writes its audit
event there; workflow moves go through `yunfu_ipfund.audit.workflow.transition`. Inputs are typed
(forms parse with `yunfu_ipfund.common.parsing`); the services check the rules.
"""

from ..selectors import is_blacklisted
from .assets import (
    ASSET_EDITABLE,
    OUT_OF_SCOPE_TYPES,
    PATENT_TYPES,
    asset_can_edit,
    asset_can_override_holder,
    ip_asset_override_holder,
    ip_asset_register,
    ip_asset_update,
)
from .blacklist import blacklist_enterprise, blacklist_until
from .enterprises import (
    PROFILE_FIELDS,
    credit_check_can_record,
    enterprise_can_edit_profile,
    enterprise_credit_check_record,
    enterprise_credit_declare,
    enterprise_profile_save,
    enterprise_region_override,
    region_can_override,
)
from .registrations import (
    COMMITMENT_ITEMS,
    registration_accept,
    registration_can_edit,
    registration_create,
    registration_decline,
    registration_redraft,
    registration_sign,
    registration_submit,
    registration_update,
    registration_withdraw,
)

__all__ = [
    "ASSET_EDITABLE",
    "COMMITMENT_ITEMS",
    "OUT_OF_SCOPE_TYPES",
    "PATENT_TYPES",
    "PROFILE_FIELDS",
    "asset_can_edit",
    "asset_can_override_holder",
    "blacklist_enterprise",
    "blacklist_until",
    "credit_check_can_record",
    "enterprise_can_edit_profile",
    "enterprise_credit_check_record",
    "enterprise_credit_declare",
    "enterprise_profile_save",
    "enterprise_region_override",
    "region_can_override",
    "ip_asset_override_holder",
    "ip_asset_register",
    "ip_asset_update",
    "is_blacklisted",
    "registration_accept",
    "registration_can_edit",
    "registration_create",
    "registration_decline",
    "registration_redraft",
    "registration_sign",
    "registration_submit",
    "registration_update",
    "registration_withdraw",
]
