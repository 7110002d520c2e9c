"""未诉先办 (X3), the core: recurring and rising series found in generated history with planted patterns,
with their evidence counted right, and almost nothing found in noise."""

import datetime as dt

import numpy as np
import pytest
from scipy.stats import binom

from wangge.routing.hotspots import WINDOW, History, find_hotspots, monday, tail
from wangge.routing.tests.planted_history import (
    LATE_SEASON,
    ONE_OFF,
    RISING,
    SEASON,
    planted_history,
    reports,
    years_back,
)

TODAY = dt.date(2026, 11, 25)  # a Wednesday
NOISE = 400


@pytest.fixture(scope="module")
def rows() -> list:
    return planted_history(today=TODAY, noise=NOISE, seed=1)


@pytest.fixture(scope="module")
def found(rows: list) -> dict:
    return {h.key: h for h in find_hotspots(History.count(rows, today=TODAY))}


def test_the_binomial_tail_is_the_textbook_one() -> None:
    hits, total = np.array([0, 1, 5, 12, 30]), np.array([10, 10, 40, 20, 31])
    for share in (0.05, 0.3):
        expected = np.where(hits > 0, binom.sf(hits - 1, total, share), 1.0)
        assert np.allclose(tail(hits, total, share), expected)


def test_a_problem_that_comes_back_every_year_at_this_time_is_recurring(rows: list, found: dict) -> None:
    season = found[SEASON]
    assert season.kinds == ("recurring",)
    r = season.recurring
    assert (r.start, r.end) == (monday(TODAY), monday(TODAY) + dt.timedelta(weeks=WINDOW, days=-1))
    assert [y.start for y in r.years] == [years_back(TODAY, y) for y in (1, 2, 3)]
    for year in r.years:
        assert year.end == year.start + dt.timedelta(weeks=WINDOW, days=-1)
        assert year.reports == reports(rows, SEASON, year.start, year.end)
        assert year.reports >= 2 * year.usual  # the peak stands out of its own year
    assert r.expected == pytest.approx(sum(y.reports for y in r.years) / 3)
    assert 4 * (1 + 5) * 0.6 < r.expected < 4 * (1 + 5) * 1.4  # about four weeks at 1 + 5 a week


def test_a_problem_growing_these_weeks_is_rising(rows: list, found: dict) -> None:
    rising = found[RISING]
    assert rising.kinds == ("rising",)
    g = rising.rising
    assert (g.start, g.end) == (monday(TODAY) - dt.timedelta(weeks=WINDOW - 1), TODAY)
    assert g.reports == reports(rows, RISING, g.start, g.end)
    assert (g.baseline_start, g.baseline_end) == (
        g.start - dt.timedelta(weeks=12),
        g.start - dt.timedelta(days=1),
    )
    assert g.baseline_reports == reports(rows, RISING, g.baseline_start, g.baseline_end)
    assert g.usual == pytest.approx(g.baseline_reports / 12 * (3 + 3 / 7))  # Wednesday: three days so far
    assert list(rising.weeks[-4:]) == [
        reports(
            rows,
            RISING,
            monday(TODAY) - dt.timedelta(weeks=w),
            monday(TODAY) - dt.timedelta(weeks=w, days=-6),
        )
        for w in (3, 2, 1, 0)
    ]


def test_a_burst_in_one_year_only_is_not_a_season(found: dict) -> None:
    assert ONE_OFF not in found


def test_a_season_is_foretold_when_its_weeks_come_not_before(rows: list, found: dict) -> None:
    assert LATE_SEASON not in found
    later = TODAY + dt.timedelta(weeks=WINDOW + 2)
    # Six weeks on (what has happened by then: the same rows, none of them after `later`)
    then = {h.key: h for h in find_hotspots(History.count(rows, today=later))}
    assert LATE_SEASON in then and then[LATE_SEASON].recurring is not None
    assert SEASON not in then or then[SEASON].recurring is None


def test_noise_is_almost_never_a_hotspot(found: dict) -> None:
    noise = [k for k in found if str(k).startswith("noise-")]
    assert len(noise) <= 2, noise  # ALPHA = 1e-3 on two tests: about one in a thousand expected


def test_hotspots_rank_the_strongest_first(found: dict) -> None:
    ranked = list(found.values())
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)
    assert ranked[0] == found[SEASON]  # three years of it
    assert ranked.index(found[RISING]) < 3


def test_one_year_of_history_is_enough_for_last_years_season() -> None:
    rows = [
        (k, d, n)
        for k, d, n in planted_history(today=TODAY, noise=0, seed=2)
        if d > TODAY - dt.timedelta(days=380)
    ]
    found = {h.key: h for h in find_hotspots(History.count(rows, today=TODAY))}
    assert [y.start for y in found[SEASON].recurring.years] == [years_back(TODAY, 1)]


def test_too_little_history_finds_nothing() -> None:
    rows = [("a", TODAY - dt.timedelta(days=d), 3) for d in range(20)]
    assert find_hotspots(History.count(rows, today=TODAY)) == []
    assert find_hotspots(History.count([], today=TODAY)) == []
