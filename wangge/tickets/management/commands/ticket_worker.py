"""`manage.py ticket_worker`: escalate overdue tickets and send reminders, forever (or `--once`); retrain the
routers when ROUTER_RETRAIN_HOURS have passed since the last training; renew the day's 未诉先办 readings
of districts, streets and communities older than HOTSPOT_REFRESH_HOURS; keep the 说事日 calendar five
weeks ahead and count the votes whose window has closed."""

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from wangge.deliberation.actions import keep_calendar
from wangge.lib.loop import run_until_stopped
from wangge.routing.actions import retrain_if_due
from wangge.routing.proactive import renew_readings
from wangge.tickets.worker import sweep


class Command(BaseCommand):
    help = "Escalate overdue tickets up the ladder and send reminders (the deadline worker)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one sweep, then exit")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between sweeps")
        parser.add_argument("--pause-ms", type=int, default=0, help="pause between tickets (milliseconds)")

    def handle(self, *args: Any, once: bool, interval: float, pause_ms: int, **options: Any) -> None:
        def step(stopping: Callable[[], bool]) -> None:
            report = sweep(pause=pause_ms / 1000, should_stop=stopping)
            if report.escalated or report.reminded:
                self.stdout.write(f"escalated {report.escalated}, reminded {report.reminded}")
                self.stdout.flush()
            if not stopping():
                # Killed mid-training, nothing is written: the next start trains again.
                for model in retrain_if_due():
                    self.stdout.write(f"router {model.target} #{model.pk}: {model.note}")
                    self.stdout.flush()
            if not stopping() and (renewed := renew_readings()):
                self.stdout.write(f"未诉先办: {renewed} areas read")
                self.stdout.flush()
            if not stopping():
                planned, counted = keep_calendar()
                if planned or counted:
                    self.stdout.write(f"议事: {planned} meetings planned, {counted} votes counted")
                    self.stdout.flush()

        run_until_stopped(step, interval=interval, once=once)
