"""走访计划 (F4) in `make bench`: who is due or overdue, for the demo district and for 1,000,000 residents.

"The due-visit computation" is what the pages and API ask of the schedule: every grid's overdue and
due counts for the whole district (the district's overview), the district's due list (most overdue
first), and one grid worker's round. The registry is then grown to a million residents by copying the
demo households (with their schedules) under new door numbers, and the same is measured again.
"""

import math
import statistics
import time


def _timed(work, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return times


def _measure(rows: list[tuple[str, str, str]], label: str, *, runs: int = 5) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from wangge.areas.models import Area
    from wangge.people import schedule
    from wangge.people.models import Household, Resident
    from wangge.visits.selectors import round_households

    district = Area.objects.get(parent=None)
    worker = get_user_model().objects.get(username="gridworker")
    residents, households = Resident.objects.count(), Household.objects.count()

    def overview() -> None:
        schedule.due_by_grid(district)
        schedule.due_households(Household.objects.all(), area=district, limit=100)

    times = _timed(overview, runs)
    grids = schedule.due_by_grid(district)
    overdue, due = sum(g.overdue for g in grids), sum(g.due for g in grids)
    rows.append(
        (
            f"due visits, {label} ({residents:,} residents, {households:,} households, {connection.vendor})",
            f"{overdue:,} overdue, {due:,} due",
            f"median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f}",
        )
    )
    rows.append(
        (
            "  of which the per-grid counts",
            f"{len(grids)} grids",
            _ms(_timed(lambda: schedule.due_by_grid(district), runs)),
        )
    )
    times = _timed(lambda: schedule.due_households(round_households(worker), limit=100), runs)
    rows.append(("  a grid worker's due list", "", _ms(times)))


def _ms(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:.1f} ms"


def grow_registry(target: int) -> int:
    """Copy the demo households (with residents and schedules) under new door numbers until there are
    about `target` residents. Returns the resident count."""
    from django.db import connection

    from wangge.people.models import Household, Resident

    current = Resident.objects.count()
    copies = math.ceil((target - current) / current) if current < target else 0
    household_columns = [f.column for f in Household._meta.concrete_fields if f.column != "id"]
    resident_columns = [f.column for f in Resident._meta.concrete_fields if f.column != "id"]
    h_select = {"door_no": "door_no || %s", "address": "address || %s"}
    r_select = {"household_id": "nh.id", "id_number_index": "''", "user_id": "NULL"}
    from tqdm import tqdm

    with connection.cursor() as cursor:
        for k in tqdm(range(1, copies + 1), desc="居民档案扩至百万", unit="份", leave=False):
            suffix = f"-{k}"
            cursor.execute(
                f"INSERT INTO people_household ({', '.join(household_columns)}) "
                f"SELECT {', '.join(h_select.get(c, c) for c in household_columns)} "
                "FROM people_household WHERE door_no NOT LIKE %s",
                [suffix, f"（{k}）", "%-%"],
            )
            cursor.execute(
                f"INSERT INTO people_resident ({', '.join(resident_columns)}) "
                f"SELECT {', '.join(r_select.get(c, 'r.' + c) for c in resident_columns)} "
                "FROM people_resident r JOIN people_household oh ON oh.id = r.household_id "
                "JOIN people_household nh ON nh.area_id = oh.area_id AND nh.door_no = oh.door_no || %s "
                "WHERE oh.door_no NOT LIKE %s",
                [suffix, "%-%"],
            )
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return Resident.objects.count()


def bench_visits(rows: list[tuple[str, str, str]], *, target: int = 1_000_000, demo: bool = True) -> None:
    if demo:
        _measure(rows, "demo district")
    t0 = time.perf_counter()
    grown = grow_registry(target)
    rows.append(
        ("registry grown by copying the demo", f"{grown:,} residents", f"{time.perf_counter() - t0:.0f} s")
    )
    _measure(rows, f"{grown // 1000:,}k residents")
