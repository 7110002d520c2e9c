"""Plain-dict views of model objects, shared by the API and the pages. Personal numbers are masked."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area
from wangge.people.models import Household, Resident


def area_ref(area: Area) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level}


def household_row(household: Household, *, resident_count: int) -> dict:
    return {
        "id": household.pk,
        "area": household.area.code,
        "door_no": household.door_no,
        "address": household.address,
        "housing": household.housing,
        "resident_count": resident_count,
    }


def resident_row(resident: Resident, *, household: Household) -> dict:
    return {
        "id": resident.pk,
        "name": resident.name,
        "gender": resident.gender,
        "birth_date": resident.birth_date.isoformat(),
        "age": resident.age(),
        "id_number": resident.masked_id_number,
        "phone": resident.masked_phone,
        "relation": resident.relation,
        "care_level": resident.care_level,
        "care_tags": [t.name for t in resident.care_tags.all()],
        "household_id": household.pk,
        "address": household.address,
    }


def page_of(qs: QuerySet, *, page: int, page_size: int, row: Callable[[Any], dict]) -> dict:
    count = qs.count()
    start = (page - 1) * page_size
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "items": [row(obj) for obj in qs[start : start + page_size]],
    }


def me_payload(user: User) -> dict:
    scope = scoping.scope_of(user)
    memberships = []
    for m in scope.memberships:
        memberships.append(
            {
                "role": m.role,
                "role_name": m.role_name,
                "area": area_ref(m.area) if m.area else None,
                "unit": m.unit.to_dict() if m.unit else None,
            }
        )
    resident = None
    home = Resident.objects.filter(user=user).select_related("household__area").first()
    if home is not None:
        grid = home.household.grid()
        resident = {
            "household_id": home.household_id,
            "address": home.household.address,
            "grid": area_ref(grid) if grid else None,
        }
    roles = sorted({m.role for m in scope.memberships} | ({"resident"} if home else set()))
    areas = {m.area.code: area_ref(m.area) for m in scope.memberships if m.area}
    units = {m.unit.code: m.unit.to_dict() for m in scope.memberships if m.unit}
    return {
        "username": user.username,
        "display_name": user.shown_name,
        "roles": roles,
        "memberships": memberships,
        "areas": sorted(areas.values(), key=lambda a: a["code"]),
        "units": sorted(units.values(), key=lambda u: u["code"]),
        "resident": resident,
    }
