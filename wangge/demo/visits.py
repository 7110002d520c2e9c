"""The demo district's visit ledger: every occupied household has a schedule and a visit history, most on
time, some overdue, so that the grid workers' due lists look like a real Monday morning. And seed 001's
household: 宋玉兰 and her husband, an elderly couple on 董银成's round in the demo grid."""

import datetime as dt
import random
from collections.abc import Callable

from django.db.models import Count
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Membership, Role
from wangge.people.models import LEVEL_URGENCY, CareLevel, Gender, Household, Housing, Relation, Resident
from wangge.people.schedule import deepest_of, interval_days
from wangge.visits.models import Visit, VisitKind

# Share of households whose last visit slipped past its due date (from one day to two weeks).
OVERDUE_SHARE = 0.06
HISTORY_DAYS = 120
FINDINGS = {
    VisitKind.ROUTINE: [
        "入户了解家庭近况，无异常",
        "核对家庭成员信息，已更新联系方式",
        "宣传防范电信诈骗知识，发放宣传单",
        "提醒冬季用电用气安全，检查燃气灶具",
        "了解居民对小区环境的意见，已记录",
    ],
    VisitKind.CARE: [
        "老人身体状况稳定，生活能够自理",
        "测量血压正常，提醒按时服药",
        "帮助老人预约家庭医生上门随访",
        "老人反映行动不便，已联系志愿者定期帮忙买菜",
        "子女不在身边，留下网格员电话，叮嘱有事随时联系",
    ],
    VisitKind.KNOCK: ["敲门行动：确认家中人员平安，室内温度正常", "敲门行动：核实独居老人健康状况"],
}
SONG_YULAN = "宋玉兰"
HER_HUSBAND = "姚德厚"


def set_household_levels() -> None:
    """Each household's level is its most urgent member's (the most urgent level is written last)."""
    for level in reversed(LEVEL_URGENCY):
        members = Resident.objects.filter(care_level=level).values("household_id")
        Household.objects.filter(pk__in=members).update(care_level=level)


def build_demo_visits(rng: random.Random, today: dt.date) -> int:
    """Visit history of the last HISTORY_DAYS days and the schedule it leaves. Returns visits made."""
    set_household_levels()
    intervals = interval_days.get()
    workers: dict[str, list[Membership]] = {}
    for m in Membership.objects.filter(role=Role.GRID_WORKER, active=True).select_related("user", "area"):
        if m.area is not None:
            workers.setdefault(m.area.code, []).append(m)
    tz = timezone.get_current_timezone()
    visits: list[Visit] = []
    updates: list[Household] = []
    households = Household.objects.exclude(housing=Housing.VACANT).select_related("area").order_by("id")
    for h in households.iterator(chunk_size=5000):
        grid = deepest_of(h.area.code, workers.keys())
        interval = intervals[h.care_level]
        if rng.random() < OVERDUE_SHARE:
            last = today - dt.timedelta(days=interval + rng.randint(1, 14))
        else:
            last = today - dt.timedelta(days=rng.randint(0, interval - 1))
        h.level_since = today - dt.timedelta(days=HISTORY_DAYS + rng.randint(30, 400))
        h.next_visit_on = last + dt.timedelta(days=interval)
        kind = VisitKind.CARE if h.care_level in (CareLevel.RED, CareLevel.ORANGE) else VisitKind.ROUTINE
        day = last
        while grid is not None and day > today - dt.timedelta(days=HISTORY_DAYS):
            visitor = rng.choice(workers[grid]).user
            at = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), tz)
            at = min(at, timezone.now())
            visits.append(
                Visit(
                    household=h,
                    area_code=h.area.code,
                    visitor=visitor,
                    visitor_name=visitor.shown_name,
                    kind=kind,
                    visited_at=at,
                    findings=rng.choice(FINDINGS[kind]),
                )
            )
            day -= dt.timedelta(days=max(1, interval + rng.randint(-2, 2)))
        h.last_visited_at = dt.datetime.combine(last, dt.time(10), tz) if grid is not None else None
        if h.last_visited_at and h.last_visited_at > timezone.now():
            h.last_visited_at = timezone.now()
        updates.append(h)
    Household.objects.bulk_update(
        updates, ["level_since", "next_visit_on", "last_visited_at"], batch_size=2000
    )
    Household.objects.filter(housing=Housing.VACANT).update(level_since=today, next_visit_on=None)
    Visit.objects.bulk_create(visits, batch_size=5000)
    return len(visits)


def story_household(grid_code: str) -> Household | None:
    """The household of the demo grid that becomes 宋玉兰's: the smallest with two or more members (a
    couple living alone if there is one), never the `resident` login's (the grid's first head)."""
    first_head = (
        Resident.objects.filter(household__area__code__startswith=grid_code, relation=Relation.HEAD)
        .order_by("id")
        .values("household_id")[:1]
    )
    return (
        Household.objects.filter(area__code__startswith=grid_code)
        .exclude(pk__in=first_head)
        .annotate(n=Count("residents"))
        .filter(n__gte=2)
        .order_by("n", "id")
        .first()
    )


def name_song_yulan(
    household: Household, *, id_number: Callable[[dt.date, str], str], today: dt.date
) -> None:
    """Before the care tags are drawn: the first two members become 宋玉兰 (76) and her husband 姚德厚
    (79), so the elderly couple joins the district's tallies like everyone else."""
    she, he = list(household.residents.order_by("id"))[:2]
    for person, name, gender, birth, relation in (
        (she, SONG_YULAN, Gender.FEMALE, dt.date(today.year - 76, 3, 12), Relation.SPOUSE),
        (he, HER_HUSBAND, Gender.MALE, dt.date(today.year - 79, 9, 2), Relation.HEAD),
    ):
        person.name, person.gender, person.birth_date, person.relation = name, gender, birth, relation
        person.id_number = id_number(birth, gender)
        person.save()


def plant_song_yulan(household: Household, *, visitor: User, today: dt.date) -> None:
    """After the visit ledger: both are ill, so the couple is on the orange level (fortnightly), visited
    by 董银成 every fortnight and due again today."""
    Resident.objects.filter(household=household, name__in=[SONG_YULAN, HER_HUSBAND]).update(
        care_level=CareLevel.ORANGE
    )
    interval = interval_days.get()[CareLevel.ORANGE]
    tz = timezone.get_current_timezone()
    household.visits.all().delete()
    history = [
        (3, "老两口身体尚可，叮嘱按时服药"),
        (2, "宋玉兰血压偏高，已提醒复查"),
        (1, "了解近况，生活正常"),
    ]
    for n, findings in history:
        Visit.objects.create(
            household=household,
            area_code=household.area.code,
            visitor=visitor,
            visitor_name=visitor.shown_name,
            kind=VisitKind.CARE,
            visited_at=dt.datetime.combine(today - dt.timedelta(days=interval * n), dt.time(9, 30), tz),
            findings=findings,
        )
    Household.objects.filter(pk=household.pk).update(
        care_level=CareLevel.ORANGE,
        level_since=today - dt.timedelta(days=interval * 4),
        last_visited_at=dt.datetime.combine(today - dt.timedelta(days=interval), dt.time(9, 30), tz),
        next_visit_on=today,
    )
