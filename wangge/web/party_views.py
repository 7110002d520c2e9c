"""党建 at the desk (F23): one page per area for those who keep its party records, in four tabs.

概况: 包户 coverage (special groups and all households), members, registrations waiting, overdue pledges,
the organisation tree and the 党员网格员 of each grid (grids without one flagged); a street or district
also sees each community's figures. 党员: the 双报到 waiting (accept, or decline with a reason), the 报到
desk (register an in-service member, with a first password for a new account) and the members with their
households. 包户: the households still waiting, special groups first, each given to a member with room in
one step; the members and their households (release with a reason); the quota. 承诺与岗位: pledges (overdue
ones flagged) and 先锋岗/责任区.

The member's own pages are on the phone: `/h5/party/` (报到, pledges, 亮电话) and the public board
`/h5/party/board/` (亮身份、亮承诺)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area, Level, Unit, codes_above
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.ids import is_id
from wangge.lists.models import OfferKind, Topic
from wangge.party import actions, selectors
from wangge.party.models import (
    CaseState,
    HardCase,
    OrgKind,
    PartyMember,
    PartyOrg,
    Pledge,
    PledgeState,
    Post,
    PostKind,
    Registration,
    RegistrationState,
    Standing,
)
from wangge.people.models import Household
from wangge.points.selectors import home_area
from wangge.tickets.models import Ticket
from wangge.tickets.queries import tickets_for
from wangge.web.forms import date_field, pick
from wangge.web.views import request_user

TABS = [
    ("overview", "概况"),
    ("members", "党员"),
    ("households", "包户"),
    ("pledges", "承诺与岗位"),
    ("cobuilding", "大党委"),
    ("cases", "攻坚"),
    ("service", "双积分"),
]
MEETING_UNITS = 30  # the member units offered as attendees of a joint meeting
SHOWN = 50
WAITING_SHOWN = 30


def _managed(user: User, code: str) -> Area:
    area = scoping.get_area_for(user, code)
    if not selectors.may_manage(user, area.code):
        raise Http404
    return area


def _back(area: Area, tab: str) -> HttpResponse:
    return redirect(f"{reverse('web:party', args=[area.code])}?t={tab}")


@login_required
def party(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area = _managed(user, code)
    tab = request.GET.get("t", "overview")
    if tab not in dict(TABS):
        tab = "overview"
    context: dict = {"area": area, "tab": tab, "tabs": TABS, "community": area.level == Level.COMMUNITY}
    context.update(
        {
            "overview": _overview,
            "members": _members,
            "households": _households,
            "pledges": _pledges,
            "cobuilding": _cobuilding,
            "cases": _cases,
            "service": _service,
        }[tab](request, area)
    )
    return render(request, "web/party/page.html", context)


def _overview(request: HttpRequest, area: Area) -> dict:
    grids = selectors.party_grid_workers(area.code)
    communities = []
    by_community = selectors.coverage_by_community(area.code)
    if area.level in (Level.DISTRICT, Level.STREET):
        for c in Area.objects.filter(code__startswith=area.code, level=Level.COMMUNITY).order_by("code"):
            in_c = [g for g in grids if g.grid.code.startswith(c.code)]
            communities.append(
                {
                    "area": c,
                    "coverage": by_community.get(c.code, selectors.Coverage(0, 0, 0, 0, 0)),
                    "grids": len(in_c),
                    "flagged": sum(g.flagged for g in in_c),
                }
            )
    communities.sort(key=_least_covered)
    low, high = selectors.quota_for(area)
    community = area.level == Level.COMMUNITY
    orgs = selectors.orgs_under(area.code)
    return {
        "coverage": selectors.Coverage.total(by_community.values()),
        "waiting": selectors.registrations_in(area.code, state=RegistrationState.PENDING).count(),
        "overdue": selectors.open_pledges_overdue(area.code),
        # a street or district: the tree down to its communities' committees, and the grids lacking
        "orgs": orgs if community else [o for o in orgs if len(o.area_code) <= len(area.code) + 3],
        "grids": grids if community else [g for g in grids if g.flagged],
        "grid_count": len(grids),
        "flagged": sum(g.flagged for g in grids),
        "communities": communities,
        "quota": (low, high),
        "org_kinds": OrgKind.choices,
        "org_places": list(
            Area.objects.filter(code__startswith=area.code).exclude(level=Level.UNIT).order_by("code")[:300]
        ),
    }


def _least_covered(row: dict) -> tuple[bool, float]:
    share = row["coverage"].special_share
    return share is None, share or 0.0


def _members(request: HttpRequest, area: Area) -> dict:
    low, high = selectors.quota_for(area)
    return {
        "pending": list(
            selectors.registrations_in(area.code, state=RegistrationState.PENDING)[:WAITING_SHOWN]
        ),
        "members": list(selectors.registrations_in(area.code)[:SHOWN]),
        "member_count": selectors.registrations_in(area.code).count(),
        "quota": (low, high),
        "units": Unit.objects.filter(
            active=True, area__code__in=[*codes_above(area.code), area.code]
        ).order_by("kind", "name")
        if area.level == Level.COMMUNITY
        else [],
        "standings": Standing.choices,
        "communities": [area]
        if area.level == Level.COMMUNITY
        else list(Area.objects.filter(code__startswith=area.code, level=Level.COMMUNITY).order_by("code")),
    }


def _households(request: HttpRequest, area: Area) -> dict:
    low, high = selectors.quota_for(area)
    query = request.GET.get("q", "")[:50]
    members = list(selectors.registrations_in(area.code)[:SHOWN])
    held = selectors.members_households([r.pk for r in members])
    for r in members:
        r.held = held[r.pk]  # type: ignore[attr-defined]
        r.room = max(high - len(held[r.pk]), 0)  # type: ignore[attr-defined]
    members.sort(key=lambda r: (len(r.held), r.member.user.shown_name))  # type: ignore[attr-defined]
    waiting = selectors.candidates(area.code, query=query, limit=WAITING_SHOWN)
    for h in [*waiting, *(h for r in members for h in r.held)]:  # type: ignore[attr-defined]
        h.short = _short(h)  # type: ignore[attr-defined]
    return {
        "waiting": waiting,
        "members": members,
        "with_room": [r for r in members if r.room],  # type: ignore[attr-defined]
        "coverage": selectors.coverage(area.code),
        "quota": (low, high),
        "q": query,
    }


def _holders(area: Area) -> list[PartyMember]:
    """Who may hold a post here: the members registered in the area, then the party members of the
    property companies serving it (物业党员管家)."""
    registered = [r.member for r in selectors.registrations_in(area.code)[:200]]
    seen = {m.pk for m in registered}
    return registered + [m for m in selectors.stewards_for(area.code) if m.pk not in seen]


def _short(household: Household) -> str:
    """The address within its community (楼栋、单元、门牌), the district, street and community left out."""
    address = household.address or household.door_no
    cut = address.find("社区")
    return address[cut + 2 :] if 0 <= cut < len(address) - 2 else address


def _pledges(request: HttpRequest, area: Area) -> dict:
    today = timezone.localdate()
    pledges = list(selectors.pledges_in(area.code)[:SHOWN])
    for p in pledges:
        p.late = p.overdue(today)  # type: ignore[attr-defined]
    return {
        "pledges": pledges,
        "overdue": selectors.open_pledges_overdue(area.code, today),
        "kept": Pledge.objects.filter(area_code__startswith=area.code, state=PledgeState.KEPT).count(),
        "open": Pledge.objects.filter(area_code__startswith=area.code, state=PledgeState.OPEN).count(),
        "posts": list(selectors.posts_in(area.code)[:SHOWN]),
        "post_kinds": PostKind.choices,
        "places": list(
            Area.objects.filter(
                code__startswith=area.code, level__in=[Level.COMMUNITY, Level.GRID, Level.BUILDING]
            ).order_by("code")[:300]
        ),
        "holders": list(selectors.registrations_in(area.code)[:200]),
        "post_holders": _holders(area),
        "soon": today + dt.timedelta(days=30),
    }


def _cobuilding(request: HttpRequest, area: Area) -> dict:
    org = selectors.committee_of(area.code)
    if org is None:
        return {"org": None}
    found = selectors.cobuilding(org)
    members = {u.unit_id for u in found.units}
    return {
        "org": org,
        "cb": found,
        "units": [
            u
            for u in Unit.objects.filter(active=True).select_related("area").order_by("kind", "name")
            if area.code.startswith(u.area.code) or u.area.code.startswith(area.code)
        ],
        "member_units": [u.unit for u in found.units][:MEETING_UNITS],
        "member_ids": members,
        "topics": Topic.choices,
        "kinds": OfferKind.choices,
        "today": timezone.localdate(),
        "in_a_year": timezone.localdate() + dt.timedelta(days=365),
    }


def _cases(request: HttpRequest, area: Area) -> dict:
    today = timezone.localdate()
    cases = list(selectors.cases_in(area.code, today)[:SHOWN])
    return {
        "cases": cases,
        "open_count": HardCase.objects.filter(area_code__startswith=area.code, state=CaseState.OPEN).count(),
        "leaders": selectors.leaders_over(area.code),
        "places": list(
            Area.objects.filter(code__startswith=area.code)
            .exclude(level__in=[Level.BUILDING, Level.UNIT])
            .order_by("code")[:300]
        ),
    }


def _service(request: HttpRequest, area: Area) -> dict:
    this_year = timezone.localdate().year
    asked = request.GET.get("year", "")
    year = (
        int(asked) if asked.isascii() and asked.isdigit() and 2000 <= int(asked) <= this_year else this_year
    )
    rows = selectors.service_report(area.code, year)
    return {
        "year": year,
        "years": list(range(this_year, this_year - 5, -1)),
        "rows": rows,
        "units": selectors.service_by_unit(rows),
    }


# --- writes ------------------------------------------------------------------------------------------


def _registration_in(area: Area, pk: str) -> Registration:
    found = (
        Registration.objects.filter(pk=int(pk), community_code__startswith=area.code)
        .select_related("member__user", "community")
        .first()
        if is_id(pk)
        else None
    )
    if found is None:
        raise Http404
    return found


@login_required
@require_POST
def party_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    user = request_user(request)
    area = _managed(user, code)
    post = request.POST
    tab = {
        "enrol": "members",
        "accept": "members",
        "decline": "members",
        "end": "members",
        "assign": "households",
        "release": "households",
        "quota": "households",
        "org": "overview",
        "post": "pledges",
        "close-post": "pledges",
        "pledge": "pledges",
        "committee-unit": "cobuilding",
        "agreement": "cobuilding",
        "pair": "cobuilding",
        "meeting": "cobuilding",
        "case": "cases",
    }.get(action)
    if tab is None:
        raise Http404
    try:
        if action == "enrol":
            community = pick(
                Area.objects.filter(code__startswith=area.code, level=Level.COMMUNITY),
                post.get("community", ""),
                "community",
                "报到社区",
            )
            unit_id = post.get("unit", "")
            serving = Unit.objects.filter(
                active=True, area__code__in=[*codes_above(community.code), community.code]
            )
            unit = serving.filter(pk=int(unit_id)).first() if is_id(unit_id) else None
            registration, password = actions.do_enrol(
                name=post.get("name", ""),
                phone=post.get("phone", ""),
                community=community,
                actor=user,
                standing=post.get("standing", Standing.FULL),
                joined_on=date_field(post.get("joined_on", ""), "joined_on", "入党日期"),
                unit=unit,
                workplace=post.get("workplace", ""),
                offer=post.get("offer", ""),
            )
            messages.success(  # kept in the session (MESSAGE_STORAGE), never in a cookie
                request,
                f"{registration.member.user.shown_name}已在{community.name}报到。"
                f"登录名 {registration.member.user.username}，"
                f"初始密码 {password}（只显示这一次，请交给本人，登录后修改）。",
            )
        elif action == "accept":
            registration = _registration_in(area, post.get("registration", ""))
            actions.do_accept_registration(registration, actor=user)
            messages.success(request, f"已确认{registration.member.user.shown_name}的双报到。")
        elif action == "decline":
            registration = _registration_in(area, post.get("registration", ""))
            actions.do_decline_registration(registration, reason=post.get("reason", ""), actor=user)
            messages.success(request, f"已退回{registration.member.user.shown_name}的报到。")
        elif action == "end":
            registration = _registration_in(area, post.get("registration", ""))
            actions.do_end_registration(registration, reason=post.get("reason", ""), actor=user)
            messages.success(request, f"{registration.member.user.shown_name}已转出，所包住户已退回待分配。")
        elif action == "assign":
            registration = _registration_in(area, post.get("registration", ""))
            household = pick(
                Household.objects.filter(area__code__startswith=area.code).select_related("area"),
                post.get("household", ""),
                "household",
                "住户",
            )
            actions.do_assign_household(registration, household, actor=user)
            messages.success(
                request,
                f"{household.address or household.door_no} 已由{registration.member.user.shown_name}包户。",
            )
        elif action == "release":
            household_id = post.get("household", "")
            if not is_id(household_id):
                raise Http404
            link = selectors.get_link_for(user, int(household_id))
            if not link.household.area.code.startswith(area.code):
                raise Http404
            actions.do_unassign_household(link, reason=post.get("reason", ""), actor=user)
            messages.success(request, "已解除包户，该户回到待分配。")
        elif action == "quota":
            try:
                low, high = int(post.get("minimum", "")), int(post.get("maximum", ""))
            except ValueError:
                raise InputError("minimum", "包户户数请填数字") from None
            actions.do_set_quota(area, minimum=low, maximum=high, actor=user)
            messages.success(request, f"{area.name}每名党员包{low}至{high}户。")
        elif action == "org":
            place = pick(
                Area.objects.filter(code__startswith=area.code), post.get("area", ""), "area", "所在区域"
            )
            parent_id = post.get("parent", "")
            parent = PartyOrg.objects.filter(pk=int(parent_id)).first() if is_id(parent_id) else None
            if parent is not None and not scoping.scope_of(user).sees_area(parent.area_code):
                raise Http404
            org = actions.do_found_org(
                name=post.get("name", ""), kind=post.get("kind", ""), area=place, parent=parent, actor=user
            )
            messages.success(request, f"已设立{org.name}。")
        elif action == "post":
            place = pick(
                Area.objects.filter(code__startswith=area.code), post.get("area", ""), "area", "区域"
            )
            holder = next((m for m in _holders(area) if str(m.pk) == post.get("member")), None)
            if holder is None:
                raise InputError("holder", "请选择担任的党员")
            made = actions.do_open_post(
                kind=post.get("kind", ""),
                name=post.get("name", ""),
                area=place,
                holder=holder,
                duties=post.get("duties", ""),
                actor=user,
            )
            messages.success(request, f"已设立{made.name}，由{holder.user.shown_name}担任。")
        elif action == "close-post":
            found = pick(
                Post.objects.filter(area_code__startswith=area.code), post.get("post", ""), "post", "岗位"
            )
            actions.do_close_post(found, actor=user)
            messages.success(request, f"已撤销{found.name}。")
        elif action == "pledge":
            registration = _registration_in(area, post.get("registration", ""))
            due = date_field(post.get("due_on", ""), "due_on", "承诺时限")
            if due is None:
                raise InputError("due_on", "请填写承诺时限")
            actions.do_make_pledge(
                member=registration.member, text=post.get("text", ""), due_on=due, actor=user
            )
            messages.success(request, f"已登记{registration.member.user.shown_name}的承诺。")
        elif action in ("committee-unit", "agreement", "pair", "meeting"):
            _cobuild(request, user, area, action)
        elif action == "case":
            place = pick(
                Area.objects.filter(code__startswith=area.code), post.get("area", ""), "area", "区域"
            )
            leader = next(
                (u for u in selectors.leaders_over(place.code) if str(u.pk) == post.get("leader")), None
            )
            if leader is None:
                raise InputError("leader", "请选择包联领导")
            case = actions.do_open_case(
                area=place,
                title=post.get("title", ""),
                description=post.get("description", ""),
                leader=leader,
                ticket=_ticket(user, post.get("ticket", "")),
                actor=user,
            )
            messages.success(
                request, f"「{case.title}」已列入攻坚清单，由{leader.shown_name}包联。请制定方案。"
            )
            return redirect("web:party_case", case.pk)
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    return _back(area, tab)


def _ticket(user: User, number: str) -> Ticket | None:
    """A ticket named by its number (WG20261128-000123) or id that the user sees; none when empty."""
    number = number.strip().upper()
    if not number:
        return None
    pk = number.rsplit("-", 1)[-1] if number.startswith("WG") else number
    found = tickets_for(user).filter(pk=int(pk)).first() if is_id(pk) else None
    if found is None or (number.startswith("WG") and found.number != number):
        raise InputError("ticket", f"没有找到诉求 {number}")
    return found


def _cobuild(request: HttpRequest, user: User, area: Area, action: str) -> None:
    org = selectors.committee_of(area.code)
    if org is None:
        raise NotAllowed("请先设立本区域的党委")
    post = request.POST
    units = Unit.objects.filter(active=True).select_related("area")
    if action == "committee-unit":
        unit = pick(units, post.get("unit", ""), "unit", "单位")
        actions.do_add_committee_unit(org, unit=unit, actor=user)
        messages.success(request, f"{unit.name}已加入{org.name}。")
    elif action == "agreement":
        unit = pick(units, post.get("unit", ""), "unit", "单位")
        promises = []
        for title, topic, kind in zip(
            post.getlist("promise"), post.getlist("topic"), post.getlist("kind"), strict=False
        ):
            if title.strip():
                if topic not in Topic.values or kind not in OfferKind.values:
                    raise InputError("promises", "请为每项资源选择类别和类型")
                promises.append(actions.Promise(title=title, topic=topic, kind=kind))
        signed_on = date_field(post.get("signed_on", ""), "signed_on", "签订日期") or timezone.localdate()
        ends_on = date_field(post.get("ends_on", ""), "ends_on", "到期日期")
        if ends_on is None:
            raise InputError("ends_on", "请填写到期日期")
        agreement = actions.do_sign_agreement(
            org,
            unit=unit,
            title=post.get("title", ""),
            signed_on=signed_on,
            ends_on=ends_on,
            promises=promises,
            actor=user,
        )
        messages.success(request, f"已登记「{agreement.title}」，{len(promises)}项资源已列入资源清单。")
    elif action == "pair":
        unit = pick(units, post.get("unit", ""), "unit", "单位")
        actions.do_pair(org, unit=unit, purpose=post.get("purpose", ""), actor=user)
        messages.success(request, f"{org.name}与{unit.name}已结对。")
    else:
        picked = [int(pk) for pk in post.getlist("units") if is_id(pk)]
        held_on = date_field(post.get("held_on", ""), "held_on", "召开日期")
        if held_on is None:
            raise InputError("held_on", "请填写召开日期")
        actions.do_record_meeting(
            org,
            held_on=held_on,
            topic=post.get("topic", ""),
            place=post.get("place", ""),
            units=list(units.filter(pk__in=picked)),
            decisions=post.get("decisions", ""),
            actor=user,
        )
        messages.success(request, "联席会议已登记。")


# --- 攻坚: a case's page and a leader's list --------------------------------------------------------------


@login_required
def party_case(request: HttpRequest, case_id: int) -> HttpResponse:
    """一个难题: the case, its plan (each step's owner, date, whether done or overdue), what the viewer
    may do next: the owner marks a step done, the leader or staff add steps, the leader closes it."""
    user = request_user(request)
    case = selectors.get_case_for(user, case_id)
    today = timezone.localdate()
    steps = list(case.steps.select_related("owner"))
    for step in steps:
        step.late = step.overdue(today)  # type: ignore[attr-defined]
        step.mine = step.owner_id == user.pk or case.leader_id == user.pk  # type: ignore[attr-defined]
    runs = case.leader_id == user.pk or selectors.may_manage(user, case.area_code)
    return render(
        request,
        "web/party/case.html",
        {
            "case": case,
            "steps": steps,
            "done": sum(s.done_at is not None for s in steps),
            "runs": runs,
            "leads": case.leader_id == user.pk,
            "owners": selectors.case_owners(case) if runs else [],
            "soon": today + dt.timedelta(days=14),
        },
    )


@login_required
@require_POST
def party_case_act(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    user = request_user(request)
    case = selectors.get_case_for(user, case_id)
    post = request.POST
    try:
        if action == "step":
            owner = next((u for u in selectors.case_owners(case) if str(u.pk) == post.get("owner")), None)
            if owner is None:
                raise InputError("owner", "请选择责任人")
            due = date_field(post.get("due_on", ""), "due_on", "完成时限")
            if due is None:
                raise InputError("due_on", "请填写完成时限")
            actions.do_add_step(case, text=post.get("text", ""), owner=owner, due_on=due, actor=user)
            messages.success(request, f"已加入方案，由{owner.shown_name}负责。")
        elif action == "done":
            step = case.steps.filter(pk=int(post["step"])).first() if is_id(post.get("step", "")) else None
            if step is None:
                raise Http404
            actions.do_finish_step(step, note=post.get("note", ""), actor=user)
            messages.success(request, "已登记完成。")
        elif action == "solve":
            actions.do_solve_case(case, result=post.get("result", ""), actor=user)
            messages.success(request, "难题已化解，攻坚结束。")
        else:
            raise Http404
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    return redirect("web:party_case", case.pk)


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """包联领导's list: the hard cases they lead, open and most overdue first."""
    user = request_user(request)
    return render(request, "web/party/my_cases.html", {"cases": list(selectors.cases_led_by(user)[:SHOWN])})


# --- the phone: the member's own page and the public board ------------------------------------------


@login_required
def h5_party(request: HttpRequest) -> HttpResponse:
    """我的党员服务: 双报到 (the form, or where it stands), then the member's 包户 at a glance, their pledges
    (make one, say it is kept), their posts and 亮电话."""
    user = request_user(request)
    member = selectors.member_of(user)
    registration = selectors.accepted_registration(user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _h5_act(user, member, action, request.POST)
        except InputError as exc:
            errors[exc.field] = exc.message
        except NotAllowed as exc:
            errors[action or "form"] = str(exc)
        else:
            messages.success(request, done)
            return redirect("web:h5_party")
    latest = (
        Registration.objects.filter(member__user=user)
        .select_related("community")
        .order_by("-submitted_at")
        .first()
    )
    households = selectors.my_households(user) if registration else []
    for h in households:
        h.short = _short(h)  # type: ignore[attr-defined]
    today = timezone.localdate()
    pledges = (
        list(member.pledges.exclude(state=PledgeState.WITHDRAWN).order_by("state", "due_on"))
        if member
        else []
    )
    for p in pledges:
        p.late = p.overdue(today)  # type: ignore[attr-defined]
    return render(
        request,
        "web/party/h5_member.html",
        {
            "member": member,
            "registration": registration,
            "latest": latest,
            "households": households,
            "due": sum(h.visit_due for h in households),  # type: ignore[attr-defined]
            "open_requests": sum(h.open_tickets for h in households),  # type: ignore[attr-defined]
            "pledges": pledges,
            "posts": list(member.posts.filter(ended_on=None).select_related("area")) if member else [],
            "communities": _home_communities(user),
            "standings": Standing.choices,
            "errors": errors,
            "form": request.POST,
            "soon": today + dt.timedelta(days=30),
        },
        status=422 if errors else 200,
    )


def _home_communities(user: User) -> list[Area]:
    """Where one may report: the community of one's home first, then the others of the district."""
    home = home_area(user)
    others = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code")[:200])
    return ([home] if home else []) + [c for c in others if home is None or c.pk != home.pk]


def _h5_act(user: User, member: PartyMember | None, action: str, post) -> str:  # type: ignore[no-untyped-def]
    if action == "register":
        community = Area.objects.filter(code=post.get("community", ""), level=Level.COMMUNITY).first()
        if community is None:
            raise InputError("community", "请选择报到社区")
        actions.do_register(
            user=user,
            community=community,
            actor=user,
            standing=post.get("standing", Standing.FULL),
            joined_on=date_field(post.get("joined_on", ""), "joined_on", "入党日期"),
            workplace=post.get("workplace", ""),
            phone=post.get("phone", ""),
            offer=post.get("offer", ""),
        )
        return f"已提交，{community.name}确认后即可认领包户、微心愿和志愿活动。"
    if member is None:
        raise Http404
    if action == "pledge":
        due = date_field(post.get("due_on", ""), "due_on", "承诺时限")
        if due is None:
            raise InputError("due_on", "请填写承诺时限")
        actions.do_make_pledge(member=member, text=post.get("text", ""), due_on=due, actor=user)
        return "承诺已公示在社区的党员承诺栏。"
    if action == "kept":
        pledge = (
            member.pledges.filter(pk=int(post["pledge"])).first() if is_id(post.get("pledge", "")) else None
        )
        if pledge is None:
            raise Http404
        actions.do_keep_pledge(pledge, result=post.get("result", ""), actor=user)
        return "已登记兑现情况。"
    if action == "phone":
        actions.do_show_phone(member, show=post.get("show") == "1", actor=user)
        return "已在承诺栏公开您的电话。" if member.show_phone else "承诺栏上您的电话已隐去中间四位。"
    raise Http404


@login_required
def h5_party_board(request: HttpRequest) -> HttpResponse:
    """亮身份、亮承诺: the community's members on their posts and responsibility areas, and their pledges,
    the phone masked unless shown by choice; for anyone of the community (residents too)."""
    user = request_user(request)
    home = home_area(user)
    if home is None:
        raise Http404
    today = timezone.localdate()
    pledges = list(selectors.pledges_in(home.code)[:SHOWN])
    for p in pledges:
        p.late = p.overdue(today)  # type: ignore[attr-defined]
    return render(
        request,
        "web/party/h5_board.html",
        {
            "home": home,
            "posts": list(selectors.posts_in(home.code)[:SHOWN]),
            "pledges": pledges,
            "kept": sum(p.state == PledgeState.KEPT for p in pledges),
            "is_member": selectors.member_of(user) is not None,
        },
    )
