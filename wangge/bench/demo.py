"""Demo generation in `make bench`: households per second for `demo_city --households N`, and the demo
district's year of tickets."""

import time

from wangge.bench import rate


def bench_demo_city(rows: list[tuple[str, str, str]], *, households: int) -> None:
    from wangge.demo.city import build_demo_city

    started = time.perf_counter()
    report = build_demo_city(households=households, seed=0)
    elapsed = time.perf_counter() - started
    rows.append(
        (
            f"demo_city --households {households}",
            f"{elapsed:.1f} s",
            rate(report.households, elapsed) + " households",
        )
    )


def bench_demo_tickets(rows: list[tuple[str, str, str]]) -> None:
    from wangge.demo.tickets import DEMO_TICKETS, build_demo_tickets

    started = time.perf_counter()
    made = build_demo_tickets(count=DEMO_TICKETS, seed=0)
    elapsed = time.perf_counter() - started
    rows.append(("demo tickets (a year)", f"{made.tickets:,} tickets", rate(made.tickets, elapsed)))
