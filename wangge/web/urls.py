from django.contrib.auth import views as auth_views
from django.urls import path

from wangge.web import field_views, stats_views, supplies_views, ticket_views, transfer_views, views

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
    path("residents/<int:resident_id>/level/", field_views.resident_level, name="resident_level"),
    path("field/", field_views.field_today, name="field"),
    path("supplies/<str:code>/", supplies_views.supplies, name="supplies"),
    path("distributions/<int:distribution_id>/", supplies_views.distribution, name="distribution"),
    path(
        "distributions/<int:distribution_id>/deliver/<int:entitlement_id>/",
        supplies_views.deliver,
        name="deliver",
    ),
    path("field/households/<int:household_id>/", field_views.field_household, name="field_household"),
    path("registry/import/", transfer_views.registry_import, name="registry_import"),
    path("registry/export/", transfer_views.registry_export, name="registry_export"),
    path("tickets/", ticket_views.workbench, name="workbench"),
    path("tickets/new/", ticket_views.staff_entry, name="ticket_new"),
    path("tickets/similar/", ticket_views.similar_open, name="similar_open"),
    path("tickets/clusters/", ticket_views.clusters, name="clusters"),
    path("tickets/import/", transfer_views.hotline_import, name="hotline_import"),
    path("tickets/<int:ticket_id>/", ticket_views.ticket_page, name="ticket"),
    path("tickets/<int:ticket_id>/act/<str:action>/", ticket_views.ticket_act, name="ticket_act"),
    path("tickets/<int:ticket_id>/contact/", ticket_views.ticket_contact, name="ticket_contact"),
    path("tickets/<int:ticket_id>/photos/<int:photo_id>/", ticket_views.ticket_photo, name="ticket_photo"),
    path("h5/", ticket_views.h5_submit, name="h5_submit"),
    path("h5/mine/", ticket_views.my_tickets, name="h5_mine"),
    path("h5/mine/<int:ticket_id>/", ticket_views.my_ticket, name="my_ticket"),
    path("inbox/", ticket_views.inbox, name="inbox"),
    path("stats/<str:code>/", stats_views.stats_page, name="stats"),
    path("stats/<str:code>/assess/", stats_views.assess_unit, name="assess_unit"),
    path("stats/<str:code>/hotspots/", stats_views.hotspots, name="hotspots"),
    path("stats/<str:code>/hotspots/plan/", stats_views.plan_hotspot, name="plan_hotspot"),
]
