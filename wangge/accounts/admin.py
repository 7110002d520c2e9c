from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from wangge.accounts.models import ApiToken, User


@admin.register(User)
class WanggeUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "is_staff", "is_active")
    search_fields = ("username", "display_name")
    fieldsets = (*UserAdmin.fieldsets, ("网格", {"fields": ("display_name",)}))  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "prefix", "created_at", "last_used_at")
