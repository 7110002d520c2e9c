"""清洁户 (城口, issue 21): the grid's worker rates a household clean after an inspection, on the household's
page or by the API; the household earns the community's rule once a month, never for the rater's own
household, and nobody outside the grid's staff rates it."""

import pytest

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY
from wangge.lib.errors import NotAllowed
from wangge.points import actions as p
from wangge.points.models import Account, Rule, RuleKey, Transfer


@pytest.fixture
def rule(db) -> Rule:  # type: ignore[no-untyped-def]
    return Rule.objects.create(
        area=Area.objects.get(code=DEMO_COMMUNITY), key=RuleKey.CLEAN_HOUSEHOLD, name="清洁户评比", points=20
    )


def family_points(household_id: int) -> int:
    account = Account.objects.filter(household_id=household_id, currency="points").first()
    return account.balance if account else 0


def test_once_a_month_by_the_grids_staff(rule, actor, grid_resident) -> None:  # type: ignore[no-untyped-def]
    household = grid_resident.household
    with pytest.raises(NotAllowed):
        p.do_rate_clean_household(household=household, actor=actor("volunteer"))
    paid, already = p.do_rate_clean_household(household=household, actor=actor("gridworker"))
    assert paid is not None and paid.amount == 20 and not already
    again, already = p.do_rate_clean_household(household=household, actor=actor("community"))
    assert again == paid and already  # the month's payment, not a second one
    assert family_points(household.pk) == 20
    assert Transfer.objects.filter(target__household=household).count() == 1


def test_no_rule_no_points_and_not_ones_own_household(db, actor, grid_resident) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed, match="还没有清洁户积分规则"):
        p.do_rate_clean_household(household=grid_resident.household, actor=actor("gridworker"))
    Rule.objects.create(
        area=Area.objects.get(code=DEMO_COMMUNITY), key=RuleKey.CLEAN_HOUSEHOLD, name="清洁户评比", points=20
    )
    worker = actor("gridworker")
    grid_resident.user = worker
    grid_resident.save(update_fields=["user"])
    with pytest.raises(NotAllowed, match="自己家"):
        p.do_rate_clean_household(household=grid_resident.household, actor=worker)


def test_on_the_household_page_and_by_the_api(rule, client_for, grid_resident, outside_household) -> None:  # type: ignore[no-untyped-def]
    household = grid_resident.household
    worker = client_for("gridworker")
    page = worker.get(f"/field/households/{household.pk}/").content.decode()
    assert 'data-testid="rate-clean"' in page and "+20分" in page
    assert (
        'data-testid="clean"'
        not in client_for("party").get(f"/field/households/{household.pk}/").content.decode()
    )
    done = worker.post(f"/field/households/{household.pk}/clean/", follow=True).content.decode()
    assert "家庭积分+20" in done and "本月已评为清洁户" in done
    assert family_points(household.pk) == 20
    api = client_for("community").post(f"/api/v1/points/households/{household.pk}/clean")
    assert api.status_code == 200 and api.json()["paid"] == 20  # rated this month already
    assert family_points(household.pk) == 20
    assert worker.post(f"/api/v1/points/households/{outside_household.pk}/clean").status_code == 404
    assert worker.post(f"/field/households/{outside_household.pk}/clean/").status_code == 404
    refused = client_for("volunteer").post(f"/api/v1/points/households/{household.pk}/clean")
    assert refused.status_code == 404  # a volunteer does not see the registry
