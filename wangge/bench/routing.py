"""The figures of issue 4 for `make bench`: the router's training time on 100,000 closed tickets and the
latency of one prediction, as at intake (X1); the duplicate check (X2); the district's hotspots (X3)."""

import statistics
import time


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q * 100) - 1]


def bench_routing(rows: list[tuple[str, str, str]], *, examples: int) -> None:
    from wangge.routing.actions import do_train_routers, training_examples
    from wangge.routing.classifier import Router
    from wangge.routing.models import Target
    from wangge.routing.suggest import suggest
    from wangge.tickets.models import Ticket

    data = training_examples(Target.CATEGORY, limit=examples)
    started = time.perf_counter()
    router = Router.train(data)
    seconds = time.perf_counter() - started
    rows.append(
        (
            f"router training, {len(data):,} closed tickets",
            f"{len(router.labels)} categories",
            f"{seconds:.1f} s (aim < 60)",
        )
    )
    sample = list(Ticket.objects.order_by("?").values_list("title", "description", "area_code")[:2000])
    router.predict(*sample[0][:2])
    times = []
    for title, description, _ in sample:
        t0 = time.perf_counter()
        router.predict(title, description, k=3)
        times.append((time.perf_counter() - t0) * 1000)
    rows.append(
        (
            "router prediction, one ticket, top 3",
            f"{len(times):,} tickets",
            f"p50 {_p(times, 0.5):.2f} / p95 {_p(times, 0.95):.2f} ms",
        )
    )
    do_train_routers(limit=examples)
    times = []
    for title, description, area_code in sample:
        t0 = time.perf_counter()
        suggest(title, description, area_code=area_code)
        times.append((time.perf_counter() - t0) * 1000)
    rows.append(
        (
            "intake suggestion (category + unit)",
            f"{len(times):,} tickets",
            f"p50 {_p(times, 0.5):.2f} / p95 {_p(times, 0.95):.2f} ms",
        )
    )


def bench_duplicates(rows: list[tuple[str, str, str]], *, checks: int = 500) -> None:
    """The duplicate check at intake (X2) with every ticket of the database open: all of them become
    candidates, so this is the worst case of a table that size."""
    from django.db import connection

    from wangge.routing.duplicates import likely_duplicates
    from wangge.tickets import workflow
    from wangge.tickets.models import Status, Ticket

    Ticket.objects.filter(status__in=workflow.TERMINAL).update(status=Status.IN_PROGRESS)
    # After rewriting a million rows at once, let the database catch up as autovacuum would in service:
    # otherwise PostgreSQL's index scans wade through the dead row versions (and autovacuum competes for
    # the CPU during the measurement).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tickets_ticket" if connection.vendor == "postgresql" else "ANALYZE")
    total = Ticket.objects.count()
    sample = list(
        Ticket.objects.order_by("?").values_list(
            "title", "description", "area_code", "lat", "lng", "submitted_at"
        )[:checks]
    )
    found = 0
    times = []
    for title, description, area_code, lat, lng, at in sample:
        t0 = time.perf_counter()
        found += bool(
            likely_duplicates(
                title=title, description=description, area_code=area_code, lat=lat, lng=lng, at=at
            )
        )
        times.append((time.perf_counter() - t0) * 1000)
    rows.append(
        (
            f"duplicate check, {total:,} open tickets ({connection.vendor})",
            f"{len(times):,} checks",
            f"p50 {_p(times, 0.5):.1f} / p95 {_p(times, 0.95):.1f} ms (aim < 20)",
        )
    )
    rows.append(("  checks that found a likely duplicate", "", f"{found / max(len(times), 1):.0%}"))


def bench_hotspots(rows: list[tuple[str, str, str]], *, runs: int = 5) -> None:
    """未诉先办 (X3): every hotspot of the district, read from its tickets, as the statistics page asks."""
    from django.db import connection

    from wangge.areas.models import Area
    from wangge.routing.proactive import hotspots_in
    from wangge.tickets.models import Ticket

    district = Area.objects.get(parent=None)
    times, found = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        found = len(hotspots_in(district))
        times.append(time.perf_counter() - t0)
    rows.append(
        (
            f"hotspots of the district, {Ticket.objects.count():,} tickets ({connection.vendor})",
            f"{found} found, {runs} runs",
            f"median {statistics.median(times):.2f} s",
        )
    )
