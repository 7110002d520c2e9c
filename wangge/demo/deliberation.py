"""The demo's 议事 and 公示: every community's 周二说事日 and each street's 逢六说事; in the demo community,
past meetings with matters at every one of the six steps (one overdue in 督事, one decided by a counted
vote), a 低保 list and a fee notice on the board with an objection, and a satisfaction survey with answers.

The matters are walked through the real actions on today's date, then their dates are moved into the
past (meetings one to three weeks ago), as the demo's other histories are."""

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role, Unit, UnitKind
from wangge.deliberation import actions, selectors
from wangge.deliberation.models import Meeting, MeetingDay, Motion, Per, Proposal, ProposalEvent, Rule
from wangge.notices import actions as notices
from wangge.notices.models import Invite, NoticeKind, Survey
from wangge.people.models import Resident

# Seed 001's words for the matters of the demo community, each stopping at a different step.
MATTERS = [
    ("3号楼楼道声控灯坏了", "3号楼2单元楼道灯不亮半个月，老人晚上下楼看不清。", "archived", 21),
    ("东门电动车乱停挡路", "东门口电动车停得满满的，救护车进不来。", "rating", 14),
    ("想在5号楼前加装充电桩", "电动车在楼道里充电不安全，大家想装集中充电桩。", "overdue", 14),
    ("广场舞音响太吵", "晚上九点以后广场舞音响还开得很大，影响休息。", "decided", 7),
    ("健身器材松动", "小广场单杠和扭腰器松动，孩子玩危险。", "agenda", 0),
    ("垃圾分类桶不够用", "厨余垃圾桶每天傍晚就满了。", "raised", 0),
]


# What residents wrote under 意见建议 (none, mostly).
OPINIONS = [
    "",
    "",
    "",
    "楼道灯多修修",
    "希望多办老年人活动",
    "垃圾清运再及时些",
    "网格员很负责",
    "东门停车太乱",
]


@dataclass
class DemoTalk:
    days: int = 0
    matters: int = 0
    notices: int = 0
    answers: int = 0


def _staff(area: Area, role: str) -> User | None:
    found = Membership.objects.filter(area=area, role=role, active=True).select_related("user").order_by("pk")
    first = found.first()
    return first.user if first else None


def build_demo_deliberation(rng: random.Random, today: dt.date) -> DemoTalk:
    made = DemoTalk()
    for street in Area.objects.filter(level=Level.STREET).order_by("code"):
        host = _staff(street, Role.STREET_STAFF)
        if host is not None:
            actions.do_add_meeting_day(
                area=street,
                name="逢六说事",
                rule=Rule.ENDING,
                value=6,
                starts_at=dt.time(9, 30),
                place=f"{street.name}党群服务中心",
                host=host,
                actor=host,
            )
            made.days += 1
        for community in Area.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code"):
            host = _staff(community, Role.COMMUNITY_STAFF)
            if host is None:
                continue
            actions.do_add_meeting_day(
                area=community,
                name="周二说事日",
                rule=Rule.WEEKLY,
                value=1,
                starts_at=dt.time(19, 0),
                place=f"{community.name}党群服务中心二楼",
                host=host,
                actor=host,
            )
            made.days += 1
    demo = User.objects.filter(username="community").first()
    resident = User.objects.filter(username="resident").first()
    if demo is None or resident is None:
        return made
    community = Area.objects.get(memberships__user=demo, memberships__role=Role.COMMUNITY_STAFF)
    made.matters = _matters(community, demo, resident, rng, today)
    made.notices = _notices(community, demo, resident, today)
    made.answers = _survey(community, demo, rng, today)
    return made


def _matters(community: Area, host: User, raiser: User, rng: random.Random, today: dt.date) -> int:
    owner = User.objects.get(username="gridworker")
    day = MeetingDay.objects.get(area=community, name="周二说事日")
    for title, text, stop, days_ago in MATTERS:
        proposal = actions.do_raise(title=title, text=text, actor=raiser)
        if stop == "raised":
            continue
        if stop == "agenda":  # on next Tuesday's agenda
            upcoming = Meeting.objects.filter(day=day, date__gte=today).order_by("date").first()
            if upcoming is not None:
                actions.do_schedule(proposal, meeting=upcoming, actor=host)
            continue
        meeting = actions.do_add_meeting(
            area=community, title="周二说事日", date=today, starts_at=dt.time(19), place=day.place, actor=host
        )
        actions.do_schedule(proposal, meeting=meeting, actor=host)
        actions.do_record_minutes(
            meeting,
            minutes=f"议题：{title}。居民代表、物业、网格员到会商议，形成决定。",
            attendance=rng.randint(15, 40),
            speakers=[{"name": "王秀兰", "role": "居民代表"}, {"name": "李国强", "role": "物业"}],
            actor=host,
        )
        consensus = stop != "overdue"
        if not consensus:
            _vote(meeting, proposal, host)
        actions.do_decide(
            proposal,
            actions.Decision(
                discussion="到会居民充分发表意见" + ("，协商一致" if consensus else "，表决通过"),
                consensus=consensus,
                text=f"由网格员牵头会同物业解决「{title}」",
                owner=owner,
                due_on=today + dt.timedelta(days=10),
            ),
            actor=host,
        )
        if stop != "decided":
            proposal.refresh_from_db()
            actions.do_take(proposal, actor=owner)
        if stop in ("rating", "archived"):
            actions.do_complete(proposal, result="已按决定办完，现场查看无问题。", actor=owner)
        if stop == "archived":
            actions.do_rate(proposal, score=5, note="办得好", actor=raiser)
            actions.do_archive(proposal, actor=host)
        _into_the_past(proposal, meeting, days_ago, overdue=stop == "overdue")
    return len(MATTERS)


# The households' votes on site, in turn: 7 of every 10 for (more than half of any first few).
CHOICES = ["yes", "yes", "no", "yes", "yes", "abstain", "yes", "yes", "no", "yes"]


def _vote(meeting: Meeting, proposal: Proposal, host: User) -> None:
    """表决 on site: the host records the votes of a few more households of the community than the quorum (an
    adult of each), then counts them once the window has passed."""
    now = timezone.now()
    motion = actions.do_open_motion(
        meeting,
        text="同意在5号楼前加装集中充电桩",
        per=Per.HOUSEHOLD,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=1),
        proposal=proposal,
        actor=host,
    )
    voters = selectors.voters(meeting.area_code, Per.RESIDENT).order_by("household_id", "id")
    seen: set[int] = set()
    for voter in voters:
        if voter.household_id in seen:
            continue
        seen.add(voter.household_id)
        actions.do_vote(motion, choice=CHOICES[(len(seen) - 1) % len(CHOICES)], actor=host, voter=voter)
        if len(seen) >= motion.quorum + 3:
            break
    actions.do_close_motion(motion, actor=host, now=motion.closes_at)


def _into_the_past(proposal: Proposal, meeting: Meeting, days_ago: int, *, overdue: bool) -> None:
    """Move a walked matter's dates back: raised a few days before its meeting, the rest after it."""
    shift = dt.timedelta(days=days_ago)
    Meeting.objects.filter(pk=meeting.pk).update(date=F("date") - shift, held_at=F("held_at") - shift)
    Motion.objects.filter(meeting=meeting).update(
        opens_at=F("opens_at") - shift, closes_at=F("closes_at") - shift, closed_at=F("closed_at") - shift
    )
    events = list(ProposalEvent.objects.filter(proposal=proposal).order_by("at", "id"))
    for i, event in enumerate(events):
        back = shift + dt.timedelta(days=4) if i == 0 else shift - dt.timedelta(days=i)
        ProposalEvent.objects.filter(pk=event.pk).update(at=F("at") - max(back, dt.timedelta(0)))
    due = -3 if overdue else 10
    Proposal.objects.filter(pk=proposal.pk).update(
        created_at=F("created_at") - shift - dt.timedelta(days=4),
        due_on=timezone.localdate() + dt.timedelta(days=due) if proposal.due_on else None,
    )
    if proposal.done_at is not None:
        Proposal.objects.filter(pk=proposal.pk).update(done_at=F("done_at") - shift + dt.timedelta(days=3))


def _department(code: str) -> Unit | None:
    return Unit.objects.filter(kind=UnitKind.DEPARTMENT, code__endswith=f"-{code}", active=True).first()


def _notices(community: Area, host: User, resident: User, today: dt.date) -> int:
    count = 0
    civil = _department("MZ") or Unit.objects.filter(active=True, area__level=Level.DISTRICT).first()
    if civil is not None and community.code.startswith(civil.area.code):
        benefit = notices.do_publish(
            area=community,
            kind=NoticeKind.BENEFIT,
            title=f"{today.year}年{today.month}月城乡低保新增对象公示",
            body="经入户调查、民主评议，拟新增以下低保对象。公示期内如有异议，请在本页提出，由区民政局核实。",
            unit=civil,
            starts_on=today - dt.timedelta(days=2),
            ends_on=today + dt.timedelta(days=5),
            lines=notices.parse_lines("张建国 2人 每月1280元\n李秀英 1人 每月680元\n赵德明 3人 每月1920元"),
            actor=host,
        )
        notices.do_object(
            benefit,
            text="据我了解这户家里有人在外地做生意，收入不低，请核实。",
            entry=benefit.entries.get(position=3),
            actor=resident,
        )
        count += 1
    company = (
        Unit.objects.filter(kind=UnitKind.PROPERTY, area=community, active=True).order_by("code").first()
    )
    if company is not None:
        notices.do_publish(
            area=community,
            kind=NoticeKind.FEES,
            title=f"{today.year}年第{(today.month - 1) // 3 + 1}季度物业费收支公示",
            body="物业服务费收支明细如下。",
            unit=company,
            starts_on=today - dt.timedelta(days=1),
            ends_on=today + dt.timedelta(days=10),
            lines=notices.parse_lines("保洁 32000元\n绿化养护 8600元\n电梯维保 12000元\n公共照明电费 2300元"),
            actor=host,
        )
        count += 1
    return count


def _survey(community: Area, host: User, rng: random.Random, today: dt.date) -> int:
    company = (
        Unit.objects.filter(kind=UnitKind.PROPERTY, area=community, active=True).order_by("code").first()
    )
    survey = notices.do_create_survey(
        area=community,
        title=f"{today.year}年第{(today.month - 1) // 3 + 1}季度双向测评",
        intro="请为网格员、社区和物业的工作打分，几分钟就能答完。",
        starts_on=today - dt.timedelta(days=6),
        ends_on=today + dt.timedelta(days=8),
        questions=[
            notices.Ask("您对网格员的走访服务满意吗"),
            notices.Ask("您对社区办事的效率满意吗"),
            *([notices.Ask(f"您对{company.name}的服务满意吗", unit=company)] if company else []),
            notices.Ask("您还有什么意见建议", scored=False),
        ],
        actor=host,
    )
    notices.do_sample(survey, size=80, actor=host, seed=rng.randint(0, 10**6))
    resident = Resident.objects.filter(user__username="resident").first()
    if resident is not None:
        _, drawn = Invite.objects.get_or_create(
            survey=survey, resident=resident, defaults={"area_code": resident.household.area.code}
        )
        if drawn:  # the demo resident is asked too, so that their 公示测评 tab has a survey to answer
            Survey.objects.filter(pk=survey.pk).update(invited=F("invited") + 1)
    questions = list(survey.questions.order_by("position"))
    answered = 0
    # By phone, for residents without an account (those with one answer on their phone).
    for invite in Invite.objects.filter(survey=survey, resident__user=None).select_related("resident")[:50]:
        answers = {
            q.pk: (rng.choice([5, 5, 4, 4, 4, 3, 2]), "") if q.scored else (None, rng.choice(OPINIONS))
            for q in questions
        }
        notices.do_answer(survey, answers=answers, actor=host, resident=invite.resident)
        answered += 1
    return answered
