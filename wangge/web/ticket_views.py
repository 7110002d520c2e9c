"""Ticket pages: the workbench per role, the ticket page with its timeline and allowed actions, staff
entry and the inbox. The resident's H5 pages are in h5_views."""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from wangge.accounts.models import User
from wangge.api.tickets import ActionIn, run_action
from wangge.areas import scoping
from wangge.areas.models import Area, Unit
from wangge.areas.models import Level as AreaLevel
from wangge.directives.admission import AdmissionFlagged
from wangge.notify.actions import do_mark_read
from wangge.notify.models import Notification
from wangge.routing.duplicates import CLUSTER_DAYS, duplicates_of, likely_duplicates, open_clusters
from wangge.routing.models import Target
from wangge.routing.suggest import explain
from wangge.tickets import public, workflow, worklists
from wangge.tickets.actions import (
    NewTicket,
    TicketInputError,
    WorkflowError,
    categories_by_code,
    do_dispatch_many,
    do_reveal_contact,
    do_submit_ticket,
    may_reveal_contact,
)
from wangge.tickets.channels import channels_for
from wangge.tickets.handlers import assignable_people, serving_units
from wangge.tickets.intake import resolve_place
from wangge.tickets.models import Channel, Kind, Level, Status, Ticket, TicketPhoto, Urgency, Verdict
from wangge.tickets.queries import (
    DISPATCH_ROLE,
    allowed_actions,
    ancestor_codes,
    get_ticket_for,
    relations_of,
)
from wangge.tickets.timeline import staff_timeline
from wangge.web.deliberation_views import talk_for
from wangge.web.transfer_views import can_import_hotline
from wangge.web.views import image_response, request_user

# --- workbench -------------------------------------------------------------------------------------

PAGE_SIZE = 30


@dataclass
class ListPage:
    """One page of a worklist. `total` is None where counting would cost more than the page (全部)."""

    items: list[Ticket]
    number: int
    has_next: bool
    total: int | None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // PAGE_SIZE))


def _page(tickets: QuerySet[Ticket], raw: str, *, total: int | None, related: tuple[str, ...]) -> ListPage:
    """The page's ids in the list's order first, then their rows with `related`: the order is found in
    an index (a queue's, or the newest-first one), and only the page's rows are read whole; sorting the
    whole rows of an open queue (thousands, each joined to its area and handler) took 0.15 s."""
    number = int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
    start = (number - 1) * PAGE_SIZE
    ids = list(tickets.values_list("pk", flat=True)[start : start + PAGE_SIZE + 1])
    found = Ticket.objects.select_related(*related).in_bulk(ids)
    rows = [found[pk] for pk in ids if pk in found]
    return ListPage(rows[:PAGE_SIZE], number, len(ids) > PAGE_SIZE, total)


def _filter_grids(user: User) -> list[Area]:
    return list(scoping.areas_for(user).filter(level=AreaLevel.GRID).order_by("code")[:300])


def _dispatch_codes(user: User) -> list[str]:
    return [
        m.area.code
        for m in scoping.scope_of(user).memberships
        if m.area is not None and m.role in DISPATCHING
    ]


DISPATCHING = {str(role) for role in DISPATCH_ROLE.values()}


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """工作台: the user's queues as tabs with their counts, opening on the first that asks something of
    them; filters, search, sort, and for dispatchers 批量派单."""
    user = request_user(request)
    queues = worklists.queues_for(user)
    sizes = worklists.counts(user, queues)
    keys = [q.key for q in queues]
    key = request.GET.get("queue", "")
    if key not in keys:
        key = worklists.opening_queue(queues, sizes)
    current = worklists.QUEUES[key]
    grids = _filter_grids(user)
    filters = worklists.clean_filters(request.GET.dict(), area_codes={g.code for g in grids})
    tickets = worklists.filtered(worklists.queue(user, key), filters)
    tickets = worklists.ordered(tickets, filters.sort, bounded=current.counted)
    total = sizes.get(key) if not filters.any else (tickets.count() if current.counted else None)
    page = _page(
        tickets,
        request.GET.get("page", ""),
        total=total,
        related=("area", "category", "assignee", "lead_unit"),
    )
    dispatching = key == "dispatch" and bool(_dispatch_codes(user) or scoping.scope_of(user).everything)
    params = {k: v for k, v in request.GET.items() if k not in ("page", "queue") and v}
    context = {
        "queues": [(q, sizes.get(q.key)) for q in queues],
        "queue": current,
        "page": page,
        "filters": filters,
        "params": urlencode(params),
        "statuses": Status.choices,
        "urgencies": Urgency.choices,
        "channels": Channel.choices,
        "categories": [c for c in categories_by_code.get().values() if c.parent_id is None],
        "grids": grids,
        "sorts": worklists.SORTS.items(),
        "now": timezone.now(),
        "can_import_hotline": can_import_hotline(user),
        "bulk": _bulk_choices(user) if dispatching and page.items else None,
        "kinds": Kind.choices,
    }
    template = "web/partials/ticket_rows.html" if request.htmx else "web/workbench.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _bulk_choices(user: User) -> dict:
    codes = _dispatch_codes(user)
    return {"units": serving_units(codes), "people": assignable_people(exact=codes, under=codes)}


@login_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """批量派单 from the dispatch queue: the chosen tickets to one unit or person; says which went and
    which did not, and why."""
    user = request_user(request)
    post = request.POST
    ids = [int(x) for x in post.getlist("ticket") if x.isdigit()][:PAGE_SIZE]
    back = reverse("web:workbench") + "?queue=dispatch"
    if not ids:
        messages.error(request, "请先勾选要派单的诉求")
        return redirect(back)
    unit = Unit.objects.filter(code=post.get("unit", ""), active=True).first() if post.get("unit") else None
    person = User.objects.filter(username=post.get("assignee", "")).first() if post.get("assignee") else None
    try:
        results = do_dispatch_many(
            ids,
            actor=user,
            kind=post.get("kind", Kind.SMALL),
            assignee=person,
            units=[unit] if unit else [],
            note=post.get("note", "").strip()[:4000],
        )
    except TicketInputError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    sent = [r for r in results if not r.error]
    if sent:
        to = unit.name if unit else person.shown_name if person else ""
        messages.success(request, f"已派单 {len(sent)} 件给{to}")
    for r in results:
        if r.error:
            messages.error(request, f"{r.number or '诉求'} 未派单：{r.error}")
    return redirect(back)


# --- ticket page and actions -----------------------------------------------------------------------

RATING_LABELS = [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
ACTION_STYLE = {
    "claim": "primary",
    "resolve": "primary",
    "accept": "primary",
    "assign": "primary",
    "callback": "primary",
    "reject": "danger",
    "return": "danger",
    "withdraw": "danger",
    "escalate": "warn",
}
ONE_CLICK = {"claim"}  # nothing to fill in: the button acts


def _ticket_context(user: User, ticket_id: int, errors: dict | None = None) -> dict:
    ticket = get_ticket_for(user, ticket_id)
    relations = relations_of(user, ticket)
    actions = allowed_actions(user, ticket, relations)
    places = ancestor_codes(ticket.area_code)
    units = (
        Unit.objects.filter(active=True)
        .select_related("area")
        .filter(area__code__in=places)
        .order_by("kind", "code")
        if {"assign", "summon"} & set(actions)
        else []
    )
    people = assignable_people(exact=places) if "assign" in actions else []
    suggested = explain(ticket.routing)
    # 疑似重复: for whoever may merge it, the open tickets that look like the same problem
    duplicates = duplicates_of(ticket, user) if "merge" in actions else []
    unit_guess = {g.code: g for g in suggested.get(Target.UNIT, [])}
    if units:  # the router's top units first, each with its confidence
        units = sorted(units, key=lambda u: -unit_guess[u.code].confidence if u.code in unit_guess else 0)
    return {
        "ticket": ticket,
        "suggested": suggested,
        "duplicates": duplicates,
        "assign_units": [(u, unit_guess.get(u.code)) for u in units],
        "events": ticket.events.select_related("actor").order_by("at", "id"),
        "timeline": staff_timeline(ticket.events.all()),
        "deadlines": [
            (label, deadline, deadline == ticket.current_deadline)
            for label, deadline in (
                ("接单时限", ticket.claim_deadline),
                ("办结时限", ticket.resolve_deadline),
            )
            if deadline is not None
        ],
        "now": timezone.now(),
        "one_click": ONE_CLICK,
        "photos": ticket.photos.all(),
        "assignments": ticket.assignments.filter(active=True).select_related("unit", "user", "claimed_by"),
        "summonses": ticket.summonses.prefetch_related("calls__unit"),
        "actions": [(a, workflow.ACTIONS[a], ACTION_STYLE.get(a, "")) for a in actions],
        "units": units,
        "people": people,
        "kinds": Kind.choices,
        "verdicts": Verdict.choices,
        "levels": [(v, label) for v, label in Level.choices if v in ("community", "street", "district")],
        "errors": errors or {},
        "rating_labels": RATING_LABELS,
        "may_reveal_contact": may_reveal_contact(user, ticket, relations),
        **talk_for(user, ticket),
    }


@login_required
def ticket_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    return render(request, "web/ticket.html", _ticket_context(request_user(request), ticket_id))


def _action_body(post: QueryDict) -> ActionIn:
    data: dict = {"note": post.get("note", "")}
    for key in ("kind", "assignee", "level", "verdict"):
        if post.get(key):
            data[key] = post[key]
    units = [u for u in post.getlist("units") if u]
    if units:
        data["units"] = units
    if post.get("rating"):
        data["rating"] = post["rating"]
    target = post.get("target", "").strip()
    if target:  # an id or a 工单编号 (WG20261127-000123)
        number = worklists.NUMBER.match(target)
        data["target"] = number.group(1) if number else target
    for key in ("reached", "approve"):
        if post.get(key) in ("1", "0"):
            data[key] = post[key] == "1"
    data["confirm_admission"] = post.get("confirm_admission") == "1"
    deadline = post.get("deadline", "")
    if deadline:
        data["deadline"] = dt.datetime.fromisoformat(deadline).replace(tzinfo=timezone.get_current_timezone())
    return ActionIn(**data)


FIELD_NAMES = {
    "note": "说明",
    "kind": "事项类型",
    "assignee": "承办人",
    "units": "单位",
    "level": "层级",
    "deadline": "报到时限",
    "reached": "是否联系上",
    "verdict": "回访评价",
    "rating": "评分",
    "target": "目标诉求",
    "approve": "审核结论",
    "photos": "照片",
}


@login_required
@require_POST
def ticket_act(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    user = request_user(request)
    ticket = get_ticket_for(user, ticket_id)
    errors = run_posted_action(request, ticket, action, user)
    if errors:
        context = _ticket_context(user, ticket_id, errors={"action_name": action, **errors})
        context["posted"] = request.POST
        return render(
            request, "web/ticket.html", context, status=409 if {"action", "admission"} & set(errors) else 422
        )
    target = "web:my_ticket" if request.POST.get("from") == "h5" else "web:ticket"
    return redirect(target, ticket_id=ticket.pk)


def run_posted_action(request: HttpRequest, ticket: Ticket, action: str, user: User) -> dict[str, str]:
    """Take the posted action on the ticket (the desk and the phone pages alike); the errors by field,
    empty when it was done. "action" and "admission" hold refusals (409), others bad input (422)."""
    errors: dict[str, str] = {}
    try:
        body = _action_body(request.POST)
        photos = request.FILES.getlist("photos")
        if action not in workflow.ACTIONS:
            raise WorkflowError("没有这个动作")
        run_action(ticket, action, body, user, photos=photos)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else "note"
            errors[name] = f"{FIELD_NAMES.get(name, name)}：填写有误"
    except ValueError as exc:
        if isinstance(exc, TicketInputError):
            errors[exc.field] = exc.message
        else:
            errors["deadline"] = "报到时限格式不对"
    except WorkflowError as exc:
        errors["admission" if isinstance(exc, AdmissionFlagged) else "action"] = str(exc)
    return errors


@login_required
@require_POST
def ticket_contact(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """htmx: the full contact phone in place of the masked one, after logging the access."""
    user = request_user(request)
    ticket = get_ticket_for(user, ticket_id)
    try:
        phone = do_reveal_contact(ticket, actor=user, channel="web")
    except WorkflowError as exc:
        return HttpResponse(str(exc), status=403)
    return render(request, "web/partials/contact_phone.html", {"ticket": ticket, "phone": phone})


@login_required
def ticket_photo(request: HttpRequest, ticket_id: int, photo_id: int) -> FileResponse:
    ticket = get_ticket_for(request_user(request), ticket_id)
    photo = get_object_or_404(TicketPhoto, pk=photo_id, ticket=ticket)
    return image_response(photo.image)


# --- intake: staff entry (the resident's H5 form is in h5_views) ----------------------------------


def _intake(
    request: HttpRequest, *, channel: str, resident_id: int | None, default_area: Area | None
) -> dict:
    """Validate the posted form and submit; returns the errors by field (empty when it worked)."""
    post = request.POST
    errors: dict[str, str] = {}
    try:
        lat = float(post["lat"]) if post.get("lat") else None
        lng = float(post["lng"]) if post.get("lng") else None
    except ValueError:
        return {"location": "位置坐标格式不对"}
    try:
        area_code = post.get("area", "")
        address = post.get("address", "").strip()[:200]
        if not (lat or area_code or address) and default_area is not None:
            area_code = default_area.code
        place = resolve_place(lat=lat, lng=lng, address=address, area_code=area_code)
        urgency = post.get("urgency") or Urgency.NORMAL
        ticket = do_submit_ticket(
            NewTicket(
                title=post.get("title", "")[:100],
                description=post.get("description", "")[:4000],
                channel=channel,
                area=place.area,
                lat=place.lat,
                lng=place.lng,
                address=address,
                urgency=urgency,
                contact_name=post.get("contact_name", "").strip()[:50],
                contact_phone=post.get("contact_phone", ""),
                resident_id=resident_id,
                photos=request.FILES.getlist("photos"),
            ),
            actor=request_user(request),
        )
    except TicketInputError as exc:
        errors[exc.field] = exc.message
        return errors
    return {"_ticket": ticket}


STAFF_CHANNELS = [Channel.PHONE, Channel.STAFF, Channel.GRID, Channel.VISIT, Channel.WECHAT, Channel.HOTLINE]


@login_required
def staff_entry(request: HttpRequest) -> HttpResponse:
    """Staff enter a ticket for a caller (代录) or report what they found (网格发现)."""
    user = request_user(request)
    grids = scoping.areas_for(user).filter(level=AreaLevel.GRID).order_by("code")[:300]
    allowed = channels_for(user)
    offered = [c for c in STAFF_CHANNELS if c in allowed]
    if not offered:  # residents, volunteers, unit staff: they send their own requests from the H5
        raise Http404
    if request.method == "POST":
        channel = request.POST.get("channel", Channel.PHONE)
        chosen = request.POST.get("area", "")
        if channel not in offered:
            result: dict = {"channel": "请从列表中选择渠道"}
        elif chosen and not scoping.scope_of(user).sees_area(chosen):
            result = {"area": "只能选择您负责的区域"}
        else:
            result = _intake(request, channel=channel, resident_id=None, default_area=None)
        if "_ticket" in result:
            return redirect("web:ticket", ticket_id=result["_ticket"].pk)
        return render(
            request,
            "web/ticket_new.html",
            {"grids": grids, "channels": offered, "errors": result, "form": request.POST},
            status=422,
        )
    initial = {"channel": request.GET.get("channel", "")}  # 上报问题 from the phone pages: 网格发现
    return render(
        request,
        "web/ticket_new.html",
        {"grids": grids, "channels": offered, "errors": {}, "form": initial},
    )


@login_required
def similar_open(request: HttpRequest) -> HttpResponse:
    """At intake (htmx, as the form is filled in): open tickets nearby that may already report this."""
    user = request_user(request)
    title, description = request.GET.get("title", "").strip(), request.GET.get("description", "").strip()
    area = scoping.areas_for(user).filter(code=request.GET.get("area", "")).first()
    found = []
    if area is not None and len(title) + len(description) >= 4:
        found = likely_duplicates(
            title=title[:100], description=description[:4000], area_code=area.code, user=user
        )
    return render(request, "web/_similar_open.html", {"duplicates": found})


@login_required
def clusters(request: HttpRequest) -> HttpResponse:
    """聚类: groups of open tickets reporting one problem, hottest first, to merge or handle together."""
    user = request_user(request)
    if not scoping.areas_for(user).exists():
        raise Http404
    code = request.GET.get("area", "")
    area = scoping.areas_for(user).filter(code=code).first() if code else None
    if code and area is None:
        raise Http404
    found = open_clusters(user, area.code if area else "")
    return render(
        request,
        "web/clusters.html",
        {"clusters": found[:50], "area": area, "total": len(found), "days": CLUSTER_DAYS},
    )


# --- inbox and statistics --------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if public.sees_as_resident(user):  # a resident's 消息 is in the H5 frame
        return redirect("web:h5_inbox")
    if request.method == "POST":
        do_mark_read(user)
        return redirect("web:inbox")
    items = Notification.objects.filter(user=user).select_related("ticket")[:200]
    return render(request, "web/inbox.html", {"items": items})
