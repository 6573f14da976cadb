from django.contrib import admin
from django.urls import include, path

from yunfu_ipfund.common.plugins import app_modules

admin.site.site_header = "云浮市知识产权质押融资风险补偿平台 · 系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "管理首页"

urlpatterns = [
    path("", include("yunfu_ipfund.public_urls")),
    path("accounts/", include("yunfu_ipfund.accounts.urls")),
    path("notices/", include("yunfu_ipfund.notices.urls")),
    path("audit/", include("yunfu_ipfund.audit.urls")),
    path("admin/", admin.site.urls),
]

# Each domain app mounts its pages at /<app>/ and its bank API under /api/ when it has them.
for app, module in app_modules("urls"):
    urlpatterns.append(path(f"{app}/", include(module)))
for _app, module in app_modules("api_urls"):
    urlpatterns.append(path("api/", include(module)))

handler404 = "yunfu_ipfund.public_views.not_found"
handler500 = "yunfu_ipfund.public_views.server_error"
