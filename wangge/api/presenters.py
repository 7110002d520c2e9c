"""Plain-dict views of model objects, shared by the API and the pages. Personal numbers are masked."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area
from wangge.people.models import Household, Resident
from wangge.routing.suggest import explain
from wangge.tickets.models import Ticket
from wangge.tickets.queries import allowed_actions


def area_ref(area: Area) -> dict:
    return {"code": area.code, "name": area.name, "level": area.level}


def household_row(household: Household, *, resident_count: int) -> dict:
    return {
        "id": household.pk,
        "area": household.area.code,
        "area_name": household.area.name,  # the building or its 单元: door numbers repeat per 单元
        "door_no": household.door_no,
        "address": household.address,
        "housing": household.housing,
        "resident_count": resident_count,
        "care_level": household.care_level,
        "next_visit_on": household.next_visit_on.isoformat() if household.next_visit_on else None,
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


def ticket_row(ticket: Ticket) -> dict:
    """A ticket as the list and the create call show it. The contact phone is masked."""
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "title": ticket.title,
        "status": ticket.status,
        "status_name": ticket.get_status_display(),
        "channel": ticket.channel,
        "urgency": ticket.urgency,
        "kind": ticket.kind or None,
        "level": ticket.level,
        "grid": {"code": ticket.area.code, "name": ticket.area.name},
        "category": {"code": ticket.category.code, "path": ticket.category.path} if ticket.category else None,
        "submitted_at": ticket.submitted_at,
        "claim_deadline": ticket.claim_deadline,
        "resolve_deadline": ticket.resolve_deadline,
        "overdue": ticket.is_overdue(),
        "assignee": ticket.assignee.shown_name if ticket.assignee else None,
        "lead_unit": ticket.lead_unit.code if ticket.lead_unit else None,
    }


def ticket_detail(ticket: Ticket, user: User) -> dict:
    events = ticket.events.select_related("actor").order_by("at", "id")
    summonses = ticket.summonses.prefetch_related("calls__unit")
    return {
        **ticket_row(ticket),
        "description": ticket.description,
        "address": ticket.address,
        "lat": ticket.lat,
        "lng": ticket.lng,
        "contact_name": ticket.contact_name,
        "contact_phone": ticket.masked_contact_phone,
        "external_id": ticket.external_id or None,
        "merged_into": ticket.merged_into_id,
        "verdict": ticket.verdict or None,
        "rating": ticket.rating,
        "suggestions": {
            target: [{"code": g.code, "name": g.name, "confidence": g.confidence} for g in guesses]
            for target, guesses in explain(ticket.routing).items()
        },
        "units": [
            {"code": unit.code, "name": unit.name, "lead": x.lead, "claimed": x.claimed_at is not None}
            for x in ticket.assignments.filter(active=True, unit__isnull=False).select_related("unit")
            if (unit := x.unit) is not None
        ],
        "summons": [
            {
                "deadline": s.deadline,
                "units": [
                    {
                        "code": c.unit.code,
                        "name": c.unit.name,
                        "state": c.state(),
                        "reported_at": c.reported_at,
                    }
                    for c in s.calls.all()
                ],
            }
            for s in summonses
        ],
        "timeline": [
            {
                "action": e.action,
                "actor": e.actor_name,
                "at": e.at,
                "from": e.from_status or None,
                "to": e.to_status or None,
                "note": e.note,
            }
            for e in events
        ],
        "allowed_actions": allowed_actions(user, ticket),
    }
