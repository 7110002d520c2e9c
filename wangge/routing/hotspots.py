"""未诉先办 (X3): problems a grid is about to have, read from its ticket history. No Django imports.

History is counted per series (one grid × one category) and week (Monday to Sunday, local dates).
Two kinds of hotspot come out, and one series can be both:

- **recurring** (季节性): the coming four weeks (this week and the next three) were a peak in past
  years. For each of the last three years whose same weeks the history covers, the reports of those
  weeks are compared with what that year's usual weekly rate (the half year on either side, those weeks
  left out) would give. The years together must be improbably many under that usual rate (Poisson, one
  sided), at least twice it, and the peak must have come back: in the one year there is, or in at least
  two, each standing out of its own year (PEAK_ALPHA, twice its usual and MIN_REPORTS at least).
- **rising** (上升): the last four weeks (this one so far and the three before) hold improbably many
  reports against the twelve weeks before them, and at least twice as many as that rate gives.

A grid has a few dozen categories and a district a few thousand series, so the significance level is
strict (ALPHA): on pure noise about one series in a thousand is flagged. Hotspots are ranked by how
improbable their counts are under the usual rate, the strongest first.
"""

import datetime as dt
import math
from collections.abc import Hashable, Iterable
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import betainc

WEEK = 7
WINDOW = 4  # weeks: the coming window of a recurring hotspot, the recent window of a rising one
BASELINE = 12  # weeks before the recent window that give a rising hotspot its usual rate
MIN_BASELINE = 8  # weeks of history a baseline needs
YEAR = 52  # weeks: a year back keeps the weekday
YEARS = 3  # past years looked at
HALF_YEAR = 26
MIN_YEAR_WEEKS = 13  # weeks of history a past year needs to give its usual rate
ALPHA = 1e-3
PEAK_ALPHA = 1e-2  # a past year's weeks stand out of that year on their own
RATIO = 2.0  # observed at least this many times the usual
MIN_REPORTS = 4  # fewer reports than this in a window are never a hotspot
SHOWN_WEEKS = 16  # weekly counts kept as evidence (a sparkline)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def tail(hits: np.ndarray, total: np.ndarray, share: float | np.ndarray) -> np.ndarray:
    """P(X >= hits) for X ~ Binomial(total, share), elementwise: the chance that a window holding `share`
    of the weeks gets at least `hits` of `total` reports when the rate does not change. Conditioning on
    the total keeps a rate estimated from few reports from looking surer than it is. It is the
    regularised incomplete beta function I_share(hits, total - hits + 1); 1 where nothing was hit."""
    hits = np.asarray(hits, dtype=float)
    total = np.asarray(total, dtype=float)
    return np.where(hits > 0, betainc(np.maximum(hits, 1), np.maximum(total - hits + 1, 1), share), 1.0)


@dataclass(frozen=True)
class PastYear:
    """The same weeks one year back: how many reports, and how many the usual rate of that year gives."""

    start: dt.date
    end: dt.date  # Sunday, included
    reports: int
    usual: float

    def as_json(self) -> dict:
        return {"start": self.start, "end": self.end, "reports": self.reports, "usual": round(self.usual, 1)}


@dataclass(frozen=True)
class Recurring:
    start: dt.date  # the coming window: this week's Monday ...
    end: dt.date  # ... to the Sunday three weeks later
    years: tuple[PastYear, ...]  # newest first; only years whose weeks the history covers
    expected: float  # the mean of those years' reports: what the coming weeks may bring
    p: float

    def as_json(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "years": [y.as_json() for y in self.years],
            "expected": round(self.expected, 1),
            "p": self.p,
        }


@dataclass(frozen=True)
class Rising:
    start: dt.date  # the recent window: the Monday three weeks back ...
    end: dt.date  # ... to today
    reports: int
    usual: float  # reports the baseline rate gives over the same time
    baseline_start: dt.date
    baseline_end: dt.date
    baseline_reports: int
    p: float

    def as_json(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "reports": self.reports,
            "usual": round(self.usual, 1),
            "baseline_start": self.baseline_start,
            "baseline_end": self.baseline_end,
            "baseline_reports": self.baseline_reports,
            "p": self.p,
        }


@dataclass(frozen=True)
class Hotspot:
    key: Hashable  # the series, e.g. (grid code, category id)
    score: float  # -log10 of the smaller p: how improbable under the usual rate
    weeks: tuple[int, ...]  # the last SHOWN_WEEKS weekly counts, oldest first, this week last
    weeks_start: dt.date  # Monday of the first of them
    recurring: Recurring | None
    rising: Rising | None

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(k for k, v in (("recurring", self.recurring), ("rising", self.rising)) if v)


@dataclass
class History:
    """Weekly counts: one row per series, one column per week from `origin` (a Monday) to this week."""

    keys: list[Hashable]
    counts: np.ndarray  # int, (series, weeks)
    origin: dt.date
    today: dt.date

    @classmethod
    def count(
        cls, rows: Iterable[tuple[Hashable, dt.date, int]], *, today: dt.date, since: dt.date | None = None
    ) -> "History":
        """Rows of (series, day, reports). History starts in the week of `since` (when records began),
        else of the first row: weeks before it are unknown, not empty. Days outside are left out."""
        rows = [(k, d, n) for k, d, n in rows if d <= today and (since is None or d >= since)]
        origin = monday(since or min((d for _, d, _ in rows), default=today))
        index: dict[Hashable, int] = {}
        series, weeks, reports = [], [], []
        for key, day, n in rows:
            series.append(index.setdefault(key, len(index)))
            weeks.append((day - origin).days // WEEK)
            reports.append(n)
        counts = np.zeros((len(index), (monday(today) - origin).days // WEEK + 1), dtype=np.int64)
        np.add.at(counts, (np.array(series, dtype=np.int64), np.array(weeks, dtype=np.int64)), reports)
        return cls(list(index), counts, origin, today)

    def monday_of(self, week: int) -> dt.date:
        return self.origin + dt.timedelta(weeks=week)


CoveredYear = tuple[int, np.ndarray, np.ndarray, np.ndarray]  # first week, reports, usual, peaked


def _recurring(h: History) -> tuple[np.ndarray, np.ndarray, list[CoveredYear]]:
    """Per series: the p of all covered years together, whether it recurs, and per covered year (the
    window's first week, its reports, the reports the rest of that year's rate gives, whether it peaked)."""
    current = h.counts.shape[1] - 1
    covered = []
    window_weeks = total_weeks = 0
    hits = total = np.zeros(h.counts.shape[0], dtype=np.int64)
    for back in range(1, YEARS + 1):
        start = current - back * YEAR
        if start < 0:
            break
        lo, hi = max(0, start - HALF_YEAR), min(current, start + WINDOW + HALF_YEAR)
        rest_weeks = (hi - lo) - WINDOW
        if rest_weeks < MIN_YEAR_WEEKS:
            break
        window = h.counts[:, start : start + WINDOW].sum(axis=1)
        year = h.counts[:, lo:hi].sum(axis=1)
        usual = (year - window) / rest_weeks * WINDOW
        peak = (tail(window, year, WINDOW / (hi - lo)) < PEAK_ALPHA) & (window >= RATIO * usual)
        covered.append((start, window, usual, peak & (window >= MIN_REPORTS)))
        hits, total = hits + window, total + year
        window_weeks, total_weeks = window_weeks + WINDOW, total_weeks + hi - lo
    n = h.counts.shape[0]
    if not covered:
        return np.ones(n), np.zeros(n, dtype=bool), []
    p = tail(hits, total, window_weeks / total_weeks)
    usual = sum(u for _, _, u, _ in covered)
    peaks = sum(peak for _, _, _, peak in covered)
    recurs = (p < ALPHA) & (hits >= RATIO * usual) & (peaks >= (1 if len(covered) == 1 else 2))
    return p, recurs, covered


def _rising(h: History) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Per series: p, whether it rises, recent reports, usual reports; and the baseline's first week."""
    current = h.counts.shape[1] - 1
    first = current - WINDOW + 1
    lo = max(0, first - BASELINE)
    n = h.counts.shape[0]
    if first - lo < MIN_BASELINE:
        zeros = np.zeros(n)
        return np.ones(n), np.zeros(n, dtype=bool), zeros, zeros, lo
    exposure = WINDOW - 1 + (h.today.weekday() + 1) / WEEK  # this week counts for the days so far
    recent = h.counts[:, first:].sum(axis=1)
    before = h.counts[:, lo:first].sum(axis=1)
    usual = before / (first - lo) * exposure
    p = tail(recent, recent + before, exposure / (exposure + first - lo))
    rises = (p < ALPHA) & (recent >= RATIO * usual) & (recent >= MIN_REPORTS)
    return p, rises, recent, usual, lo


def find_hotspots(history: History) -> list[Hotspot]:
    """Every recurring or rising series, the most improbable first (then the most reports)."""
    h = history
    if not h.keys:
        return []
    current = h.counts.shape[1] - 1
    p_rec, recurs, covered = _recurring(h)
    p_rise, rises, recent, usual, lo = _rising(h)
    first = current - WINDOW + 1
    found = []
    for i in np.flatnonzero(recurs | rises):
        recurring = rising = None
        if recurs[i]:
            years = tuple(
                PastYear(
                    start=h.monday_of(start),
                    end=h.monday_of(start + WINDOW) - dt.timedelta(days=1),
                    reports=int(window[i]),
                    usual=float(expected[i]),
                )
                for start, window, expected, _ in covered
            )
            recurring = Recurring(
                start=h.monday_of(current),
                end=h.monday_of(current + WINDOW) - dt.timedelta(days=1),
                years=years,
                expected=sum(y.reports for y in years) / len(years),
                p=float(p_rec[i]),
            )
        if rises[i]:
            rising = Rising(
                start=h.monday_of(first),
                end=h.today,
                reports=int(recent[i]),
                usual=float(usual[i]),
                baseline_start=h.monday_of(lo),
                baseline_end=h.monday_of(first) - dt.timedelta(days=1),
                baseline_reports=int(h.counts[i, lo:first].sum()),
                p=float(p_rise[i]),
            )
        p = min(x.p for x in (recurring, rising) if x is not None)
        shown = h.counts[i, max(0, current - SHOWN_WEEKS + 1) :]
        found.append(
            Hotspot(
                key=h.keys[i],
                score=-math.log10(max(p, 1e-300)),
                weeks=tuple(int(x) for x in shown),
                weeks_start=h.monday_of(current - len(shown) + 1),
                recurring=recurring,
                rising=rising,
            )
        )
    found.sort(key=lambda s: (-s.score, -sum(s.weeks)))
    return found


def history_start(today: dt.date) -> dt.date:
    """The first day any hotspot of `today` looks at."""
    return monday(today) - dt.timedelta(weeks=YEARS * YEAR + HALF_YEAR)


# --- a hotspot kept as JSON (routing.models.HotspotReading) and read back unchanged ------------------


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def to_record(h: Hotspot) -> dict:
    """Everything a hotspot holds, as JSON values at full precision (dates as ISO strings)."""

    def plain(value: object) -> object:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return {
        "key": plain(h.key),
        "score": h.score,
        "weeks": list(h.weeks),
        "weeks_start": h.weeks_start.isoformat(),
        "recurring": plain(asdict(h.recurring)) if h.recurring else None,
        "rising": plain(asdict(h.rising)) if h.rising else None,
    }


def from_record(record: dict) -> Hotspot:
    """The hotspot `to_record` kept; a list key comes back as the tuple it was."""
    recurring, rising = record["recurring"], record["rising"]
    key = record["key"]
    return Hotspot(
        key=tuple(key) if isinstance(key, list) else key,
        score=record["score"],
        weeks=tuple(record["weeks"]),
        weeks_start=_day(record["weeks_start"]),
        recurring=Recurring(
            start=_day(recurring["start"]),
            end=_day(recurring["end"]),
            years=tuple(
                PastYear(start=_day(y["start"]), end=_day(y["end"]), reports=y["reports"], usual=y["usual"])
                for y in recurring["years"]
            ),
            expected=recurring["expected"],
            p=recurring["p"],
        )
        if recurring
        else None,
        rising=Rising(
            **{
                **rising,
                **{k: _day(rising[k]) for k in ("start", "end", "baseline_start", "baseline_end")},
            }
        )
        if rising
        else None,
    )
