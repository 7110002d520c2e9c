"""Each demo login sees its own subtree only."""

import pytest
from django.http import Http404

from wangge.areas import scoping
from wangge.areas.models import Area, Level
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, LOGINS, OTHER_STREET
from wangge.people.models import Household, Resident

EXPECTED_AREA_ROOT = {
    "district": "210104",
    "street": DEMO_STREET,
    "community": DEMO_COMMUNITY,
    "gridhead": DEMO_GRID,
    "gridworker": DEMO_GRID,
    "unit": DEMO_COMMUNITY,  # the property company serves the demo community
    "party": DEMO_COMMUNITY,
    "volunteer": DEMO_COMMUNITY,
}


@pytest.mark.parametrize("username", LOGINS)
def test_area_scope_is_the_subtree_of_the_membership(actor, username: str) -> None:  # type: ignore[no-untyped-def]
    user = actor(username)
    codes = list(scoping.areas_for(user).values_list("code", flat=True))
    root = EXPECTED_AREA_ROOT.get(username)
    if root is None:  # a resident has no area pages
        assert codes == []
        return
    assert codes and all(c.startswith(root) for c in codes)
    assert set(codes) == set(Area.objects.filter(code__startswith=root).values_list("code", flat=True))
    if username != "district":
        with pytest.raises(Http404):
            scoping.get_area_for(user, OTHER_STREET)


@pytest.mark.parametrize("username", ["street", "community", "gridhead", "gridworker"])
def test_registry_scope_is_the_subtree(actor, username: str) -> None:  # type: ignore[no-untyped-def]
    user = actor(username)
    root = EXPECTED_AREA_ROOT[username]
    visible = scoping.residents_for(user)
    assert visible.count() == Resident.objects.filter(household__area__code__startswith=root).count() > 0
    assert not visible.exclude(household__area__code__startswith=root).exists()


def test_party_member_sees_only_assigned_households(actor) -> None:  # type: ignore[no-untyped-def]
    user = actor("party")
    households = list(scoping.households_for(user))
    assert 5 <= len(households) <= 8
    assert all(h.party_contacts.filter(membership__user=user).exists() for h in households)
    other = (
        Household.objects.filter(area__code__startswith=DEMO_GRID)
        .exclude(party_contacts__membership__user=user)
        .first()
    )
    assert other is not None
    with pytest.raises(Http404):
        scoping.get_household_for(user, other.pk)


@pytest.mark.parametrize("username", ["unit", "volunteer"])
def test_unit_staff_and_volunteers_see_no_registry(actor, username: str) -> None:  # type: ignore[no-untyped-def]
    user = actor(username)
    assert not scoping.residents_for(user).exists()
    resident = Resident.objects.filter(household__area__code__startswith=DEMO_GRID).first()
    with pytest.raises(Http404):
        scoping.get_resident_for(user, resident.pk)  # type: ignore[union-attr]


def test_resident_sees_only_their_household(actor) -> None:  # type: ignore[no-untyped-def]
    user = actor("resident")
    own = Resident.objects.get(user=user).household
    assert list(scoping.households_for(user)) == [own]
    assert set(scoping.residents_for(user)) == set(own.residents.all())


def test_unmasking_is_limited_to_roles_and_subtree(actor) -> None:  # type: ignore[no-untyped-def]
    in_grid = Resident.objects.filter(household__area__code__startswith=DEMO_GRID).first()
    assert in_grid is not None
    assert scoping.may_unmask(actor("gridworker"), in_grid)
    assert scoping.may_unmask(actor("community"), in_grid)
    for username in ("street", "district", "party"):
        assert not scoping.may_unmask(actor(username), in_grid)
    elsewhere = Resident.objects.filter(household__area__code__startswith=OTHER_STREET).first()
    assert not scoping.may_unmask(actor("community"), elsewhere)  # type: ignore[arg-type]


def test_rules_permissions_agree_with_scoping(actor) -> None:  # type: ignore[no-untyped-def]
    user = actor("gridworker")
    grid = Area.objects.get(code=DEMO_GRID)
    other = Area.objects.filter(code__startswith=OTHER_STREET, level=Level.GRID).first()
    assert user.has_perm("areas.view_area", grid)
    assert not user.has_perm("areas.view_area", other)
    resident = Resident.objects.filter(household__area__code__startswith=DEMO_GRID).first()
    assert user.has_perm("people.view_resident", resident)
    assert user.has_perm("people.unmask_resident", resident)
    assert not actor("street").has_perm("people.unmask_resident", resident)
