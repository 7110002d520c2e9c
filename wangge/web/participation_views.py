"""共建 at the desk (F8, F10, F11): one page per area for the staff who run residents' participation, in
four tabs. 三张清单: needs, offers and projects, with matching suggestions for a need (loaded on demand),
双向认领 and 立项; 心愿: the wishes under way, the longest waiting first; 志愿者: applications to accept,
the talent pool by skill, the activities to come; 积分: the economy, the ranking, the rules and the awards
waiting for a second person. A unit's staff see the needs of the area their unit serves and claim them.
Every list is a fixed number of queries, however many rows."""

import datetime as dt
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area
from wangge.areas.models import Level as AreaLevel
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.ids import is_id
from wangge.lists import actions as list_actions
from wangge.lists.matching import suggest_offers
from wangge.lists.models import ItemState, Need, Offer, Project, Wish, WishState
from wangge.lists.selectors import STALE_DAYS, counts, may_run_lists, unit_of
from wangge.points import actions as point_actions
from wangge.points.models import Award, Rule, Store
from wangge.points.selectors import economy, may_manage_points, ranking
from wangge.volunteering import actions as volunteer_actions
from wangge.volunteering.models import Activity, ActivityState, SignUpState, Skill, Team, Volunteer
from wangge.volunteering.selectors import talent_pool
from wangge.web.forms import required_date
from wangge.web.views import request_user

Row = TypeVar("Row", bound=Model)
TABS = [("lists", "三张清单"), ("wishes", "微心愿"), ("volunteers", "志愿者"), ("points", "积分")]
SHOWN = 30
SUGGESTED = 5
ROSTER = 200  # the volunteers offered in a team's 队长 and 入队 choices
PROGRESS_STEPS = [0, 25, 50, 75, 100]
PROJECT_DAYS = 30  # a project's planned length when the form is left as it comes


def _area(user: User, code: str) -> tuple[Area, bool]:
    """The area, and whether the user runs it (staff) rather than serving it (a unit's staff)."""
    area = scoping.get_area_for(user, code)
    if may_run_lists(user, area.code):
        return area, True
    unit = unit_of(user)
    if unit is not None and (area.code.startswith(unit.area.code) or unit.area.code.startswith(area.code)):
        return area, False
    raise Http404


def _community(area: Area) -> Area | None:
    """The community an offer is claimed for from this page: the area itself when it is one."""
    return area if area.level == AreaLevel.COMMUNITY else None


@login_required
def participation(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area, runs = _area(user, code)
    tab = request.GET.get("t", "lists")
    if tab not in dict(TABS) or (not runs and tab != "lists"):
        tab = "lists"
    context: dict = {"area": area, "runs": runs, "tab": tab, "tabs": TABS if runs else TABS[:1]}
    context.update(
        {"lists": _lists, "wishes": _wishes, "volunteers": _volunteers, "points": _points}[tab](
            request, user, area, runs
        )
    )
    return render(request, "web/participation/page.html", context)


def _lists(request: HttpRequest, user: User, area: Area, runs: bool) -> dict:
    live = [ItemState.OPEN, ItemState.CLAIMED]
    needs = (
        Need.objects.filter(area_code__startswith=area.code, state__in=live)
        .select_related("area", "claimed_by_unit")
        .order_by("state", "-posted_at", "-id")[:SHOWN]
    )
    offers = (
        Offer.objects.filter(area_code__startswith=area.code, state__in=live)
        .select_related("area", "provider_unit", "claimed_by_area")
        .order_by("state", "-posted_at", "-id")[:SHOWN]
    )
    projects = (
        Project.objects.filter(area_code__startswith=area.code)
        .select_related("need", "owner")
        .order_by("state", "-ends_on", "-id")[:SHOWN]
    )
    return {
        "counts": counts(area.code),
        "needs": list(needs),
        "offers": list(offers) if runs else [],
        "projects": list(projects) if runs else [],
        "community": _community(area),
        "unit": None if runs else unit_of(user),
        "steps": PROGRESS_STEPS,
    }


def _wishes(request: HttpRequest, user: User, area: Area, runs: bool) -> dict:
    found = Wish.objects.filter(area_code__startswith=area.code)
    by_state = dict(found.values_list("state").annotate(n=Count("pk")).order_by())
    stale_before = timezone.now() - dt.timedelta(days=STALE_DAYS)
    under_way = [WishState.OPEN, WishState.CLAIMED, WishState.FULFILLED]
    return {
        "by_state": [(s.label, by_state.get(s.value, 0), s.value) for s in WishState],
        "stale": found.filter(state=WishState.OPEN, posted_at__lt=stale_before).count(),
        "wishes": list(
            found.filter(state__in=under_way)
            .select_related("resident", "area", "claimed_by")
            .order_by("posted_at", "id")[:SHOWN]
        ),
        "now": timezone.now(),
        "stale_days": STALE_DAYS,
    }


def _volunteers(request: HttpRequest, user: User, area: Area, runs: bool) -> dict:
    skill = request.GET.get("skill") or ""
    if skill not in Skill.values:
        skill = ""
    places = list(Area.objects.filter(parent=area).order_by("code"))
    place = next((p for p in places if p.code == request.GET.get("place")), area)
    teams = list(
        Team.objects.filter(area_code__startswith=area.code)
        .select_related("area", "leader__user")
        .annotate(n=Count("members"))
        .order_by("area_code", "name")[:SHOWN]
    )
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), None)
    signed = Count("sign_ups", filter=Q(sign_ups__state=SignUpState.SIGNED))
    came = Count("sign_ups", filter=Q(sign_ups__checked_in_at__isnull=False))
    pending = list(
        Volunteer.objects.filter(area_code__startswith=area.code, approved_at=None)
        .select_related("user", "area")
        .order_by("registered_at", "pk")[:SHOWN]
    )
    pool = list(
        talent_pool(place.code, skill=skill or None, team=team.pk if team else None).select_related("area")[
            :SHOWN
        ]
    )
    return {
        "pending": pending,
        "pool": pool,
        "pool_count": talent_pool(area.code).count(),
        "skills": Skill.choices,
        "skill": skill,
        "roster": list(talent_pool(area.code)[:ROSTER]),
        "places": places,
        "place": place,
        "teams": teams,
        "team": team,
        "activities": list(
            Activity.objects.filter(
                area_code__startswith=area.code,
                state=ActivityState.PUBLISHED,
                ends_at__gte=timezone.now() - dt.timedelta(days=7),
            )
            .annotate(signed=signed, came=came)
            .order_by("starts_at", "id")[:SHOWN]
        ),
    }


def _points(request: HttpRequest, user: User, area: Area, runs: bool) -> dict:
    """Awards are decided by someone other than their proposer and not for oneself or one's household."""
    awards = list(
        Award.objects.filter(account__area_code__startswith=area.code, state=Award.State.PENDING)
        .select_related("account__user", "account__household", "proposed_by")
        .order_by("proposed_at", "pk")[:SHOWN]
    )
    home = scoping.scope_of(user).own_household_id
    return {
        "economy": economy(area),
        "ranking": list(ranking(area, limit=10)),
        "rules": list(
            Rule.objects.filter(Q(area__code__startswith=area.code) | Q(area__in=_above(area)), active=True)
            .select_related("area")
            .order_by("key", "-area__code")
        ),
        "awards": awards,
        "decidable": {
            a.pk
            for a in awards
            if a.proposed_by_id != user.pk
            and a.account.user_id != user.pk
            and (a.account.household_id is None or a.account.household_id != home)
        },
        "stores": list(
            Store.objects.filter(area__code__startswith=area.code, active=True)
            .annotate(waiting=Count("items__redemptions", filter=Q(items__redemptions__state="waiting")))
            .select_related("area")
            .order_by("area__code")
        ),
        "manages": may_manage_points(user, area),
    }


def _above(area: Area) -> list[int]:
    """The areas whose rules hold here too (the nearest wins when a matter has several)."""
    ids = []
    parent = area.parent
    while parent is not None:
        ids.append(parent.pk)
        parent = parent.parent
    return ids


def _back(area: Area, tab: str) -> HttpResponse:
    return redirect(f"{reverse('web:participation', args=[area.code])}?t={tab}")


@login_required
def need_suggestions(request: HttpRequest, need_id: int) -> HttpResponse:
    """匹配建议 of one need (htmx), for the staff who run its area: the best offers they can see with
    their reasons, and 立项 with those ticked. `area` is the page it was asked from (where 立项 returns)."""
    user = request_user(request)
    area, runs = _area(user, request.GET.get("area", ""))
    need = _need_in(area, need_id)
    if not (runs and may_run_lists(user, need.area_code)):
        raise Http404
    scope = scoping.scope_of(user)
    today = timezone.localdate()
    return render(
        request,
        "web/participation/_suggestions.html",
        {
            "need": need,
            "back": area.code,
            "suggestions": [s for s in suggest_offers(need, limit=20) if scope.sees_area(s.offer.area_code)][
                :SUGGESTED
            ],
            "runs": True,
            "starts_on": today,
            "ends_on": today + dt.timedelta(days=PROJECT_DAYS),
        },
    )


def _need_in(area: Area, need_id: int) -> Need:
    """A need of the page's area (or below); any other is 404."""
    need = Need.objects.filter(pk=need_id, area_code__startswith=area.code).select_related("area").first()
    if need is None:
        raise Http404
    return need


def _offer_in(area: Area, offer_id: int) -> Offer:
    offer = Offer.objects.filter(pk=offer_id, area_code__startswith=area.code).select_related("area").first()
    if offer is None:
        raise Http404
    return offer


def _offer_for(user: User, offer_id: int) -> Offer:
    """An offer to use in a project: any the user sees (a unit's offer may be posted for the street)."""
    offer = Offer.objects.filter(pk=offer_id).select_related("area", "claimed_by_area").first()
    if offer is None or not scoping.scope_of(user).sees_area(offer.area_code):
        raise Http404
    return offer


@login_required
@require_POST
def list_act(request: HttpRequest, code: str, action: str, item_id: int) -> HttpResponse:
    """认领 a need (a unit) or an offer (a community), 立项 from a need, 进度 of a project."""
    user = request_user(request)
    area, _runs = _area(user, code)
    done = {
        "claim-need": "已认领需求，请与社区联系落实。",
        "claim-offer": "已认领资源。",
        "start": "已立项，列入项目清单。",
        "progress": "已更新项目进度。",
    }
    if action not in done:
        raise Http404
    try:
        if action == "claim-need":
            list_actions.do_claim_need(_need_in(area, item_id), actor=user)
        elif action == "claim-offer":
            community = _community(area)
            if community is None:
                raise InputError("community", "请在社区的页面上认领资源")
            list_actions.do_claim_offer(_offer_in(area, item_id), actor=user, community=community)
        elif action == "start":
            need = _need_in(area, item_id)
            picked = [pk for pk in request.POST.getlist("offers") if is_id(pk)]
            offers = [_offer_for(user, int(pk)) for pk in picked]
            list_actions.do_start_project(
                need=need,
                offers=offers,
                title=request.POST.get("title", ""),
                owner=user,
                starts_on=required_date(request.POST.get("starts_on", ""), "starts_on", "开始日期"),
                ends_on=required_date(request.POST.get("ends_on", ""), "ends_on", "结束日期"),
                actor=user,
            )
        else:
            project = Project.objects.filter(pk=item_id, area_code__startswith=area.code).first()
            if project is None:
                raise Http404
            try:
                progress = int(request.POST.get("progress", ""))
            except ValueError:
                raise InputError("progress", "进度请填0到100的数字") from None
            list_actions.do_report_project(
                project, actor=user, progress=progress, result=request.POST.get("result", "")
            )
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done[action])
    return _back(area, "lists")


def _staffed(
    request: HttpRequest, code: str, rows: QuerySet[Row], pk: int, *, within: str = "area_code"
) -> tuple[User, Area, Row]:
    """The user, the page's area they run, and the row `pk` of that area (`within` names its code); else
    404."""
    user = request_user(request)
    area, runs = _area(user, code)
    found = rows.filter(pk=pk, **{f"{within}__startswith": area.code}).first()
    if found is None or not runs:
        raise Http404
    return user, area, found


@login_required
@require_POST
def accept_volunteer(request: HttpRequest, code: str, volunteer_id: int) -> HttpResponse:
    user, area, volunteer = _staffed(request, code, Volunteer.objects.select_related("user"), volunteer_id)
    try:
        volunteer_actions.do_accept_volunteer(volunteer, actor=user)
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已通过{volunteer.user.shown_name}的志愿者登记。")
    return _back(area, "volunteers")


@login_required
@require_POST
def team_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """组建 a team, or 入队 a volunteer (the staff of the page's area)."""
    user = request_user(request)
    area, runs = _area(user, code)
    if not runs or action not in ("form", "join"):
        raise Http404
    pick = request.POST.get("volunteer", "")
    volunteer = None
    if pick:
        volunteer = (
            Volunteer.objects.filter(pk=int(pick), area_code__startswith=area.code).first()
            if is_id(pick)
            else None
        )
        if volunteer is None:
            raise Http404
    try:
        if action == "form":
            team = volunteer_actions.do_form_team(
                area=area, name=request.POST.get("name", ""), actor=user, leader=volunteer
            )
            messages.success(request, f"已组建「{team.name}」。")
        else:
            picked = request.POST.get("team", "")
            found = (
                Team.objects.filter(pk=int(picked), area_code__startswith=area.code).first()
                if is_id(picked)
                else None
            )
            if found is None:
                raise InputError("team", "请选择队伍")
            if volunteer is None:
                raise InputError("volunteer", "请选择志愿者")
            volunteer_actions.do_join_team(found, volunteer, actor=user)
            messages.success(request, f"{volunteer.user.shown_name}已加入「{found.name}」。")
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    return _back(area, "volunteers")


@login_required
@require_POST
def decide_award(request: HttpRequest, code: str, award_id: int) -> HttpResponse:
    user, area, award = _staffed(request, code, Award.objects.all(), award_id, within="account__area_code")
    approve = request.POST.get("approve") == "1"
    try:
        point_actions.do_decide_award(award=award, approve=approve, actor=user)
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已批准，积分已入账。" if approve else "已驳回。")
    return _back(area, "points")
