"""时限: claim and resolve deadlines from the SLA table and the working calendar (PRODUCT.md section 4).

Limits are looked up for the ticket's category, then its parent categories, then the default row for the
urgency, then `DEFAULT_LIMITS`. Normal and urgent limits count working minutes; 特急 counts the clock,
because a gas leak at midnight does not wait for office hours.
"""

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from wangge.lib.workcal import WorkCalendar
from wangge.tickets.models import CalendarDay, Category, Kind, SlaRule, Urgency


@dataclass(frozen=True)
class Limits:
    claim_minutes: int
    resolve_minutes_small: int
    resolve_minutes_major: int

    def resolve_minutes(self, kind: str) -> int:
        return self.resolve_minutes_major if kind == Kind.MAJOR else self.resolve_minutes_small


WORKING_DAY = 450  # minutes in the default 08:30-12:00, 13:30-17:30 day
DEFAULT_LIMITS = {
    Urgency.NORMAL: Limits(
        claim_minutes=120, resolve_minutes_small=WORKING_DAY, resolve_minutes_major=5 * WORKING_DAY
    ),
    Urgency.URGENT: Limits(
        claim_minutes=30, resolve_minutes_small=WORKING_DAY // 2, resolve_minutes_major=2 * WORKING_DAY
    ),
    Urgency.CRITICAL: Limits(claim_minutes=30, resolve_minutes_small=4 * 60, resolve_minutes_major=24 * 60),
}

_CACHE_SECONDS = 60
_calendar_cache: tuple[float, WorkCalendar] | None = None


def work_calendar() -> WorkCalendar:
    """The working calendar: settings.WORK_HOURS plus the holidays table, re-read once a minute."""
    global _calendar_cache
    now = time.monotonic()
    if _calendar_cache is None or now - _calendar_cache[0] > _CACHE_SECONDS:
        days = list(CalendarDay.objects.values_list("date", "workday"))
        calendar = WorkCalendar.build(
            settings.WORK_HOURS,
            holidays=[d for d, workday in days if not workday],
            extra_workdays=[d for d, workday in days if workday],
        )
        _calendar_cache = (now, calendar)
    return _calendar_cache[1]


def forget_calendar() -> None:
    global _calendar_cache
    _calendar_cache = None


def limits_for(category: Category | None, urgency: str) -> Limits:
    category_ids: list[int] = []
    node = category
    while node is not None:
        category_ids.append(node.pk)
        node = node.parent
    rules = {
        r.category_id: r
        for r in SlaRule.objects.filter(urgency=urgency)
        .filter(category_id__in=category_ids)
        .union(SlaRule.objects.filter(urgency=urgency, category=None))
    }
    for key in [*category_ids, None]:
        rule = rules.get(key)
        if rule is not None:
            return Limits(rule.claim_minutes, rule.resolve_minutes_small, rule.resolve_minutes_major)
    return DEFAULT_LIMITS[Urgency(urgency)]


def deadline_after(start: dt.datetime, minutes: int, urgency: str) -> dt.datetime:
    if urgency == Urgency.CRITICAL:
        return start + dt.timedelta(minutes=minutes)
    local = timezone.localtime(start)
    return work_calendar().add_minutes(local, minutes)


def reminder_before(start: dt.datetime, deadline: dt.datetime) -> dt.datetime:
    """When to remind the people holding a ticket: three quarters of the way to the deadline."""
    return start + (deadline - start) * 3 / 4
