"""The 公示 and 测评 API (F15): the notice board of an area (the notices of the place and above it), a
notice with its list (names masked on a 救助名单) and its objections with their outcome; publishing and
withdrawing; an objection (a ticket of channel 公示异议 on the publishing office's queue); surveys, their
sample, answers (the resident's own, or entered by staff from a call) and results beside the KPIs."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import StrictBool

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.areas.models import Unit
from wangge.lib.errors import InputError, NotAllowed
from wangge.notices import actions, selectors
from wangge.notices.models import Invite, Notice, NoticeKind, Survey
from wangge.people.models import Resident

router = Router(tags=["notices"])
SHOWN = 200


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def notice_row(n: Notice) -> dict:
    return {
        "id": n.pk,
        "area": n.area_code,
        "kind": n.kind,
        "kind_name": n.get_kind_display(),
        "title": n.title,
        "body": n.body,
        "unit": n.unit.code,
        "unit_name": n.unit.name,
        "starts_on": n.starts_on,
        "ends_on": n.ends_on,
        "in_period": n.in_period(),
        "withdrawn": n.withdrawn_at is not None,
        "objections": n.objections,
    }


@router.get("/notices/areas/{code}", response={200: list[dict]})
def board(request: HttpRequest, code: str) -> list[dict]:
    """公示栏 of a place: its notices and those of the areas above it, in their period or ended in the last
    30 days."""
    area = scoping.get_area_for(_user(request), code)
    return [notice_row(n) for n in selectors.board(area.code)[:SHOWN]]


@router.get("/notices/{notice_id}", response={200: dict})
def notice(request: HttpRequest, notice_id: int) -> dict:
    found = selectors.get_notice_for(_user(request), notice_id)
    return notice_row(found) | {
        "entries": [
            {"id": e.pk, "position": e.position, "name": found.shown_name(e.name), "detail": e.detail}
            for e in found.entries.all()[:2000]
        ],
        "outcomes": [
            {
                "entry": o.objection.entry.position if o.objection.entry else None,
                "at": o.objection.at,
                "state": o.state,
            }
            for o in selectors.outcomes(found)
        ],
    }


class LineIn(Schema):
    name: str = Field(..., max_length=50)
    detail: str = Field("", max_length=200)


class NoticeIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    kind: NoticeKind
    title: str = Field(..., max_length=80)
    body: str = Field("", max_length=3000)
    unit: str = Field(..., min_length=1, max_length=40, description="发布单位编码：异议由它核实")
    starts_on: dt.date
    ends_on: dt.date
    lines: list[LineIn] = Field(default_factory=list, max_length=actions.MAX_ENTRIES)
    people: StrictBool = Field(
        True, description="名单为个人（姓名遮挡）；false＝单位或项目（救助名单总是遮挡）"
    )


@router.post("/notices", response={201: dict, 409: dict, 422: dict})
def publish(request: HttpRequest, payload: NoticeIn) -> Status:
    """公示 a notice; lines with an ID or mobile number are refused, naming the line."""
    user = _user(request)
    unit = Unit.objects.filter(code=payload.unit).select_related("area").first()
    if unit is None:
        raise InputError("unit", f"没有编码为 {payload.unit} 的单位")
    made = actions.do_publish(
        area=scoping.get_area_for(user, payload.area),
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        unit=unit,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        lines=[actions.Line(x.name, x.detail) for x in payload.lines],
        people=payload.people,
        actor=user,
    )
    return Status(201, notice_row(made))


@router.post("/notices/{notice_id}/withdrawal", response={200: dict, 409: dict})
def withdraw(request: HttpRequest, notice_id: int) -> dict:
    user = _user(request)
    return notice_row(actions.do_withdraw_notice(selectors.get_notice_for(user, notice_id), actor=user))


class ObjectionIn(Schema):
    text: str = Field(..., max_length=1000)
    entry: int | None = Field(None, ge=1, le=2**53, description="对名单中的哪一行（行的 id）；空＝对整个公示")


@router.post("/notices/{notice_id}/objections", response={201: dict, 409: dict, 422: dict})
def object_to(request: HttpRequest, notice_id: int, payload: ObjectionIn) -> Status:
    """异议 in the period, by a resident of the area: it becomes a ticket on the publishing office's queue."""
    user = _user(request)
    found = selectors.get_notice_for(user, notice_id)
    entry = None
    if payload.entry is not None:
        entry = found.entries.filter(pk=payload.entry).first()
        if entry is None:
            raise InputError("entry", "该行不在这条公示里")
    made = actions.do_object(found, text=payload.text, entry=entry, actor=user)
    return Status(201, {"notice": found.pk, "ticket": made.ticket.number, "ticket_id": made.ticket_id})


# --- surveys -------------------------------------------------------------------------------------------


def survey_row(s: Survey) -> dict:
    return {
        "id": s.pk,
        "area": s.area_code,
        "title": s.title,
        "intro": s.intro,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
        "invited": s.invited,
        "answered": s.answered,
        "questions": [
            {
                "id": q.pk,
                "position": q.position,
                "text": q.text,
                "scored": q.scored,
                "unit": q.unit.code if q.unit else None,
            }
            for q in s.questions.select_related("unit").order_by("position")
        ],
    }


def _score(sc: selectors.Score) -> dict:
    return {"answered": sc.answered, "average": sc.average, "satisfied": sc.satisfied}


@router.get("/surveys/{survey_id}", response={200: dict})
def survey(request: HttpRequest, survey_id: int) -> dict:
    """A survey; with its results per question, area and unit (beside the ticket KPIs) for the staff who
    run it (an area's or unit's score from fewer than 5 answers is left out)."""
    user = _user(request)
    found = selectors.get_survey_for(user, survey_id)
    row = survey_row(found)
    if actions.may_publish(user, found.area_code):
        r = selectors.results(found)
        row["results"] = {
            "overall": _score(r.overall),
            "by_phone": r.by_phone,
            "questions": [
                {"question": q.pk, **_score(sc), "texts": [{"text": t, "times": n} for t, n in texts[:50]]}
                for q, sc, texts in r.questions
            ],
            "areas": [
                {
                    "area": a.area.code,
                    "name": a.area.name,
                    "invited": a.invited,
                    **_score(a.score),
                    "ticket_satisfaction": a.ticket_satisfaction,
                    "closure_rate": a.closure_rate,
                }
                for a in r.areas
            ],
            "units": [
                {"unit": u.code, "name": u.name, **_score(sc), "ticket_satisfaction": kpi}
                for u, sc, kpi in r.units
            ],
        }
    return row


class QuestionIn(Schema):
    text: str = Field(..., max_length=120)
    scored: StrictBool = True
    unit: str | None = Field(None, max_length=40, description="测评单位编码；空＝区域整体")


class SurveyIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    title: str = Field(..., max_length=60)
    intro: str = Field("", max_length=1000)
    starts_on: dt.date
    ends_on: dt.date
    questions: list[QuestionIn] = Field(..., max_length=actions.MAX_QUESTIONS)


@router.post("/surveys", response={201: dict, 409: dict, 422: dict})
def create_survey(request: HttpRequest, payload: SurveyIn) -> Status:
    user = _user(request)
    asks = []
    for i, q in enumerate(payload.questions, start=1):
        unit = None
        if q.unit:
            unit = Unit.objects.filter(code=q.unit).select_related("area").first()
            if unit is None:
                raise InputError("questions", f"第{i}题：没有编码为 {q.unit} 的单位")
        asks.append(actions.Ask(q.text, scored=q.scored, unit=unit))
    made = actions.do_create_survey(
        area=scoping.get_area_for(user, payload.area),
        title=payload.title,
        intro=payload.intro,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        questions=asks,
        actor=user,
    )
    return Status(201, survey_row(made))


class SampleIn(Schema):
    size: int = Field(..., ge=1, le=actions.MAX_SAMPLE)


@router.post("/surveys/{survey_id}/sample", response={200: dict, 409: dict, 422: dict})
def sample(request: HttpRequest, survey_id: int, payload: SampleIn) -> dict:
    """抽样: draw more adult residents of the area into the sample."""
    user = _user(request)
    found = selectors.get_survey_for(user, survey_id)
    added = actions.do_sample(found, size=payload.size, actor=user)
    found.refresh_from_db()
    return {"added": added, "invited": found.invited}


class AnswerIn(Schema):
    question: int = Field(..., ge=1, le=2**53)
    score: int | None = Field(None, ge=1, le=5)
    text: str = Field("", max_length=300)


class AnswersIn(Schema):
    answers: list[AnswerIn] = Field(..., max_length=actions.MAX_QUESTIONS)
    resident: int | None = Field(
        None, ge=1, le=2**53, description="电话测评：代为录入的居民编号；空＝本人作答"
    )


@router.post("/surveys/{survey_id}/answers", response={201: dict, 409: dict, 422: dict})
def answer(request: HttpRequest, survey_id: int, payload: AnswersIn) -> Status:
    """答卷, once per person: the invited resident's own, or entered by staff from a phone call."""
    user = _user(request)
    found = selectors.get_survey_for(user, survey_id)
    resident = None
    if payload.resident is not None:
        if not actions.may_publish(user, found.area_code):
            raise NotAllowed("电话测评由社区、街道工作人员录入")
        resident = Resident.objects.filter(pk=payload.resident).first()
        if resident is None or not Invite.objects.filter(survey=found, resident=resident).exists():
            raise NotAllowed("不在本次测评的抽样名单中")
    made = actions.do_answer(
        found, answers={a.question: (a.score, a.text) for a in payload.answers}, actor=user, resident=resident
    )
    return Status(201, {"survey": found.pk, "answered_at": made.answered_at, "channel": made.channel})
