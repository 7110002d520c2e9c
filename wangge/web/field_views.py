"""The field frame's home and household pages (走访): a grid worker's or grid head's round and due list
with their open work one tap away, a party member's 包户 households with their visits and requests, what a
volunteer can do, a visit with a ticket in one step, and a resident's colour. Also the visit ledger shown
on the desk pages of a household and a resident."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Level as AreaLevel
from wangge.areas.scoping import holds_over
from wangge.deliberation.selectors import owned_by
from wangge.directory.selectors import nearest_by_kind, point_of
from wangge.lib.errors import NotAllowed
from wangge.lists.models import Wish, WishState
from wangge.lists.selectors import HELPING_ROLES
from wangge.people import schedule
from wangge.people.actions import do_set_care_level
from wangge.people.models import Household, Housing, Resident
from wangge.people.registry import RegistryError
from wangge.points.actions import clean_household_ref, do_rate_clean_household
from wangge.points.models import Account, Currency, RuleKey, Transfer
from wangge.points.selectors import HOUSEHOLD_HELPERS, may_manage_points, rule_for
from wangge.tickets import workflow, worklists
from wangge.tickets.actions import TicketInputError, WorkflowError
from wangge.tickets.models import Ticket, Urgency
from wangge.tickets.queries import tickets_for
from wangge.visits.actions import FoundProblem, do_log_visit
from wangge.visits.models import Visit, VisitKind
from wangge.visits.selectors import (
    contact_households,
    household_ledger,
    may_visit,
    round_households,
    visit_prefixes,
    visits_for,
)
from wangge.web.directive_views import emergency_notice
from wangge.web.navigation import PARTICIPANT, persona
from wangge.web.views import request_user, resident_page


def _point(raw: str) -> tuple[float, float] | None:
    """ "lat,lng" from the phone's location, or None when absent or malformed."""
    try:
        lat, lng = (float(x) for x in raw.split(","))
    except ValueError:
        return None
    return (lat, lng) if -90 <= lat <= 90 and -180 <= lng <= 180 else None


def _first_area_code(user: User) -> str | None:
    codes = [m.area.code for m in scoping.scope_of(user).memberships if m.area is not None]
    return min(codes, key=len) if codes else None


def _work(user: User) -> list[tuple[worklists.Queue, int]]:
    """The user's counted queues with their sizes, for the field home (one tap to each list)."""
    queues = [q for q in worklists.queues_for(user) if q.counted]
    sizes = worklists.counts(user, queues)
    return [(q, sizes[q.key]) for q in queues]


@login_required
def field_today(request: HttpRequest) -> HttpResponse:
    """今日走访: who is overdue or due on the worker's round (most overdue or nearest first), what was
    done today, and the worker's queues (a grid head's 待受理/派单 first). A party member or volunteer
    lands on their own page instead (`participant_home`)."""
    user = request_user(request)
    if persona(user) == PARTICIPANT and (
        scoping.scope_of(user).party_membership_ids or not visit_prefixes(user)
    ):
        return participant_home(request, user)
    today = timezone.localdate()
    near = _point(request.GET.get("near", ""))
    households = round_households(user)
    due = schedule.due_households(households, today=today, near=near, limit=100)
    soon = today + dt.timedelta(days=schedule.DUE_AHEAD_DAYS)
    done = list(
        Visit.objects.filter(visitor=user, visited_at__date=today)
        .select_related("household")
        .prefetch_related("tickets")
    )
    return render(
        request,
        "web/field_today.html",
        {
            "due": due,
            "overdue_count": households.filter(next_visit_on__lt=today).count(),
            "due_count": households.filter(next_visit_on__gte=today, next_visit_on__lte=soon).count(),
            "done": done,
            "near": near,
            "on_round": households.exists(),
            "ahead": schedule.DUE_AHEAD_DAYS,
            "work": _work(user),
            "talk_owned": owned_by(user).count(),
            **emergency_notice(_first_area_code(user)),
            "tab": "today",
        },
    )


@dataclass
class CareHousehold:
    """One 包户 household on a party member's page: its members, its open requests and its visit."""

    household: Household
    members: list[Resident]
    requests: list[Ticket]
    days_late: int | None  # > 0 overdue, 0 due today, < 0 due in that many days; None: no schedule
    wishes: list[Wish] = field(default_factory=list)  # its residents' wishes still under way

    @property
    def door(self) -> str:
        """Where to knock, without the district, street and community every 包户 shares: 1号楼1单元302."""
        area = self.household.area
        building = area.parent.name if area.level == AreaLevel.UNIT and area.parent else ""
        return f"{building}{area.name}{self.household.door_no}"

    @property
    def vacant(self) -> bool:
        return self.household.housing == Housing.VACANT

    @property
    def due_soon(self) -> bool:
        """Overdue or due within the due list's window (a vacant household never is)."""
        return self.days_late is not None and self.days_late >= -schedule.DUE_AHEAD_DAYS


def participant_home(request: HttpRequest, user: User) -> HttpResponse:
    """我的包户: a party member's 5–8 households, the most pressing visit first, each with its colour, its
    next visit (a vacant one marked, not counted as due), the open requests of its residents and their
    wishes under way (a wish of one's own 包户 is the first a party member should see); the tickets
    assigned to them. A volunteer without households sees what they can do here instead."""
    today = timezone.localdate()
    members = Resident.objects.prefetch_related("care_tags").order_by("id")
    households = list(
        contact_households(user)
        .select_related("area__parent")
        .prefetch_related(Prefetch("residents", members))
    )
    open_requests = (
        tickets_for(user)
        .filter(resident__household__in=[h.pk for h in households])
        .exclude(status__in=workflow.TERMINAL)
        .select_related("resident")
        .order_by("-submitted_at")
    )
    by_household: dict[int, list[Ticket]] = {}
    for t in open_requests:
        by_household.setdefault(t.resident.household_id, []).append(t)  # type: ignore[union-attr]
    wishes: dict[int, list[Wish]] = {}
    for w in (
        Wish.objects.filter(
            resident__household__in=[h.pk for h in households],
            state__in=[WishState.OPEN, WishState.CLAIMED, WishState.FULFILLED],
        )
        .select_related("resident")
        .order_by("posted_at", "id")
    ):
        wishes.setdefault(w.resident.household_id, []).append(w)
    rows = [
        CareHousehold(
            household=h,
            members=list(h.residents.all()),
            requests=by_household.get(h.pk, []),
            days_late=(today - h.next_visit_on).days if h.next_visit_on else None,
            wishes=wishes.get(h.pk, []),
        )
        for h in households
    ]
    rows.sort(key=lambda r: (r.days_late is None, -(r.days_late or 0), r.household.address))
    return render(
        request,
        "web/field/participant.html",
        {
            "rows": rows,
            "due_count": sum(r.due_soon for r in rows),
            "request_count": sum(len(r.requests) for r in rows),
            "ahead": schedule.DUE_AHEAD_DAYS,
            "work": _work(user),
            "talk_owned": owned_by(user).count(),
            "posts": [m for m in scoping.scope_of(user).memberships if m.area is not None],
            "party_member": bool(scoping.scope_of(user).party_membership_ids),
            **emergency_notice(_first_area_code(user)),
            "tab": "today",
        },
    )


def _visit_from_post(request: HttpRequest, household: Household, user: User) -> Visit:
    post = request.POST
    resident = None
    if post.get("resident"):
        resident = (
            household.residents.filter(pk=post["resident"]).first()
            if post["resident"].isascii() and post["resident"].isdigit()
            else None
        )
        if resident is None:
            raise TicketInputError("resident", "走访对象不是这户的成员")
    point = _point(post.get("point", ""))
    if post.get("point") and point is None:
        raise TicketInputError("point", "位置格式不对")
    problem = None
    if post.get("title", "").strip() or post.get("description", "").strip():
        urgency = post.get("urgency") or Urgency.NORMAL  # checked by the ticket's intake
        problem = FoundProblem(
            title=post.get("title", "")[:100], description=post.get("description", "")[:4000], urgency=urgency
        )
    return do_log_visit(
        household,
        actor=user,
        findings=post.get("findings", ""),
        kind=post.get("kind", VisitKind.ROUTINE),
        resident=resident,
        photos=request.FILES.getlist("photos"),
        lat=point[0] if point else None,
        lng=point[1] if point else None,
        problem=problem,
    )


@login_required
def field_household(request: HttpRequest, household_id: int) -> HttpResponse:
    """入户: the household at a glance and the visit form; a problem found becomes a ticket in the same
    step, with the address and the family's contact filled in."""
    user = request_user(request)
    household = scoping.get_household_for(user, household_id)
    allowed = may_visit(user, household)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            if not allowed:
                raise WorkflowError("您不负责走访这户")
            visit = _visit_from_post(request, household, user)
            return redirect(f"{request.path}?logged={visit.pk}")
        except TicketInputError as exc:
            errors[exc.field], status = exc.message, 422
        except WorkflowError as exc:
            errors["kind"], status = str(exc), 403
        household.refresh_from_db()
    logged = None
    if request.GET.get("logged", "").isascii() and request.GET.get("logged", "").isdigit():
        logged = visits_for(user).filter(pk=request.GET["logged"], household=household).first()
    return render(
        request,
        "web/field_household.html",
        {
            **household_ledger(user, household),
            "allowed": allowed,
            "kinds": VisitKind.choices,
            "urgencies": Urgency.choices,
            "errors": errors,
            "form": request.POST if status != 200 else {},
            "logged": logged,
            "logged_tickets": list(logged.tickets.all()) if logged else [],
            "nearby": nearest_by_kind(household.area.code, point_of(household)),
            "clean": _clean_card(user, household),
            "wishes": list(
                Wish.objects.filter(resident__household=household)
                .exclude(state=WishState.WITHDRAWN)
                .select_related("resident")
                .order_by("-posted_at", "-id")[:5]
            ),
            "may_wish_for": may_help_wish(user, household),
            "tab": "today",
        },
        status=status,
    )


def may_help_wish(user: User, household: Household) -> bool:
    """Whether the user may post a wish for a resident of the household (its grid's staff)."""
    return holds_over(user, household.area.code, HELPING_ROLES)


def _clean_card(user: User, household: Household) -> dict | None:
    """清洁户 on the household's page, for those who rate it: the rule, whether this month is rated, the
    family's points."""
    area = household.area
    if not (holds_over(user, area.code, HOUSEHOLD_HELPERS) or may_manage_points(user, area)):
        return None
    rule = rule_for(area, RuleKey.CLEAN_HOUSEHOLD)
    if rule is None:
        return None
    account = Account.objects.filter(household=household, currency=Currency.POINTS).first()
    ref = clean_household_ref(household, timezone.localdate())
    return {
        "rule": rule,
        "rated": account is not None and Transfer.objects.filter(target=account, ref=ref).exists(),
        "balance": account.balance if account else 0,
    }


@login_required
@require_POST
def household_clean(request: HttpRequest, household_id: int) -> HttpResponse:
    """评为本月清洁户, after the inspection."""
    user = request_user(request)
    household = scoping.get_household_for(user, household_id)
    try:
        paid, already = do_rate_clean_household(household=household, actor=user)
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        if already:
            messages.info(request, "这户本月已评为清洁户。")
        elif paid is None:
            messages.info(request, "已评为清洁户；本月积分已达上限，不再加分。")
        else:
            messages.success(request, f"已评为本月清洁户，家庭积分+{paid.amount}。")
    return redirect("web:field_household", household_id=household.pk)


@login_required
@require_POST
def resident_level(request: HttpRequest, resident_id: int) -> HttpResponse:
    """调整关爱等级 (from the resident's page)."""
    user = request_user(request)
    resident: Resident = scoping.get_resident_for(user, resident_id)
    if not scoping.may_edit_registry(user, resident.household.area):
        return HttpResponse("您的角色不能调整关爱等级", status=403)
    try:
        do_set_care_level(
            resident,
            level=request.POST.get("care_level", ""),
            reason=request.POST.get("reason", ""),
            actor=user,
        )
    except RegistryError as exc:
        return resident_page(request, resident, level_errors=exc.errors, status=422)
    return redirect("web:resident", resident_id=resident.pk)
