"""Reads of 公示 and 测评: the board a resident reads (their area's notices and those above it), an area's
notices for staff, a notice's objections with their outcome (the state of each objection's ticket), the
surveys a person is invited to, and a survey's results per question, per area and per unit, beside the
ticket KPIs of the same areas and period (stats.kpis, the one definition)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import SEGMENT_LENGTH, Area, Unit, codes_above, subtree_q
from wangge.areas.scoping import scope_of
from wangge.deliberation.selectors import open_to
from wangge.notices.actions import may_publish
from wangge.notices.models import Answer, Invite, Notice, Objection, Question, Survey
from wangge.stats.kpis import Selection, breakdown, ranking
from wangge.tickets.models import Status

# How long an ended notice stays on the board (as 已结束), so residents see what came of objections.
KEPT_DAYS = 30
SATISFIED_SCORE = 4  # 满意 and 非常满意
FEWEST_SHOWN = 5  # an area's or unit's score from fewer answers than this is not shown (it names people)


def get_notice_for(user: User, notice_id: int) -> Notice:
    """A notice on a board the user reads; one withdrawn, not begun or long ended only for those who
    publish there. Else 404."""
    found = Notice.objects.filter(pk=notice_id).select_related("area", "unit").first()
    if found is None or not open_to(user, found.area_code):
        raise Http404
    since = timezone.localdate() - dt.timedelta(days=KEPT_DAYS)
    shown = found.withdrawn_at is None and found.starts_on <= timezone.localdate() and found.ends_on >= since
    if not shown and not may_publish(user, found.area_code):
        raise Http404
    return found


def get_survey_for(user: User, survey_id: int) -> Survey:
    found = Survey.objects.filter(pk=survey_id).select_related("area").first()
    if found is None or not (
        scope_of(user).sees_area(found.area_code)
        or Invite.objects.filter(survey=found, resident__user=user).exists()
    ):
        raise Http404
    return found


def board(code: str) -> QuerySet[Notice]:
    """公示栏 of a place: the notices of its area and those above it, in their period or ended lately,
    the current first."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=KEPT_DAYS)
    codes = [*codes_above(code), code]
    return (
        Notice.objects.filter(
            area_code__in=codes, withdrawn_at=None, starts_on__lte=today, ends_on__gte=since
        )
        .select_related("area", "unit")
        .order_by("-ends_on", "-id")
    )


def notices_in(code: str) -> QuerySet[Notice]:
    """An area's notices and those of the areas under it and above it, for staff."""
    return (
        Notice.objects.filter(subtree_q(code) | Q(area_code__in=codes_above(code)))
        .select_related("area", "unit")
        .order_by("-starts_on", "-id")
    )


@dataclass(frozen=True)
class Outcome:
    objection: Objection
    state: str  # 核实中 / 已办结: the state of its ticket (the reply goes to the objector, not the board)


def outcomes(notice: Notice) -> list[Outcome]:
    """Each objection and where it stands. The office's reply is the objector's (on their 诉求 page): it
    may speak of the person listed or of the objector, so the board shows the state only."""
    rows = Objection.objects.filter(notice=notice).select_related("ticket", "entry").order_by("at", "id")
    done = (Status.RESOLVED, Status.CLOSED)
    return [Outcome(o, "已办结" if o.ticket.status in done else "核实中") for o in rows]


def my_invites(user: User) -> QuerySet[Invite]:
    today = timezone.localdate()
    return (
        Invite.objects.filter(resident__user=user, survey__starts_on__lte=today, survey__ends_on__gte=today)
        .select_related("survey")
        .order_by("answered_at", "-survey__starts_on")
    )


def surveys_in(code: str) -> QuerySet[Survey]:
    return Survey.objects.filter(subtree_q(code) | Q(area_code__in=codes_above(code))).order_by(
        "-starts_on", "-id"
    )


@dataclass(frozen=True)
class Score:
    answered: int
    average: float | None
    satisfied: float | None  # 满意率: the share of scores of 4 or 5


def _score(answered: int, total: int | None, satisfied: int, *, people: int | None = None) -> Score:
    """The score of `answered` scores; left out (None) when they come from fewer than FEWEST_SHOWN people."""
    if people is not None and people < FEWEST_SHOWN:
        return Score(answered=answered, average=None, satisfied=None)
    return Score(
        answered=answered,
        average=total / answered if answered and total is not None else None,
        satisfied=satisfied / answered if answered else None,
    )


@dataclass(frozen=True)
class AreaRow:
    area: Area
    invited: int
    answered: int
    score: Score
    ticket_satisfaction: float | None  # the 诉求 KPI 满意率 of the same area and period
    closure_rate: float | None


@dataclass(frozen=True)
class Results:
    questions: list[tuple[Question, Score, list[tuple[str, int]]]]  # question, score, (opinion, times)
    areas: list[AreaRow]
    units: list[tuple[Unit, Score, float | None]]  # unit, its questions' score, its 诉求 satisfaction
    overall: Score
    by_phone: int  # answers entered by staff from a call


def results(survey: Survey) -> Results:
    """The survey's results: per question; per child area (invited, answered, score, beside the area's
    ticket KPIs over the survey's period); per unit asked about (beside the unit's ticket satisfaction)."""
    scored = Answer.objects.filter(invite__survey=survey, question__scored=True, score__isnull=False)
    satisfied = Count("pk", filter=Q(score__gte=SATISFIED_SCORE))
    per_question = {
        r["question_id"]: _score(r["n"], r["total"], r["ok"])
        for r in scored.values("question_id")
        .order_by("question_id")
        .annotate(n=Count("pk"), total=Avg("score") * Count("pk"), ok=satisfied)
    }
    texts: dict[int, list[tuple[str, int]]] = defaultdict(list)  # the opinions, the most often said first
    said = (
        Answer.objects.filter(invite__survey=survey)
        .exclude(text="")
        .values("question_id", "text")
        .order_by("question_id")
        .annotate(n=Count("pk"))
        .order_by("question_id", "-n", "text")
    )
    for row in said[:500]:
        texts[row["question_id"]].append((row["text"], row["n"]))
    questions = [
        (q, per_question.get(q.pk, _score(0, None, 0)), texts.get(q.pk, []))
        for q in survey.questions.select_related("unit").order_by("position")
    ]
    overall_row = scored.aggregate(n=Count("pk"), total=Avg("score") * Count("pk"), ok=satisfied)
    overall = _score(overall_row["n"], overall_row["total"], overall_row["ok"])

    length = len(survey.area_code) + SEGMENT_LENGTH
    children = {a.code: a for a in Area.objects.filter(parent=survey.area).order_by("code")}
    invited: dict[str, int] = defaultdict(int)
    answered: dict[str, int] = defaultdict(int)
    for code, done in Invite.objects.filter(survey=survey).values_list("area_code", "answered_at"):
        invited[code[:length]] += 1
        answered[code[:length]] += done is not None
    by_area: dict[str, dict] = defaultdict(lambda: {"n": 0, "total": 0, "ok": 0})
    for code, score in scored.values_list("invite__area_code", "score"):
        assert score is not None  # scored answers only
        row = by_area[code[:length]]
        row["n"] += 1
        row["total"] += score
        row["ok"] += score >= SATISFIED_SCORE
    period = Selection.days(area=survey.area_code, first=survey.starts_on, last=survey.ends_on)
    kpis = ranking(period, code_length=length)
    areas = [
        AreaRow(
            area=a,
            invited=invited[code],
            answered=answered[code],
            score=_score(
                by_area[code]["n"], by_area[code]["total"], by_area[code]["ok"], people=answered[code]
            ),
            ticket_satisfaction=kpis[code].satisfaction_rate if code in kpis else None,
            closure_rate=kpis[code].closure_rate if code in kpis else None,
        )
        for code, a in children.items()
    ]
    unit_scores: dict[int, Score] = {
        r["question__unit"]: _score(r["n"], r["total"], r["ok"], people=r["people"])
        for r in scored.filter(question__unit__isnull=False)
        .values("question__unit")
        .order_by("question__unit")
        .annotate(
            n=Count("pk"),
            total=Avg("score") * Count("pk"),
            ok=satisfied,
            people=Count("invite", distinct=True),
        )
    }
    unit_kpis = breakdown(period, "unit") if unit_scores else {}
    units = [
        (u, unit_scores[u.pk], unit_kpis[str(u.pk)].satisfaction_rate if str(u.pk) in unit_kpis else None)
        for u in Unit.objects.filter(pk__in=unit_scores).order_by("code")
    ]
    by_phone = Invite.objects.filter(survey=survey, channel="phone").count()
    return Results(questions=questions, areas=areas, units=units, overall=overall, by_phone=by_phone)
