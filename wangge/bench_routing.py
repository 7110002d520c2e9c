"""The router's figures for `make bench` (issue X1): training time on 100,000 closed tickets and the
latency of one prediction, as at intake."""

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
