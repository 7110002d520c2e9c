"""Generated ticket history with planted patterns, for the hotspot tests (X3).

Three and a half years of daily reports for a set of series (grid × category), each a Poisson stream at
its own weekly rate, plus:
- SEASON: every year, in the same four weeks as the coming window, five more a week;
- RISING: from the Monday three weeks back, six more a week;
- ONE_OFF: a burst in those weeks three years ago only (recurring needs the peak in two years or more);
- LATE_SEASON: the SEASON pattern, but in the weeks after the coming window (not yet due).
Everything else is noise at rates from 0.1 to 4 a week.
"""

import datetime as dt
from collections.abc import Hashable

import numpy as np

from wangge.routing.hotspots import WINDOW, YEAR, monday

SEASON, RISING, ONE_OFF, LATE_SEASON = "season", "rising", "one-off", "late-season"
PLANTED = (SEASON, RISING, ONE_OFF, LATE_SEASON)
DAYS = 3 * 365 + 200

Row = tuple[Hashable, dt.date, int]


def in_window(day: dt.date, start: dt.date) -> bool:
    return start <= day < start + dt.timedelta(weeks=WINDOW)


def years_back(today: dt.date, years: int) -> dt.date:
    """The Monday of the coming window's weeks `years` back."""
    return monday(today) - dt.timedelta(weeks=YEAR * years)


def planted_history(*, today: dt.date, noise: int, seed: int = 0) -> list[Row]:
    rng = np.random.default_rng(seed)
    days = [today - dt.timedelta(days=d) for d in range(DAYS - 1, -1, -1)]
    coming = monday(today)
    recent = coming - dt.timedelta(weeks=WINDOW - 1)
    late = coming + dt.timedelta(weeks=WINDOW + 2)

    def extra(key: str, day: dt.date) -> float:
        if key == SEASON:
            return 5.0 if any(in_window(day, years_back(today, y)) for y in (1, 2, 3)) else 0.0
        if key == LATE_SEASON:
            return 5.0 if any(in_window(day, late - dt.timedelta(weeks=YEAR * y)) for y in (1, 2, 3)) else 0.0
        if key == RISING:
            return 6.0 if day >= recent else 0.0
        if key == ONE_OFF:
            return 6.0 if in_window(day, years_back(today, 3)) else 0.0
        return 0.0

    rows: list[Row] = []
    series: list[tuple[str, float]] = [(k, 1.0) for k in PLANTED]
    series += [(f"noise-{i}", float(rng.uniform(0.1, 4.0))) for i in range(noise)]
    for key, weekly in series:
        rates = np.array([(weekly + extra(key, d)) / 7 for d in days])
        counts = rng.poisson(rates)
        rows += [(key, days[i], int(counts[i])) for i in np.flatnonzero(counts)]
    return rows


def reports(rows: list[Row], key: str, first: dt.date, last: dt.date) -> int:
    """Reports of one series between two days, both included: the evidence, counted independently."""
    return sum(n for k, d, n in rows if k == key and first <= d <= last)
