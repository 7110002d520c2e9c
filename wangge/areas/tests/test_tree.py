import pytest

from wangge.areas.actions import AreaError, do_create_area, do_set_boundary
from wangge.areas.lookup import locate
from wangge.areas.models import Area, GridKind, Level
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, square


def test_codes_are_hierarchical_and_a_subtree_is_a_prefix(db) -> None:  # type: ignore[no-untyped-def]
    community = Area.objects.get(code=DEMO_COMMUNITY)
    subtree = set(community.subtree().values_list("code", flat=True))
    assert all(code.startswith(DEMO_COMMUNITY) for code in subtree)
    grid = Area.objects.get(code=DEMO_GRID)
    assert grid in community.subtree()
    assert [a.code for a in grid.ancestors()] == ["210104", "210104001", DEMO_COMMUNITY]
    assert grid.grid_tier == 1
    nested = grid.children.get(level=Level.GRID)
    assert nested.grid_tier == 2 and nested.grid_kind == GridKind.SCHOOL


def test_create_area_checks_levels_and_assigns_the_next_code(db) -> None:  # type: ignore[no-untyped-def]
    community = Area.objects.get(code=DEMO_COMMUNITY)
    grid = do_create_area(name="新建网格", level=Level.GRID, parent=community, boundary=square(0, 0, 0.001))
    assert grid.code.startswith(DEMO_COMMUNITY) and len(grid.code) == len(DEMO_COMMUNITY) + 3
    assert grid.grid_kind == GridKind.REGULAR and grid.lat is not None
    with pytest.raises(AreaError, match="层级"):
        do_create_area(name="错层", level=Level.STREET, parent=community)
    with pytest.raises(AreaError, match="名称"):
        do_create_area(name="  ", level=Level.GRID, parent=community)
    with pytest.raises(AreaError, match="编码"):
        do_create_area(name="某区", level=Level.DISTRICT, parent=None, code="12")
    with pytest.raises(AreaError, match="网格类型"):
        do_create_area(name="楼", level=Level.BUILDING, parent=grid, grid_kind=GridKind.SCHOOL)


def test_locate_returns_grid_and_ancestors_and_none_outside(db) -> None:  # type: ignore[no-untyped-def]
    grid = Area.objects.get(code="210104002001003")
    found = locate(grid.lat, grid.lng)  # type: ignore[arg-type]
    assert found is not None
    assert found.grid.code == grid.code
    assert [a.level for a in found.ancestors] == [Level.DISTRICT, Level.STREET, Level.COMMUNITY]
    assert locate(0.0, 0.0) is None


def test_lookup_rebuilds_when_a_polygon_changes(db) -> None:  # type: ignore[no-untyped-def]
    far_away = (30.0, 120.0)
    assert locate(*far_away) is None
    grid = Area.objects.get(code="210104003002002")
    do_set_boundary(grid, square(119.99, 29.99, 0.02))
    found = locate(*far_away)
    assert found is not None and found.grid.code == grid.code
    do_set_boundary(grid, None)
    assert locate(*far_away) is None
