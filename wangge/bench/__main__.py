"""`make bench`: the figures issues ask for, printed as a table.

- point->grid lookups per second on the demo district's grids and on 10,000 generated grids (lookup.py);
- demo generation rate (households per second) for `demo_city --households N` (demo.py);
- ticket intake through the API against a bare insert view (intake.py), and the district KPI query over
  1,000,000 tickets (kpi.py). `python -m wangge.bench kpi` runs only the KPI part (make bench runs it
  a second time on a throwaway PostgreSQL cluster);
- the router: training on 100,000 closed tickets, one prediction, the intake suggestion (routing.py);
- the duplicate check at intake with every one of the 1,000,000 tickets open (routing.py);
- the hotspots (未诉先办) of the whole district, over the demo year and over 1,000,000 tickets (routing.py);
- who is due or overdue for a visit (走访计划), for the demo district and for 1,000,000 residents
  (visits.py; in the `kpi` run on PostgreSQL too);
- 包户 coverage, the households waiting for a party member and the party pages over that registry
  (party.py; in the `kpi` run too);
- every home and list page of every demo login over 1,000,000 tickets, p50/p95 and SQL queries, printed
  as a second table (pages.py; in the `kpi` run too);
- `python -m wangge.bench soak`: 50 clients for 5 minutes against the production profile (soak.py; make
  bench runs it on the throwaway PostgreSQL cluster).

Runs on a throwaway SQLite database (or WANGGE_DATABASE_URL if set to something else by the caller).
"""

import os
import sys
import tempfile
from pathlib import Path

from wangge.bench.pages import PageTable, bench_pages, print_pages  # no Django at import


def main() -> None:
    only_kpi = sys.argv[1:] == ["kpi"]
    soak = sys.argv[1:] == ["soak"]
    households = int(os.getenv("BENCH_HOUSEHOLDS", "2000" if only_kpi else "20000"))
    kpi_tickets = int(os.getenv("BENCH_KPI_TICKETS", "1000000"))
    intake = int(os.getenv("BENCH_INTAKE", "3000"))
    points = int(os.getenv("BENCH_POINTS", "100000"))
    residents = int(os.getenv("BENCH_RESIDENTS", "1000000"))
    point_entries = int(os.getenv("BENCH_POINT_ENTRIES", "1000000"))
    workdir = tempfile.mkdtemp(prefix="wangge-bench-")
    os.environ.setdefault("WANGGE_DATABASE_URL", f"sqlite:///{Path(workdir) / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
    os.environ.setdefault("WANGGE_DEMO", "True")  # made-up people: the public development keys will do
    import warnings

    warnings.filterwarnings("ignore", message="WANGGE_FIELD_KEY")
    import django

    django.setup()
    from django.core.management import call_command

    from wangge.bench.demo import bench_demo_city
    from wangge.bench.lookup import bench_lookup
    from wangge.bench.party import bench_party
    from wangge.bench.points import bench_points
    from wangge.bench.visits import bench_visits
    from wangge.demo.city import build_demo_city

    call_command("migrate", verbosity=0)
    if soak:
        from wangge.bench.soak import bench_soak

        # The demo district with its year of tickets and trained routers, as `make demo` serves it.
        call_command("demo_city", households=int(os.getenv("BENCH_SOAK_HOUSEHOLDS", "20000")), verbosity=0)
        bench_soak(
            clients=int(os.getenv("BENCH_SOAK_CLIENTS", "50")),
            seconds=float(os.getenv("BENCH_SOAK_SECONDS", "300")),
        )
        return
    rows: list[tuple[str, str, str]] = []
    if only_kpi:
        build_demo_city(households=households, seed=0)
        pages = _tickets(rows, intake=0, kpi_tickets=kpi_tickets)
        bench_visits(rows, target=residents, demo=False)
        bench_party(rows)
        bench_points(rows, entries=point_entries)
        _print(rows)
        if pages:
            print_pages(pages)
        return

    bench_demo_city(rows, households=households)
    bench_lookup(rows, points=points)
    pages = _tickets(rows, intake=intake, kpi_tickets=kpi_tickets)
    bench_visits(rows, target=residents)
    bench_party(rows)
    bench_points(rows, entries=point_entries)
    _print(rows)
    if pages:
        print_pages(pages)


def _tickets(rows: list[tuple[str, str, str]], *, intake: int, kpi_tickets: int) -> PageTable | None:
    from wangge.bench.demo import bench_demo_tickets
    from wangge.bench.intake import bench_intake
    from wangge.bench.kpi import bench_kpis
    from wangge.bench.routing import bench_duplicates, bench_hotspots, bench_routing
    from wangge.routing.actions import do_train_routers

    bench_demo_tickets(rows)
    bench_hotspots(rows)
    if intake:
        do_train_routers()  # intake is measured as deployed: every new ticket is routed
        bench_intake(rows, count=intake, clients=16)
    bench_kpis(rows, target=kpi_tickets)
    bench_hotspots(rows)
    if intake:
        bench_routing(rows, examples=int(os.getenv("BENCH_ROUTER_EXAMPLES", "100000")))
    page_runs, page_seconds = (
        int(os.getenv("BENCH_PAGE_RUNS", "20")),
        float(os.getenv("BENCH_PAGE_SECONDS", "20")),
    )
    # Over the million, before they are all opened; BENCH_PAGE_RUNS=0 leaves the pages out.
    pages = bench_pages(rows, runs=page_runs, seconds=page_seconds) if page_runs else None
    bench_duplicates(rows)  # last: it opens every ticket
    return pages


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
