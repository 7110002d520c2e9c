from django.contrib import admin
from django.http import HttpRequest

from wangge.areas.actions import do_set_boundary
from wangge.areas.models import Area, Membership, Unit


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "grid_kind")
    list_filter = ("level", "grid_kind")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("geometry_changed_at",)

    def save_model(self, request: HttpRequest, obj: Area, form: object, change: bool) -> None:
        boundary_changed = "boundary" in getattr(form, "changed_data", [])
        super().save_model(request, obj, form, change)  # type: ignore[arg-type]
        if boundary_changed:
            # Through the action, so the point->grid index rebuilds and the representative point follows.
            do_set_boundary(obj, obj.boundary, actor=request.user)  # type: ignore[arg-type]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "area", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")
    raw_id_fields = ("area",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "area", "unit", "full_time", "active")
    list_filter = ("role", "active")
    search_fields = ("user__username", "user__display_name", "area__code", "unit__code")
    raw_id_fields = ("user", "area", "unit")
