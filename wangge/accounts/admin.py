from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from wangge.accounts.models import ApiToken, User


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written: data whose every change goes through an action that records it (residents,
    tickets) and the audit trails themselves. A superuser reads them here and changes them on the pages."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class WanggeUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "is_staff", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (*UserAdmin.fieldsets, ("网格", {"fields": ("display_name",)}))  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "prefix", "channel", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "prefix", "created_at", "last_used_at")
