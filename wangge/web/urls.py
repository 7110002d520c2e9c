from django.contrib.auth import views as auth_views
from django.urls import path

from wangge.web import transfer_views, views

app_name = "web"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("areas/<str:code>/", views.area_detail, name="area"),
    path("households/<int:household_id>/", views.household_detail, name="household"),
    path("residents/", views.resident_list, name="residents"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident"),
    path("residents/<int:resident_id>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("registry/import/", transfer_views.registry_import, name="registry_import"),
    path("registry/export/", transfer_views.registry_export, name="registry_export"),
]
