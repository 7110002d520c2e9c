"""The KPI figure of `make bench`: the full KPI query (PRODUCT.md section 5) for the whole district's last
year over 1,000,000 tickets, after the copied tickets are counted into the daily rollup (`rebuild_stats`,
timed too). `grow_tickets` makes the million, for this figure and those that run after it."""

import statistics
import time


def grow_tickets(target: int) -> int:
    """Copy the existing tickets (without external ids) until there are `target` rows, each copy with the
    assignments and summonses of its original: the unit's worklist, the unit table of the statistics
    pages and the summons KPIs read those, and a million tickets come with their share of them."""
    from django.db import connection

    from wangge.tickets.models import Ticket

    fields = [f.column for f in Ticket._meta.concrete_fields if f.column != "id"]
    select = ", ".join("''" if c == "external_id" else c for c in fields)
    base_max = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    base_count = Ticket.objects.count()
    # In the originals' order, so that the n-th copy of a round is the n-th original's (_copy_children).
    copy = (
        f"INSERT INTO tickets_ticket ({', '.join(fields)}) SELECT {select} FROM tickets_ticket "
        "WHERE id <= %s ORDER BY id LIMIT %s"
    )
    with connection.cursor() as cursor:
        while (count := Ticket.objects.count()) < target:
            last = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            cursor.execute(copy, [base_max, min(base_count, target - count)])
            _copy_children(cursor, originals_up_to=base_max, copies_after=last)
        # As autovacuum would leave a table after a million inserts: planner statistics, and on PostgreSQL
        # the visibility map too, without which an index-only scan (the exact medians) visits the heap.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return Ticket.objects.count()


def _copy_children(cursor, *, originals_up_to: int, copies_after: int) -> None:  # type: ignore[no-untyped-def]
    """Give this round's copies (ids above `copies_after`) the assignments, summonses and summons calls of
    their originals, paired in id order."""
    from django.db.models import Model

    from wangge.tickets.models import Assignment, Summons, SummonsCall

    pairs = (
        "(SELECT c.id AS copy_id, o.id AS original_id FROM "
        "(SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM tickets_ticket WHERE id <= %s) o JOIN "
        "(SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM tickets_ticket WHERE id > %s) c ON c.n = o.n)"
    )
    bounds = [originals_up_to, copies_after]
    cursor.execute(
        f"SELECT COUNT(*) FROM {pairs} p JOIN tickets_ticket o ON o.id = p.original_id "
        "JOIN tickets_ticket c ON c.id = p.copy_id "
        "WHERE o.submitted_at <> c.submitted_at OR o.area_code <> c.area_code OR o.status <> c.status",
        bounds,
    )
    if cursor.fetchone()[0]:
        raise RuntimeError("the copied tickets did not take ids in the originals' order")

    def columns(model: type[Model], parent: str) -> list[str]:
        return [f.column for f in model._meta.concrete_fields if f.column not in ("id", parent)]

    assignment = columns(Assignment, "ticket_id")
    cursor.execute(
        f"INSERT INTO tickets_assignment (ticket_id, {', '.join(assignment)}) "
        f"SELECT p.copy_id, {', '.join('a.' + c for c in assignment)} FROM tickets_assignment a "
        f"JOIN {pairs} p ON p.original_id = a.ticket_id ORDER BY a.id",
        bounds,
    )
    cursor.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_summons")
    last_summons = cursor.fetchone()[0]
    summons = columns(Summons, "ticket_id")
    cursor.execute(
        f"INSERT INTO tickets_summons (ticket_id, {', '.join(summons)}) "
        f"SELECT p.copy_id, {', '.join('s.' + c for c in summons)} FROM tickets_summons s "
        f"JOIN {pairs} p ON p.original_id = s.ticket_id ORDER BY s.id",
        bounds,
    )
    call = columns(SummonsCall, "summons_id")
    cursor.execute(
        f"INSERT INTO tickets_summonscall (summons_id, {', '.join(call)}) "
        f"SELECT ns.id, {', '.join('k.' + c for c in call)} FROM tickets_summonscall k "
        "JOIN (SELECT s.id, ROW_NUMBER() OVER (ORDER BY s.id) AS n FROM tickets_summons s "
        f"JOIN {pairs} p ON p.original_id = s.ticket_id) os ON os.id = k.summons_id "
        "JOIN (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM tickets_summons WHERE id > %s) ns "
        "ON ns.n = os.n",
        [*bounds, last_summons],
    )


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
