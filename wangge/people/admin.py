"""Configuration only: care tags and visit intervals. Households and residents change through the pages
and the import, whose actions write the change history (RegistryChange); the admin shows them read-only,
numbers masked and never the ciphertext, and the audit trails read-only too."""

from django.contrib import admin

from wangge.accounts.admin import ReadOnlyAdmin
from wangge.people.actions import do_set_visit_interval
from wangge.people.models import (
    CareTag,
    Household,
    PersonalDataAccess,
    RegistryChange,
    Resident,
    VisitInterval,
)


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "description", "sort")


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ("address", "door_no", "housing", "care_level", "next_visit_on")
    readonly_fields = ("care_level", "level_since", "last_visited_at", "next_visit_on")
    search_fields = ("address",)
    raw_id_fields = ("area",)


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ("name", "gender", "care_level", "masked_id_number", "masked_phone")
    list_filter = ("care_level", "care_tags")
    search_fields = ("name",)
    raw_id_fields = ("household", "user")
    exclude = ("id_number_encrypted", "id_number_index", "phone_encrypted")
    # the colour drives the visit schedule: it is changed on the resident's page (调整关爱等级)
    readonly_fields = ("masked_id_number", "masked_phone", "care_level")


@admin.register(VisitInterval)
class VisitIntervalAdmin(admin.ModelAdmin):
    """One row per colour; saving moves the next visit of every household of that colour."""

    list_display = ("care_level", "days")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ("care_level",)

    def save_model(self, request, obj, form, change) -> None:  # type: ignore[no-untyped-def]
        do_set_visit_interval(level=obj.care_level, days=obj.days, actor=request.user)


@admin.register(RegistryChange)
class RegistryChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "object_id", "action", "actor", "source")
    list_filter = ("kind", "action", "source")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "resident", "fields", "channel")
    list_filter = ("channel",)
