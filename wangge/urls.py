from django.contrib import admin
from django.urls import include, path

from wangge.api.urls import api

admin.site.site_header = "网格 Wangge 配置管理"
admin.site.site_title = "网格 Wangge"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("wangge.web.urls")),
]
