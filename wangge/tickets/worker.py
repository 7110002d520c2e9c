"""The deadline worker: escalates overdue tickets up the ladder and sends reminders (PRODUCT.md section 4).

Each ticket is handled in its own transaction by `do_escalate(…, due_by=now)` / `do_remind(…)`, which
re-check inside the transaction that the ticket is still due. So a sweep killed half-way leaves every
ticket either escalated (committed) or untouched, and the next sweep picks up exactly the untouched ones;
two workers running at once cannot escalate one ticket twice.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from wangge.tickets.actions import WorkflowError, do_escalate, do_remind
from wangge.tickets.models import Level, Ticket
from wangge.tickets.workflow import TERMINAL

BATCH = 200


@dataclass
class SweepReport:
    escalated: int = 0
    reminded: int = 0
    skipped: int = 0


def due_for_escalation(now: dt.datetime) -> list[int]:
    return list(
        Ticket.objects.filter(next_escalation_at__lte=now)
        .exclude(status__in=TERMINAL)
        .exclude(level=Level.DISTRICT)
        .order_by("next_escalation_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )


def due_for_reminder(now: dt.datetime) -> list[int]:
    return list(
        Ticket.objects.filter(remind_at__lte=now)
        .exclude(status__in=TERMINAL)
        .order_by("remind_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )


def sweep(
    now: dt.datetime | None = None, *, pause: float = 0.0, should_stop: Callable[[], bool] = lambda: False
) -> SweepReport:
    """One pass over everything due at `now`. `pause` seconds between tickets spares a busy database."""
    now = now or timezone.now()
    report = SweepReport()
    for ticket_id in due_for_escalation(now):
        if should_stop():
            return report
        try:
            if do_escalate(ticket_id, actor=None, due_by=now) is None:
                report.skipped += 1
            else:
                report.escalated += 1
        except WorkflowError:
            report.skipped += 1
        if pause:
            time.sleep(pause)
    for ticket_id in due_for_reminder(now):
        if should_stop():
            return report
        if do_remind(ticket_id, due_by=now):
            report.reminded += 1
        else:
            report.skipped += 1
    return report
