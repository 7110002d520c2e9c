import random

import pytest
from shapely.geometry import box, shape

from wangge.conftest import square
from wangge.lib.geo import GeometryError, GridIndex, jittered_lattice, polygon_from_geojson


def test_locate_picks_the_containing_grid_and_says_none_outside() -> None:
    index = GridIndex.build([("210104001001001", square(0, 0, 1)), ("210104001001002", square(1, 0, 1))])
    assert index.locate(0.5, 0.5) == "210104001001001"
    assert index.locate(1.5, 0.2) == "210104001001002"
    assert index.locate(5, 5) is None


def test_nested_exclusive_grid_wins_over_its_parent() -> None:
    index = GridIndex.build(
        [("210104001001001", square(0, 0, 1)), ("210104001001001001", square(0.4, 0.4, 0.2))]
    )
    assert index.containing(0.5, 0.5) == ["210104001001001001", "210104001001001"]
    assert index.locate(0.1, 0.1) == "210104001001001"


@pytest.mark.parametrize(
    "bad",
    [
        {"type": "Point", "coordinates": [1, 2]},
        {"type": "Polygon", "coordinates": "nonsense"},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},  # bow-tie
        "not a dict",
    ],
)
def test_bad_polygons_are_rejected_with_a_reason(bad: object) -> None:
    with pytest.raises(GeometryError, match="边界"):
        polygon_from_geojson(bad)  # type: ignore[arg-type]


def test_jittered_lattice_tiles_the_box_without_overlap() -> None:
    bbox = (123.0, 41.0, 123.1, 41.06)
    cells = [
        c
        for row in jittered_lattice(cols=5, rows=4, bbox=bbox, jitter=0.3, rng=random.Random(3))
        for c in row
    ]
    polygons = [shape(c) for c in cells]
    assert all(p.is_valid for p in polygons)
    assert sum(p.area for p in polygons) == pytest.approx(box(*bbox).area, rel=1e-9)
    for i, a in enumerate(polygons):
        for b in polygons[i + 1 :]:
            assert a.intersection(b).area == pytest.approx(0, abs=1e-12)
