import datetime as dt

import pytest

from wangge.lib.workcal import WorkCalendar, parse_periods

CAL = WorkCalendar.build(
    "08:30-12:00,13:30-17:30",
    holidays=[dt.date(2026, 10, 1), dt.date(2026, 10, 2)],
    extra_workdays=[dt.date(2026, 10, 10)],  # a Saturday made a working day (调休补班)
)


def at(day: int, hour: int, minute: int = 0, month: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)


def test_minutes_inside_one_period() -> None:
    assert CAL.add_minutes(at(28, 9), 120) == at(28, 11)  # Monday 28 Sep


def test_lunch_break_and_night_do_not_count() -> None:
    assert CAL.add_minutes(at(28, 11), 120) == at(28, 14, 30)
    assert CAL.add_minutes(at(28, 17), 60) == at(29, 9)


def test_start_outside_hours_begins_at_next_period() -> None:
    assert CAL.add_minutes(at(28, 6), 30) == at(28, 9)
    assert CAL.add_minutes(at(28, 12, 30), 0) == at(28, 13, 30)


def test_weekend_holiday_and_extra_workday() -> None:
    # Wednesday 30 Sep 17:00 + 60 min: Oct 1 and 2 are holidays, 3 and 4 the weekend -> Monday 5 Oct.
    assert CAL.add_minutes(at(30, 17), 60) == at(5, 9, month=10)
    # Friday 9 Oct 17:00 + 60 min: Saturday 10 Oct is a working day.
    assert CAL.add_minutes(at(9, 17, month=10), 60) == at(10, 9, month=10)


def test_a_working_day_is_the_day_length() -> None:
    assert CAL.minutes_per_day == 450
    assert CAL.add_minutes(at(28, 8, 30), 450) == at(28, 17, 30)
    assert CAL.working_minutes_between(at(28, 8), at(29, 10)) == 450 + 90


def test_timezone_is_kept() -> None:
    tz = dt.timezone(dt.timedelta(hours=8))
    assert CAL.add_minutes(at(28, 9).replace(tzinfo=tz), 30) == at(28, 9, 30).replace(tzinfo=tz)


@pytest.mark.parametrize("text", ["", "8-12", "12:00-08:00", "08:00-12:00,11:00-13:00"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_periods(text)


def test_calendar_without_working_days_fails_loudly() -> None:
    with pytest.raises(ValueError):
        WorkCalendar.build(weekdays=[]).add_minutes(at(28, 9), 1)
