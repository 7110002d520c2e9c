"""积分 (F10) in `make bench` (issue 21): a person's balance with the first page of their history, and a
community's points economy, through the API, with 1,000,000 ledger entries (BENCH_POINT_ENTRIES) in
the database: 500,000 awards from the community funds to every household of the demo district, a
share of them to the volunteer's own account. The aim is p95 < 50 ms for each.
"""

import statistics
import time

AIM_MS = 50
BATCH = 5_000


def grow_ledger(entries: int) -> int:
    """Awards written as the ledger writes them (a transfer and its two entries), in bulk, with the
    balances and running totals set from the entries afterwards."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from wangge.areas.models import Area, Level
    from wangge.people.models import Household
    from wangge.points.actions import fund_account, household_account, person_account
    from wangge.points.models import Account, Entry, Transfer, TransferKind

    volunteer = get_user_model().objects.get(username="volunteer")
    communities = {a.code: a for a in Area.objects.filter(level=Level.COMMUNITY)}
    funds = {code: fund_account(area) for code, area in communities.items()}
    holders = [household_account(h) for h in Household.objects.select_related("area").order_by("pk")]
    mine = person_account(volunteer, next(iter(communities.values())))
    holders.append(mine)
    now = timezone.now()
    made = Entry.objects.count()
    i = 0
    while made < entries:
        with transaction.atomic():
            transfers = []
            for _ in range(BATCH // 2):
                holder = mine if i % 50 == 0 else holders[i % len(holders)]
                fund = funds.get(holder.area_code[:12]) or next(iter(funds.values()))
                transfers.append(
                    Transfer(
                        kind=TransferKind.AWARD,
                        amount=1 + i % 20,
                        source=fund,
                        target=holder,
                        reason="清洁户评比",
                        at=now,
                    )
                )
                i += 1
            Transfer.objects.bulk_create(transfers)
            Entry.objects.bulk_create(
                [
                    e
                    for t in transfers
                    for e in (
                        Entry(transfer=t, account=t.source, amount=-t.amount, at=now),
                        Entry(transfer=t, account=t.target, amount=t.amount, at=now),
                    )
                ]
            )
            made += len(transfers) * 2
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE points_account SET balance = COALESCE((SELECT SUM(amount) FROM points_entry e "
            "WHERE e.account_id = points_account.id), 0)"
        )
        cursor.execute("UPDATE points_account SET earned = balance WHERE kind IN ('person', 'household')")
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    assert Account.objects.filter(kind__in=["person", "household"], balance__lt=0).count() == 0
    return made


def _p(times: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return cuts[9], cuts[18]


def bench_points(rows: list[tuple[str, str, str]], *, entries: int, runs: int = 30) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from wangge.accounts.models import User
    from wangge.areas.models import Area
    from wangge.points.models import Entry

    t0 = time.perf_counter()
    made = grow_ledger(entries)
    rows.append(
        (f"ledger grown ({connection.vendor})", f"{made:,} entries", f"{time.perf_counter() - t0:.0f} s")
    )
    volunteer, staff = Client(), Client()
    volunteer.force_login(User.objects.get(username="volunteer"))
    staff.force_login(User.objects.get(username="community"))
    community = Area.objects.get(code="210104001001")
    mine = volunteer.get("/api/v1/points/me").json()
    account = next(a["id"] for a in mine if a["kind"] == "person" and a["currency"] == "points")
    pages = {
        "a person's balance (/points/me)": (volunteer, "/api/v1/points/me"),
        "the first page of their history": (volunteer, f"/api/v1/points/accounts/{account}/entries"),
        "a community's points economy": (staff, f"/api/v1/points/economy?area={community.code}"),
    }
    total = Entry.objects.count()
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for label, (client, path) in pages.items():
            client.get(path)  # warm
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                times.append((time.perf_counter() - started) * 1000)
            p50, p95 = _p(times)
            rows.append(
                (
                    f"points: {label}, {total:,} entries ({connection.vendor})",
                    f"{runs} requests",
                    f"p50 {p50:.0f} ms, p95 {p95:.0f} ms (aim < {AIM_MS})",
                )
            )
