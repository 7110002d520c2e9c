"""The KPI figure of `make bench`: the full KPI query (PRODUCT.md section 5) for the whole district's last
year over 1,000,000 tickets, after the copied tickets are counted into the daily rollup (`rebuild_stats`,
timed too). `grow_tickets` makes the million, for this figure and those that run after it."""

import statistics
import time


def grow_tickets(target: int) -> int:
    """Copy the existing tickets (without external ids) until there are `target` rows."""
    from django.db import connection

    from wangge.tickets.models import Ticket

    fields = [f.column for f in Ticket._meta.concrete_fields if f.column != "id"]
    select = ", ".join("''" if c == "external_id" else c for c in fields)
    base_max = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    base_count = Ticket.objects.count()
    copy = (
        f"INSERT INTO tickets_ticket ({', '.join(fields)}) SELECT {select} FROM tickets_ticket WHERE id <= %s"
    )
    with connection.cursor() as cursor:
        while Ticket.objects.count() + base_count <= target:
            cursor.execute(copy, [base_max])
        missing = target - Ticket.objects.count()
        if missing > 0:
            cursor.execute(
                f"INSERT INTO tickets_ticket ({', '.join(fields)}) SELECT {select} FROM tickets_ticket "
                f"WHERE id <= %s ORDER BY id LIMIT %s",
                [base_max, missing],
            )
        # As autovacuum would leave a table after a million inserts: planner statistics, and on PostgreSQL
        # the visibility map too, without which an index-only scan (the exact medians) visits the heap.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return Ticket.objects.count()


def bench_kpis(rows: list[tuple[str, str, str]], *, target: int) -> None:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from wangge.stats import rollup
    from wangge.stats.kpis import Selection, kpis

    started = time.perf_counter()
    total = grow_tickets(target)
    rows.append(
        (f"grow to {total:,} tickets ({connection.vendor})", "", f"{time.perf_counter() - started:.1f} s")
    )
    started = time.perf_counter()
    rows.append(
        (
            "rebuild the KPI rollup (rebuild_stats)",
            f"{rollup.rebuild():,} rows",
            f"{time.perf_counter() - started:.1f} s",
        )
    )
    now = timezone.now()
    today = timezone.localdate(now)
    selection = Selection.days(area="210104", first=today - dt.timedelta(days=365), last=today)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        result = kpis(selection, now=now)
        times.append(time.perf_counter() - t0)
    rows.append(
        (
            f"KPI query, district, {result.submitted:,} tickets ({connection.vendor})",
            "5 runs",
            f"median {statistics.median(times):.3f} s",
        )
    )
