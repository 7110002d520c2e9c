"""Writes of 议事: meeting days and the meetings they bring; a matter raised (by a resident, grid staff or
a party member, or from a ticket that 三事分流 marked 私事 or 大事), seconded, put on an agenda, discussed
and decided, taken on, followed, completed, rated and archived (the moves of steps.py, each one
conditional on the step it leaves, so of two people acting at once one wins); minutes; motions and votes,
one per household or per resident under concurrency."""

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role, codes_above
from wangge.areas.scoping import holds_over, scope_of
from wangge.deliberation import selectors
from wangge.deliberation.models import (
    Choice,
    Meeting,
    MeetingDay,
    MeetingState,
    Motion,
    Per,
    Proposal,
    ProposalEvent,
    Rating,
    Rule,
    Second,
    Vote,
)
from wangge.deliberation.selectors import MEETING_LEVELS, RAISING_ROLES, home_of, may_host, relations
from wangge.deliberation.steps import BY_ACTION, SAME, Step
from wangge.lib.errors import InputError, NotAllowed, clean_text
from wangge.lib.masking import has_personal_number
from wangge.notify.actions import do_notify_users
from wangge.people.models import Resident
from wangge.tickets.actions import NewTicket, do_submit_ticket, grid_of
from wangge.tickets.models import Channel, Kind, Ticket

# How far ahead a meeting day's meetings are put on the calendar.
HORIZON_DAYS = 35
# 群众评事 lasts this long: after it a matter may be archived without a rating.
RATING_DAYS = 7
# How staff appear on a public record. Everyone else, a party member or a 楼栋长 included, is 居民 there:
# a building's only 楼栋长 would be named by their post.
ROLE_WORDS = {
    Role.GRID_HEAD: "网格长",
    Role.GRID_WORKER: "网格员",
    Role.COMMUNITY_STAFF: "社区",
    Role.STREET_STAFF: "街道",
    Role.DISTRICT_STAFF: "区指挥中心",
}
# Who may speak at a meeting, as the minutes name them (the names themselves are masked).
SPEAKER_ROLES = (
    "居民代表",
    "居民",
    "党员",
    "楼栋长",
    "网格员",
    "社区工作者",
    "物业",
    "驻区单位",
    "人大代表",
    "政协委员",
    "律师",
)


def role_word(user: User, code: str) -> str:
    """How a person appears on a public timeline: their staff post over the area, else 居民."""
    held = {m.role for m in scope_of(user).memberships if m.area is not None and code.startswith(m.area.code)}
    held |= {
        m.role for m in scope_of(user).memberships if m.area is not None and m.area.code.startswith(code)
    }
    for role, word in ROLE_WORDS.items():
        if role in held:
            return word
    return "居民"


def public_text(value: str, field: str, label: str, limit: int, *, required: bool = True) -> str:
    """Text the area's residents will read: no ID or mobile number in it."""
    value = clean_text(value, field, label, limit, required=required)
    if has_personal_number(value):
        raise InputError(field, f"{label}会对居民公开，不要写身份证号或手机号")
    return value


def _url(proposal: Proposal) -> str:
    return reverse("web:h5_talk_matter", args=[proposal.pk])


# --- meeting days and meetings -------------------------------------------------------------------------


def dates_of(day: MeetingDay, start: dt.date, end: dt.date) -> list[dt.date]:
    """The dates from start to end (both included) on which the meeting day falls."""
    found, current = [], start
    while current <= end:
        if day.falls_on(current):
            found.append(current)
        current += dt.timedelta(days=1)
    return found


def _local_time(starts_at: dt.time) -> None:
    """A meeting's time is local (北京时间), without a zone."""
    if starts_at.tzinfo is not None:
        raise InputError("starts_at", "开始时间请写成当地时间，如 19:00")


def _check_rule(rule: str, value: int) -> None:
    if rule not in Rule.values:
        raise InputError("rule", "规则只能是每周、逢几或每月")
    limits = {Rule.WEEKLY: (0, 6, "周几只能是周一到周日"), Rule.ENDING: (0, 9, "尾数只能是0到9")}
    low, high, message = limits.get(rule, (1, 28, "每月的日期只能是1到28日"))  # type: ignore[call-overload]
    if not low <= value <= high:
        raise InputError("value", message)


@transaction.atomic
def do_add_meeting_day(
    *,
    area: Area,
    name: str,
    rule: str,
    value: int,
    starts_at: dt.time,
    place: str,
    host: User,
    actor: User,
) -> MeetingDay:
    """说事日 of a grid, community or street; its meetings of the next five weeks are planned at once."""
    if area.level not in MEETING_LEVELS:
        raise InputError("area", "说事日设在网格、社区或街道")
    if not may_host(actor, area.code):
        raise NotAllowed("只有本区域的网格长和社区、街道工作人员可以设立说事日")
    name = clean_text(name, "name", "名称", 40)
    place = clean_text(place, "place", "地点", 100)
    _check_rule(rule, value)
    _local_time(starts_at)
    if not may_host(host, area.code):
        raise InputError("host", f"请选择{area.name}的网格长或社区、街道工作人员主持")
    try:
        with transaction.atomic():
            day = MeetingDay.objects.create(
                area=area,
                area_code=area.code,
                name=name,
                rule=rule,
                value=value,
                starts_at=starts_at,
                place=place,
                host=host,
            )
    except IntegrityError:
        raise InputError("name", f"{area.name}已有「{name}」") from None
    plan_meetings(day)
    return day


def plan_meetings(day: MeetingDay, *, today: dt.date | None = None) -> int:
    """Put the meeting day's meetings of the next five weeks on the calendar (again, harmlessly)."""
    today = today or timezone.localdate()
    rows = [
        Meeting(
            day=day,
            area_id=day.area_id,
            area_code=day.area_code,
            title=day.name,
            date=date,
            starts_at=day.starts_at,
            place=day.place,
            host_id=day.host_id,
        )
        for date in dates_of(day, today, today + dt.timedelta(days=HORIZON_DAYS))
    ]
    before = Meeting.objects.filter(day=day).count()
    Meeting.objects.bulk_create(rows, ignore_conflicts=True)
    return Meeting.objects.filter(day=day).count() - before


def keep_calendar(now: dt.datetime | None = None) -> tuple[int, int]:
    """The worker's part: plan the meetings ahead for the active days whose calendar runs short (one
    query when none does), and count the motions whose window has closed. Returns (meetings planned,
    motions counted)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    short = MeetingDay.objects.filter(active=True).annotate(last=Max("meetings__date"))
    short = short.filter(Q(last=None) | Q(last__lt=today + dt.timedelta(days=HORIZON_DAYS - 7)))
    planned = sum(plan_meetings(d, today=today) for d in short)
    counted = 0
    for motion in Motion.objects.filter(closed_at=None, closes_at__lte=now).select_related(
        "meeting", "proposal"
    ):
        if do_close_motion(motion, actor=None, now=now) is not None:
            counted += 1
    return planned, counted


@transaction.atomic
def do_add_meeting(
    *, area: Area, title: str, date: dt.date, starts_at: dt.time, place: str, actor: User
) -> Meeting:
    """A meeting outside the rhythm (小板凳夜谈会, 一季度一主题的协商会), hosted by whoever calls it."""
    if area.level not in MEETING_LEVELS:
        raise InputError("area", "说事会设在网格、社区或街道")
    if not may_host(actor, area.code):
        raise NotAllowed("只有本区域的网格长和社区、街道工作人员可以召集说事会")
    if date < timezone.localdate():
        raise InputError("date", "日期不能早于今天")
    if date.year > 2100:
        raise InputError("date", "日期应在2100年以前")
    _local_time(starts_at)
    return Meeting.objects.create(
        area=area,
        area_code=area.code,
        title=clean_text(title, "title", "名称", 60),
        date=date,
        starts_at=starts_at,
        place=clean_text(place, "place", "地点", 100),
        host=actor,
    )


def _speakers(lines: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    kept = []
    for i, line in enumerate(lines, start=1):
        name = (line.get("name") or "").strip()
        role = (line.get("role") or "").strip() or "居民"
        if not name:
            continue
        if len(name) > 20:
            raise InputError("speakers", f"第{i}位发言人的姓名最多20个字")
        if role not in SPEAKER_ROLES:
            raise InputError("speakers", f"第{i}位发言人的身份请写：{'、'.join(SPEAKER_ROLES)}")
        kept.append({"name": name, "role": role})
    return kept


@transaction.atomic
def do_record_minutes(
    meeting: Meeting,
    *,
    minutes: str,
    attendance: int | None,
    speakers: Sequence[dict[str, str]],
    actor: User,
) -> Meeting:
    """会议纪要: the meeting was held; its minutes, attendance and who spoke. May be corrected later."""
    if not (may_host(actor, meeting.area_code)):
        raise NotAllowed("只有主持人和本区域的社区、街道工作人员可以记录纪要")
    if meeting.state == MeetingState.CANCELLED:
        raise NotAllowed("该说事会已取消")
    if meeting.date > timezone.localdate():
        raise NotAllowed("说事会还没有召开")
    if attendance is not None and not 0 < attendance <= 100000:
        raise InputError("attendance", "参会人数应为正整数")
    meeting.minutes = public_text(minutes, "minutes", "会议纪要", 5000)
    meeting.attendance = attendance
    meeting.speakers = _speakers(speakers)
    meeting.state = MeetingState.HELD
    meeting.held_at = meeting.held_at or timezone.now()
    meeting.save(update_fields=["minutes", "attendance", "speakers", "state", "held_at"])
    return meeting


# --- a matter through the six steps --------------------------------------------------------------------


def _event(proposal: Proposal, action: str, actor: User | None, *, frm: str, to: str, note: str = "") -> None:
    ProposalEvent.objects.create(
        proposal=proposal,
        action=action,
        frm=frm,
        to=to,
        actor=actor,
        actor_role=_shown_as(proposal, action, actor),
        note=note,
    )


def _shown_as(proposal: Proposal, action: str, actor: User | None) -> str:
    if actor is None:
        return "系统"
    if action == "raise":
        return proposal.raiser_role
    if action == "rate":
        return "居民"
    return role_word(actor, proposal.area_code)


def _check(proposal: Proposal, action: str, actor: User, refusal: str = "", *, step: bool = True) -> None:
    """Whether the table lets the actor take this action: their relation to the matter (else `refusal`)
    and, with `step`, the step it is in now."""
    rule = BY_ACTION[action]
    if not rule.who & relations(actor, proposal):
        raise NotAllowed(refusal or f"您不能{rule.label}")
    if step and proposal.step not in rule.sources:
        raise NotAllowed(f"该事项现在是「{proposal.get_step_display()}」环节，不能{rule.label}")


def _step(proposal: Proposal, action: str, actor: User, *, note: str = "", **changes: object) -> Proposal:
    """One move of the table: refused unless the actor's relation allows it; conditional on the step the
    matter is in, so a second person acting at once is told where it is now."""
    _check(proposal, action, actor, step=False)
    rule = BY_ACTION[action]
    before = proposal.step
    to = before if rule.to == SAME else rule.to
    won = Proposal.objects.filter(pk=proposal.pk, step__in=list(rule.sources)).update(
        step=to, updated_at=timezone.now(), **changes
    )
    proposal.refresh_from_db()
    if not won:
        raise NotAllowed(f"该事项现在是「{proposal.get_step_display()}」环节，不能{rule.label}")
    _event(proposal, action, actor, frm=before, to=to, note=note)
    return proposal


@transaction.atomic
def do_raise(
    *,
    area: Area | None = None,
    title: str,
    text: str,
    actor: User,
    ticket: Ticket | None = None,
) -> Proposal:
    """问事: a resident raises a matter in their own grid; grid staff, party members and hosts raise one
    in an area they serve, or from a ticket that 三事分流 marked 私事 or 大事 (once per ticket)."""
    title = public_text(title, "title", "事项", 60)
    text = public_text(text, "text", "具体内容", 2000)
    home = home_of(actor)
    if ticket is not None:
        if ticket.kind not in (Kind.PRIVATE, Kind.MAJOR):
            raise NotAllowed("只有三事分流为私事或大事的诉求转入议事")
        # A resident's 私事 becomes public words only by those who host the area's meetings.
        if not may_host(actor, ticket.area_code):
            raise NotAllowed("由网格长和社区、街道工作人员转入议事")
        if Proposal.objects.filter(ticket=ticket).exists():
            raise NotAllowed("该诉求已转入议事")
        area = ticket.area
    if area is None:
        if home is None:
            raise InputError("area", "请选择议事的区域")
        area = grid_of(home.household.area)
    staff = holds_over(actor, area.code, RAISING_ROLES)
    lives_here = home is not None and home.household.area.code.startswith(area.code)
    if not (staff or lives_here):
        raise NotAllowed(f"您不能在{area.name}提出议事")
    as_resident = lives_here and ticket is None
    proposal = Proposal.objects.create(
        number=uuid.uuid4().hex[:20],
        area=area,
        area_code=area.code,
        title=title,
        text=text,
        raised_by=actor,
        raiser_role="居民" if as_resident else role_word(actor, area.code),
        resident=home if as_resident else None,
        ticket=ticket,
    )
    proposal.number = f"YS{proposal.created_at:%Y}{proposal.pk:06d}"
    proposal.save(update_fields=["number"])
    _event(proposal, "raise", actor, frm="", to=Step.RAISED)
    hosts = _hosts(area.code)
    do_notify_users(hosts, f"新的议事：{proposal.title}", url=_url(proposal))
    return proposal


def _hosts(code: str) -> list[User]:
    """Who is told of a new matter: the grid head and the community's staff over it."""
    return [
        m.user
        for m in Membership.objects.filter(
            area__code__in=[*codes_above(code), code],
            role__in=[Role.GRID_HEAD, Role.COMMUNITY_STAFF],
            active=True,
        ).select_related("user")
    ]


@transaction.atomic
def do_second(proposal: Proposal, *, actor: User) -> Proposal:
    """附议: a neighbour supports the matter, once."""
    if proposal.raised_by_id == actor.pk:
        raise NotAllowed("不能附议自己提出的事项")
    _check(proposal, "second", actor, "只有本区域的居民可以附议")
    try:
        with transaction.atomic():
            Second.objects.create(proposal=proposal, user=actor)
    except IntegrityError:
        raise NotAllowed("您已附议") from None
    Proposal.objects.filter(pk=proposal.pk).update(seconds=F("seconds") + 1)
    proposal.refresh_from_db()
    return proposal


@transaction.atomic
def do_schedule(proposal: Proposal, *, meeting: Meeting, actor: User) -> Proposal:
    """定事 (1): put the matter on a meeting's agenda; the raiser is told when and where."""
    if meeting.pk not in {m.pk for m in selectors.open_meetings_for(proposal)}:
        raise InputError("meeting", "请选择本区域或上级区域还未召开的说事会")
    proposal = _step(proposal, "schedule", actor, note=str(meeting), meeting=meeting)
    do_notify_users(
        [proposal.raised_by],
        f"您提的「{proposal.title}」已列入{meeting.title}"
        f"（{meeting.date:%m月%d日} {meeting.starts_at:%H:%M}，{meeting.place}）",
        url=_url(proposal),
    )
    return proposal


@transaction.atomic
def do_drop(proposal: Proposal, *, reason: str, actor: User) -> Proposal:
    """不予议事, with the reason the raiser reads (e.g. handled as a 诉求 instead)."""
    reason = public_text(reason, "reason", "原因", 300)
    proposal = _step(proposal, "drop", actor, note=reason)
    do_notify_users(
        [proposal.raised_by], f"您提的「{proposal.title}」不列入议事：{reason}", url=_url(proposal)
    )
    return proposal


@dataclass(frozen=True)
class Decision:
    discussion: str  # 商议情况
    consensus: bool  # 协商一致; else the meeting's vote on the matter decided
    text: str  # 决定
    owner: User
    due_on: dt.date
    make_ticket: bool = False  # carry it out as a ticket of channel 居民议事 as well


@transaction.atomic
def do_decide(proposal: Proposal, decision: Decision, *, actor: User) -> Proposal:
    """定事 (2) and 解事: how the meeting discussed it (by consensus, or by a counted vote that passed)
    and the decision, with its owner and deadline; a ticket too when the decision needs units."""
    _check(proposal, "decide", actor, "只有本区域的网格长和社区、街道工作人员可以记录决定", step=False)
    discussion = public_text(decision.discussion, "discussion", "商议情况", 2000)
    text = public_text(decision.text, "decision", "决定", 1000)
    if decision.due_on < timezone.localdate():
        raise InputError("due_on", "完成期限不能早于今天")
    if decision.owner.pk not in {u.pk for u in selectors.owners_for(proposal.area_code)}:
        raise InputError("owner", "请从本区域的网格员、党员和社区、街道工作人员中选择负责人")
    if not decision.consensus:
        counted = proposal.motions.exclude(closed_at=None).order_by("-closed_at").first()
        if counted is None:
            raise InputError("consensus", "未协商一致的事项，请先表决并计票")
        if not counted.passed:
            raise InputError("consensus", "表决未通过，不能据此作出决定")
    if proposal.meeting is not None and proposal.meeting.date > timezone.localdate():
        raise NotAllowed("说事会还没有召开")
    made = None
    if decision.make_ticket:
        made = do_submit_ticket(
            NewTicket(
                title=f"议事决定：{proposal.title}"[:100],
                description=f"{text}\n（{proposal.number}，负责人{decision.owner.shown_name}）",
                channel=Channel.DELIBERATION,
                area=proposal.area,
                external_id=proposal.number,
            ),
            actor=actor,
        )
    proposal = _step(
        proposal,
        "decide",
        actor,
        note=text,
        discussion=discussion,
        consensus=decision.consensus,
        decision=text,
        owner=decision.owner,
        due_on=decision.due_on,
        made_ticket=made,
    )
    do_notify_users(
        [decision.owner],
        f"议事决定由您负责：{proposal.title}，请于{decision.due_on:%m月%d日}前办完",
        url=_url(proposal),
    )
    do_notify_users(
        [proposal.raised_by], f"您提的「{proposal.title}」已有决定：{text}"[:300], url=_url(proposal)
    )
    return proposal


@transaction.atomic
def do_take(proposal: Proposal, *, actor: User) -> Proposal:
    """接办: the owner takes the decision on; from now 督事 follows it to its deadline."""
    return _step(proposal, "take", actor)


@transaction.atomic
def do_urge(proposal: Proposal, *, note: str, actor: User) -> Proposal:
    """督办: the host follows a decision under way; the owner is told."""
    note = public_text(note, "note", "督办意见", 300)
    proposal = _step(proposal, "urge", actor, note=note)
    if proposal.owner is not None:
        do_notify_users([proposal.owner], f"督办：{proposal.title}——{note}"[:300], url=_url(proposal))
    return proposal


@transaction.atomic
def do_complete(proposal: Proposal, *, result: str, actor: User) -> Proposal:
    """办结: the owner says what was done; those affected are asked to rate it (群众评事)."""
    result = public_text(result, "result", "办理结果", 1000)
    proposal = _step(proposal, "complete", actor, note=result, result=result, done_at=timezone.now())
    seconders = User.objects.filter(pk__in=Second.objects.filter(proposal=proposal).values("user_id"))
    do_notify_users(
        [proposal.raised_by, *seconders], f"「{proposal.title}」已办完，请您评价", url=_url(proposal)
    )
    return proposal


@transaction.atomic
def do_redo(proposal: Proposal, *, note: str, actor: User) -> Proposal:
    """退回重办: the host finds it not done and sends it back to the owner."""
    note = public_text(note, "note", "退回原因", 300)
    proposal = _step(proposal, "redo", actor, note=note, done_at=None)
    if proposal.owner is not None:
        do_notify_users([proposal.owner], f"退回重办：{proposal.title}——{note}"[:300], url=_url(proposal))
    return proposal


@transaction.atomic
def do_rate(proposal: Proposal, *, score: int, note: str = "", actor: User) -> Proposal:
    """群众评事: the raiser and the neighbours rate the result, 1 (很不满意) to 5 (很满意), once each."""
    if score not in range(1, 6):
        raise InputError("score", "评分只能是1到5")
    note = public_text(note, "note", "意见", 200, required=False)
    _check(proposal, "rate", actor, "只有提出人和本区域的居民可以评价")
    try:
        with transaction.atomic():
            Rating.objects.create(proposal=proposal, user=actor, score=score, note=note)
    except IntegrityError:
        raise NotAllowed("您已评价过") from None
    Proposal.objects.filter(pk=proposal.pk).update(
        ratings=F("ratings") + 1, rating_sum=F("rating_sum") + score
    )
    _event(proposal, "rate", actor, frm=proposal.step, to=proposal.step, note=f"{score}分 {note}".strip())
    proposal.refresh_from_db()
    return proposal


@transaction.atomic
def do_archive(proposal: Proposal, *, actor: User, now: dt.datetime | None = None) -> Proposal:
    """归档完事: once rated, or after the rating week without a rating."""
    now = now or timezone.now()
    waited = proposal.done_at is not None and now - proposal.done_at >= dt.timedelta(days=RATING_DAYS)
    if not proposal.ratings and not waited:
        raise NotAllowed(f"还没有居民评价，办结{RATING_DAYS}天后才能直接归档")
    average = f"{proposal.average:.1f}分" if proposal.average is not None else "无人评价"
    return _step(proposal, "archive", actor, note=f"{proposal.ratings}人评价，平均{average}")


# --- motions and votes ---------------------------------------------------------------------------------


def _within_reach(moment: dt.datetime, field: str, label: str) -> None:
    if not dt.datetime(2000, 1, 2, tzinfo=dt.UTC) <= moment <= dt.datetime(2100, 1, 1, tzinfo=dt.UTC):
        raise InputError(field, f"{label}应在2000年到2100年之间")


@transaction.atomic
def do_open_motion(
    meeting: Meeting,
    *,
    text: str,
    per: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    quorum: int | None = None,
    proposal: Proposal | None = None,
    actor: User,
) -> Motion:
    """表决: a motion at a meeting, voted on site or on the H5 from `opens_at` until `closes_at`. The
    quorum (有效票数下限) defaults to more than half of those who may vote."""
    if not may_host(actor, meeting.area_code):
        raise NotAllowed("只有本区域的网格长和社区、街道工作人员可以发起表决")
    text = public_text(text, "text", "表决事项", 200)
    if per not in Per.values:
        raise InputError("per", "计票方式只能是每户一票或每人一票")
    _within_reach(opens_at, "opens_at", "开始时间")
    _within_reach(closes_at, "closes_at", "截止时间")
    if closes_at <= opens_at:
        raise InputError("closes_at", "截止时间应晚于开始时间")
    if closes_at <= timezone.now():
        raise InputError("closes_at", "截止时间已过")
    if proposal is not None and proposal.meeting_id != meeting.pk:
        raise InputError("proposal", "该事项不在这次说事会的议程上")
    eligible = selectors.voters(meeting.area_code, per).count()
    if eligible == 0:
        raise InputError(
            "per", f"{meeting.area.name}没有可投票的{'住户' if per == Per.HOUSEHOLD else '居民'}"
        )
    quorum = quorum if quorum is not None else math.floor(eligible / 2) + 1
    if not 1 <= quorum <= eligible:
        raise InputError("quorum", f"有效票数下限应在1到{eligible}之间")
    return Motion.objects.create(
        meeting=meeting,
        proposal=proposal,
        text=text,
        per=per,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum=quorum,
        eligible=eligible,
    )


@transaction.atomic
def do_vote(
    motion: Motion,
    *,
    choice: str,
    actor: User,
    voter: Resident | None = None,
    now: dt.datetime | None = None,
) -> Vote:
    """A vote: a resident's own on the H5 (`voter` None), or one the host records on site for `voter`.
    Inside the window only; one per household or per resident, whichever the motion counts by (the
    unique ballot decides between two at once)."""
    if choice not in Choice.values:
        raise InputError("choice", "请选择同意、不同意或弃权")
    now = now or timezone.now()
    meeting = motion.meeting
    on_site = voter is not None
    if on_site:
        if not may_host(actor, meeting.area_code):
            raise NotAllowed("只有本区域的网格长和社区、街道工作人员可以记录现场表决")
        if timezone.localdate(now) != meeting.date:
            raise NotAllowed("现场表决只能在说事会当天记录")
    else:
        voter = home_of(actor)
        if voter is None:
            raise NotAllowed("只有登记在册的居民可以投票")
    assert voter is not None
    # An adult of the area votes, for their household or for themselves.
    if (
        not selectors.voters(meeting.area_code, Per.RESIDENT, on=timezone.localdate(now))
        .filter(pk=voter.pk)
        .exists()
    ):
        raise NotAllowed(
            f"{'该居民' if on_site else '您'}不在{meeting.area.name}的投票范围内（年满18周岁的居民）"
        )
    if not motion.is_open(now):
        raise NotAllowed("不在投票时间内" if motion.closed_at is None else "表决已计票")
    ballot = f"h{voter.household_id}" if motion.per == Per.HOUSEHOLD else f"r{voter.pk}"
    try:
        with transaction.atomic():
            vote = Vote.objects.create(
                motion=motion,
                ballot=ballot,
                household_id=voter.household_id,
                resident=voter,
                choice=choice,
                on_site=on_site,
                recorded_by=actor,
                at=now,
            )
    except IntegrityError:
        raise NotAllowed("本户已投票" if motion.per == Per.HOUSEHOLD else "已投过票") from None
    # Counted only while the motion is open: a vote that meets the count at the same moment is refused
    # (and its ballot undone) rather than added after the result was written.
    counted = Motion.objects.filter(pk=motion.pk, closed_at=None, opens_at__lte=now, closes_at__gt=now)
    if not counted.update(**{choice: F(choice) + 1}):
        raise NotAllowed("表决已计票")
    return vote


@transaction.atomic
def do_close_motion(motion: Motion, *, actor: User | None, now: dt.datetime | None = None) -> Motion | None:
    """计票: after the window (by the worker), or by the host before it ends once every household or
    resident has voted. The motion's row is locked while the ballots are counted, so a vote arriving at
    that moment waits and is then refused. Valid when as many voted as the quorum, passed when more than
    half of the votes agree. None when someone else counted it first."""
    now = now or timezone.now()
    if actor is not None and not may_host(actor, motion.meeting.area_code):
        raise NotAllowed("只有本区域的网格长和社区、街道工作人员可以计票")
    locked = Motion.objects.select_for_update().filter(pk=motion.pk, closed_at=None).first()
    if locked is None:
        motion.refresh_from_db()
        if actor is not None:
            raise NotAllowed("表决已计票")
        return None
    counts = {c: locked.votes.filter(choice=c).count() for c in Choice.values}
    cast = sum(counts.values())
    if now < locked.closes_at and cast < locked.eligible:
        raise NotAllowed(
            f"投票{timezone.localtime(locked.closes_at):%m月%d日 %H:%M}截止，人人投完之前不能提前计票"
        )
    passed = cast >= locked.quorum and counts[Choice.YES] * 2 > cast
    on_site = locked.votes.filter(on_site=True).count()
    Motion.objects.filter(pk=locked.pk).update(
        closed_at=now, closes_at=min(locked.closes_at, now), passed=passed, **counts
    )
    motion.refresh_from_db()
    if motion.proposal is not None:
        verdict = "通过" if passed else ("未达到有效票数" if cast < motion.quorum else "未通过")
        _event(
            motion.proposal,
            "vote",
            actor,
            frm=motion.proposal.step,
            to=motion.proposal.step,
            note=f"表决{verdict}：同意{counts['yes']}，不同意{counts['no']}，弃权{counts['abstain']}"
            f"（其中现场{on_site}票；应投{motion.eligible}，有效票数下限{motion.quorum}）",
        )
    return motion
