"""`make bench`: the figures issues ask for, printed as a table.

- point->grid lookups per second on the demo district's grids (in-memory STRtree, and end to end through
  `areas.lookup.locate`, which also checks the index is current and loads the grid and its ancestors);
- the same on 10,000 generated grids (a 100 x 100 jittered lattice);
- demo generation rate (households per second) for `demo_city --households N`;
- ticket intake through the API against a bare insert view, and the district KPI query over 1,000,000
  tickets (see bench_tickets.py). `python -m wangge.bench kpi` runs only the KPI part (make bench runs it
  a second time on a throwaway PostgreSQL cluster);
- the router: training on 100,000 closed tickets, one prediction, the intake suggestion (bench_routing.py);
- the duplicate check at intake with every one of the 1,000,000 tickets open (bench_routing.py);
- the hotspots (未诉先办) of the whole district, over the demo year and over 1,000,000 tickets;
- who is due or overdue for a visit (走访计划), for the demo district and for 1,000,000 residents
  (bench_visits.py; in the `kpi` run on PostgreSQL too).

Runs on a throwaway SQLite database (or WANGGE_DATABASE_URL if set to something else by the caller).
"""

import os
import random
import sys
import tempfile
import time
from pathlib import Path


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"


def main() -> None:
    only_kpi = sys.argv[1:] == ["kpi"]
    households = int(os.getenv("BENCH_HOUSEHOLDS", "2000" if only_kpi else "20000"))
    kpi_tickets = int(os.getenv("BENCH_KPI_TICKETS", "1000000"))
    intake = int(os.getenv("BENCH_INTAKE", "3000"))
    points = int(os.getenv("BENCH_POINTS", "100000"))
    residents = int(os.getenv("BENCH_RESIDENTS", "1000000"))
    workdir = tempfile.mkdtemp(prefix="wangge-bench-")
    os.environ.setdefault("WANGGE_DATABASE_URL", f"sqlite:///{Path(workdir) / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    import warnings

    warnings.filterwarnings("ignore", message="WANGGE_FIELD_KEY")
    import django

    django.setup()
    from django.core.management import call_command

    from wangge.areas.lookup import grid_index, locate
    from wangge.bench_visits import bench_visits
    from wangge.demo.city import BBOX, build_demo_city
    from wangge.lib.geo import GridIndex, jittered_lattice

    call_command("migrate", verbosity=0)
    rows: list[tuple[str, str, str]] = []
    if only_kpi:
        build_demo_city(households=households, seed=0)
        _tickets(rows, intake=0, kpi_tickets=kpi_tickets)
        bench_visits(rows, target=residents, demo=False)
        _print(rows)
        return

    started = time.perf_counter()
    report = build_demo_city(households=households, seed=0)
    elapsed = time.perf_counter() - started
    rows.append(
        (
            f"demo_city --households {households}",
            f"{elapsed:.1f} s",
            _rate(report.households, elapsed) + " households",
        )
    )

    rng = random.Random(1)
    min_lng, min_lat, max_lng, max_lat = BBOX
    sample = [(rng.uniform(min_lng, max_lng), rng.uniform(min_lat, max_lat)) for _ in range(points)]

    index = grid_index()
    started = time.perf_counter()
    hits = sum(index.locate(lng, lat) is not None for lng, lat in sample)
    elapsed = time.perf_counter() - started
    rows.append(
        (f"lookup, demo grids ({len(index)}), in memory", f"{points:,} points", _rate(points, elapsed))
    )
    assert hits == points, "every point of the district lies in a grid"

    n_e2e = min(points, 5000)
    started = time.perf_counter()
    for lng, lat in sample[:n_e2e]:
        locate(lat, lng)
    elapsed = time.perf_counter() - started
    rows.append(
        (f"lookup, demo grids ({len(index)}), end to end", f"{n_e2e:,} points", _rate(n_e2e, elapsed))
    )

    big_bbox = (123.0, 41.5, 124.0, 42.2)
    started = time.perf_counter()
    cells = jittered_lattice(cols=100, rows=100, bbox=big_bbox, jitter=0.25, rng=random.Random(2))
    big = GridIndex.build(
        (f"G{r:03d}{c:03d}", cell) for r, row in enumerate(cells) for c, cell in enumerate(row)
    )
    build_seconds = time.perf_counter() - started
    rows.append((f"index build, generated grids ({len(big):,})", "", f"{build_seconds * 1000:.0f} ms"))
    big_sample = [
        (rng.uniform(big_bbox[0], big_bbox[2]), rng.uniform(big_bbox[1], big_bbox[3])) for _ in range(points)
    ]
    started = time.perf_counter()
    hits = sum(big.locate(lng, lat) is not None for lng, lat in big_sample)
    elapsed = time.perf_counter() - started
    rows.append(
        (f"lookup, generated grids ({len(big):,}), in memory", f"{points:,} points", _rate(points, elapsed))
    )
    assert hits == points

    _tickets(rows, intake=intake, kpi_tickets=kpi_tickets)
    bench_visits(rows, target=residents)
    _print(rows)


def _tickets(rows: list[tuple[str, str, str]], *, intake: int, kpi_tickets: int) -> None:
    from wangge.bench_routing import bench_duplicates, bench_hotspots, bench_routing
    from wangge.bench_tickets import bench_intake, bench_kpis
    from wangge.demo.tickets import DEMO_TICKETS, build_demo_tickets
    from wangge.routing.actions import do_train_routers

    started = time.perf_counter()
    made = build_demo_tickets(count=DEMO_TICKETS, seed=0)
    elapsed = time.perf_counter() - started
    rows.append(("demo tickets (a year)", f"{made.tickets:,} tickets", _rate(made.tickets, elapsed)))
    bench_hotspots(rows)
    if intake:
        do_train_routers()  # intake is measured as deployed: every new ticket is routed
        bench_intake(rows, count=intake, clients=16)
    bench_kpis(rows, target=kpi_tickets)
    bench_hotspots(rows)
    if intake:
        bench_routing(rows, examples=int(os.getenv("BENCH_ROUTER_EXAMPLES", "100000")))
    bench_duplicates(rows)  # last: it opens every ticket


def _print(rows: list[tuple[str, str, str]]) -> None:
    from django.db import connection

    from wangge.areas.models import Area, Level

    grids = Area.objects.filter(level=Level.GRID).count()
    width = max(len(r[0]) for r in rows)
    print(
        f"\nWangge bench  (python {sys.version.split()[0]}, {os.cpu_count()} cores, {grids} demo grids, "
        f"{connection.vendor})"
    )
    print(f"{'measure':<{width}}  {'work':>16}  {'result':>22}")
    print("-" * (width + 42))
    for name, work, result in rows:
        print(f"{name:<{width}}  {work:>16}  {result:>22}")


if __name__ == "__main__":
    main()
