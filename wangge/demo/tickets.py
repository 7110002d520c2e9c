"""A year of demo tickets for the demo district: realistic categories, texts from templates written here,
seasonal patterns (heating in winter, leaks in the rainy season), a few grids' own troubles (LOCAL_TROUBLES,
for 未诉先办 to find), every state of the loop, timelines, assignments to the right units, summonses and
callbacks. Deterministic from the seed.

Rows are bulk-inserted (the actions would take minutes for 50,000 tickets); the facts they carry are the
ones the actions set, so the statistics pages and KPIs read them exactly as they read real tickets.
"""

import datetime as dt
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Role, Unit, UnitKind
from wangge.areas.models import Level as AreaLevel
from wangge.lib import crypto
from wangge.people.models import Household, Resident
from wangge.stats import rollup
from wangge.tickets import sla
from wangge.tickets.models import (
    Assignment,
    Category,
    Channel,
    Kind,
    Level,
    Status,
    Summons,
    SummonsCall,
    Ticket,
    TicketEvent,
    Urgency,
    Verdict,
)


@dataclass(frozen=True)
class Template:
    category: str  # leaf name in the category tree
    titles: tuple[str, ...]
    details: tuple[str, ...]
    units: tuple[str, ...]  # unit codes (suffix after the district); "WY" = the community's property company
    kind: str
    months: tuple[int, ...] = ()  # months with twice the usual volume
    weight: int = 10


T = Template
TEMPLATES = [
    T(
        "房屋漏水",
        ("楼顶漏水", "卫生间漏水到楼下", "外墙渗水"),
        ("下雨后{room}墙面渗水，已经发霉", "楼上漏水到我家{room}，找不到人处理"),
        ("WY", "ZJ"),
        Kind.SMALL,
        (6, 7, 8),
        14,
    ),
    T(
        "冬季采暖",
        ("暖气不热", "供暖温度不达标"),
        ("家里温度只有{temp}度，老人孩子受不了", "暖气片上凉下热，{room}很冷"),
        ("ZJ",),
        Kind.SMALL,
        (11, 12, 1, 2, 3),
        16,
    ),
    T(
        "下水管道堵塞",
        ("下水道堵塞返水", "化粪池外溢"),
        ("{building}下水管道堵了，{room}返水有异味",),
        ("WY",),
        Kind.SMALL,
        (),
        10,
    ),
    T(
        "楼道照明",
        ("楼道灯不亮", "单元门口路灯坏了"),
        ("{building}楼道灯坏了一个多星期，晚上老人上下楼不安全",),
        ("WY",),
        Kind.SMALL,
        (),
        8,
    ),
    T(
        "电梯故障",
        ("电梯停运", "电梯困人"),
        ("{building}电梯又坏了，住高层的老人下不了楼",),
        ("WY", "SJ"),
        Kind.MAJOR,
        (),
        6,
    ),
    T(
        "垃圾清运",
        ("垃圾清运不及时", "垃圾桶满溢"),
        ("小区垃圾{days}天没人清运，夏天味道很大",),
        ("CG",),
        Kind.SMALL,
        (6, 7, 8, 9),
        9,
    ),
    T(
        "违章停车",
        ("消防通道被占", "乱停车堵路"),
        ("车辆长期停在消防通道，救护车进不来",),
        ("GA",),
        Kind.SMALL,
        (),
        7,
    ),
    T(
        "噪音扰民",
        ("夜间施工噪音", "广场舞音响太大"),
        ("晚上{hour}点以后还很吵，影响休息",),
        (),
        Kind.PRIVATE,
        (5, 6, 7, 8),
        7,
    ),
    T(
        "邻里纠纷",
        ("邻居占用楼道", "楼上楼下因漏水起纠纷"),
        ("和邻居协商多次没有结果，希望社区调解",),
        (),
        Kind.PRIVATE,
        (),
        6,
    ),
    T(
        "养犬扰民",
        ("小区遛狗不牵绳", "狗整夜叫"),
        ("{building}有人养大型犬不拴绳，孩子被吓到",),
        (),
        Kind.PRIVATE,
        (),
        4,
    ),
    T(
        "私搭乱建",
        ("一楼私搭乱建", "楼顶违建"),
        ("{building}一楼住户私自扩建，占用公共绿地",),
        ("CG",),
        Kind.MAJOR,
        (),
        4,
    ),
    T(
        "自来水供应",
        ("突然停水", "自来水发黄"),
        ("{building}从早上开始停水，没有任何通知",),
        ("GS",),
        Kind.SMALL,
        (7, 8),
        6,
    ),
    T(
        "电力供应",
        ("小区停电", "电压不稳"),
        ("整栋楼停电{days}小时了，冰箱里的东西都坏了",),
        ("GD",),
        Kind.SMALL,
        (7, 8, 1),
        5,
    ),
    T(
        "城镇低保",
        ("低保申请咨询", "低保金未到账"),
        ("家里有重病人，想咨询低保怎么申请",),
        ("MZ",),
        Kind.SMALL,
        (),
        4,
    ),
    T(
        "食品安全",
        ("小区门口摊贩卫生差", "超市卖过期食品"),
        ("买到过期的{food}，商家不给退",),
        ("SJ",),
        Kind.SMALL,
        (),
        3,
    ),
    T(
        "上门探视",
        ("独居老人需要探视", "老人多日未出门"),
        ("{building}独居老人好几天没出门，邻居担心",),
        (),
        Kind.SMALL,
        (1, 2, 12),
        4,
    ),
    T(
        "高空抛物",
        ("高空抛物", "楼上扔垃圾"),
        ("{building}有人从楼上往下扔东西，差点砸到人",),
        ("GA",),
        Kind.SMALL,
        (),
        3,
    ),
    T(
        "绿化养护",
        ("树木遮挡采光", "枯树有倒伏危险"),
        ("楼前大树挡住{room}阳光，树枝快碰到窗户了",),
        ("WY", "CG"),
        Kind.SMALL,
        (4, 5, 9),
        4,
    ),
]
ROOMS = ["卧室", "客厅", "厨房", "卫生间"]
FOODS = ["牛奶", "面包", "鸡蛋", "饮料"]
CHANNEL_WEIGHTS = [
    (Channel.H5, 34),
    (Channel.HOTLINE, 26),
    (Channel.GRID, 18),
    (Channel.PHONE, 10),
    (Channel.WECHAT, 6),
    (Channel.VISIT, 4),
    (Channel.PROVINCIAL, 2),
]
HOURS = [h for h in range(7, 23) for _ in range(3 if 8 <= h <= 11 or 14 <= h <= 17 else 1)]


@dataclass(frozen=True)
class LocalTrouble:
    """A problem of a few grids only, on top of the district's pattern, so that 未诉先办 (X3) has what a
    real district has to find: grids whose old heating pipes fail as every season starts, grids whose
    roofs leak every rainy season, a grid beside a building site that began working nights lately."""

    category: str
    grids: int  # how many grids have it
    months: tuple[int, ...] = ()  # every year in these months ...
    last_days: int = 0  # ... or only in the last days
    weight: float = 1.0


LOCAL_TROUBLES = (
    LocalTrouble("冬季采暖", 3, months=(11, 12)),
    LocalTrouble("房屋漏水", 3, months=(7, 8)),
    LocalTrouble("噪音扰民", 1, last_days=21, weight=0.1),
)
LOCAL_SHARE = 0.015  # of all tickets
DEMO_TICKETS = 50_000  # a year of the demo district (demo_city's default)


@dataclass(frozen=True)
class _Trouble:
    grid: Area
    template: Template
    ages: tuple[int, ...]  # the days back (0 = today) it happens on
    weight: float


def _local_troubles(grids: list[Area], *, now: dt.datetime, days: int, rng: random.Random) -> list[_Trouble]:
    by_category = {t.category: t for t in TEMPLATES}
    today = timezone.localdate(now)
    found = []
    for trouble in LOCAL_TROUBLES:
        ages = tuple(
            age
            for age in range(days)
            if age < trouble.last_days or (today - dt.timedelta(days=age)).month in trouble.months
        )
        if not ages:
            continue
        for grid in rng.sample(grids, min(trouble.grids, len(grids))):
            found.append(_Trouble(grid, by_category[trouble.category], ages, trouble.weight / trouble.grids))
    return found


@dataclass
class TicketReport:
    tickets: int = 0
    events: int = 0
    by_status: dict[str, int] | None = None


def _final_status(age_days: float, rng: random.Random) -> str:
    """Older tickets are almost all finished; the last days hold every open state."""
    r = rng.random()
    if r < 0.03:
        return Status.REJECTED
    if r < 0.05:
        return Status.WITHDRAWN
    if r < 0.07:
        return Status.MERGED
    if age_days > 10:
        return Status.CLOSED if rng.random() < 0.97 else rng.choice([Status.RESOLVED, Status.IN_PROGRESS])
    return rng.choices(
        [
            Status.NEW,
            Status.ACCEPTED,
            Status.ASSIGNED,
            Status.IN_PROGRESS,
            Status.RETURNED,
            Status.RESOLVED,
            Status.CLOSED,
        ],
        weights=[8, 6, 10, 18, 3, 15, 40] if age_days > 1 else [30, 15, 20, 20, 3, 7, 5],
    )[0]


@transaction.atomic
def details_of(template: Template, rng: random.Random) -> str:
    """One of the template's descriptions with its blanks filled (a building, a room, a temperature …)."""
    building = rng.randint(1, 30)
    return rng.choice(template.details).format(
        room=rng.choice(ROOMS),
        temp=rng.randint(12, 17),
        building=f"{building}号楼",
        days=rng.randint(2, 6),
        hour=rng.choice([21, 22, 23]),
        food=rng.choice(FOODS),
    )


def build_demo_tickets(
    *, count: int = 50_000, seed: int = 0, days: int = 365, progress: Callable[[int], None] = lambda n: None
) -> TicketReport:
    rng = random.Random(seed)
    now = timezone.now()
    key = settings.FIELD_ENCRYPTION_KEY
    categories = {c.name: c for c in Category.objects.filter(children=None).order_by("-code")}
    grids = list(Area.objects.filter(level=AreaLevel.GRID).order_by("code"))
    weights = _grid_weights(grids)
    units = {u.code.split("-", 1)[1]: u for u in Unit.objects.all()}
    property_by_community = _property_companies()
    workers = people_by_area([Role.GRID_WORKER, Role.GRID_HEAD])
    staff = people_by_area([Role.COMMUNITY_STAFF])
    unit_staff: dict[int, list[User]] = {}
    for m in Membership.objects.filter(role=Role.UNIT_STAFF, active=True).select_related("user"):
        unit_staff.setdefault(m.unit_id, []).append(m.user)  # type: ignore[arg-type]
    residents_by_grid: dict[str, list[int]] = {}
    for pk, code in Resident.objects.values_list("pk", "household__area__code"):
        residents_by_grid.setdefault(code[:15], []).append(pk)
    month_weight = {
        (t.category, m): (2 if m in t.months else 1) * t.weight for t in TEMPLATES for m in range(1, 13)
    }

    tickets: list[Ticket] = []
    plans: list[dict] = []
    troubles = _local_troubles(grids, now=now, days=days, rng=rng)
    for i in range(count):
        trouble = (
            rng.choices(troubles, [t.weight for t in troubles])[0] if rng.random() < LOCAL_SHARE else None
        )
        if trouble is not None:
            submitted = now - dt.timedelta(days=rng.choice(trouble.ages) + rng.random())
        else:
            submitted = now - dt.timedelta(days=days * (rng.random() ** 1.05))
        submitted = submitted.replace(hour=rng.choice(HOURS), minute=rng.randrange(60))
        if submitted > now:
            submitted -= dt.timedelta(days=1)
        if trouble is not None:
            template, grid = trouble.template, trouble.grid
        else:
            month = timezone.localtime(submitted).month
            weighted = [month_weight[(t.category, month)] for t in TEMPLATES]
            template = rng.choices(TEMPLATES, weights=weighted)[0]
            grid = rng.choices(grids, weights=weights)[0]
        channel = rng.choices([c for c, _ in CHANNEL_WEIGHTS], weights=[w for _, w in CHANNEL_WEIGHTS])[0]
        urgency = rng.choices([Urgency.NORMAL, Urgency.URGENT, Urgency.CRITICAL], weights=[85, 12, 3])[0]
        text = details_of(template, rng)
        limits = sla.DEFAULT_LIMITS[urgency]
        claim_deadline = sla.deadline_after(submitted, limits.claim_minutes, urgency)
        resolve_deadline = sla.deadline_after(submitted, limits.resolve_minutes(template.kind), urgency)
        status = _final_status((now - submitted).total_seconds() / 86400, rng)
        resident_pool = residents_by_grid.get(grid.code, [])
        ticket = Ticket(
            title=rng.choice(template.titles),
            description=text,
            channel=channel,
            external_id=f"12345-{seed}-{i:07d}" if channel == Channel.HOTLINE else "",
            source=Channel.HOTLINE if channel == Channel.HOTLINE else "",
            area=grid,
            area_code=grid.code,
            lat=grid.lat,
            lng=grid.lng,
            category=categories.get(template.category),
            urgency=urgency,
            status=status,
            submitted_at=submitted,
            claim_deadline=claim_deadline,
            resolve_deadline=resolve_deadline,
            resident_id=rng.choice(resident_pool) if channel == Channel.H5 and resident_pool else None,
            contact_name=""
            if channel == Channel.GRID
            else rng.choice("王李张刘陈杨赵黄周吴") + rng.choice(["先生", "女士", "阿姨", "大爷"]),
        )
        if channel in (Channel.HOTLINE, Channel.PHONE):
            ticket.contact_phone_encrypted = crypto.encrypt(
                "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9)), key=key
            )
        plan = _fill_facts(ticket, template, rng, now, gloom=_gloom(ticket.area_code))
        tickets.append(ticket)
        plans.append(plan)
        if (i + 1) % 1000 == 0:
            progress(1000)
    progress(count % 1000)
    _give_the_demo_resident_requests(tickets)
    children = _children(tickets, plans, rng, units, property_by_community, workers, staff, unit_staff)
    Ticket.objects.bulk_create(tickets, batch_size=2000)
    report = TicketReport(tickets=len(tickets))
    report.events = children.save()
    rollup.rebuild()
    report.by_status = {}
    for t in tickets:
        report.by_status[t.status] = report.by_status.get(t.status, 0) + 1
    return report


def _give_the_demo_resident_requests(tickets: list[Ticket]) -> None:
    """The `resident` login's 我的诉求 shows requests in several states: the latest ticket in each of these
    states (one of their grid when there is one, an H5 one when there is one) becomes theirs, sent from the
    H5 page about their grid."""
    me = Resident.objects.filter(user__username="resident").select_related("household__area").first()
    if me is None:
        return
    home = me.household.area
    grid = next((a for a in reversed([*home.ancestors(), home]) if a.level == AreaLevel.GRID), None)
    if grid is None:
        return
    wanted = (Status.NEW, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED)
    mine: dict[str, Ticket] = {}

    def rank(t: Ticket) -> tuple[bool, bool, dt.datetime]:
        return (t.area_code == grid.code, t.channel == Channel.H5, t.submitted_at)

    for ticket in tickets:
        if ticket.status in wanted and (
            ticket.status not in mine or rank(ticket) > rank(mine[ticket.status])
        ):
            mine[ticket.status] = ticket
    for ticket in mine.values():
        ticket.channel, ticket.external_id, ticket.source = Channel.H5, "", ""
        ticket.contact_phone_encrypted = ""
        ticket.resident_id = me.pk
        ticket.contact_name = me.name
        ticket.area, ticket.area_code, ticket.lat, ticket.lng = grid, grid.code, grid.lat, grid.lng


def _grid_weights(grids: list[Area]) -> list[int]:
    counts = dict(
        Household.objects.values_list("area__code").annotate(n=Count("pk")).values_list("area__code", "n")
    )
    per_grid: dict[str, int] = {}
    for code, n in counts.items():
        per_grid[code[:15]] = per_grid.get(code[:15], 0) + n
    return [max(1, per_grid.get(g.code, 0)) for g in grids]


def _property_companies() -> dict[str, Unit]:
    """The property company serving each community (its own, or one attached above it). A community
    with none has its property matters taken by the units of the template's other codes."""
    companies = list(Unit.objects.filter(kind=UnitKind.PROPERTY).select_related("area").order_by("code"))
    by_community: dict[str, Unit] = {}
    for community in Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("code"):
        serving = [c for c in companies if community.code.startswith(c.area.code)]
        if serving:
            by_community[community.code] = serving[0]
    return by_community


def people_by_area(roles: list[str]) -> dict[str, list[User]]:
    people: dict[str, list[User]] = {}
    for m in Membership.objects.filter(role__in=roles, active=True, area__isnull=False).select_related(
        "user", "area"
    ):
        people.setdefault(m.area.code, []).append(m.user)  # type: ignore[union-attr]
    return people


def _gloom(area_code: str) -> float:
    """How hard a community's residents are to satisfy, from 0 to 1, fixed by its code: the demo's
    communities differ (seed 004 reports 90.3 % satisfied; some of ours fall below 90 %)."""
    return zlib.crc32(area_code[:12].encode()) % 1000 / 999


def _fill_facts(
    ticket: Ticket, template: Template, rng: random.Random, now: dt.datetime, *, gloom: float
) -> dict:
    """Set the timestamps and KPI facts for the ticket's final state; return what the timeline needs."""
    s = ticket.status
    t0 = ticket.submitted_at
    plan: dict = {"template": template, "escalated_to": None}

    def later(base: dt.datetime, lo: float, hi: float) -> dt.datetime:
        return min(now, base + dt.timedelta(minutes=rng.uniform(lo, hi)))

    if s in (Status.NEW, Status.REJECTED, Status.WITHDRAWN, Status.MERGED):
        if s == Status.NEW:
            ticket.next_escalation_at = ticket.claim_deadline
        return plan
    ticket.kind = template.kind
    ticket.accepted_at = later(t0, 2, 60)
    if rng.random() < 0.2:
        ticket.level = Level.COMMUNITY if rng.random() < 0.75 else Level.STREET
        ticket.ever_escalated = True
    if s == Status.ACCEPTED:
        ticket.next_escalation_at = ticket.claim_deadline
        return plan
    ticket.assigned_at = later(ticket.accepted_at, 1, 90)
    if s in (Status.ASSIGNED, Status.RETURNED):
        ticket.ever_returned = s == Status.RETURNED
        ticket.next_escalation_at = ticket.claim_deadline
        return plan
    ticket.claimed_at = later(ticket.assigned_at, 1, 240 if template.units else 60)
    ticket.response_seconds = int((ticket.claimed_at - t0).total_seconds())
    ticket.ever_returned = bool(template.units) and rng.random() < 0.05
    if s == Status.IN_PROGRESS:
        ticket.next_escalation_at = ticket.resolve_deadline
        return plan
    slow = rng.random() < 0.12
    span = ((ticket.resolve_deadline or t0) - t0).total_seconds() / 60
    ticket.resolved_at = later(ticket.claimed_at, 30, span * (2.2 if slow else 0.9) + 60)
    ticket.handling_seconds = int((ticket.resolved_at - t0).total_seconds())
    if s == Status.RESOLVED:
        return plan
    ticket.closed_at = later(ticket.resolved_at, 60, 2 * 24 * 60)
    ticket.on_time = ticket.resolve_deadline is None or ticket.resolved_at <= ticket.resolve_deadline
    r = rng.random()
    if r < 0.9:
        ticket.callback_reached = True
        ticket.verdict = rng.choices(
            [Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED, Verdict.DISSATISFIED],
            weights=[78, 17, 3 + 30 * gloom**2],
        )[0]
        if ticket.verdict == Verdict.DISSATISFIED:  # reopened once; then half are content
            ticket.dissatisfied_count, ticket.reopen_count = 1, 1
            plan["reopened"] = True
            if rng.random() < 0.5:
                ticket.verdict = Verdict.BASICALLY_SATISFIED
            else:  # 不满意 again: up to the street, which handles it and closes it on the record
                ticket.dissatisfied_count = 2
                ticket.level, ticket.ever_escalated, ticket.on_time = Level.STREET, True, False
                plan["to_street"] = True
    else:
        ticket.rating = rng.choice([3, 4, 5, 5, 5])
    if ticket.channel == Channel.H5 and ticket.rating is None and rng.random() < 0.5:
        ticket.rating = rng.choice([4, 5, 5])
    return plan


@dataclass
class _Children:
    """Rows that hang off the tickets; built before the tickets are inserted, saved after."""

    events: list[TicketEvent]
    assignments: list[Assignment]
    summonses: list[tuple[Summons, list[tuple[Unit, dt.datetime | None]]]]
    merged: list[tuple[Ticket, Ticket]]

    def save(self) -> int:
        merged = []
        for source, target in self.merged:
            source.merged_into_id = target.pk
            merged.append(source)
        Ticket.objects.bulk_update(merged, ["merged_into"], batch_size=500)
        Assignment.objects.bulk_create(self.assignments, batch_size=5000)
        TicketEvent.objects.bulk_create(self.events, batch_size=5000)
        Summons.objects.bulk_create([s for s, _ in self.summonses], batch_size=2000)
        SummonsCall.objects.bulk_create(
            [
                SummonsCall(summons=s, unit=u, reported_at=at)
                for s, called in self.summonses
                for u, at in called
            ],
            batch_size=5000,
        )
        return len(self.events)


def _children(  # type: ignore[no-untyped-def]
    tickets: list[Ticket],
    plans: list[dict],
    rng: random.Random,
    units: dict[str, Unit],
    property_by_community: dict[str, Unit],
    workers,
    staff,
    unit_staff,
) -> _Children:
    events: list[TicketEvent] = []
    assignments: list[Assignment] = []
    summons_plans: list[tuple[Summons, list[tuple[Unit, dt.datetime | None]]]] = []
    merge_targets: list[Ticket] = []
    merged: list[tuple[Ticket, Ticket]] = []
    for ticket, plan in zip(tickets, plans, strict=True):
        template: Template = plan["template"]
        community = ticket.area_code[:12]
        dispatcher = rng.choice(staff.get(community) or [None])
        worker = rng.choice(workers.get(ticket.area_code) or [None])

        def ev(
            action: str,
            at: dt.datetime | None,
            frm: str,
            to: str,
            actor: User | None,
            note: str = "",
            ticket: Ticket = ticket,
        ) -> None:
            if at is None:
                return
            events.append(
                TicketEvent(
                    ticket=ticket,
                    action=action,
                    at=at,
                    from_status=frm,
                    to_status=to,
                    actor=actor,
                    actor_name=actor.shown_name if actor else "系统",
                    note=note,
                )
            )

        ev("submit", ticket.submitted_at, "", Status.NEW, None)
        if ticket.status == Status.REJECTED:
            ev(
                "reject",
                ticket.submitted_at + dt.timedelta(minutes=20),
                Status.NEW,
                Status.REJECTED,
                dispatcher,
                "重复反映或不属于受理范围",
            )
            continue
        if ticket.status == Status.WITHDRAWN:
            ev(
                "withdraw",
                ticket.submitted_at + dt.timedelta(minutes=30),
                Status.NEW,
                Status.WITHDRAWN,
                None,
                "已自行解决",
            )
            continue
        if ticket.status == Status.MERGED:
            if merge_targets:
                merged.append((ticket, rng.choice(merge_targets[-50:])))
            ev(
                "merge",
                ticket.submitted_at + dt.timedelta(minutes=15),
                Status.NEW,
                Status.MERGED,
                dispatcher,
                "重复诉求",
            )
            continue
        if ticket.accepted_at is None:
            continue
        merge_targets.append(ticket)
        ev("accept", ticket.accepted_at, Status.NEW, Status.ACCEPTED, dispatcher)
        if ticket.ever_escalated:
            ev(
                "escalate",
                ticket.accepted_at,
                Status.ACCEPTED,
                Status.ACCEPTED,
                worker,
                "网格内无法解决，上报",
            )
        if ticket.assigned_at is None:
            continue
        chosen: list[Unit] = []
        for code in template.units:
            unit = property_by_community.get(community) if code == "WY" else units.get(code)
            if unit is not None:
                chosen.append(unit)
        handler = worker
        if chosen:
            for n, unit in enumerate(chosen):
                claimer = rng.choice(unit_staff.get(unit.pk) or [None])
                returned = n > 0 and ticket.ever_returned
                assignments.append(
                    Assignment(
                        ticket=ticket,
                        unit=unit,
                        lead=n == 0,
                        area_code=ticket.area_code,
                        assigned_at=ticket.assigned_at,
                        claimed_at=ticket.claimed_at,
                        claimed_by=claimer if ticket.claimed_at else None,
                        returned_at=ticket.claimed_at if returned else None,
                        return_reason="非本单位职责" if returned else "",
                        active=not returned,
                    )
                )
                if n == 0:
                    handler = claimer
            ticket.lead_unit = chosen[0]
        elif worker is not None:
            assignments.append(
                Assignment(
                    ticket=ticket,
                    user=worker,
                    lead=True,
                    area_code=ticket.area_code,
                    assigned_at=ticket.assigned_at,
                    claimed_at=ticket.claimed_at,
                    claimed_by=worker if ticket.claimed_at else None,
                )
            )
        ticket.assignee = handler
        ev("assign", ticket.assigned_at, Status.ACCEPTED, Status.ASSIGNED, dispatcher)
        if ticket.status == Status.RETURNED:
            ev(
                "return",
                ticket.assigned_at + dt.timedelta(minutes=40),
                Status.ASSIGNED,
                Status.RETURNED,
                handler,
                "不属于本单位职责",
            )
            continue
        if ticket.claimed_at is None:
            continue
        ev("claim", ticket.claimed_at, Status.ASSIGNED, Status.IN_PROGRESS, handler)
        if template.kind == Kind.MAJOR and len(chosen) > 0 and rng.random() < 0.35:
            deadline = ticket.claimed_at + dt.timedelta(hours=2)
            summons = Summons(
                ticket=ticket,
                issued_by=dispatcher,
                issued_at=ticket.claimed_at,
                deadline=deadline,
                note="联合处置",
                area_code=ticket.area_code,
            )
            called = []
            for unit in chosen:
                r = rng.random()
                at = (
                    None
                    if r < 0.06
                    else deadline + dt.timedelta(minutes=40)
                    if r < 0.16
                    else (ticket.claimed_at + dt.timedelta(minutes=rng.uniform(10, 110)))
                )
                called.append((unit, at))
            summons_plans.append((summons, called))
            ev("summon", ticket.claimed_at, Status.IN_PROGRESS, Status.IN_PROGRESS, dispatcher, "联合处置")
        if ticket.resolved_at is None:
            continue
        if plan.get("reopened"):  # a first result, a 不满意 callback, then the result that stood
            span = ticket.resolved_at - ticket.claimed_at
            first = ticket.claimed_at + span / 3
            ev("resolve", first, Status.IN_PROGRESS, Status.RESOLVED, handler, "已处理")
            ev(
                "callback",
                first + span / 3,
                Status.RESOLVED,
                Status.IN_PROGRESS,
                dispatcher,
                "居民不满意，重新办理",
            )
        if plan.get("to_street"):  # the rework, a second 不满意, and the street's own handling
            span = ticket.resolved_at - ticket.claimed_at
            second = ticket.claimed_at + span * 0.55
            ev("resolve", second, Status.IN_PROGRESS, Status.RESOLVED, handler, "已重新处理")
            ev(
                "callback",
                second + span * 0.1,
                Status.RESOLVED,
                Status.ACCEPTED,
                dispatcher,
                "居民仍不满意，转街道",
            )
            ev("assign", second + span * 0.15, Status.ACCEPTED, Status.ASSIGNED, dispatcher, "街道督办")
            ev("claim", second + span * 0.2, Status.ASSIGNED, Status.IN_PROGRESS, handler)
        ev("resolve", ticket.resolved_at, Status.IN_PROGRESS, Status.RESOLVED, handler, "已处理完毕")
        if ticket.closed_at is None:
            continue
        if plan.get("to_street"):
            ev(
                "close",
                ticket.closed_at,
                Status.RESOLVED,
                Status.CLOSED,
                dispatcher,
                "已向居民解释政策，不满意意见记录在案",
            )
        elif ticket.callback_reached:
            ev("callback", ticket.closed_at, Status.RESOLVED, Status.CLOSED, dispatcher, "电话回访")
        else:
            ev("rate", ticket.closed_at, Status.RESOLVED, Status.CLOSED, None)
    return _Children(events, assignments, summons_plans, merged)
