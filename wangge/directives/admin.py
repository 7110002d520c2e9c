from django.contrib import admin

from wangge.directives.models import DutyItem


@admin.register(DutyItem)
class DutyItemAdmin(admin.ModelAdmin):
    """社区事务准入清单: kept by the district or street's civil affairs office."""

    list_display = ("name", "kind", "area", "keywords")
    list_filter = ("kind",)
    search_fields = ("name", "keywords", "area__name")
    raw_id_fields = ("area",)
