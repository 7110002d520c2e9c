"""以下评上: how the units that served an area did — assignments, returns (推诿), summons answered on time,
late or missed (吹哨未报到) — beside the rating the communities gave them."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, BooleanField, Count, ExpressionWrapper, F, Q
from django.utils import timezone

from wangge.areas.models import Area, Unit, subtree_q
from wangge.tickets.models import Assignment, SummonsCall, UnitAssessment


@dataclass
class UnitRow:
    unit: Unit
    assigned: int
    returned: int
    summoned: int
    reported_on_time: int
    reported_late: int
    missed: int
    score: float | None
    ratings: int

    @property
    def return_rate(self) -> float | None:
        return round(self.returned / self.assigned, 4) if self.assigned else None

    @property
    def summons_rate(self) -> float | None:
        return round(self.reported_on_time / self.summoned, 4) if self.summoned else None


def summons_by_unit(area_code: str, *, start: dt.datetime | None, now: dt.datetime) -> dict[int, dict]:
    """Per unit called (吹哨) on the area's tickets, calls issued since `start`: summoned, on_time,
    late, and missed (no report and past the deadline: 吹哨未报到)."""
    calls = SummonsCall.objects.filter(subtree_q(area_code, "summons__area_code"))
    if start is not None:
        calls = calls.filter(summons__issued_at__gte=start)
    rows = calls.values("unit_id").annotate(
        summoned=Count("pk"),
        on_time=Count("pk", filter=Q(reported_at__lte=F("summons__deadline"))),
        late=Count("pk", filter=Q(reported_at__gt=F("summons__deadline"))),
        missed=Count("pk", filter=Q(reported_at__isnull=True, summons__deadline__lt=now)),
    )
    return {row.pop("unit_id"): row for row in rows.order_by()}


def unit_table(
    area: Area, *, start: dt.datetime | None = None, now: dt.datetime | None = None
) -> list[UnitRow]:
    now = now or timezone.now()
    assignments = Assignment.objects.filter(subtree_q(area.code, "area_code"))
    if start is not None:
        assignments = assignments.filter(assigned_at__gte=start)
    # Each unit's tickets (assigned, and returned: 推诿) counted here from the rows of assignment_unit_table,
    # a person's assignments too (unit None, skipped): grouped and counted distinct in the database,
    # SQLite chose the unit column's index over that one, or a skip scan, 0.15 to 1.1 s for a
    # community's month at a million tickets.
    tickets: dict[int, set[int]] = {}
    returned: dict[int, set[int]] = {}
    flagged = assignments.annotate(
        was_returned=ExpressionWrapper(Q(returned_at__isnull=False), BooleanField())
    )
    for unit_id, ticket_id, was_returned in flagged.values_list("unit_id", "ticket_id", "was_returned"):
        if unit_id is not None:
            tickets.setdefault(unit_id, set()).add(ticket_id)
            if was_returned:
                returned.setdefault(unit_id, set()).add(ticket_id)
    by_unit: dict[int, dict] = {
        unit_id: {"assigned": len(held), "returned": len(returned.get(unit_id, ()))}
        for unit_id, held in tickets.items()
    }
    for unit_id, row in summons_by_unit(area.code, start=start, now=now).items():
        by_unit.setdefault(unit_id, {}).update(row)
    scores = {
        r["unit_id"]: r
        for r in UnitAssessment.objects.filter(subtree_q(area.code, "area__code"))
        .values("unit_id")
        .annotate(avg=Avg("score"), n=Count("pk"))
    }
    units = Unit.objects.in_bulk(set(by_unit) | set(scores))
    rows = [
        UnitRow(
            unit=units[pk],
            assigned=by_unit.get(pk, {}).get("assigned", 0),
            returned=by_unit.get(pk, {}).get("returned", 0),
            summoned=by_unit.get(pk, {}).get("summoned", 0),
            reported_on_time=by_unit.get(pk, {}).get("on_time", 0),
            reported_late=by_unit.get(pk, {}).get("late", 0),
            missed=by_unit.get(pk, {}).get("missed", 0),
            score=round(scores[pk]["avg"], 2) if pk in scores else None,
            ratings=scores[pk]["n"] if pk in scores else 0,
        )
        for pk in units
    ]
    rows.sort(key=lambda r: (r.unit.kind, r.unit.code))
    return rows
