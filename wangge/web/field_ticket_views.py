"""The field frame's ticket pages, phone first (375 px, one column, the tab bar under the thumb):

- 上报问题 (网格发现): a grid worker's or grid head's own finding, placed by a tap on the map of their grids,
  by the phone's position or by choosing the grid; it goes through the staff form's intake (`_intake`).
- 我的工单: the workbench's queues (tickets/worklists.py) as a segmented control over cards, with one-tap
  接单 where the transition table allows it.
- One ticket with what is done on site: 接单, 进展 and 办结反馈 with photos, 上报, and the grid head's 受理
  and 派单; the rest (吹哨, 合并, 回访 …) stays on the desk ticket page, linked.
"""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area, Level, Role
from wangge.tickets import worklists
from wangge.tickets.models import Channel, Status, Ticket, Urgency
from wangge.tickets.queries import allowed_actions_many, get_ticket_for
from wangge.web.ticket_views import _intake, _page, _ticket_context, run_posted_action
from wangge.web.views import request_user

# 网格发现 is the grid's own finding: its head and workers report it (others use the desk's 代录).
REPORTING_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)
MAX_GRIDS = 300


def report_grids(user: User) -> list[Area]:
    """The grids a user reports findings on: those of their grid posts, nested 专属网格 included."""
    codes = scoping.codes_with(user, REPORTING_ROLES)
    if not codes:
        return []
    grids = Area.objects.filter(scoping.prefix_q("code", codes), level=Level.GRID)
    return list(grids.only("code", "name", "boundary", "lat", "lng").order_by("code")[:MAX_GRIDS])


def _grids_geojson(grids: list[Area]) -> dict:
    """The outlines the report map draws (the same properties as the H5 map's: code, name, home)."""
    first = grids[0].code if grids else ""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": g.boundary,
                "properties": {"code": g.code, "name": g.name, "home": g.code == first},
            }
            for g in grids
            if g.boundary
        ],
    }


def _place_errors(post: QueryDict, grids: list[Area]) -> dict[str, str]:
    """What the intake does not check for a grid finding: the chosen grid is one of the reporter's own,
    and a point is a real one (no NaN, no 1e400)."""
    if post.get("area") and post["area"] not in {g.code for g in grids}:
        return {"area": "网格：请从您负责的网格中选择"}
    if post.get("lat") or post.get("lng"):
        try:
            lat, lng = float(post.get("lat", "")), float(post.get("lng", ""))
        except ValueError:
            return {"location": "位置：坐标格式不对，请重新在地图上点选"}
        if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
            return {"location": "位置：坐标超出范围，请重新在地图上点选"}
    elif not post.get("area"):
        return {"area": "网格：请在地图上点选位置，或选择问题所在的网格"}
    return {}


@login_required
def field_report(request: HttpRequest) -> HttpResponse:
    """上报问题 (网格发现): title, what happened, urgency, photos and the place; no caller, it is the
    worker's own finding. Lands on the new ticket's phone page."""
    user = request_user(request)
    grids = report_grids(user)
    if not grids:
        raise Http404
    errors: dict[str, str] = {}
    form: QueryDict | dict = {"area": grids[0].code, "urgency": Urgency.NORMAL}
    status, photos_lost = 200, False
    if request.method == "POST":
        errors = _place_errors(request.POST, grids)
        result = errors or _intake(request, channel=Channel.GRID, resident_id=None, default_area=None)
        ticket = result.get("_ticket")
        if isinstance(ticket, Ticket):
            messages.success(request, f"已上报，工单编号 {ticket.number}（{ticket.get_status_display()}）")
            return redirect("web:field_ticket", ticket_id=ticket.pk)
        errors, form, status = result, request.POST, 422
        photos_lost = bool(request.FILES.getlist("photos"))  # a browser never sends a file back
    return render(
        request,
        "web/field/report.html",
        {
            "grids": grids,
            "grids_geojson": _grids_geojson(grids),
            "urgencies": Urgency.choices,
            "errors": errors,
            "form": form,
            "photos_lost": photos_lost,
            "tab": "report",
        },
        status=status,
    )


@login_required
def field_tickets(request: HttpRequest) -> HttpResponse:
    """我的工单: the user's queues (the workbench's, with the same counts) over cards, nearest deadline
    first in the queues of open work, newest first in 全部."""
    user = request_user(request)
    queues = worklists.queues_for(user)
    sizes = worklists.counts(user, queues)
    key = request.GET.get("queue", "")
    if key not in {q.key for q in queues}:
        key = worklists.opening_queue(queues, sizes)
    current = worklists.QUEUES[key]
    tickets = worklists.ordered(
        worklists.queue(user, key), "deadline" if current.counted else "new", bounded=current.counted
    )
    page = _page(tickets, request.GET.get("page", ""), total=sizes.get(key), related=("area",))
    allowed = allowed_actions_many(user, page.items)
    return render(
        request,
        "web/field/tickets.html",
        {
            "queues": [(q, sizes.get(q.key)) for q in queues],
            "queue": current,
            "page": page,
            "cards": [(t, "claim" in allowed[t.pk]) for t in page.items],
            "now": timezone.now(),
            "here": request.get_full_path(),
            "tab": "tickets",
        },
    )


# What the phone page does itself; anything else the user may do is on the desk page, linked.
ONE_TAP = ("claim", "report")
ON_SITE = (
    "resolve",
    "accept",
    "assign",
    "note",
    "escalate",
    "return",
    "reject",
)  # the likely next step first
DONE = {
    "claim": "已接单，请尽快办理",
    "report": "已报到",
    "resolve": "已提交办结反馈，等待审核回访",
    "note": "已记录进展",
    "escalate": "已上报上一级",
    "return": "已退单",
    "accept": "已受理",
    "assign": "已派单",
    "reject": "已不予受理",
}


def _phone_context(user: User, ticket_id: int, errors: dict | None = None) -> dict:
    context = _ticket_context(user, ticket_id, errors)
    ticket, actions = context["ticket"], context["actions"]
    order = list(ON_SITE)
    if ticket.status == Status.IN_PROGRESS:  # the handler's 转派 is seldom the next step on site
        order.append(order.pop(order.index("assign")))
    on_site = sorted(
        [(a, label) for a, label, _style in actions if a in ON_SITE], key=lambda x: order.index(x[0])
    )
    # the usual next step is open at once: the result, the grid head's 受理, or 派单 of what he accepted
    lead = on_site[0][0] if on_site and on_site[0][0] in ("resolve", "accept", "assign") else ""
    context.update(
        one_tap=[(a, label) for a, label, _style in actions if a in ONE_TAP],
        on_site=on_site,
        lead=lead,
        elsewhere=[label for a, label, _style in actions if a not in ONE_TAP + ON_SITE],
        needs_note=("resolve", "note", "return", "reject"),
        tab="tickets",
    )
    return context


@login_required
def field_ticket(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """One ticket on the phone: what, where, how long is left, photos, the steps so far, and the
    actions of the site; the result photo and note are open at once when 办结反馈 is the next step."""
    return render(request, "web/field/ticket.html", _phone_context(request_user(request), ticket_id))


def _back(request: HttpRequest, default: str) -> str:
    """Where a one-tap action returns to: the list it was tapped on, or the ticket."""
    target = request.POST.get("next", "")
    if target.startswith("/field/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return default


@login_required
@require_POST
def field_ticket_act(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """An action from the phone page or a card, through the desk page's action runner."""
    user = request_user(request)
    ticket = get_ticket_for(user, ticket_id)
    errors = run_posted_action(request, ticket, action, user)
    if errors:
        context = _phone_context(user, ticket_id, errors={"action_name": action, **errors})
        context["posted"] = request.POST
        refused = {"action", "admission"} & set(errors)
        return render(request, "web/field/ticket.html", context, status=409 if refused else 422)
    messages.success(request, f"{ticket.number} {DONE.get(action, '已提交')}")
    return redirect(_back(request, reverse("web:field_ticket", args=[ticket.pk])))
