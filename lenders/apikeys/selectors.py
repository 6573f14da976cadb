"""A user's own API keys: nobody lists or revokes another person's key (404)."""

from yunfu_ipfund.common.errors import NotFound

from .models import ApiKey


def api_keys_of(user):
    return ApiKey.objects.filter(user=user, organisation_id=user.organisation_id)


def access_api_key(user, pk, *, for_write=False):
    qs = api_keys_of(user)
    if for_write:
        qs = qs.select_for_update()
    key = qs.filter(pk=pk).first()
    if key is None:
        raise NotFound()
    return key
