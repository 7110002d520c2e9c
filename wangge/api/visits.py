"""The visit API (走访): visits, the due lists, a resident's colour. Thin: scope, validate, call one action
or read."""

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from wangge.accounts.models import User
from wangge.api.presenters import page_of, resident_row, ticket_row
from wangge.api.views import PAGE, PAGE_SIZE
from wangge.areas import scoping
from wangge.people import schedule
from wangge.people.actions import do_set_care_level
from wangge.people.models import CareLevel, Household
from wangge.tickets.actions import TicketInputError, WorkflowError
from wangge.tickets.models import Urgency
from wangge.visits.actions import FoundProblem, do_add_visit_photos, do_log_visit
from wangge.visits.models import Visit, VisitKind
from wangge.visits.selectors import get_visit_for, round_households, visits_for

router = Router(tags=["visits"])


def visit_row(visit: Visit) -> dict:
    return {
        "id": visit.pk,
        "household_id": visit.household_id,
        "resident_id": visit.resident_id,
        "kind": visit.kind,
        "kind_name": visit.get_kind_display(),
        "visited_at": visit.visited_at.isoformat(),
        "visitor": visit.visitor_name,
        "findings": visit.findings,
        "lat": visit.lat,
        "lng": visit.lng,
        "tickets": [ticket_row(t) for t in visit.tickets.all()],
        "photos": visit.photos.count(),
    }


def due_row(d: schedule.DueHousehold) -> dict:
    h = d.household
    return {
        "household_id": h.pk,
        "address": h.address,
        "area": h.area.code,
        "care_level": h.care_level,
        "due": d.due.isoformat(),
        "days_late": d.days_late,
        "overdue": d.overdue,
        "distance_m": None if d.distance_m is None else round(d.distance_m),
        "last_visited_at": h.last_visited_at.isoformat() if h.last_visited_at else None,
        "concern": [{"id": r.pk, "name": r.name, "care_level": r.care_level} for r in d.concern],
        "care_tags": d.tags,
    }


@router.get("/visits", response=dict)
def list_visits(
    request: HttpRequest,
    household: int | None = Query(None, ge=1, le=2**53),  # type: ignore[type-arg]
    area: str = Query("", max_length=40),  # type: ignore[type-arg]
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
) -> dict:
    """Visits I see (the registry of my areas, my 包户 households), newest first; by household or area."""
    user: User = request.user  # type: ignore[assignment]
    qs = visits_for(user).prefetch_related("tickets", "photos")
    if household is not None:
        qs = qs.filter(household_id=household)
    if area:
        qs = qs.filter(area_code__startswith=area)
    return page_of(qs.order_by("-visited_at", "-id"), page=page, page_size=page_size, row=visit_row)


class ProblemIn(Schema):
    title: str = Field(..., min_length=1, max_length=100, description="问题")
    description: str = Field(..., min_length=1, max_length=4000, description="详细情况")
    urgency: Urgency = Urgency.NORMAL


class VisitIn(Schema):
    household: int = Field(..., ge=1, le=2**53, description="住户 id")
    findings: str = Field(..., min_length=1, max_length=2000, description="走访情况")
    kind: VisitKind = VisitKind.ROUTINE
    resident: int | None = Field(None, ge=1, le=2**53, description="主要走访对象（本户成员 id）")
    visited_at: dt.datetime | None = Field(None, description="补录时的走访时间（30天内），默认现在")
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    problem: ProblemIn | None = Field(None, description="发现问题：同时生成工单（渠道「走访」）")


@router.post("/visits/{visit_id}/photos", response={200: dict, 409: dict, 422: dict})
def visit_photos(request: HttpRequest, visit_id: int, photos: File[list[UploadedFile]]) -> dict:
    """Photos of my visit (multipart, field `photos`, up to 6 a visit) → the visit with `photos` counted;
    409 when the visit is someone else's."""
    user: User = request.user  # type: ignore[assignment]
    visit = do_add_visit_photos(get_visit_for(user, visit_id), actor=user, photos=photos)
    return {**visit_row(visit), "photos": visit.photos.count()}


@router.post("/visits", response={201: dict, 403: dict, 422: dict})
def log_visit(request: HttpRequest, payload: VisitIn) -> Status:
    """入户走访 → 201 with the visit (and the ticket opened from it). 403 when I do not visit this
    household; 404 when it is outside my scope."""
    user: User = request.user  # type: ignore[assignment]
    household = scoping.get_household_for(user, payload.household)
    resident = None
    if payload.resident is not None:
        resident = household.residents.filter(pk=payload.resident).first()
        if resident is None:
            raise TicketInputError("resident", "走访对象不是这户的成员")
    problem = None
    if payload.problem is not None:
        p = payload.problem
        problem = FoundProblem(title=p.title, description=p.description, urgency=p.urgency)
    if payload.visited_at is not None and payload.visited_at.tzinfo is None:
        raise TicketInputError("visited_at", "请带时区，如 2026-11-23T09:30:00+08:00")
    try:
        visit = do_log_visit(
            household,
            actor=user,
            findings=payload.findings,
            kind=payload.kind,
            visited_at=payload.visited_at,
            resident=resident,
            lat=payload.lat,
            lng=payload.lng,
            problem=problem,
        )
    except WorkflowError as exc:
        return Status(403, {"detail": str(exc)})
    return Status(201, visit_row(visit))


@router.get("/visits/due", response=list[dict])
def due_visits(
    request: HttpRequest,
    area: str = Query("", max_length=40, description="区域编码；默认我的走访范围"),  # type: ignore[type-arg]
    near_lat: float | None = Query(None, ge=-90, le=90),  # type: ignore[type-arg]
    near_lng: float | None = Query(None, ge=-180, le=180),  # type: ignore[type-arg]
    ahead: int = Query(schedule.DUE_AHEAD_DAYS, ge=0, le=366),  # type: ignore[type-arg]
    limit: int = Query(100, ge=1, le=500),  # type: ignore[type-arg]
) -> list[dict]:
    """Households due within `ahead` days or overdue, most overdue first (or nearest to near_lat/near_lng
    first): my own round by default, or every household I see under `area`."""
    user: User = request.user  # type: ignore[assignment]
    households = round_households(user)
    place = None
    if area:
        place = scoping.get_area_for(user, area)
        households = scoping.households_for(user)
    near = (near_lat, near_lng) if near_lat is not None and near_lng is not None else None
    found = schedule.due_households(households, area=place, near=near, ahead=ahead, limit=limit)
    return [due_row(d) for d in found]


@router.get("/visits/by-grid", response=list[dict])
def due_by_grid(request: HttpRequest, area: str = Query(..., max_length=40)) -> list[dict]:  # type: ignore[type-arg]
    """Per grid under `area`: households overdue and due within three days (for community, street and
    district staff who see the registry of the area)."""
    user: User = request.user  # type: ignore[assignment]
    place = scoping.get_area_for(user, area)
    if not scoping.scope_of(user).sees_registry_of(place.code):
        raise Http404
    return [
        {"grid": g.grid.code, "name": g.grid.name, "overdue": g.overdue, "due": g.due}
        for g in schedule.due_by_grid(place)
    ]


@router.get("/visits/intervals", response=dict)
def intervals(request: HttpRequest) -> dict:
    """走访频次: days between visits per care level (configured in the admin)."""
    return {str(level): schedule.interval_days.get()[level] for level in CareLevel}


class LevelIn(Schema):
    care_level: CareLevel
    reason: str = Field(..., min_length=1, max_length=200, description="调整原因")


@router.post("/residents/{resident_id}/care-level", response={200: dict, 403: dict, 422: dict})
def set_care_level(request: HttpRequest, resident_id: int, payload: LevelIn) -> Status:
    """调整关爱等级: the household's visit schedule follows from today; recorded in the change history."""
    user: User = request.user  # type: ignore[assignment]
    resident = scoping.get_resident_for(user, resident_id)
    if not scoping.may_edit_registry(user, resident.household.area):
        return Status(403, {"detail": "您的角色不能调整关爱等级"})
    resident = do_set_care_level(resident, level=payload.care_level, reason=payload.reason, actor=user)
    household = Household.objects.get(pk=resident.household_id)
    return Status(
        200,
        {
            **resident_row(resident, household=household),
            "household_care_level": household.care_level,
            "next_visit_on": household.next_visit_on.isoformat() if household.next_visit_on else None,
        },
    )
