"""The ticket API (a contract other systems call: keep it stable). Handlers are thin: scope, validate,
call one action or query."""

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from wangge.accounts.models import User
from wangge.api.auth import granted_channel
from wangge.api.presenters import page_of, ticket_detail, ticket_row
from wangge.api.views import PAGE, PAGE_SIZE
from wangge.areas.models import Unit
from wangge.areas.scoping import get_area_for
from wangge.routing.actions import do_plan_hotspot
from wangge.routing.duplicates import Duplicate, duplicates_of, likely_duplicates, open_clusters
from wangge.routing.proactive import hotspots_in
from wangge.stats.groups import groups
from wangge.stats.kpis import Selection, kpis, select_tickets
from wangge.tickets import actions as a
from wangge.tickets import channels, public
from wangge.tickets.intake import category_for, resolve_place
from wangge.tickets.models import Category, Channel, Ticket, Urgency
from wangge.tickets.models import Status as TicketStatus
from wangge.tickets.queries import get_ticket_for, overdue_q, tickets_for
from wangge.tickets.workflow import ACTIONS

router = Router(tags=["tickets"])

ActionName = Literal[
    "accept",
    "reject",
    "assign",
    "claim",
    "return",
    "escalate",
    "summon",
    "report",
    "note",
    "resolve",
    "review",
    "callback",
    "rate",
    "close",
    "merge",
    "withdraw",
    "reopen",
]
assert set(ActionName.__args__) == set(ACTIONS)  # type: ignore[attr-defined]


class TicketIn(Schema):
    title: str = Field(..., min_length=1, max_length=100, description="标题")
    description: str = Field(..., min_length=1, max_length=4000, description="诉求内容")
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    area: str = Field("", max_length=40, description="区域编码（网格、社区…）")
    category: str = Field("", max_length=160, description="分类编码或名称")
    urgency: Urgency = Urgency.NORMAL
    channel: Channel = Field(
        Channel.API, description="渠道：h5、api人人可用；其他渠道需工作人员角色或获授该渠道的接口令牌"
    )
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20, pattern=r"^[0-9+\-\s]*$")
    external_id: str = Field(
        "", max_length=60, description="来源系统的工单编号：同一来源重复提交时返回原工单（仅对原提交者）"
    )

    @field_validator("channel")
    @classmethod
    def sent_channel(cls, value: Channel) -> Channel:
        if value in channels.MADE:
            raise ValueError(f"「{value.label}」工单由系统生成，不能提交")
        return value


class ActionIn(Schema):
    note: str = Field("", max_length=4000)
    kind: Literal["private", "small", "major"] | None = None
    assignee: str | None = Field(None, max_length=150, description="承办人用户名")
    units: list[str] = Field(default_factory=list, max_length=20, description="单位编码，第一个为牵头单位")
    level: Literal["community", "street", "district"] | None = None
    deadline: dt.datetime | None = None
    reached: bool | None = None
    verdict: Literal["satisfied", "basically_satisfied", "dissatisfied"] | None = None
    rating: int | None = Field(None, ge=1, le=5)
    target: int | None = Field(None, ge=1, le=2**53)
    approve: bool | None = None
    confirm_admission: bool = Field(
        False, description="assign：承办人为社区工作者且事项不在社区准入清单内时，确认仍交办"
    )


def _units(codes: list[str]) -> list[Unit]:
    found = {u.code: u for u in Unit.objects.filter(code__in=codes).select_related("area")}
    missing = [c for c in codes if c not in found]
    if missing:
        raise a.TicketInputError("units", f"没有编码为 {'、'.join(missing)} 的单位")
    return [found[c] for c in codes]


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise a.TicketInputError("assignee", f"没有用户 {username}")
    return user


def _required(value: object, field_name: str, what: str) -> None:
    if value is None:
        raise a.TicketInputError(field_name, f"请提供{what}")


def run_action(
    ticket: Ticket, action: str, body: ActionIn, user: User, *, photos: Sequence[UploadedFile] = ()
) -> Ticket:
    """Map the action name and its payload onto the do_* function (shared with the pages)."""
    pk, note = ticket.pk, body.note
    match action:
        case "accept":
            _required(body.kind, "kind", "事项类型 kind")
            return a.do_accept(pk, actor=user, kind=body.kind or "", note=note)
        case "reject":
            return a.do_reject(pk, actor=user, note=note)
        case "assign":
            assignee = _user(body.assignee) if body.assignee else None
            return a.do_assign(
                pk,
                actor=user,
                assignee=assignee,
                units=_units(body.units),
                note=note,
                confirm_admission=body.confirm_admission,
            )
        case "claim":
            return a.do_claim(pk, actor=user, note=note)
        case "return":
            return a.do_return(pk, actor=user, note=note)
        case "escalate":
            return a.do_escalate(pk, actor=user, level=body.level, note=note) or ticket
        case "summon":
            return a.do_summon(
                pk, actor=user, units=_units(body.units), deadline=body.deadline, note=note
            ).ticket
        case "report":
            return a.do_report(pk, actor=user, note=note)
        case "note":
            return a.do_note(pk, actor=user, note=note, photos=photos)
        case "resolve":
            return a.do_resolve(pk, actor=user, note=note, photos=photos)
        case "review":
            _required(body.approve, "approve", "审核结论 approve")
            return a.do_review(pk, actor=user, approve=bool(body.approve), note=note)
        case "callback":
            _required(body.reached, "reached", "是否联系上 reached")
            return a.do_callback(pk, actor=user, reached=bool(body.reached), verdict=body.verdict, note=note)
        case "rate":
            _required(body.rating, "rating", "评分 rating")
            return a.do_rate(pk, actor=user, rating=body.rating or 0, note=note)
        case "close":
            return a.do_close(pk, actor=user, note=note)
        case "merge":
            _required(body.target, "target", "目标诉求 target")
            return a.do_merge(pk, actor=user, target_id=body.target or 0, note=note)
        case "withdraw":
            return a.do_withdraw(pk, actor=user, note=note)
        case "reopen":
            return a.do_reopen(pk, actor=user, note=note)
    raise a.WorkflowError(f"没有「{action}」这个动作")


class SimilarIn(Schema):
    title: str = Field(..., min_length=1, max_length=100, description="标题")
    description: str = Field("", max_length=4000, description="诉求内容")
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str = Field("", max_length=200)
    area: str = Field("", max_length=40, description="区域编码（网格、社区…）")


def _duplicate_rows(found: Sequence[Duplicate]) -> list[dict]:
    return [
        {**ticket_row(d.ticket), "similarity": round(d.score, 3), "metres": d.metres and round(d.metres)}
        for d in found
    ]


@router.post("/tickets/similar", response={200: list[dict], 422: dict}, tags=["duplicates"])
def similar_open_tickets(request: HttpRequest, payload: SimilarIn) -> list[dict]:
    """Before submitting: the open tickets (that this user sees) likely reporting the same problem at the
    same place, best first, with `similarity` (0–1) and `metres` when both have a point."""
    user: User = request.user  # type: ignore[assignment]
    place = resolve_place(lat=payload.lat, lng=payload.lng, address=payload.address, area_code=payload.area)
    found = likely_duplicates(
        title=payload.title,
        description=payload.description,
        area_code=place.area.code,
        lat=place.lat,
        lng=place.lng,
        user=user,
    )
    return _duplicate_rows(found)


@router.get("/tickets/{ticket_id}/duplicates", response=list[dict], tags=["duplicates"])
def ticket_duplicates(request: HttpRequest, ticket_id: int) -> list[dict]:
    """疑似重复: open tickets likely reporting the same problem as this one (merge with the `merge`
    action). Empty once the ticket is closed, merged, withdrawn or rejected."""
    user: User = request.user  # type: ignore[assignment]
    return _duplicate_rows(duplicates_of(get_ticket_for(user, ticket_id), user))


@router.get("/clusters", response=list[dict], tags=["duplicates"])
def ticket_clusters(request: HttpRequest, area: str = "") -> list[dict]:
    """Groups of two or more open tickets of one problem (last 30 days), hottest first: `tickets` (ids,
    oldest first), `heat`, `description`, `start`, `end`."""
    user: User = request.user  # type: ignore[assignment]
    if area:
        get_area_for(user, area)
    return [
        {
            "tickets": [t.pk for t in c.tickets],
            "heat": round(c.group.heat, 2),
            "description": c.group.description,
            "grids": sorted({t.area.name for t in c.tickets}),
            "start": c.group.start,
            "end": c.group.end,
        }
        for c in open_clusters(user, area)
    ]


@router.get("/hotspots", response=list[dict], tags=["hotspots"])
def hotspots(request: HttpRequest, area: str = Query(..., max_length=40)) -> list[dict]:  # type: ignore[type-arg]
    """未诉先办: the grid × category series under `area` that recur at this time of year (`recurring`:
    the coming four weeks and the same weeks of past years, with each year's usual) or are rising
    (`rising`: the last four weeks against the twelve before), strongest first. `weeks` are the last 16
    weekly counts (this week last); `reasons` say it in words; `planned` is the ticket that acts on it."""
    user: User = request.user  # type: ignore[assignment]
    return [s.as_json() for s in hotspots_in(get_area_for(user, area))]


class PlanIn(Schema):
    area: str = Field(..., min_length=1, max_length=40, description="网格编码（建议中的 area.code）")
    category: str = Field(..., min_length=1, max_length=12, description="分类编码（建议中的 category.code）")
    note: str = Field("", max_length=500, description="安排")


@router.post("/hotspots/plan", response={201: dict, 409: dict, 422: dict}, tags=["hotspots"])
def plan_hotspot(request: HttpRequest, payload: PlanIn) -> Status:
    """立项: turn a current hotspot into a planned action, a ticket of channel `proactive` with the
    evidence in its description → 201 with the ticket. 409 when it was planned in the last four weeks
    or my role may not plan; 422 when the grid has no such hotspot now; 404 out of scope."""
    user: User = request.user  # type: ignore[assignment]
    grid = get_area_for(user, payload.area)
    category = Category.objects.filter(code=payload.category).first()
    if category is None:
        raise a.TicketInputError("category", f"没有编码为 {payload.category} 的分类")
    ticket = do_plan_hotspot(area=grid, category=category, actor=user, note=payload.note)
    return Status(201, ticket_row(ticket))


@router.post("/tickets", response={201: dict, 200: dict, 409: dict, 422: dict})
def create_ticket(request: HttpRequest, payload: TicketIn) -> Status:
    """收单: submit a ticket from another system. The grid is found from lat/lng, the area code or the
    address. A `channel` other than the caller's own (h5, api) needs a staff role or an integration token
    granted it (422 otherwise). An `external_id` is namespaced by its source (tickets.channels): sending
    the same one again answers 200 with the ticket it created first, to the account that created it; to
    anyone else 409, without telling them anything about that ticket."""
    user: User = request.user  # type: ignore[assignment]
    place = resolve_place(lat=payload.lat, lng=payload.lng, address=payload.address, area_code=payload.area)
    granted = granted_channel(request)
    new = a.NewTicket(
        title=payload.title,
        description=payload.description,
        channel=payload.channel,
        area=place.area,
        lat=place.lat,
        lng=place.lng,
        address=payload.address,
        category=category_for(payload.category),
        urgency=payload.urgency,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone.strip(),
        external_id=payload.external_id,
        granted=granted,
    )
    try:
        ticket = a.do_submit_ticket(new, actor=user)
    except IntegrityError:  # the unique (source, external_id): sent before, or twice at once
        first = seen_before(channels.source_of(payload.channel, user, granted=granted), payload.external_id)
        if first is None:
            raise
        if first.submitted_by_id != user.pk:
            return Status(409, {"detail": "external_id：该来源编号已有工单", "field": "external_id"})
        return Status(200, ticket_row(first))
    return Status(201, ticket_row(ticket))


def seen_before(source: str, external_id: str) -> Ticket | None:
    """The ticket created with this source's `external_id`, if any (through the unique index)."""
    if not external_id:
        return None
    rows = (
        Ticket.objects.filter(source=source, external_id=external_id)
        .exclude(external_id="")
        .select_related("area", "category", "assignee", "lead_unit")
        .order_by()  # no ORDER BY: SQLite would walk the primary key instead of the index
    )
    return next(iter(rows[:1]), None)


@router.get("/tickets")
def list_tickets(
    request: HttpRequest,
    status: TicketStatus | None = None,
    area: str | None = Query(None, max_length=40),  # type: ignore[type-arg]
    unit: str | None = Query(None, max_length=40),  # type: ignore[type-arg]
    overdue: bool | None = None,
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
) -> dict:
    """Tickets in my scope, newest first, filtered by status, area code (subtree), unit code, overdue.
    A resident (no post) gets their own as the H5 cards: `id`, `number`, `title`, `status_text`,
    `submitted_at`, `expected_by`, `expected_text`."""
    qs = select_tickets(base=tickets_for(request.user), area=area or None)  # type: ignore[arg-type]
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(assignments__unit__code=unit).distinct()
    if overdue is not None:
        late = overdue_q(timezone.now())
        qs = qs.filter(late) if overdue else qs.exclude(late)
    qs = qs.select_related("area", "category", "assignee", "lead_unit").order_by("-submitted_at", "-id")
    if public.sees_as_resident(request.user):  # type: ignore[arg-type]
        return page_of(qs, page=page, page_size=page_size, row=lambda t: public.card_json(public.card(t)))
    return page_of(qs, page=page, page_size=page_size, row=ticket_row)


def _detail(ticket: Ticket, user: User) -> dict:
    """Staff read the whole ticket; a resident (no post) reads what tickets.public shows residents."""
    if public.sees_as_resident(user):
        return public.detail_json(public.present(ticket, user), _photo_url)
    return ticket_detail(ticket, user)


def _photo_url(ticket_id: int, photo_id: int) -> str:
    return reverse("web:ticket_photo", args=[ticket_id, photo_id])


@router.get("/tickets/{ticket_id}", response={200: dict, 404: dict})
def get_ticket(request: HttpRequest, ticket_id: int) -> dict:
    """One ticket with its timeline and the actions I may take now; 404 outside my scope. A resident
    (signed in without a post) reads their own ticket as the H5 page shows it: `number`, `status_text`,
    `expected_text` (预计办结), the public `timeline` (no internal notes, no staff names), photos by stage,
    `rating` and `allowed_actions` (rate, withdraw)."""
    user: User = request.user  # type: ignore[assignment]
    return _detail(get_ticket_for(user, ticket_id), user)


@router.post("/tickets/{ticket_id}/contact", response={200: dict, 403: dict})
def reveal_contact(request: HttpRequest, ticket_id: int) -> Status | dict:
    """The full contact phone, for the grid, dispatchers, reviewers and handlers of an open ticket (the
    ticket shows it masked). Every call is logged; 403 for anyone else."""
    user: User = request.user  # type: ignore[assignment]
    ticket = get_ticket_for(user, ticket_id)
    try:
        return {"id": ticket.pk, "contact_phone": a.do_reveal_contact(ticket, actor=user, channel="api")}
    except a.WorkflowError as exc:
        return Status(403, {"detail": str(exc)})


@router.post("/tickets/{ticket_id}/actions/{action}", response={200: dict, 409: dict, 422: dict})
def ticket_action(request: HttpRequest, ticket_id: int, action: ActionName, body: ActionIn) -> dict:
    """Take one action of the loop (PRODUCT.md section 4). 409 with the reason when it is not allowed
    in the ticket's state or for my role (a second `rate`: "这条诉求已评价过"); 422 naming the field for
    bad input; 404 when the ticket is outside my scope. Answers the ticket as `GET` does."""
    user: User = request.user  # type: ignore[assignment]
    ticket = get_ticket_for(user, ticket_id)
    ticket = run_action(ticket, action, body, user)
    return _detail(get_ticket_for(user, ticket.pk), user)


FROM_DATE = Query(None, alias="from", description="起始日期（含）")  # type: ignore[type-arg]
TO_DATE = Query(None, alias="to", description="截止日期（含）")  # type: ignore[type-arg]


@router.get("/stats", tags=["stats"])
def stats(
    request: HttpRequest,
    area: str = Query(..., max_length=40),  # type: ignore[type-arg]
    start: dt.date | None = FROM_DATE,
    end: dt.date | None = TO_DATE,
    by: Literal["channel", "category", "unit", "area"] | None = Query(  # type: ignore[type-arg]
        None, description="按渠道、类别（末级）、主办单位或下级区域分组"
    ),
) -> dict:
    """The KPIs of PRODUCT.md section 5 for an area subtree, over tickets submitted from `from` to `to`
    (dates, both included). With `by`, also `groups`: the same figures per channel, leaf category, lead
    unit (主办单位) or child area, largest first, each with `key` and `name` (medians are given for the
    whole area only; the summons rate for child areas only, as a summons belongs to the unit called)."""
    place = get_area_for(request.user, area)  # type: ignore[arg-type]
    selection = Selection.days(area=place.code, first=start, last=end)
    result = kpis(selection)
    out = {"area": place.code, "from": start, "to": end, **result.as_dict()}
    if by:
        out["by"] = by
        out["groups"] = [g.as_dict() for g in groups(place, selection, by)]
    return out
