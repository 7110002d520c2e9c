"""Writes to the registry. Every create or change writes a RegistryChange row in the same transaction."""

from django.db import transaction

from wangge.accounts.models import User
from wangge.areas.models import Area, Level
from wangge.people import schedule
from wangge.people.models import (
    CareLevel,
    CareTag,
    ChangeAction,
    Household,
    PersonalDataAccess,
    RecordKind,
    RegistryChange,
    Resident,
    VisitInterval,
)
from wangge.people.registry import RegistryError, ResidentData

# Fields whose values are never written to the change history, only the fact that they changed.
SECRET_FIELDS = ("id_number", "phone")


def full_address(area: Area, door_no: str) -> str:
    names = [a.name for a in area.ancestors() if a.level != Level.GRID] + [area.name]
    return "".join(names) + door_no


def _record(
    kind: str,
    obj_id: int,
    household: Household,
    action: str,
    *,
    actor: User | None,
    source: str,
    changes: dict,
) -> None:
    RegistryChange.objects.create(
        kind=kind,
        object_id=obj_id,
        household=household,
        action=action,
        actor=actor,
        source=source,
        changes=changes,
    )


def _resident_snapshot(resident: Resident, tag_codes: list[str]) -> dict:
    return {
        "name": resident.name,
        "gender": resident.gender,
        "birth_date": resident.birth_date.isoformat(),
        "id_number": resident.id_number_index,
        "phone": resident.phone_encrypted and resident.phone,
        "relation": resident.relation,
        "care_level": resident.care_level,
        "care_tags": sorted(tag_codes),
        "notes": resident.notes,
    }


def _diff(before: dict, after: dict) -> dict:
    changes: dict[str, list] = {}
    for key, new in after.items():
        old = before.get(key)
        if old != new:
            changes[key] = ["*", "*"] if key in SECRET_FIELDS else [old, new]
    return changes


@transaction.atomic
def do_create_household(
    *,
    area: Area,
    door_no: str,
    housing: str = "owned",
    notes: str = "",
    actor: User | None,
    source: str = "web",
) -> Household:
    if area.level not in (Level.BUILDING, Level.UNIT):
        raise RegistryError({"area": "住户只能登记在楼栋或单元上"})
    door_no = door_no.strip()
    if not door_no:
        raise RegistryError({"door_no": "不能为空"})
    if Household.objects.filter(area=area, door_no=door_no).exists():
        raise RegistryError({"door_no": f"{area.name}{door_no}已登记"})
    household = Household.objects.create(
        area=area, door_no=door_no, address=full_address(area, door_no), housing=housing, notes=notes
    )
    schedule.refresh_household(household.pk)
    _record(
        RecordKind.HOUSEHOLD,
        household.pk,
        household,
        ChangeAction.CREATE,
        actor=actor,
        source=source,
        changes={"area": [None, area.code], "door_no": [None, door_no], "housing": [None, housing]},
    )
    return household


def _apply(resident: Resident, data: ResidentData) -> None:
    resident.name = data.name
    resident.gender = data.gender
    resident.birth_date = data.birth_date
    resident.id_number = data.id_number
    resident.phone = data.phone
    resident.relation = data.relation
    resident.care_level = data.care_level
    resident.notes = data.notes


@transaction.atomic
def do_create_resident(
    *, household: Household, data: ResidentData, actor: User | None, source: str = "web"
) -> Resident:
    resident = Resident(household=household)
    _apply(resident, data)
    if Resident.objects.filter(id_number_index=resident.id_number_index).exists():
        raise RegistryError({"id_number": "该身份证号已登记"})
    resident.save()
    resident.care_tags.set(CareTag.objects.filter(code__in=data.care_tag_codes))
    schedule.refresh_household(household.pk)
    _record(
        RecordKind.RESIDENT,
        resident.pk,
        household,
        ChangeAction.CREATE,
        actor=actor,
        source=source,
        changes=_diff({}, _resident_snapshot(resident, data.care_tag_codes)),
    )
    return resident


@transaction.atomic
def do_update_resident(
    resident: Resident,
    *,
    data: ResidentData,
    household: Household | None = None,
    actor: User | None,
    source: str = "web",
) -> Resident:
    """Change a resident's fields (and household, when moved); writes a change row only if anything
    changed."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = _resident_snapshot(resident, list(resident.care_tags.values_list("code", flat=True)))
    before["household"] = resident.household_id
    old_household_id = resident.household_id
    _apply(resident, data)
    if household is not None:
        resident.household = household
    if Resident.objects.filter(id_number_index=resident.id_number_index).exclude(pk=resident.pk).exists():
        raise RegistryError({"id_number": "该身份证号已登记在另一位居民名下"})
    after = _resident_snapshot(resident, data.care_tag_codes)
    after["household"] = resident.household_id
    changes = _diff(before, after)
    if changes:
        resident.save()
        resident.care_tags.set(CareTag.objects.filter(code__in=data.care_tag_codes))
        if "care_level" in changes or "household" in changes:
            for household_id in {old_household_id, resident.household_id}:
                schedule.refresh_household(household_id)
        _record(
            RecordKind.RESIDENT,
            resident.pk,
            resident.household,
            ChangeAction.UPDATE,
            actor=actor,
            source=source,
            changes=changes,
        )
    return resident


def _check_level(level: str) -> None:
    if level not in CareLevel.values:
        raise RegistryError({"care_level": "关爱等级只能是红、橙、黄、蓝、绿"})


@transaction.atomic
def do_set_care_level(
    resident: Resident, *, level: str, reason: str, actor: User | None, source: str = "web"
) -> Resident:
    """调整关爱等级: the colour of one resident, with the reason; the household's visit schedule follows
    from today. Recorded in the change history like every registry edit."""
    _check_level(level)
    reason = reason.strip()
    if not reason:
        raise RegistryError({"reason": "请填写调整原因"})
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.care_level == level:
        raise RegistryError({"care_level": f"已是{CareLevel(level).label}"})
    old = resident.care_level
    Resident.objects.filter(pk=resident.pk).update(care_level=level)
    resident.care_level = level
    schedule.refresh_household(resident.household_id)
    _record(
        RecordKind.RESIDENT,
        resident.pk,
        resident.household,
        ChangeAction.UPDATE,
        actor=actor,
        source=source,
        changes={"care_level": [old, level], "reason": [None, reason[:200]]},
    )
    return resident


@transaction.atomic
def do_set_visit_interval(*, level: str, days: int, actor: User | None) -> int:
    """Change how often households of a colour are visited; every scheduled household of that colour
    moves by the difference. Returns how many households moved."""
    _check_level(level)
    if not 1 <= days <= 366:
        raise RegistryError({"days": "走访间隔应在1到366天之间"})
    old = schedule.interval_days.get()[level]
    VisitInterval.objects.update_or_create(care_level=level, defaults={"days": days})
    schedule.interval_days.forget()
    return schedule.shift_interval(level, old, days)


def do_reveal_personal_data(resident: Resident, *, user: User, channel: str) -> dict[str, str]:
    """Return the full ID and phone numbers and write the access-log row. The caller has checked
    `scoping.may_unmask`."""
    PersonalDataAccess.objects.create(user=user, resident=resident, fields="id_number,phone", channel=channel)
    return {"id_number": resident.id_number, "phone": resident.phone}
