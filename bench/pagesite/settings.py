"""The portal's settings, served with a bare view beside it and a per-request query counter (bench only:
DJANGO_SETTINGS_MODULE=pagesite.settings with bench/ on the path)."""

from yunfu_ipfund.settings import *  # noqa: F403
from yunfu_ipfund.settings import MIDDLEWARE

ROOT_URLCONF = "pagesite.urls"
# outermost, so it counts what every other middleware asks of the database too
MIDDLEWARE = ["pagesite.middleware.QueryCountMiddleware", *MIDDLEWARE]
