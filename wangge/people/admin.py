"""Configuration only: care tags and the audit trails. Residents are edited through the pages, which
mask personal numbers; the admin shows them masked too and never the ciphertext."""

from django.contrib import admin

from wangge.people.models import CareTag, Household, PersonalDataAccess, RegistryChange, Resident


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "description", "sort")


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("address", "door_no", "housing")
    search_fields = ("address",)
    raw_id_fields = ("area",)


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    list_display = ("name", "gender", "care_level", "masked_id_number", "masked_phone")
    list_filter = ("care_level", "care_tags")
    search_fields = ("name",)
    raw_id_fields = ("household", "user")
    exclude = ("id_number_encrypted", "id_number_index", "phone_encrypted")
    readonly_fields = ("masked_id_number", "masked_phone")


@admin.register(RegistryChange)
class RegistryChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "kind", "object_id", "action", "actor", "source")
    list_filter = ("kind", "action", "source")

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "resident", "fields", "channel")
    list_filter = ("channel",)

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
