"""Every ticket test also checks the KPI rollups: after the test's actions, the rows the actions kept
current (by day, by month, and the slices by channel, category and lead unit) must equal a fresh recount
from the tickets."""

import pytest

from wangge.stats import rollup
from wangge.stats.models import DayRollup, MonthRollup, MonthSliceRollup, SliceRollup

KEYS = ("id", "day", "month", "area_code", "dimension", "value")


def rollup_rows() -> dict[tuple, dict[str, int]]:
    """Each row's non-zero counters, by table and key."""
    rows: dict[tuple, dict[str, int]] = {}
    for model in (DayRollup, MonthRollup, SliceRollup, MonthSliceRollup):
        for row in model.objects.values():  # type: ignore[attr-defined]
            counters = {k: v for k, v in row.items() if k not in KEYS and v}
            if counters:
                key = (model.__name__, *(row[k] for k in KEYS[1:] if k in row))  # type: ignore[literal-required]
                rows[key] = counters  # type: ignore[assignment]
    return rows


@pytest.fixture(autouse=True)
def rollup_matches_a_recount(db):  # type: ignore[no-untyped-def]
    yield
    kept = rollup_rows()
    rollup.rebuild()
    assert kept == rollup_rows()
