"""Page latency by role at scale in `make bench` (issue 18): every home and list page of every demo login,
requested through Django's test client (DEBUG off) with the 1,000,000 tickets of kpi.grow_tickets in the
database, so it runs after the KPI figure. For each page: the HTTP status, p50 and p95 over
BENCH_PAGE_RUNS requests (20, after 2 warm-ups; 0 skips the pages) and the SQL queries of one request.
The aim is p95 < 300 ms for every page. A page that has taken BENCH_PAGE_SECONDS (20) stops after 5
requests: a page several times over the aim needs no finer p95, and at 20 requests the slow pages of a
million tickets alone took most of an hour.

Redirects are followed: a page that redirects is timed to the final page, redirect included, and its path
shows where it went. What a page loads after it has arrived (htmx `hx-trigger="load"`, the map's fetches
of the JSON API) is a row of its own, right after the page.
"""

import logging
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no Django at import: __main__ imports this before django.setup()
    from django.test import Client

    from wangge.accounts.models import User

AIM_MS = 300
WARM_UPS = 2
MIN_RUNS = 5  # requests of a page that has used its time (BENCH_PAGE_SECONDS)
DISTRICT, STREET, COMMUNITY = "210104", "210104001", "210104001001"  # the demo logins' (demo/city.py)
# The workbench and the tabs each role has (tickets.worklists.ROLE_QUEUES), for every role that works
# tickets; the opening tab is the bare /tickets/.
WORKBENCH_TABS = {
    "community": ("dispatch", "review", "mine", "overdue", "all"),
    "street": ("dispatch", "review", "mine", "overdue", "all"),
    "district": ("dispatch", "review", "mine", "overdue", "all"),
    "gridhead": ("dispatch", "mine", "overdue", "all"),
    "gridworker": ("mine", "grid", "overdue", "all"),
    "unit": ("mine", "summoned", "overdue", "all"),
}
WORKBENCH = [
    (user, label, path)
    for user, tabs in WORKBENCH_TABS.items()
    for label, path in [
        ("workbench", "/tickets/"),
        *((f"workbench {q}", f"/tickets/?queue={q}") for q in tabs),
    ]
]

SCREEN_DATA = "  screen data (each refresh)"
SCREEN_AIM_MS = 200

# (username, label, path), measured and printed in this order. "{ticket}" is the newest open ticket in
# that user's scope (the original, not a copy, when several were submitted at the same moment).
PAGES: list[tuple[str, str, str]] = [
    ("district", "home", "/"),
    ("street", "home", "/"),
    ("community", "home", "/"),
    ("gridhead", "home", "/"),
    ("gridworker", "home", "/"),
    ("unit", "home", "/"),
    ("party", "home", "/"),
    ("volunteer", "home", "/"),
    ("resident", "home", "/"),
    *WORKBENCH,
    ("gridworker", "field today", "/field/"),
    ("gridworker", "field my tickets", "/field/tickets/"),
    ("gridworker", "field grid tickets", "/field/tickets/?queue=grid"),
    ("gridhead", "field my tickets", "/field/tickets/?queue=dispatch"),
    ("gridworker", "field report", "/field/report/"),
    ("gridworker", "field directives", "/field/directives/"),
    ("community", "stats", f"/stats/{COMMUNITY}/"),
    ("community", "  hotspots (htmx load)", f"/stats/{COMMUNITY}/hotspots/"),
    ("street", "stats", f"/stats/{STREET}/"),
    ("street", "  hotspots (htmx load)", f"/stats/{STREET}/hotspots/"),
    ("district", "stats", f"/stats/{DISTRICT}/"),
    ("district", "  hotspots (htmx load)", f"/stats/{DISTRICT}/hotspots/"),
    ("district", "stats year", f"/stats/{DISTRICT}/?period=year"),
    ("district", "stats export", f"/stats/{DISTRICT}/export.xlsx"),
    ("district", "screen", f"/screen/{DISTRICT}/"),
    ("district", SCREEN_DATA, f"/api/v1/screen/{DISTRICT}"),
    ("district", "  map (fetch)", f"/api/v1/areas/{DISTRICT}/map"),
    ("street", SCREEN_DATA, f"/api/v1/screen/{STREET}"),
    ("community", SCREEN_DATA, f"/api/v1/screen/{COMMUNITY}"),
    ("community", "four lists", f"/areas/{COMMUNITY}/lists/"),
    ("street", "four lists", f"/areas/{STREET}/lists/"),
    ("community", "area", f"/areas/{COMMUNITY}/"),
    ("community", "  map (fetch)", f"/api/v1/areas/{COMMUNITY}/map"),
    ("community", "  buildings (fetch)", f"/api/v1/areas/{COMMUNITY}/buildings"),
    ("district", "area", f"/areas/{DISTRICT}/"),
    ("gridworker", "inbox", "/inbox/"),
    ("unit", "inbox", "/inbox/"),
    ("resident", "h5 my requests", "/h5/mine/"),
    ("resident", "h5 report", "/h5/"),
    ("resident", "  map (fetch)", "/api/v1/intake/grids"),
    ("resident", "h5 inbox", "/h5/inbox/"),
    ("resident", "h5 services", "/h5/services/"),
    ("community", "residents", "/residents/"),
    ("district", "directives", "/directives/"),
    ("community", "clusters", "/tickets/clusters/"),
    ("community", "ticket", "/tickets/{ticket}/"),
    ("street", "ticket", "/tickets/{ticket}/"),
    ("district", "ticket", "/tickets/{ticket}/"),
    ("gridhead", "ticket", "/tickets/{ticket}/"),
    ("gridworker", "ticket", "/tickets/{ticket}/"),
    ("gridworker", "ticket (phone)", "/field/tickets/{ticket}/"),
    ("unit", "ticket", "/tickets/{ticket}/"),
    ("resident", "h5 ticket", "/h5/mine/{ticket}/"),
    ("community", "party overview", f"/areas/{COMMUNITY}/party/"),
    ("community", "party members", f"/areas/{COMMUNITY}/party/?t=members"),
    ("community", "party households", f"/areas/{COMMUNITY}/party/?t=households"),
    ("community", "party pledges", f"/areas/{COMMUNITY}/party/?t=pledges"),
    ("community", "party co-building", f"/areas/{COMMUNITY}/party/?t=cobuilding"),
    ("community", "party cases", f"/areas/{COMMUNITY}/party/?t=cases"),
    ("community", "party service", f"/areas/{COMMUNITY}/party/?t=service"),
    ("street", "party overview", f"/areas/{STREET}/party/"),
    ("district", "party overview", f"/areas/{DISTRICT}/party/"),
    ("district", "party households", f"/areas/{DISTRICT}/party/?t=households"),
    ("party", "h5 party", "/h5/party/"),
    ("resident", "h5 party board", "/h5/party/board/"),
    ("community", "talk meetings", f"/areas/{COMMUNITY}/talk/"),
    ("community", "talk raised", f"/areas/{COMMUNITY}/talk/?t=raised"),
    ("community", "talk following", f"/areas/{COMMUNITY}/talk/?t=following"),
    ("community", "talk rating", f"/areas/{COMMUNITY}/talk/?t=rating"),
    ("community", "talk notices", f"/areas/{COMMUNITY}/talk/?t=notices"),
    ("community", "talk surveys", f"/areas/{COMMUNITY}/talk/?t=surveys"),
    ("community", "survey results", "/surveys/{survey}/"),
    ("district", "talk meetings", f"/areas/{DISTRICT}/talk/"),
    ("district", "talk following", f"/areas/{DISTRICT}/talk/?t=following"),
    ("resident", "h5 talk", "/h5/talk/"),
    ("resident", "h5 notices", "/h5/notices/"),
]


@dataclass
class PageTiming:
    username: str
    label: str
    path: str  # as requested, and "-> final" when redirected
    status: int
    p50_ms: float
    p95_ms: float
    queries: int
    runs: int

    @property
    def slow(self) -> bool:
        return self.p95_ms >= AIM_MS


def _open_ticket(user: "User") -> int | None:
    from wangge.tickets import workflow
    from wangge.tickets.queries import tickets_for

    return (
        tickets_for(user)
        .exclude(status__in=workflow.TERMINAL)
        .order_by("-submitted_at", "id")
        .values_list("pk", flat=True)
        .first()
    )


def _measure(
    client: "Client", username: str, label: str, path: str, *, runs: int, seconds: float
) -> PageTiming:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UPS - 1):
        client.get(path, follow=True)
    reset_queries()  # a full log (the bench ran with DEBUG on until now) would capture nothing
    with CaptureQueriesContext(connection) as queries:  # the last warm-up counts the queries
        response = client.get(path, follow=True)
    query_count = len(queries)  # read now: the next request clears the log it slices
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < runs and (len(times) < MIN_RUNS or time.perf_counter() - started < seconds):
        t0 = time.perf_counter()
        response = client.get(path, follow=True)
        times.append((time.perf_counter() - t0) * 1000)
    final = response.request["PATH_INFO"]
    if response.request.get("QUERY_STRING"):
        final += "?" + response.request["QUERY_STRING"]
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return PageTiming(
        username=username,
        label=label,
        path=f"{path} -> {final}" if response.redirect_chain else path,
        status=response.status_code,
        p50_ms=cuts[9],
        p95_ms=cuts[18],
        queries=query_count,
        runs=len(times),
    )


@dataclass
class PageTable:
    tickets: int
    vendor: str
    runs: int
    seconds: float
    timings: list[PageTiming]


def bench_pages(rows: list[tuple[str, str, str]], *, runs: int, seconds: float) -> PageTable:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from wangge.accounts.models import User
    from wangge.tickets.models import Ticket

    runs = max(runs, 2)
    users = {u.username: u for u in User.objects.filter(username__in={p[0] for p in PAGES})}
    clients = {}
    for name, user in users.items():
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    tickets = {name: _open_ticket(users[name]) for name, _label, path in PAGES if "{ticket}" in path}
    survey = _talk_demo()
    timings = []
    # The table shows each status; only a server error (with its traceback) is logged.
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for username, label, path in PAGES:
            if "{ticket}" in path:
                if tickets.get(username) is None:
                    continue
                path = path.format(ticket=tickets[username])
            if "{survey}" in path:
                path = path.format(survey=survey)
            timings.append(_measure(clients[username], username, label, path, runs=runs, seconds=seconds))
        standings = _standings_screen(clients["district"], runs)
        cold = _cold_screen(clients["district"])
    request_log.setLevel(level)
    table = PageTable(Ticket.objects.count(), connection.vendor, runs, seconds, timings)
    for t in timings:
        if t.label == SCREEN_DATA and t.username == "district":
            rows.append(
                (
                    f"big screen JSON, district, {table.tickets:,} tickets ({table.vendor})",
                    f"{t.runs} refreshes",
                    f"p50 {t.p50_ms:.0f} ms, p95 {t.p95_ms:.0f} ms (aim < {SCREEN_AIM_MS}); "
                    f"the minute's first (standings read again) p50 {standings[0]:.0f} ms, "
                    f"p95 {standings[1]:.0f} ms; cold {cold:.0f} ms",
                )
            )
    rows.append(
        (
            f"pages by role, {table.tickets:,} tickets ({table.vendor})",
            f"{len(timings)} pages",
            f"{sum(t.slow for t in timings)} with p95 >= {AIM_MS} ms",
        )
    )
    return table


def _talk_demo() -> int:
    """议事 and 公示 as `demo_city` makes them (the bench's district is built without them), so that their
    pages show meetings, matters at every step, notices and a survey with answers; the survey's id."""
    import random

    from django.utils import timezone

    from wangge.deliberation.models import MeetingDay
    from wangge.demo.deliberation import build_demo_deliberation
    from wangge.notices.models import Survey

    if not MeetingDay.objects.exists():
        build_demo_deliberation(random.Random(0), timezone.localdate())
    return Survey.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _cold_screen(client: "Client") -> float:
    """One refresh of the district's screen with its cache empty: the registry and the periods compared
    with are read again (once per 5 minutes and area; the table's figures are the other refreshes)."""
    from django.core.cache import cache

    cache.clear()
    t0 = time.perf_counter()
    client.get(f"/api/v1/screen/{DISTRICT}")
    return (time.perf_counter() - t0) * 1000


def _standings_screen(client: "Client", runs: int) -> tuple[float, float]:
    """p50 and p95 of the district screen's refresh that reads the month's standings again, as the
    first refresh of each minute does (stats.screen.standings)."""
    from django.core.cache import cache
    from django.utils import timezone

    from wangge.stats.screen import standings_key

    today = timezone.localtime(timezone.now(), timezone.get_default_timezone()).date()
    key = standings_key(DISTRICT, today)
    times = []
    for _ in range(max(runs, MIN_RUNS)):
        cache.delete(key)
        t0 = time.perf_counter()
        client.get(f"/api/v1/screen/{DISTRICT}")
        times.append((time.perf_counter() - t0) * 1000)
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return cuts[9], cuts[18]


def print_pages(table: PageTable) -> None:
    timings = table.timings
    if not timings:
        return
    user_w = max(len("role"), *(len(t.username) for t in timings))
    label_w = max(len("page"), *(len(t.label) for t in timings))
    path_w = max(len("path"), *(len(t.path) for t in timings))
    print(
        f"\nPages by role, {table.tickets:,} tickets ({table.vendor}): p50 / p95 of up to {table.runs} "
        f"requests after {WARM_UPS} warm-ups (a page stops after {table.seconds:.0f} s once it has "
        f"{MIN_RUNS}: runs), SQL queries of one request; * p95 >= {AIM_MS} ms"
    )
    head = f"{'role':<{user_w}}  {'page':<{label_w}}  {'path':<{path_w}}"
    print(f"{head}  status  runs  p50 ms   p95 ms   queries")
    print("-" * (user_w + label_w + path_w + 46))
    for t in timings:
        print(
            f"{t.username:<{user_w}}  {t.label:<{label_w}}  {t.path:<{path_w}}  {t.status:>6}  {t.runs:>4}  "
            f"{t.p50_ms:>6.0f}  {t.p95_ms:>6.0f}{'*' if t.slow else ' '}  {t.queries:>7}"
        )
