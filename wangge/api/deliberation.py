"""The 议事 API (F13): an area's meeting days, meetings and matters by step; a matter raised (by a
resident, grid staff, or from a ticket that 三事分流 marked 私事 or 大事) and moved through the six steps
(steps.py: 附议, 列入议程, 决定, 接办, 督办, 办结, 退回, 评价, 归档); minutes; motions and votes.

What residents of the area read is what the public pages show: who raised a matter by role only, speakers
by masked name, no phone or ID."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import AwareDatetime, StrictBool

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Area, subtree_q
from wangge.deliberation import actions, selectors
from wangge.deliberation.models import Choice, Meeting, MeetingDay, Motion, Per, Proposal, Rule
from wangge.deliberation.steps import EVENT_LABELS, Step
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.masking import mask_name
from wangge.people.models import Resident
from wangge.tickets.queries import get_ticket_for

router = Router(tags=["deliberation"])
SHOWN = 200


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def day_row(d: MeetingDay) -> dict:
    return {
        "id": d.pk,
        "area": d.area_code,
        "name": d.name,
        "rule": d.rule,
        "value": d.value,
        "rhythm": d.rhythm,
        "starts_at": d.starts_at,
        "place": d.place,
        "host": d.host.shown_name,
    }


def meeting_row(m: Meeting) -> dict:
    return {
        "id": m.pk,
        "area": m.area_code,
        "title": m.title,
        "date": m.date,
        "starts_at": m.starts_at,
        "place": m.place,
        "host": m.host.shown_name,
        "state": m.state,
        "state_name": m.get_state_display(),
        "minutes": m.minutes,
        "attendance": m.attendance,
        "speakers": [{"name": mask_name(s.get("name", "")), "role": s.get("role", "")} for s in m.speakers],
    }


def motion_row(m: Motion) -> dict:
    return {
        "id": m.pk,
        "meeting": m.meeting_id,
        "proposal": m.proposal_id,
        "text": m.text,
        "per": m.per,
        "opens_at": m.opens_at,
        "closes_at": m.closes_at,
        "quorum": m.quorum,
        "eligible": m.eligible,
        "counted_at": m.closed_at,
        "yes": m.yes,
        "no": m.no,
        "abstain": m.abstain,
        "passed": m.passed,
    }


def proposal_row(p: Proposal, viewer: User | None = None) -> dict:
    row = {
        "id": p.pk,
        "number": p.number,
        "area": p.area_code,
        "title": p.title,
        "text": p.text,
        "step": p.step,
        "step_name": p.get_step_display(),
        "raised_by": p.raiser_role,
        "seconds": p.seconds,
        "meeting": p.meeting_id,
        "discussion": p.discussion,
        "consensus": p.consensus,
        "decision": p.decision,
        "owner": p.owner.shown_name if p.owner else None,
        "due_on": p.due_on,
        "overdue": p.overdue,
        "ticket": p.made_ticket.number if p.made_ticket else None,
        "result": p.result,
        "ratings": p.ratings,
        "average": p.average,
        "created_at": p.created_at,
    }
    if viewer is not None:
        row["can"] = selectors.next_actions(viewer, p)
        row["timeline"] = [
            {
                "action": e.action,
                "label": EVENT_LABELS.get(e.action, e.action),
                "step": e.to,
                "by": e.actor_role,
                "note": e.note,
                "at": e.at,
            }
            for e in p.events.all()
        ]
    return row


# --- an area ------------------------------------------------------------------------------------------


@router.get("/deliberation/areas/{code}", response={200: dict})
def area_overview(request: HttpRequest, code: str) -> dict:
    """An area's 议事 at a glance: matters per step, decisions overdue, the meeting days and the meetings
    coming."""
    area = scoping.get_area_for(_user(request), code)
    return {
        "area": area.code,
        "steps": selectors.step_counts(area.code),
        "overdue": selectors.overdue_count(area.code),
        "days": [day_row(d) for d in selectors.days_for(area.code)[:SHOWN]],
        "upcoming": [meeting_row(m) for m in selectors.meetings_for(area.code, upcoming=True)[:SHOWN]],
    }


@router.get("/deliberation/areas/{code}/proposals", response={200: list[dict]})
def area_proposals(request: HttpRequest, code: str, step: Step | None = None) -> list[dict]:
    """The matters of an area (and under it) in one step, or all; 督事 order (the earliest deadline first)
    for decided ones."""
    area = scoping.get_area_for(_user(request), code)
    found = selectors.proposals_in(area.code, (step,) if step else None).select_related("made_ticket")
    ordered = found.order_by("due_on", "id") if step in (Step.DECIDED, Step.FOLLOWING) else found
    return [proposal_row(p) for p in ordered[:SHOWN]]


class DayIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=40)
    rule: Rule
    value: int = Field(..., ge=0, le=31, description="每周：0=周一…6=周日；逢几：尾数0–9；每月：1–28日")
    starts_at: dt.time
    place: str = Field(..., min_length=1, max_length=100)
    host: int | None = Field(None, ge=1, le=2**53, description="主持人的用户编号；空＝自己")


@router.post("/deliberation/meeting-days", response={201: dict, 409: dict, 422: dict})
def add_day(request: HttpRequest, payload: DayIn) -> Status:
    """说事日 of a grid, community or street; its meetings of the next five weeks are planned at once."""
    user = _user(request)
    area = scoping.get_area_for(user, payload.area)
    host = user
    if payload.host is not None:
        picked = next((u for u in selectors.hosts_for(area.code) if u.pk == payload.host), None)
        if picked is None:
            raise InputError("host", f"请选择{area.name}的网格长或社区、街道工作人员主持")
        host = picked
    day = actions.do_add_meeting_day(
        area=area,
        name=payload.name,
        rule=payload.rule,
        value=payload.value,
        starts_at=payload.starts_at,
        place=payload.place,
        host=host,
        actor=user,
    )
    return Status(201, day_row(day))


class MeetingIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., min_length=1, max_length=60)
    date: dt.date
    starts_at: dt.time
    place: str = Field(..., min_length=1, max_length=100)


@router.post("/deliberation/meetings", response={201: dict, 409: dict, 422: dict})
def add_meeting(request: HttpRequest, payload: MeetingIn) -> Status:
    """A meeting outside the rhythm (小板凳夜谈会, 一季度一主题的协商会)."""
    user = _user(request)
    meeting = actions.do_add_meeting(
        area=scoping.get_area_for(user, payload.area),
        title=payload.title,
        date=payload.date,
        starts_at=payload.starts_at,
        place=payload.place,
        actor=user,
    )
    return Status(201, meeting_row(meeting))


@router.get("/deliberation/meetings/{meeting_id}", response={200: dict})
def meeting(request: HttpRequest, meeting_id: int) -> dict:
    """A meeting: its agenda, minutes (speakers masked) and motions with their counts."""
    found = selectors.get_meeting_for(_user(request), meeting_id)
    return meeting_row(found) | {
        "agenda": [proposal_row(p) for p in found.proposals.select_related("owner", "made_ticket")],
        "motions": [motion_row(m) for m in found.motions.all()],
    }


class Speaker(Schema):
    name: str = Field(..., max_length=20)
    role: str = Field("", max_length=20)


class MinutesIn(Schema):
    minutes: str = Field(..., max_length=5000)
    attendance: int | None = Field(None, ge=1, le=100000)
    speakers: list[Speaker] = Field(default_factory=list, max_length=100)


@router.post("/deliberation/meetings/{meeting_id}/minutes", response={200: dict, 409: dict, 422: dict})
def minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> dict:
    user = _user(request)
    found = selectors.get_meeting_for(user, meeting_id)
    held = actions.do_record_minutes(
        found,
        minutes=payload.minutes,
        attendance=payload.attendance,
        speakers=[s.dict() for s in payload.speakers],
        actor=user,
    )
    return meeting_row(held)


class MotionIn(Schema):
    text: str = Field(..., min_length=1, max_length=200)
    per: Per = Per.HOUSEHOLD
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    quorum: int | None = Field(None, ge=1, le=10**7, description="有效票数下限；空＝过半")
    proposal: int | None = Field(None, ge=1, le=2**53)


@router.post("/deliberation/meetings/{meeting_id}/motions", response={201: dict, 409: dict, 422: dict})
def open_motion(request: HttpRequest, meeting_id: int, payload: MotionIn) -> Status:
    user = _user(request)
    found = selectors.get_meeting_for(user, meeting_id)
    proposal = selectors.get_proposal_for(user, payload.proposal) if payload.proposal else None
    motion = actions.do_open_motion(
        found,
        text=payload.text,
        per=payload.per,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        quorum=payload.quorum,
        proposal=proposal,
        actor=user,
    )
    return Status(201, motion_row(motion))


class VoteIn(Schema):
    choice: Choice
    resident: int | None = Field(
        None, ge=1, le=2**53, description="现场表决：主持人代为记录的居民编号；空＝本人在手机上投票"
    )


@router.post("/deliberation/motions/{motion_id}/votes", response={201: dict, 409: dict, 422: dict})
def vote(request: HttpRequest, motion_id: int, payload: VoteIn) -> Status:
    """One vote per household or per resident (whichever the motion counts by), in its window."""
    user = _user(request)
    motion = selectors.get_motion_for(user, motion_id)
    voter = None
    if payload.resident is not None:
        if not selectors.may_host(user, motion.meeting.area_code):
            raise NotAllowed("只有本区域的网格长和社区、街道工作人员可以记录现场表决")
        voter = Resident.objects.filter(
            subtree_q(motion.meeting.area_code, "household__area__code"), pk=payload.resident
        ).first()
        if voter is None:
            raise InputError("resident", "该居民不在本次表决的范围内")
    made = actions.do_vote(motion, choice=payload.choice, actor=user, voter=voter)
    return Status(201, {"motion": motion.pk, "choice": made.choice, "on_site": made.on_site, "at": made.at})


@router.post("/deliberation/motions/{motion_id}/count", response={200: dict, 409: dict})
def count(request: HttpRequest, motion_id: int) -> dict:
    """计票 now (the worker counts when the window closes)."""
    user = _user(request)
    motion = selectors.get_motion_for(user, motion_id)
    counted = actions.do_close_motion(motion, actor=user)
    assert counted is not None  # a person's count either wins or is refused
    return motion_row(counted)


# --- matters ------------------------------------------------------------------------------------------


class RaiseIn(Schema):
    title: str = Field(..., max_length=60)
    text: str = Field(..., max_length=2000)
    area: str | None = Field(None, max_length=40, description="空＝提出人住址所在网格")
    ticket: int | None = Field(None, ge=1, le=2**53, description="三事分流为私事或大事的诉求（id）")


@router.post("/deliberation/proposals", response={201: dict, 409: dict, 422: dict})
def raise_matter(request: HttpRequest, payload: RaiseIn) -> Status:
    user = _user(request)
    area: Area | None = scoping.get_area_for(user, payload.area) if payload.area else None
    ticket = get_ticket_for(user, payload.ticket) if payload.ticket else None
    proposal = actions.do_raise(area=area, title=payload.title, text=payload.text, ticket=ticket, actor=user)
    return Status(201, proposal_row(proposal, user))


@router.get("/deliberation/proposals/{proposal_id}", response={200: dict})
def proposal(request: HttpRequest, proposal_id: int) -> dict:
    """A matter with its timeline and what the caller may do next (`can`)."""
    user = _user(request)
    return proposal_row(selectors.get_proposal_for(user, proposal_id), user)


@router.post("/deliberation/proposals/{proposal_id}/second", response={200: dict, 409: dict})
def second(request: HttpRequest, proposal_id: int) -> dict:
    user = _user(request)
    return proposal_row(actions.do_second(selectors.get_proposal_for(user, proposal_id), actor=user), user)


class ScheduleIn(Schema):
    meeting: int = Field(..., ge=1, le=2**53)


@router.post("/deliberation/proposals/{proposal_id}/schedule", response={200: dict, 409: dict, 422: dict})
def schedule(request: HttpRequest, proposal_id: int, payload: ScheduleIn) -> dict:
    user = _user(request)
    found = selectors.get_proposal_for(user, proposal_id)
    target = selectors.get_meeting_for(user, payload.meeting)
    return proposal_row(actions.do_schedule(found, meeting=target, actor=user), user)


class NoteIn(Schema):
    note: str = Field(..., max_length=1000)


@router.post("/deliberation/proposals/{proposal_id}/drop", response={200: dict, 409: dict, 422: dict})
def drop(request: HttpRequest, proposal_id: int, payload: NoteIn) -> dict:
    """不予议事, with the reason the raiser reads."""
    user = _user(request)
    found = selectors.get_proposal_for(user, proposal_id)
    return proposal_row(actions.do_drop(found, reason=payload.note, actor=user), user)


class DecisionIn(Schema):
    discussion: str = Field(..., max_length=2000)
    consensus: StrictBool = Field(True, description="协商一致；false＝依据本事项已计票且通过的表决")
    decision: str = Field(..., max_length=1000)
    owner: int = Field(..., ge=1, le=2**53, description="负责人的用户编号")
    due_on: dt.date
    make_ticket: StrictBool = False


@router.post("/deliberation/proposals/{proposal_id}/decision", response={200: dict, 409: dict, 422: dict})
def decide(request: HttpRequest, proposal_id: int, payload: DecisionIn) -> dict:
    user = _user(request)
    found = selectors.get_proposal_for(user, proposal_id)
    if "decide" not in selectors.next_actions(user, found):
        raise NotAllowed(f"该事项现在是「{found.get_step_display()}」环节，或您不主持本区域的议事")
    owner = next((u for u in selectors.owners_for(found.area_code) if u.pk == payload.owner), None)
    if owner is None:
        raise InputError("owner", "请从本区域的网格员、党员和社区、街道工作人员中选择负责人")
    decision = actions.Decision(
        discussion=payload.discussion,
        consensus=payload.consensus,
        text=payload.decision,
        owner=owner,
        due_on=payload.due_on,
        make_ticket=payload.make_ticket,
    )
    return proposal_row(actions.do_decide(found, decision, actor=user), user)


@router.post("/deliberation/proposals/{proposal_id}/take", response={200: dict, 409: dict})
def take(request: HttpRequest, proposal_id: int) -> dict:
    user = _user(request)
    return proposal_row(actions.do_take(selectors.get_proposal_for(user, proposal_id), actor=user), user)


@router.post("/deliberation/proposals/{proposal_id}/urge", response={200: dict, 409: dict, 422: dict})
def urge(request: HttpRequest, proposal_id: int, payload: NoteIn) -> dict:
    user = _user(request)
    found = selectors.get_proposal_for(user, proposal_id)
    return proposal_row(actions.do_urge(found, note=payload.note, actor=user), user)


@router.post("/deliberation/proposals/{proposal_id}/completion", response={200: dict, 409: dict, 422: dict})
def complete(request: HttpRequest, proposal_id: int, payload: NoteIn) -> dict:
    user = _user(request)
    found = selectors.get_proposal_for(user, proposal_id)
    return proposal_row(actions.do_complete(found, result=payload.note, actor=user), user)


@router.post("/deliberation/proposals/{proposal_id}/redo", response={200: dict, 409: dict, 422: dict})
def redo(request: HttpRequest, proposal_id: int, payload: NoteIn) -> dict:
    user = _user(request)
    found = selectors.get_proposal_for(user, proposal_id)
    return proposal_row(actions.do_redo(found, note=payload.note, actor=user), user)


class RatingIn(Schema):
    score: int = Field(..., ge=1, le=5)
    note: str = Field("", max_length=200)


@router.post("/deliberation/proposals/{proposal_id}/rating", response={200: dict, 409: dict, 422: dict})
def rate(request: HttpRequest, proposal_id: int, payload: RatingIn) -> dict:
    user = _user(request)
    found = selectors.get_proposal_for(user, proposal_id)
    return proposal_row(actions.do_rate(found, score=payload.score, note=payload.note, actor=user), user)


@router.post("/deliberation/proposals/{proposal_id}/archive", response={200: dict, 409: dict})
def archive(request: HttpRequest, proposal_id: int) -> dict:
    user = _user(request)
    return proposal_row(actions.do_archive(selectors.get_proposal_for(user, proposal_id), actor=user), user)
