"""以下评上: how the units that served an area did — assignments, returns (推诿), summons answered on time,
late or missed (吹哨未报到) — beside the rating the communities gave them."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from wangge.areas.models import Area, Unit
from wangge.stats.kpis import subtree_q
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


def unit_table(
    area: Area, *, start: dt.datetime | None = None, now: dt.datetime | None = None
) -> list[UnitRow]:
    now = now or timezone.now()
    assignments = Assignment.objects.filter(subtree_q(area.code, "area_code"), unit__isnull=False)
    calls = SummonsCall.objects.filter(subtree_q(area.code, "summons__ticket__area_code"))
    if start is not None:
        assignments = assignments.filter(assigned_at__gte=start)
        calls = calls.filter(summons__issued_at__gte=start)
    by_unit: dict[int, dict] = {}
    for row in assignments.values("unit_id").annotate(
        assigned=Count("ticket_id", distinct=True),
        returned=Count("ticket_id", filter=Q(returned_at__isnull=False), distinct=True),
    ):
        by_unit.setdefault(row["unit_id"], {}).update(row)
    for row in calls.values("unit_id").annotate(
        summoned=Count("pk"),
        on_time=Count("pk", filter=Q(reported_at__lte=F("summons__deadline"))),
        late=Count("pk", filter=Q(reported_at__gt=F("summons__deadline"))),
        missed=Count("pk", filter=Q(reported_at__isnull=True, summons__deadline__lt=now)),
    ):
        by_unit.setdefault(row["unit_id"], {}).update(row)
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
