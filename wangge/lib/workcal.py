"""Working-hours calendar: add working minutes to a moment, skipping nights, weekends and holidays.

Framework-free. A `WorkCalendar` holds the daily working periods (e.g. 08:30–12:00 and 13:30–17:30),
the working weekdays, the public holidays, and the extra working days China schedules on weekends around
a holiday (调休补班). Deadlines such as "resolve within 1 working day" are computed with `add_minutes`.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


def parse_periods(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """ "08:30-12:00,13:30-17:30" -> ((08:30, 12:00), (13:30, 17:30)); ordered, non-overlapping."""
    periods: list[tuple[dt.time, dt.time]] = []
    for chunk in text.split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        try:
            start_text, end_text = chunk.split("-")
            start = dt.time.fromisoformat(start_text.strip())
            end = dt.time.fromisoformat(end_text.strip())
        except ValueError as exc:
            raise ValueError(f"working period {chunk!r} is not like 08:30-12:00") from exc
        if end <= start:
            raise ValueError(f"working period {chunk!r} ends before it starts")
        if periods and start < periods[-1][1]:
            raise ValueError(f"working period {chunk!r} overlaps or precedes the one before it")
        periods.append((start, end))
    if not periods:
        raise ValueError("at least one working period is needed")
    return tuple(periods)


@dataclass(frozen=True)
class WorkCalendar:
    periods: tuple[tuple[dt.time, dt.time], ...]
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    extra_workdays: frozenset[dt.date] = field(default_factory=frozenset)  # 调休补班

    @classmethod
    def build(
        cls,
        periods: str = "08:30-12:00,13:30-17:30",
        *,
        weekdays: Iterable[int] = (0, 1, 2, 3, 4),
        holidays: Iterable[dt.date] = (),
        extra_workdays: Iterable[dt.date] = (),
    ) -> "WorkCalendar":
        return cls(
            parse_periods(periods), frozenset(weekdays), frozenset(holidays), frozenset(extra_workdays)
        )

    @property
    def minutes_per_day(self) -> int:
        return sum(_minutes(end) - _minutes(start) for start, end in self.periods)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() in self.weekdays and day not in self.holidays

    def add_minutes(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """The moment `minutes` working minutes after `start` (an aware or naive local datetime).

        Time outside working periods does not count; a start outside them begins at the next period.
        """
        if minutes < 0:
            raise ValueError("minutes must not be negative")
        tz = start.tzinfo
        day = start.date()
        cursor = start.replace(tzinfo=None)
        remaining = dt.timedelta(minutes=minutes)
        for _ in range(3700):  # ten years of days: a calendar without working days fails loudly
            if self.is_workday(day):
                for p_start, p_end in self.periods:
                    begin = max(cursor, dt.datetime.combine(day, p_start))
                    end = dt.datetime.combine(day, p_end)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        return (begin + remaining).replace(tzinfo=tz)
                    remaining -= end - begin
            day += dt.timedelta(days=1)
            cursor = dt.datetime.combine(day, dt.time.min)
        raise ValueError("the working calendar has no working time in the next ten years")

    def working_minutes_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Whole working minutes from start to end (0 when end is not after start)."""
        if end <= start:
            return 0
        total = 0.0
        a, b = start.replace(tzinfo=None), end.replace(tzinfo=None)
        day = a.date()
        while day <= b.date():
            if self.is_workday(day):
                for p_start, p_end in self.periods:
                    lo = max(a, dt.datetime.combine(day, p_start))
                    hi = min(b, dt.datetime.combine(day, p_end))
                    if hi > lo:
                        total += (hi - lo).total_seconds() / 60
            day += dt.timedelta(days=1)
        return int(total)


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute
