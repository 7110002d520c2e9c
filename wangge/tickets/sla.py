"""时限: claim and resolve deadlines from the SLA table and the working calendar (PRODUCT.md section 4).

Limits are looked up for the ticket's category, then its parent categories, then the default row for the
urgency, then `DEFAULT_LIMITS`. Normal and urgent limits count working minutes; 特急 counts the clock,
because a gas leak at midnight does not wait for office hours.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from wangge.lib.refreshed import Refreshed
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


def _load_calendar() -> WorkCalendar:
    days = list(CalendarDay.objects.values_list("date", "workday"))
    return WorkCalendar.build(
        settings.WORK_HOURS,
        holidays=[d for d, workday in days if not workday],
        extra_workdays=[d for d, workday in days if workday],
    )


@dataclass(frozen=True)
class _SlaTable:
    parent_of: dict[int, int | None]  # the category tree
    rules: dict[tuple[int | None, str], Limits]  # (category id or None for the default row, urgency)


def _load_sla_table() -> _SlaTable:
    return _SlaTable(
        parent_of=dict(Category.objects.values_list("pk", "parent_id")),
        rules={
            (r.category_id, r.urgency): Limits(
                r.claim_minutes, r.resolve_minutes_small, r.resolve_minutes_major
            )
            for r in SlaRule.objects.all()
        },
    )


# The working calendar (settings.WORK_HOURS plus the holidays table) and the SLA table, kept per process.
calendar_table = Refreshed(_load_calendar)
sla_table = Refreshed(_load_sla_table)


def work_calendar() -> WorkCalendar:
    return calendar_table.get()


def limits_for(category: Category | None, urgency: str) -> Limits:
    table = sla_table.get()
    node = category.pk if category is not None else None
    for _ in range(len(table.parent_of) + 1):  # bounded even if the tree had a cycle
        if node is None:
            break
        if (node, urgency) in table.rules:
            return table.rules[(node, urgency)]
        node = table.parent_of.get(node)
    return table.rules.get((None, urgency), DEFAULT_LIMITS[Urgency(urgency)])


def deadline_after(start: dt.datetime, minutes: int, urgency: str) -> dt.datetime:
    if urgency == Urgency.CRITICAL:
        return start + dt.timedelta(minutes=minutes)
    local = timezone.localtime(start)
    return work_calendar().add_minutes(local, minutes)


def reminder_before(start: dt.datetime, deadline: dt.datetime) -> dt.datetime:
    """When to remind the people holding a ticket: three quarters of the way to the deadline."""
    return start + (deadline - start) * 3 / 4
