"""议事 pages (F13). At the desk, `/areas/{code}/talk/` in tabs: 说事日 (the meeting days, the meetings
coming and held), 问事 (matters waiting for an agenda), 督事 (decisions under way, the overdue first),
评事 (done, waiting for ratings and the archive), then 公示 and 测评 (notices_views).

On the phone, in the H5 frame for everyone: `/h5/talk/` (the next meetings of one's home, the matters of
one's grid to second, the votes open, decisions and minutes), raising a matter, a matter's page with its
six steps and what its viewer may do next (the host schedules and decides, the owner takes it on and
completes it, residents rate it), and a meeting's page (agenda, minutes with speakers masked, motions and
their results; the host records minutes and runs votes there)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area, codes_above, subtree_q
from wangge.areas.scoping import holds_over
from wangge.deliberation import actions, selectors
from wangge.deliberation.models import Choice, Meeting, Motion, Per, Proposal, Rule
from wangge.deliberation.selectors import MEETING_LEVELS, RAISING_ROLES, may_host
from wangge.deliberation.steps import EVENT_LABELS, MEANING, SIX, Step
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.masking import mask_name
from wangge.tickets.actions import grid_of
from wangge.tickets.models import Kind, Ticket
from wangge.tickets.queries import get_ticket_for
from wangge.web import notices_views
from wangge.web.forms import int_field, moment_field, pick, required_date, time_field
from wangge.web.views import request_user

TABS = [
    ("meetings", "说事日"),
    ("raised", "问事"),
    ("following", "督事"),
    ("rating", "评事归档"),
    ("notices", "公示"),
    ("surveys", "测评"),
]
SHOWN = 50
TONE = {
    Step.RAISED: "waiting",
    Step.AGENDA: "waiting",
    Step.DECIDED: "working",
    Step.FOLLOWING: "working",
    Step.RATING: "rate",
    Step.ARCHIVED: "done",
    Step.DROPPED: "waiting",
}


def _hosted(user: User, code: str) -> Area:
    area = scoping.get_area_for(user, code)
    if not (may_host(user, area.code) or notices_views.may_publish(user, area.code)):
        raise Http404
    return area


@login_required
def talk(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    area = _hosted(user, code)
    tab = request.GET.get("t", "meetings")
    if tab not in dict(TABS):
        tab = "meetings"
    counts = selectors.step_counts(area.code)
    context: dict = {
        "area": area,
        "tab": tab,
        "tabs": TABS,
        "counts": counts,
        "overdue": selectors.overdue_count(area.code),
    }
    if tab == "meetings":
        context.update(_meetings(user, area))
    elif tab == "raised":
        raised = list(
            selectors.proposals_in(area.code, (Step.RAISED,)).order_by("-seconds", "created_at")[:SHOWN]
        )
        context["raised"] = raised
        context["agenda"] = list(
            selectors.proposals_in(area.code, (Step.AGENDA,)).order_by("meeting__date")[:SHOWN]
        )
    elif tab == "following":
        context["following"] = list(selectors.under_way(area.code)[:SHOWN])
    elif tab == "rating":
        context["rating"] = list(
            selectors.proposals_in(area.code, (Step.RATING,)).order_by("done_at")[:SHOWN]
        )
        context["archived"] = list(
            selectors.proposals_in(area.code, (Step.ARCHIVED,)).order_by("-updated_at")[:SHOWN]
        )
    elif tab == "notices":
        context.update(notices_views.notices_tab(user, area))
    else:
        context.update(notices_views.surveys_tab(user, area))
    return render(request, "web/deliberation/page.html", context)


def _meetings(user: User, area: Area) -> dict:
    places = Area.objects.filter(
        Q(code__in=[*codes_above(area.code), area.code]) | subtree_q(area.code, "code"),
        level__in=MEETING_LEVELS,
    ).order_by("code")
    return {
        "days": list(selectors.days_for(area.code)),
        "upcoming": list(
            selectors.meetings_for(area.code, upcoming=True).annotate(items=Count("proposals"))[:SHOWN]
        ),
        "held": list(selectors.meetings_for(area.code, upcoming=False)[:SHOWN]),
        "places": [p for p in places if may_host(user, p.code)][:SHOWN],
        "hosts": selectors.hosts_for(area.code),
        "rules": Rule.choices,
        "weekdays": list(enumerate(["周一", "周二", "周三", "周四", "周五", "周六", "周日"])),
    }


def _back(area: Area, tab: str) -> HttpResponse:
    return redirect(f"{reverse('web:talk', args=[area.code])}?t={tab}")


@login_required
@require_POST
def talk_act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """The desk's forms: a meeting day, a meeting outside the rhythm; 公示 and 测评 (notices_views)."""
    user = request_user(request)
    area = _hosted(user, code)
    post = request.POST
    if action in notices_views.DESK_ACTIONS:
        return notices_views.desk_act(request, user, area, action)
    if action not in ("day", "meeting"):
        raise Http404
    try:
        place = pick(Area.objects.filter(level__in=MEETING_LEVELS), post.get("area", ""), "area", "区域")
        if not scoping.scope_of(user).sees_area(place.code):
            raise InputError("area", "请选择区域")
        if action == "day":
            host = next((u for u in selectors.hosts_for(place.code) if str(u.pk) == post.get("host")), None)
            if host is None:
                raise InputError("host", f"请选择{place.name}的网格长或社区、街道工作人员主持")
            day = actions.do_add_meeting_day(
                area=place,
                name=post.get("name", ""),
                rule=post.get("rule", ""),
                value=int_field(post.get("value", ""), "value", "周几/尾数/日期") or 0,
                starts_at=time_field(post.get("starts_at", ""), "starts_at", "开始时间"),
                place=post.get("place", ""),
                host=host,
                actor=user,
            )
            messages.success(request, f"已设立{day.name}（{day.rhythm}），近五周的说事会已排上日程。")
        else:
            meeting = actions.do_add_meeting(
                area=place,
                title=post.get("title", ""),
                date=required_date(post.get("date", ""), "date", "日期"),
                starts_at=time_field(post.get("starts_at", ""), "starts_at", "开始时间"),
                place=post.get("place", ""),
                actor=user,
            )
            return redirect("web:h5_talk_meeting", meeting.pk)
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    return _back(area, "meetings")


# --- from a ticket (三事分流) ------------------------------------------------------------------------


def talk_for(user: User, ticket: Ticket) -> dict:
    """For the ticket page: the matter raised from a 私事 or 大事, or whether the user may raise one."""
    if ticket.kind not in (Kind.PRIVATE, Kind.MAJOR):
        return {}
    raised = Proposal.objects.filter(ticket=ticket).only("pk", "number", "step").first()
    may = raised is None and holds_over(user, ticket.area_code, RAISING_ROLES)
    return {"talk": raised, "may_talk": may}


@login_required
@require_POST
def ticket_to_talk(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """转入议事: a 大事 or 私事 goes to the grid's or community's meeting, in words fit for the public."""
    user = request_user(request)
    ticket = get_ticket_for(user, ticket_id)
    try:
        proposal = actions.do_raise(
            title=request.POST.get("title", ""), text=request.POST.get("text", ""), ticket=ticket, actor=user
        )
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
        return redirect("web:ticket", ticket.pk)
    messages.success(request, f"已转入议事 {proposal.number}，请列入说事日议程。")
    return redirect("web:h5_talk_matter", proposal.pk)


# --- the phone ----------------------------------------------------------------------------------------


def card(proposal: Proposal) -> dict:
    return {
        "p": proposal,
        "tone": TONE[Step(proposal.step)],
        "place": selectors.step_of(proposal),
        "raiser": proposal.raiser_role,
    }


@login_required
def h5_talk(request: HttpRequest) -> HttpResponse:
    """说事: the meetings ahead for one's home, the votes open, the matters of one's grid (to second) and
    what was decided; the matters one carries out, for an owner."""
    user = request_user(request)
    home = selectors.home_of(user)
    owned = list(selectors.owned_by(user)[:SHOWN])
    context: dict = {"home": None, "owned": [card(p) for p in owned]}
    if home is not None:
        now = timezone.now()
        grid = grid_of(home.household.area).code
        mine = [*codes_above(grid), grid]  # the grid and the areas above it: where its residents meet
        proposals = Proposal.objects.filter(area_code__in=mine)
        context.update(
            {
                "home": home,
                "days": list(selectors.days_for(grid).filter(area_code__in=mine)),
                "upcoming": list(selectors.meetings_for(grid, upcoming=True).filter(area_code__in=mine)[:4]),
                "motions": list(
                    Motion.objects.filter(
                        meeting__area_code__in=mine, closed_at=None, opens_at__lte=now, closes_at__gt=now
                    ).select_related("meeting")[:10]
                ),
                "open": [
                    card(p)
                    for p in proposals.filter(step__in=[Step.RAISED, Step.AGENDA]).order_by("-created_at")[
                        :SHOWN
                    ]
                ],
                "done": [
                    card(p)
                    for p in proposals.filter(
                        step__in=[Step.DECIDED, Step.FOLLOWING, Step.RATING, Step.ARCHIVED]
                    ).order_by("-updated_at")[:20]
                ],
                "held": list(
                    selectors.meetings_for(grid, upcoming=False)
                    .filter(area_code__in=mine)
                    .exclude(minutes="")[:5]
                ),
            }
        )
    return render(request, "web/deliberation/h5_talk.html", context)


@login_required
def h5_talk_new(request: HttpRequest) -> HttpResponse:
    """我要说事: a resident raises a matter in their grid (the form names the next meeting)."""
    user = request_user(request)
    home = selectors.home_of(user)
    if home is None:
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            proposal = actions.do_raise(
                title=request.POST.get("title", ""), text=request.POST.get("text", ""), actor=user
            )
        except InputError as exc:
            errors[exc.field] = exc.message
        except NotAllowed as exc:
            errors["title"] = str(exc)
        else:
            messages.success(request, "已提交。列入说事日议程时会在「消息」里告诉您。")
            return redirect("web:h5_talk_matter", proposal.pk)
    code = home.household.area.code
    upcoming = (
        selectors.meetings_for(code, upcoming=True).filter(area_code__in=[*codes_above(code), code]).first()
    )
    return render(
        request,
        "web/deliberation/h5_new.html",
        {"errors": errors, "form": request.POST, "upcoming": upcoming},
        status=422 if errors else 200,
    )


def _timeline(proposal: Proposal) -> list[dict]:
    return [
        {"e": e, "label": EVENT_LABELS.get(e.action, e.action), "step": Step(e.to).label if e.to else ""}
        for e in proposal.events.all()
    ]


def _matter_page(
    request: HttpRequest, proposal: Proposal, *, status: int = 200, errors: dict | None = None
) -> HttpResponse:
    user = request_user(request)
    can = set(selectors.next_actions(user, proposal))
    context = {
        "p": proposal,
        "tone": TONE[Step(proposal.step)],
        "six": [(s.label, i + 1) for i, s in enumerate(SIX)],
        "place": selectors.step_of(proposal),
        "meaning": MEANING[proposal.step],
        "timeline": _timeline(proposal),
        "can": can,
        "meetings": list(selectors.open_meetings_for(proposal)[:10]) if "schedule" in can else [],
        "owners": selectors.owners_for(proposal.area_code) if "decide" in can else [],
        "motions": list(proposal.motions.all()),
        "errors": errors or {},
        "form": request.POST if request.method == "POST" else {},
        "today": timezone.localdate(),
    }
    return render(request, "web/deliberation/h5_matter.html", context, status=status)


@login_required
def h5_talk_matter(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.get_proposal_for(request_user(request), proposal_id)
    return _matter_page(request, proposal)


@login_required
@require_POST
def h5_talk_matter_act(request: HttpRequest, proposal_id: int, action: str) -> HttpResponse:
    user = request_user(request)
    proposal = selectors.get_proposal_for(user, proposal_id)
    post = request.POST
    done = {
        "second": "已附议。",
        "schedule": "已列入议程，提出人会收到通知。",
        "drop": "已告知提出人不予议事的原因。",
        "decide": "决定已记录，负责人会收到通知。",
        "take": "已接办，请在期限内办完。",
        "urge": "已督办。",
        "complete": "已办结，等待居民评价。",
        "redo": "已退回负责人重办。",
        "rate": "谢谢您的评价。",
        "archive": "已归档。",
    }
    if action not in done:
        raise Http404
    try:
        match action:
            case "second":
                actions.do_second(proposal, actor=user)
            case "schedule":
                meeting = pick(Meeting.objects.all(), post.get("meeting", ""), "meeting", "说事会")
                actions.do_schedule(proposal, meeting=meeting, actor=user)
            case "drop":
                actions.do_drop(proposal, reason=post.get("reason", ""), actor=user)
            case "decide":
                owner = next(
                    (u for u in selectors.owners_for(proposal.area_code) if str(u.pk) == post.get("owner")),
                    None,
                )
                if owner is None:
                    raise InputError("owner", "请选择负责人")
                actions.do_decide(
                    proposal,
                    actions.Decision(
                        discussion=post.get("discussion", ""),
                        consensus=post.get("consensus", "1") == "1",
                        text=post.get("decision", ""),
                        owner=owner,
                        due_on=required_date(post.get("due_on", ""), "due_on", "完成期限"),
                        make_ticket=post.get("make_ticket") == "1",
                    ),
                    actor=user,
                )
            case "take":
                actions.do_take(proposal, actor=user)
            case "urge":
                actions.do_urge(proposal, note=post.get("note", ""), actor=user)
            case "complete":
                actions.do_complete(proposal, result=post.get("result", ""), actor=user)
            case "redo":
                actions.do_redo(proposal, note=post.get("note", ""), actor=user)
            case "rate":
                score = int_field(post.get("score", ""), "score", "评分")
                actions.do_rate(proposal, score=score or 0, note=post.get("note", ""), actor=user)
            case "archive":
                actions.do_archive(proposal, actor=user)
    except InputError as exc:
        proposal.refresh_from_db()
        return _matter_page(request, proposal, status=422, errors={exc.field: exc.message})
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done[action])
    return redirect("web:h5_talk_matter", proposal.pk)


def _public_speakers(meeting: Meeting) -> list[dict[str, str]]:
    return [{"name": mask_name(s.get("name", "")), "role": s.get("role", "")} for s in meeting.speakers]


@login_required
def h5_talk_meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """A meeting: its agenda and, once held, the minutes, who spoke (masked), the decisions and the votes.
    The host records the minutes and opens and counts the votes here; residents vote here."""
    user = request_user(request)
    meeting = selectors.get_meeting_for(user, meeting_id)
    hosting = may_host(user, meeting.area_code)
    now = timezone.now()
    motions = list(meeting.motions.select_related("proposal"))
    voted = set()
    home = selectors.home_of(user)
    if home is not None:
        ballots = {f"h{home.household_id}", f"r{home.pk}"}
        voted = set(meeting.motions.filter(votes__ballot__in=ballots).values_list("pk", flat=True))
    return render(
        request,
        "web/deliberation/h5_meeting.html",
        {
            "m": meeting,
            "agenda": [card(p) for p in meeting.proposals.order_by("created_at")],
            "speakers": _public_speakers(meeting),
            "hosting": hosting,
            "motions": [
                {
                    "m": mo,
                    "open": mo.is_open(now),
                    "voted": mo.pk in voted,
                    "turnout": mo.cast / mo.eligible if mo.eligible else None,
                }
                for mo in motions
            ],
            "can_vote": home is not None and home.household.area.code.startswith(meeting.area_code),
            "choices": Choice.choices,
            "pers": Per.choices,
            "today": timezone.localdate(),
            "held_already": meeting.date <= timezone.localdate(),
            "speaker_roles": actions.SPEAKER_ROLES,
            "speaker_lines": "\n".join(f"{s['name']} {s['role']}" for s in meeting.speakers)
            if hosting
            else "",
            "now_local": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M"),
            "later_local": timezone.localtime(now + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )


@login_required
@require_POST
def h5_talk_meeting_act(request: HttpRequest, meeting_id: int, action: str) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.get_meeting_for(user, meeting_id)
    post = request.POST
    try:
        match action:
            case "minutes":
                speakers = []
                for line in post.get("speakers", "").splitlines():
                    name, _, role = line.strip().partition(" ")
                    speakers.append({"name": name, "role": role.strip()})
                actions.do_record_minutes(
                    meeting,
                    minutes=post.get("minutes", ""),
                    attendance=int_field(
                        post.get("attendance", ""), "attendance", "参会人数", required=False
                    ),
                    speakers=speakers,
                    actor=user,
                )
                messages.success(request, "纪要已记录，本区域居民可以看到（发言人只显示姓氏）。")
            case "motion":
                proposal = None
                if post.get("proposal"):
                    proposal = pick(meeting.proposals.all(), post.get("proposal", ""), "proposal", "议题")
                actions.do_open_motion(
                    meeting,
                    text=post.get("text", ""),
                    per=post.get("per", Per.HOUSEHOLD),
                    opens_at=moment_field(post.get("opens_at", ""), "opens_at", "开始时间"),
                    closes_at=moment_field(post.get("closes_at", ""), "closes_at", "截止时间"),
                    quorum=int_field(post.get("quorum", ""), "quorum", "有效票数下限", required=False),
                    proposal=proposal,
                    actor=user,
                )
                messages.success(request, "表决已发起，居民可在投票时间内在手机上投票。")
            case "vote" | "count":
                motion = pick(meeting.motions.all(), post.get("motion", ""), "motion", "表决")
                if action == "vote":
                    actions.do_vote(motion, choice=post.get("choice", ""), actor=user)
                    messages.success(request, "已投票，谢谢参与。")
                else:
                    actions.do_close_motion(motion, actor=user)
                    messages.success(request, "已计票。")
            case _:
                raise Http404
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    return redirect("web:h5_talk_meeting", meeting.pk)
