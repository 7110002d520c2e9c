"""以下评上: community staff rate the units that served their community, beside returns and missed
summonses."""

import pytest

from wangge.areas.models import Area, Unit
from wangge.conftest import DEMO_COMMUNITY, DEMO_STREET
from wangge.stats.actions import current_period, do_assess_unit
from wangge.stats.units import unit_table
from wangge.tickets import actions as a
from wangge.tickets.models import UnitAssessment


def rate(unit: Unit | None, score: int | None, comment: str = "", *, by, area: str = DEMO_COMMUNITY):  # type: ignore[no-untyped-def]
    return do_assess_unit(
        area=Area.objects.get(code=area),
        unit=unit,
        period=current_period(),
        score=score,
        comment=comment,
        actor=by,
    )


def test_a_community_rates_a_unit_and_rating_again_replaces_it(unit_that_served, actor) -> None:  # type: ignore[no-untyped-def]
    served, community = unit_that_served, actor("community")
    with pytest.raises(a.TicketInputError) as low:
        rate(served, 2, by=community)
    assert low.value.field == "comment"  # a low score says why
    rate(served, 2, "退单推诿", by=community)
    again = rate(served, 3, "后来处理及时", by=community)
    assert UnitAssessment.objects.filter(unit=served).count() == 1 and again.score == 3
    row = next(r for r in unit_table(Area.objects.get(code=DEMO_COMMUNITY)) if r.unit == served)
    assert (row.score, row.ratings, row.returned) == (3.0, 1, 1)


def test_only_units_that_served_and_only_the_communitys_staff(unit_that_served, actor) -> None:  # type: ignore[no-untyped-def]
    served, community = unit_that_served, actor("community")
    stranger = Unit.objects.exclude(assignments__isnull=False).exclude(summons_calls__isnull=False).first()
    with pytest.raises(a.TicketInputError) as wrong_unit:
        rate(stranger, 5, by=community)
    assert wrong_unit.value.field == "unit"
    for bad, field in ((0, "score"), (6, "score"), (None, "score")):
        with pytest.raises(a.TicketInputError) as exc:
            rate(served, bad, by=community)
        assert exc.value.field == field
    with pytest.raises(a.WorkflowError):
        rate(served, 5, by=actor("gridworker"))  # a grid worker does not rate units
    with pytest.raises(a.WorkflowError):
        rate(served, 5, by=actor("street"), area=DEMO_STREET)  # the street is not a community
    assert not UnitAssessment.objects.exists()
