"""双向测评: a survey with scored questions about the area and a unit, a sample drawn from the area's
adults, answers on the H5 and by phone, once per person (also when two arrive at once), and the results
per question, area and unit beside the ticket KPIs."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Unit, UnitKind
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, race
from wangge.lib.errors import InputError, NotAllowed
from wangge.notices import actions, selectors
from wangge.notices.models import Invite, Survey
from wangge.people.models import Resident


def survey(staff: User) -> Survey:
    today = timezone.localdate()
    unit = Unit.objects.get(
        kind=UnitKind.PROPERTY, area__code=DEMO_COMMUNITY, memberships__user__username="unit"
    )
    return actions.do_create_survey(
        area=Area.objects.get(code=DEMO_COMMUNITY),
        title="2026年第四季度双向测评",
        intro="请为社区和物业的工作打分",
        starts_on=today,
        ends_on=today + dt.timedelta(days=14),
        questions=[
            actions.Ask("您对网格员的走访服务满意吗"),
            actions.Ask("您对物业公司的服务满意吗", unit=unit),
            actions.Ask("您还有什么意见建议", scored=False),
        ],
        actor=staff,
    )


def answers(s: Survey, scores: list[int | None], text: str = "") -> dict[int, tuple[int | None, str]]:
    qs = list(s.questions.order_by("position"))
    return {q.pk: (score, text if not q.scored else "") for q, score in zip(qs, scores, strict=True)}


def test_sample_answer_and_results(actor):
    staff = actor("community")
    s = survey(staff)
    resident = actor("resident").resident
    assert actions.do_sample(s, size=120, actor=staff, seed=1) == 120
    Invite.objects.get_or_create(
        survey=s, resident=resident, defaults={"area_code": resident.household.area.code}
    )
    invited = list(
        Invite.objects.filter(survey=s, area_code__startswith=DEMO_GRID, resident__user=None).select_related(
            "resident"
        )[:2]
    )
    assert len(invited) == 2, "the sample should reach the demo grid; draw more"
    assert all(i.resident.age() >= 18 for i in invited)
    with pytest.raises(InputError) as missing:
        actions.do_answer(s, answers=answers(s, [5, None, None]), actor=actor("resident"))
    assert "第2题" in missing.value.message
    actions.do_answer(s, answers=answers(s, [5, 4, None], "路灯要修"), actor=actor("resident"))
    with pytest.raises(NotAllowed, match="已经答过"):
        actions.do_answer(s, answers=answers(s, [1, 1, None]), actor=actor("resident"))
    # by phone, entered by the community's staff, for a resident without an account
    with pytest.raises(NotAllowed, match="社区、街道工作人员"):  # not by the grid staff being rated
        actions.do_answer(
            s, answers=answers(s, [5, 5, None]), actor=actor("gridworker"), resident=invited[0].resident
        )
    with pytest.raises(NotAllowed, match="本人"):  # who has an account answers on their phone
        actions.do_answer(s, answers=answers(s, [5, 5, None]), actor=staff, resident=resident)
    actions.do_answer(s, answers=answers(s, [2, 3, None]), actor=staff, resident=invited[0].resident)
    with pytest.raises(NotAllowed):  # a resident does not enter others' answers
        actions.do_answer(
            s, answers=answers(s, [5, 5, None]), actor=actor("resident"), resident=invited[1].resident
        )
    stranger = (
        Resident.objects.exclude(pk__in=Invite.objects.filter(survey=s).values("resident_id"))
        .filter(household__area__code__startswith=DEMO_COMMUNITY)
        .first()
    )
    with pytest.raises(NotAllowed, match="抽样名单"):
        actions.do_answer(s, answers=answers(s, [5, 5, None]), actor=staff, resident=stranger)

    found = selectors.results(s)
    first, second, third = found.questions
    assert first[1].answered == 2 and first[1].average == 3.5 and first[1].satisfied == 0.5
    assert second[1].average == 3.5 and second[1].satisfied == 0.5
    assert third[2] == [("路灯要修", 1)]
    assert found.overall.answered == 4 and found.overall.satisfied == 0.5
    grid_row = next(r for r in found.areas if r.area.code == DEMO_GRID)
    assert grid_row.answered >= 1 and grid_row.invited >= grid_row.answered
    assert grid_row.answered < 5 and grid_row.score.satisfied is None  # too few people: it would name them
    assert found.by_phone == 1
    assert sum(r.invited for r in found.areas) == Invite.objects.filter(survey=s).count()
    assert [u.name for u, _, _ in found.units] == [s.questions.get(position=2).unit.name]
    s.refresh_from_db()
    assert s.answered == 2


@pytest.mark.django_db(transaction=True)
def test_one_answer_per_person_when_two_arrive_at_once(committed_city):
    staff = User.objects.get(username="community")
    s = survey(staff)
    resident = Resident.objects.get(user__username="resident")
    Invite.objects.create(survey=s, resident=resident, area_code=resident.household.area.code)

    def answer(i: int) -> str:  # the same answer sent twice at once (a double tap on a slow line)
        fresh = Survey.objects.get(pk=s.pk)
        actions.do_answer(
            fresh, answers=answers(fresh, [5, 4 + i, None]), actor=User.objects.get(username="resident")
        )
        return "answered"

    outcomes = race(2, answer)
    assert sorted(outcomes) == ["answered", "refused: 已经答过了"], outcomes
    s.refresh_from_db()
    assert s.answered == 1
    assert Invite.objects.get(survey=s, resident=resident).answers.count() == 3
