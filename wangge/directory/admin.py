from django.contrib import admin

from wangge.directory.models import ServicePoint


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "phone", "hours", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "address", "phone", "area__name")
    raw_id_fields = ("area",)
