"""Set-up screens: the category tree, the SLA table, holidays and 调休 days, and unit assessments.
Tickets themselves change only through the actions (pages and API); the admin shows them, and the log of
who read a full contact phone, read-only."""

from django.contrib import admin

from wangge.accounts.admin import ReadOnlyAdmin
from wangge.tickets.models import (
    CalendarDay,
    Category,
    ContactAccess,
    SlaRule,
    Ticket,
    TicketEvent,
    UnitAssessment,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "path", "default_unit"]
    search_fields = ["code", "path"]
    raw_id_fields = ["parent"]


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "urgency", "claim_minutes", "resolve_minutes_small", "resolve_minutes_major"]
    raw_id_fields = ["category"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "workday", "name"]


@admin.register(UnitAssessment)
class UnitAssessmentAdmin(admin.ModelAdmin):
    list_display = ["area", "unit", "period", "score", "assessor", "at"]
    raw_id_fields = ["area", "unit", "assessor"]


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = fields = ("action", "actor_name", "at", "from_status", "to_status", "note")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "status", "level", "area", "submitted_at"]
    list_filter = ["status", "channel", "urgency", "level"]
    search_fields = ["title", "external_id"]
    inlines = [EventInline]
    exclude = ["contact_phone_encrypted"]


@admin.register(ContactAccess)
class ContactAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "ticket", "channel"]
    list_filter = ["channel"]
