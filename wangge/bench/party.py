"""党建 (F23) in `make bench`: 包户 coverage and the households waiting for a member, over the registry
grown to a million residents (visits.grow_registry copies the demo households into the same communities,
so one community holds tens of thousands of households), and the desk pages that show them.

Measured: coverage of the district and of one community (one aggregate each), the first 30 households
waiting in the community (special groups first), and the party page's 概况 and 包户 tabs over HTTP.
"""

import statistics
import time

RUNS = 5


def _timed(work, runs: int = RUNS) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return times


def _p(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


def bench_party(rows: list[tuple[str, str, str]]) -> None:
    from django.db import connection
    from django.test import Client

    from wangge.accounts.models import User
    from wangge.areas.models import Area, Level
    from wangge.party.selectors import candidates, coverage
    from wangge.people.models import Household

    district = Area.objects.get(parent=None)
    community = Area.objects.filter(level=Level.COMMUNITY).order_by("code").first()
    if community is None:
        return
    households = Household.objects.count()
    in_community = Household.objects.filter(area__code__startswith=community.code).count()
    where = f"{households:,} households, {in_community:,} in the community, {connection.vendor}"
    rows.append((f"包户 coverage, district ({where})", _p(_timed(lambda: coverage(district.code))), ""))
    rows.append(("包户 coverage, community", _p(_timed(lambda: coverage(community.code))), ""))
    rows.append(
        (
            "households waiting for a member, community (first 30)",
            _p(_timed(lambda: candidates(community.code))),
            "",
        )
    )
    for username, code, tab in (
        ("community", community.code, "overview"),
        ("community", community.code, "households"),
        ("district", district.code, "overview"),
    ):
        client = Client()
        client.force_login(User.objects.get(username=username))
        path = f"/areas/{code}/party/?t={tab}"
        client.get(path)  # warm

        def page(path: str = path, client: Client = client) -> None:
            assert client.get(path).status_code == 200

        rows.append((f"party page {tab}, {username}", _p(_timed(page)), ""))
