"""Ticket pages: the workbench per role, the ticket page with its timeline and allowed actions, staff
entry and the inbox. The resident's H5 pages are in h5_views."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
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
from wangge.tickets import public, workflow
from wangge.tickets.actions import (
    NewTicket,
    TicketInputError,
    WorkflowError,
    do_reveal_contact,
    do_submit_ticket,
    may_reveal_contact,
)
from wangge.tickets.intake import resolve_place
from wangge.tickets.models import LADDER, Channel, Kind, Level, Status, TicketPhoto, Urgency, Verdict
from wangge.tickets.queries import (
    DISPATCH_ROLE,
    LADDER_INDEX,
    allowed_actions,
    ancestor_codes,
    get_ticket_for,
    overdue_q,
    relations_of,
    tickets_for,
)
from wangge.web.transfer_views import can_import_hotline
from wangge.web.views import image_response, request_user

# --- workbench -------------------------------------------------------------------------------------

QUEUES = [
    ("mine", "我的待办"),
    ("dispatch", "待受理/派单"),
    ("overdue", "超时"),
    ("review", "待审核/回访"),
    ("all", "全部"),
]


def _queue(user: User, queue: str) -> QuerySet:
    qs = tickets_for(user)
    scope = scoping.scope_of(user)
    if queue == "mine":
        return qs.filter(
            Q(assignments__active=True)
            & (Q(assignments__user=user) | Q(assignments__unit_id__in=scope.unit_ids))
            & Q(status__in=[Status.ASSIGNED, Status.IN_PROGRESS])
        ).distinct()
    if queue == "dispatch":
        levels = [
            level
            for level, role in DISPATCH_ROLE.items()
            if any(m.role == role for m in scope.memberships) or scope.everything
        ]
        q = Q(pk__in=[])
        for level in levels:  # a dispatcher sees what waits at their level or below
            q |= Q(level__in=workflow_levels_up_to(level))
        return qs.filter(q, status__in=[Status.NEW, Status.ACCEPTED, Status.RETURNED])
    if queue == "overdue":
        return qs.filter(overdue_q(timezone.now()))
    if queue == "review":
        return qs.filter(status=Status.RESOLVED)
    return qs


def workflow_levels_up_to(level: str) -> list[str]:
    return [str(x) for x in LADDER[: LADDER_INDEX[Level(level)] + 1]]


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    queue = request.GET.get("queue", "mine")
    if queue not in dict(QUEUES):
        queue = "mine"
    qs = _queue(user, queue)
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    text = request.GET.get("q", "").strip()[:50]
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text) | Q(address__icontains=text))
    qs = qs.select_related("area", "category", "assignee", "lead_unit").order_by("-submitted_at", "-id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    counts = {key: _queue(user, key).count() for key, _label in QUEUES[:-1]}
    context = {
        "queues": [(k, label, counts.get(k)) for k, label in QUEUES],
        "queue": queue,
        "page": page,
        "statuses": Status.choices,
        "status": status,
        "q": text,
        "now": timezone.now(),
        "can_import_hotline": can_import_hotline(user),
    }
    template = "web/partials/ticket_rows.html" if request.htmx else "web/workbench.html"  # type: ignore[attr-defined]
    return render(request, template, context)


# --- ticket page and actions -----------------------------------------------------------------------

RATING_LABELS = [(5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意")]
ACTION_STYLE = {"reject": "danger", "return": "danger", "withdraw": "danger", "escalate": "warn"}


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
    people = []
    if "assign" in actions:
        people = list(
            User.objects.filter(
                memberships__active=True,
                memberships__area__code__in=places,
                memberships__role__in=ASSIGNABLE_ROLES,
            )
            .distinct()
            .order_by("username")[:200]
        )
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
    for key in ("rating", "target"):
        if post.get(key):
            data[key] = post[key]
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
    if errors:
        context = _ticket_context(user, ticket_id, errors={"action_name": action, **errors})
        context["posted"] = request.POST
        return render(
            request, "web/ticket.html", context, status=409 if {"action", "admission"} & set(errors) else 422
        )
    target = "web:my_ticket" if request.POST.get("from") == "h5" else "web:ticket"
    return redirect(target, ticket_id=ticket.pk)


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


# Who a dispatcher hands a ticket to in person: the grid, the community's own staff (a 低保 application
# the community handles itself), party members and volunteers of the place.
ASSIGNABLE_ROLES = ["grid_worker", "grid_head", "community_staff", "party_member", "volunteer"]
STAFF_CHANNELS = [Channel.PHONE, Channel.STAFF, Channel.GRID, Channel.VISIT, Channel.WECHAT, Channel.HOTLINE]


@login_required
def staff_entry(request: HttpRequest) -> HttpResponse:
    """Staff enter a ticket for a caller (代录) or report what they found (网格发现)."""
    user = request_user(request)
    grids = scoping.areas_for(user).filter(level=AreaLevel.GRID).order_by("code")[:300]
    if request.method == "POST":
        channel = request.POST.get("channel", Channel.PHONE)
        if channel not in [c.value for c in STAFF_CHANNELS]:
            channel = Channel.PHONE
        result = _intake(request, channel=channel, resident_id=None, default_area=None)
        if "_ticket" in result:
            return redirect("web:ticket", ticket_id=result["_ticket"].pk)
        return render(
            request,
            "web/ticket_new.html",
            {"grids": grids, "channels": STAFF_CHANNELS, "errors": result, "form": request.POST},
            status=422,
        )
    initial = {"channel": request.GET.get("channel", "")}  # 上报问题 from the phone pages: 网格发现
    return render(
        request,
        "web/ticket_new.html",
        {"grids": grids, "channels": STAFF_CHANNELS, "errors": {}, "form": initial},
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
