"""Every ticket test also checks the KPI rollup: after the test's actions, the rows the actions kept
current must equal a fresh recount from the tickets."""

import pytest

from wangge.stats import rollup
from wangge.stats.models import DayRollup


def rollup_rows() -> dict[tuple, dict[str, int]]:
    """Each row's non-zero counters, by (day, area)."""
    rows: dict[tuple, dict[str, int]] = {}
    for row in DayRollup.objects.values():
        counters = {k: v for k, v in row.items() if k not in ("id", "day", "area_code") and v}
        if counters:
            rows[(row["day"], row["area_code"])] = counters  # type: ignore[assignment]
    return rows


@pytest.fixture(autouse=True)
def rollup_matches_a_recount(db):  # type: ignore[no-untyped-def]
    yield
    kept = rollup_rows()
    rollup.rebuild()
    assert kept == rollup_rows()
