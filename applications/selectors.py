"""Reads of the enterprise side, already scoped to the user (a record outside the user's organisation is 404).

- Enterprise users see their own profile, assets and registrations.
- Bank users see the registrations addressed to their bank (never drafts), and the enterprises and
  assets behind them.
- Bureau and finance staff (read_all) see everything.
"""

from django.db.models import Q

from yunfu_ipfund.accounts.models import Organisation
from yunfu_ipfund.accounts.selectors import access, is_bank_user, scope_to_org, sees_everything
from yunfu_ipfund.common.dates import today as local_today
from yunfu_ipfund.common.errors import NotFound

from .models import Blacklisting, CreditCheck, EnterpriseProfile, IPAsset, LoanRegistration

Status = LoanRegistration.Status


# --- registrations --------------------------------------------------------------------------------


def registrations_visible_to(user):
    qs = LoanRegistration.objects.select_related("enterprise", "bank")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if sees_everything(user):
        return qs
    if is_bank_user(user):
        return qs.filter(bank_id=user.organisation_id).exclude(status=Status.DRAFT)
    return scope_to_org(qs, user, "enterprise")


def access_registration(user, pk, *, for_write=False):
    """One registration the user may see; with for_write, only its own enterprise (drafts and withdrawals)."""
    registration = access(registrations_visible_to(user), pk)
    if for_write and registration.enterprise_id != user.organisation_id:
        raise NotFound()
    return registration


def search_registrations(qs, *, status="", q=""):
    if status in Status.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(enterprise__name__icontains=q)
            | Q(bank__name__icontains=q)
            | Q(purpose__icontains=q)
            | Q(enterprise__uscc__iexact=q)
        )
    return qs


def registrations_awaiting_bank(bank_org):
    qs = LoanRegistration.objects.filter(bank=bank_org, status=Status.SUBMITTED)
    return qs.select_related("enterprise")


def enterprise_drafts(enterprise_org):
    qs = LoanRegistration.objects.filter(enterprise=enterprise_org, status=Status.DRAFT)
    return qs.select_related("bank")


# --- IP assets ------------------------------------------------------------------------------------


def assets_visible_to(user):
    qs = IPAsset.objects.select_related("enterprise", "holder_override_by")
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if sees_everything(user):
        return qs
    if is_bank_user(user):
        ids = (
            LoanRegistration.assets.through.objects.filter(loanregistration__bank_id=user.organisation_id)
            .exclude(loanregistration__status=Status.DRAFT)
            .values("ipasset_id")
        )
        return qs.filter(pk__in=ids)
    return scope_to_org(qs, user, "enterprise")


def access_asset(user, pk):
    return access(assets_visible_to(user), pk)


def assets_of(enterprise_org):
    return IPAsset.objects.filter(enterprise=enterprise_org).select_related("enterprise")


# --- enterprise profiles --------------------------------------------------------------------------


def enterprises_visible_to(user):
    qs = Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    if sees_everything(user):
        return qs
    if is_bank_user(user):
        ids = registrations_visible_to(user).values("enterprise_id")
        return qs.filter(pk__in=ids)
    return qs.filter(pk=user.organisation_id) if user.organisation_id else qs.none()


def access_enterprise(user, pk=None):
    """The enterprise organisation `pk` if visible; without pk, the user's own enterprise (or 404)."""
    if pk is None:
        pk = user.organisation_id if user.is_authenticated else None
    return access(enterprises_visible_to(user), pk)


def profile_of(enterprise_org):
    """The enterprise's profile, or None when it has not filled it in yet."""
    qs = EnterpriseProfile.objects.filter(organisation=enterprise_org)
    return qs.select_related("organisation").first()


def latest_credit_check(enterprise):
    """The bureau's latest recorded credit check of the enterprise (by query day), or None."""
    return CreditCheck.objects.filter(enterprise=enterprise).select_related("by").first()


def credit_checks_of(enterprise):
    return CreditCheck.objects.filter(enterprise=enterprise).select_related("by")


# --- the blacklist ---------------------------------------------------------------------------------


def blacklistings_of(enterprise):
    """Every listing of the enterprise, latest first (append-only records)."""
    return Blacklisting.objects.filter(enterprise=enterprise).select_related("by", "policy")


def blacklisting_in_force(enterprise, on=None):
    """The listing in force on `on` (today) that runs longest, or None."""
    on = on or local_today()
    return Blacklisting.objects.in_force(on).filter(enterprise=enterprise).order_by("-listed_until").first()


def is_blacklisted(enterprise, on=None):
    """Whether the enterprise is on the blacklist on `on` (today): a listing whose period, both ends
    included, contains the day."""
    on = on or local_today()
    return Blacklisting.objects.in_force(on).filter(enterprise=enterprise).exists()
