"""`manage.py demo_pulse`: the demo's day in progress (demo/pulse.py), one pulse a minute (or `--once`).
Only on a demo database (WANGGE_DEMO=True): it makes up requests."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from wangge.demo.pulse import do_pulse
from wangge.lib.loop import run_until_stopped


class Command(BaseCommand):
    help = "Keep the demo district's day going: requests arrive by the hour and staff work some of them."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="one pulse, then exit")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between pulses")

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("demo_pulse 只用于演示数据库（WANGGE_DEMO=True）：它会编造诉求")

        def step(stopping: Callable[[], bool]) -> None:
            report = do_pulse()
            if report.arrived or report.accepted or report.resolved:
                self.stdout.write(
                    f"demo: {report.arrived} arrived, {report.accepted} accepted, {report.claimed} claimed, "
                    f"{report.resolved} resolved, {report.called_back} called back"
                )
                self.stdout.flush()

        run_until_stopped(step, interval=interval, once=once)
