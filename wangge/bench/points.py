"""积分 (F10) in `make bench` (issue 21): a person's balance with the first page of their history, and a
community's points economy, through the API, with 1,000,000 ledger entries (BENCH_POINT_ENTRIES) in
the database: 500,000 awards from the community funds to every household of the demo district, a
share of them to the volunteer's own account. The aim is p95 < 50 ms for each, and < 300 ms for the
pages over the same ledger (我的积分, 心愿墙, the desk's 共建).
"""

import statistics
import time

AIM_MS = 50
PAGE_AIM_MS = 300  # the pages over the same ledger: 我的积分, 心愿墙 and the desk's 共建


def grow_ledger(entries: int) -> int:
    """Awards as the ledger writes them (a transfer and its two entries), made in the database by two
    INSERT … SELECT over a counter (a recursive CTE, on both databases): every household of the demo
    district and the volunteer (one award in 50) paid from their community's fund. The balances and
    running totals are then set from the entries."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from wangge.areas.models import Area, Level
    from wangge.people.models import Household
    from wangge.points.actions import fund_account, household_account, person_account
    from wangge.points.models import Account, Entry, TransferKind

    volunteer = get_user_model().objects.get(username="volunteer")
    communities = {a.code: a for a in Area.objects.filter(level=Level.COMMUNITY).order_by("code")}
    funds = {code: fund_account(area) for code, area in communities.items()}
    first_fund = next(iter(funds.values()))
    holders = [household_account(h) for h in Household.objects.select_related("area").order_by("pk")]
    mine = person_account(volunteer, next(iter(communities.values())))
    # (row, holder, its fund): the volunteer takes every 50th row
    pairs = [(h.pk, (funds.get(h.area_code[:12]) or first_fund).pk) for h in holders]
    table = [
        (mine.pk, (funds.get(mine.area_code[:12]) or first_fund).pk) if i % 50 == 0 else pairs[i % len(pairs)]
        for i in range(len(pairs) * 50)
    ]
    transfers = (entries - Entry.objects.count()) // 2
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_holders (rn INTEGER PRIMARY KEY, target INTEGER, source INTEGER)"
        )
        cursor.executemany(
            "INSERT INTO bench_holders VALUES (%s, %s, %s)", [(i, t, f) for i, (t, f) in enumerate(table)]
        )
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM points_transfer")
        last = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO points_transfer (kind, currency, amount, source_id, target_id, ref, reason, at) "
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            "SELECT %s, 'points', 1 + n.i %% 20, h.source, h.target, '', '清洁户评比', %s "
            "FROM n JOIN bench_holders h ON h.rn = n.i %% %s",
            [transfers - 1, TransferKind.AWARD, timezone.now(), len(table)],
        )
        for column, sign in (("source_id", "-"), ("target_id", "")):
            cursor.execute(
                f"INSERT INTO points_entry (transfer_id, account_id, amount, at) "
                f"SELECT id, {column}, {sign}amount, at FROM points_transfer WHERE id > %s ORDER BY id",
                [last],
            )
        cursor.execute("DROP TABLE bench_holders")
        cursor.execute(
            "UPDATE points_account SET balance = COALESCE((SELECT SUM(amount) FROM points_entry e "
            "WHERE e.account_id = points_account.id), 0)"
        )
        cursor.execute(
            "UPDATE points_account SET earned = balance + spent WHERE kind IN ('person', 'household')"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    assert not Account.objects.filter(kind__in=["person", "household"], balance__lt=0).exists()
    return Entry.objects.count()


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
    screens = {
        "我的积分 page": (volunteer, "/h5/points/"),
        "心愿墙 page": (volunteer, "/h5/wishes/"),
        "共建 page, 积分 tab": (staff, f"/areas/{community.code}/participation/?t=points"),
        "共建 page, 三张清单 tab": (staff, f"/areas/{community.code}/participation/"),
    }
    total = Entry.objects.count()
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
        for label, (client, path) in {**pages, **screens}.items():
            aim = PAGE_AIM_MS if label in screens else AIM_MS
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
                    f"p50 {p50:.0f} ms, p95 {p95:.0f} ms (aim < {aim})",
                )
            )
