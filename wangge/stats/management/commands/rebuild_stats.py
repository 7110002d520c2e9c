"""`manage.py rebuild_stats`: recount the KPI rollup from the tickets (after a bulk load or a restore)."""

import time
from typing import Any

from django.core.management.base import BaseCommand

from wangge.stats.rollup import rebuild


class Command(BaseCommand):
    help = "Recount the daily KPI rollup from every ticket and summons call."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = rebuild()
        self.stdout.write(f"统计汇总已重建：{rows} 行，用时 {time.perf_counter() - started:.1f} 秒")
