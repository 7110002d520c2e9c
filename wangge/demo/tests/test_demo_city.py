import pytest
from shapely.geometry import shape

from wangge.areas.models import Area, GridKind, Level, Membership, Role, Unit, UnitKind
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, LOGINS, TEST_HOUSEHOLDS
from wangge.demo.city import SEED_COUNTS, SEED_HOUSEHOLDS, build_demo_city
from wangge.people.models import Household, PartyMemberHousehold, RegistryChange, Resident


def test_shape_of_the_district(db) -> None:  # type: ignore[no-untyped-def]
    assert Area.objects.filter(level=Level.DISTRICT).count() == 1
    assert Area.objects.filter(level=Level.STREET).count() == 3
    assert Area.objects.filter(level=Level.COMMUNITY).count() == 10
    regular = Area.objects.filter(level=Level.GRID, grid_kind=GridKind.REGULAR)
    assert regular.count() == 60
    assert Area.objects.filter(level=Level.GRID).exclude(grid_kind=GridKind.REGULAR).count() == 2
    assert Household.objects.count() == TEST_HOUSEHOLDS
    assert Household.objects.exclude(area__level=Level.UNIT).count() == 0
    assert RegistryChange.objects.filter(kind="resident").count() == Resident.objects.count()


def test_grid_polygons_tile_the_district_without_overlap(db) -> None:  # type: ignore[no-untyped-def]
    district = shape(Area.objects.get(level=Level.DISTRICT).boundary)
    grids = [shape(g.boundary) for g in Area.objects.filter(level=Level.GRID, grid_kind=GridKind.REGULAR)]
    assert sum(g.area for g in grids) == pytest.approx(district.area, rel=1e-6)
    for i, a in enumerate(grids):
        for b in grids[i + 1 :]:
            assert a.intersection(b).area < 1e-12


def test_demo_logins_share_street_community_and_grid(db) -> None:  # type: ignore[no-untyped-def]
    memberships = {
        m.user.username: m
        for m in Membership.objects.filter(user__username__in=LOGINS).select_related("user", "area", "unit")
    }
    assert memberships["street"].area.code == DEMO_STREET  # type: ignore[union-attr]
    assert memberships["community"].area.code == DEMO_COMMUNITY  # type: ignore[union-attr]
    assert memberships["gridhead"].role == Role.GRID_HEAD and memberships["gridhead"].area.code == DEMO_GRID  # type: ignore[union-attr]
    assert memberships["gridworker"].area.code == DEMO_GRID  # type: ignore[union-attr]
    unit = memberships["unit"].unit
    assert unit.kind == UnitKind.PROPERTY and unit.area.code == DEMO_COMMUNITY  # type: ignore[union-attr]
    party = PartyMemberHousehold.objects.filter(membership=memberships["party"])
    assert party.count() == 6
    assert all(p.household.area.code.startswith(DEMO_GRID) for p in party)
    assert Resident.objects.get(user__username="resident").household.area.code.startswith(DEMO_GRID)
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 7
    communities = Area.objects.filter(level="community")
    assert Unit.objects.filter(kind=UnitKind.PROPERTY).count() == communities.count()
    assert all(c.units.filter(kind=UnitKind.PROPERTY).count() == 1 for c in communities)
    assert (
        Membership.objects.filter(role=Role.GRID_HEAD).count()
        == Area.objects.filter(level=Level.GRID).count()
    )


def test_care_tags_follow_the_seed_scale(db) -> None:  # type: ignore[no-untyped-def]
    for code, count in SEED_COUNTS.items():
        expected = round(count * TEST_HOUSEHOLDS / SEED_HOUSEHOLDS)
        assert Resident.objects.filter(care_tags__code=code).count() == expected


def test_same_seed_same_city(db) -> None:  # type: ignore[no-untyped-def]
    def fingerprint() -> tuple:
        residents = list(
            Resident.objects.order_by("id").values_list(
                "name", "birth_date", "id_number_index", "care_level"
            )[:300]
        )
        areas = list(Area.objects.order_by("code").values_list("code", "name", "boundary"))
        return residents, areas, Household.objects.count()

    build_demo_city(households=300, seed=11, reset=True)
    first = fingerprint()
    build_demo_city(households=300, seed=11, reset=True)
    assert fingerprint() == first
    build_demo_city(households=300, seed=12, reset=True)
    assert fingerprint()[0] != first[0]


def test_refuses_to_overwrite_without_reset(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="reset"):
        build_demo_city(households=300, seed=1)
