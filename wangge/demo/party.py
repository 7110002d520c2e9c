"""The demo district's party organisation (issue 22).

build_demo_party (run by build_demo_city, so the tests' small city has it too): a 党工委 per street, a
社区党委 per community with a 网格党支部 per grid and a few 楼栋党小组 and 党员中心户; the 双报到 of every
party member (accepted, from their work unit, with their 包户 as the city made them), one more waiting in
each community; grid heads and workers who are party members (党员网格员), some grids left without one;
先锋岗, 责任区 and 物业党员管家; pledges, some kept, some under way, a few overdue.

build_demo_cobuilding (run by `manage.py demo_city` with the residents' participation): 大党委 member
units, a 共驻共建协议 (its commitments on the offers list), a pairing and a joint meeting per community;
a hard case under way and one solved per street.

Both draw from their own random source, so the rest of the city stays as it was.
"""

import datetime as dt
import random

from django.conf import settings
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role, Unit, UnitKind
from wangge.lib import crypto
from wangge.party import actions, selectors
from wangge.party.models import (
    CaseState,
    HardCase,
    OrgKind,
    PartyMember,
    PartyOrg,
    PlanStep,
    Pledge,
    PledgeState,
    Post,
    PostKind,
    Registration,
    RegistrationState,
    Standing,
)
from wangge.volunteering.models import Skill, Volunteer

PLEDGES = [
    ("每月走访包户家庭不少于一次，帮老人代缴水电费", "已为3户老人代缴，走访记录在册"),
    ("为楼栋老人每周送一次药", "按周送药，共送12次"),
    ("组织楼栋居民清理楼道杂物", "清理楼道6处，居民签字确认"),
    ("帮助1名困难群众联系就业岗位", "联系到社区超市理货岗位，已上岗"),
    ("每季度为居民讲一次防诈骗知识", "讲座2场，到场居民60余人"),
    ("调解楼上楼下漏水纠纷", "双方签订调解协议，已修复"),
    ("协助开展老旧小区改造意见征集", "收集意见47条，已报社区"),
]
COMMITMENTS = [
    actions.Promise(title="每月两次进社区义诊", topic="health", kind="skill", capacity=24),
    actions.Promise(title="单位会议室周末向居民开放", topic="venue", kind="venue", capacity=50),
    actions.Promise(title="职工志愿者每季度助老服务", topic="elderly", kind="hours", capacity=12),
    actions.Promise(title="法律顾问每月坐班一天", topic="law", kind="skill", capacity=12),
]
PAIRINGS = ["共同开展助老服务", "结对帮扶困难家庭", "共建文明楼院", "联合开展安全巡查"]
HARD_CASES = [
    ("老旧小区加装电梯意见不一", ["逐户征求意见", "召开居民协商会", "联系电梯公司出方案"]),
    ("背街小巷占道经营反复", ["摸排经营户底数", "联合城管规范疏导", "设置便民疏导点"]),
    ("小区雨污管网堵塞频发", ["委托检测管网", "争取改造资金", "组织施工并回访"]),
]
POSTS = [
    (PostKind.PIONEER, "党群服务中心先锋岗", "接待群众、代办事项"),
    (PostKind.PIONEER, "爱心食堂先锋岗", "助餐服务、送餐上门"),
]


def build_demo_party(rng: random.Random, today: dt.date) -> int:
    """Returns the number of party members registered."""
    now = timezone.now()
    key = settings.FIELD_ENCRYPTION_KEY
    units = list(Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.RESIDENT_UNIT]).order_by("code"))
    staff_of = _first_staff()

    def phone() -> str:
        return f"13{rng.randrange(10**9):09d}"

    def profile(user: User, *, unit: Unit | None = None) -> PartyMember:
        return PartyMember(
            user=user,
            standing=Standing.PROBATIONARY if rng.random() < 0.08 else Standing.FULL,
            joined_on=today - dt.timedelta(days=rng.randint(400, 12000)),
            unit=unit,
            workplace="" if unit else "退休",
            phone_encrypted=crypto.encrypt(phone(), key=key),
            show_phone=rng.random() < 0.3,
        )

    # 双报到 members: in-service, from a unit, accepted by their community.
    party = list(
        Membership.objects.filter(role=Role.PARTY_MEMBER, active=True)
        .select_related("user", "area")
        .order_by("pk")
    )
    PartyMember.objects.bulk_create(
        [profile(m.user, unit=rng.choice(units) if units else None) for m in party], batch_size=1000
    )
    members = {p.user_id: p for p in PartyMember.objects.all()}
    Registration.objects.bulk_create(
        [
            Registration(
                member=members[m.user_id],
                community=m.area,
                community_code=m.area.code,  # type: ignore[union-attr]
                unit_id=members[m.user_id].unit_id,
                offer=rng.choice(["周末可参加志愿服务", "可为老人代办事项", "懂法律，可提供咨询", ""]),
                state=RegistrationState.ACCEPTED,
                submitted_by=m.user,
                submitted_at=now - dt.timedelta(days=(today - (m.since or today)).days + 3),
                decided_by=staff_of.get(m.area_id),  # type: ignore[arg-type]
                decided_at=now - dt.timedelta(days=(today - (m.since or today)).days),
                membership=m,
            )
            for m in party
        ],
        batch_size=1000,
    )

    # in the talent pool, so that they sign up for activities (their hours go back to their unit)
    pooled = set(Volunteer.objects.values_list("user_id", flat=True))
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                user=m.user,
                area=m.area,
                area_code=m.area.code,  # type: ignore[union-attr]
                skills=[Skill.OTHER],
                approved_by=staff_of.get(m.area_id),  # type: ignore[arg-type]
                approved_at=now - dt.timedelta(days=(today - (m.since or today)).days),
            )
            for m in party
            if m.user_id not in pooled
        ],
        batch_size=1000,
    )

    # 党员网格员: most grids have a party member among their head and workers; a few do not.
    grid_staff = list(
        Membership.objects.filter(role__in=[Role.GRID_HEAD, Role.GRID_WORKER], active=True)
        .select_related("user")
        .order_by("area_id", "role", "pk")
    )
    by_grid: dict[int, list[Membership]] = {}
    for m in grid_staff:
        by_grid.setdefault(m.area_id, []).append(m)  # type: ignore[arg-type]
    demo_worker = User.objects.filter(username="gridworker").first()
    chosen: list[User] = [demo_worker] if demo_worker else []
    for staff in by_grid.values():
        if rng.random() < 0.85:
            chosen.append(rng.choice(staff).user)
    # and the first staff member of each community, its party committee's secretary
    chosen += [u for u in staff_of.values() if u is not None]
    new = {u.pk: u for u in chosen if u.pk not in members}
    PartyMember.objects.bulk_create([profile(u) for u in new.values()], batch_size=1000)
    members = {p.user_id: p for p in PartyMember.objects.select_related("user")}

    # The organisation: street 党工委, community 党委, grid 党支部, a few 党小组 and 党员中心户.
    for street in Area.objects.filter(level=Level.STREET).order_by("code"):
        top = PartyOrg.objects.create(
            name=f"{street.name}党工委", kind=OrgKind.COMMITTEE, area=street, area_code=street.code
        )
        for community in Area.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code"):
            secretary = staff_of.get(community.pk)
            committee = PartyOrg.objects.create(
                name=f"{community.name}党委",
                kind=OrgKind.COMMITTEE,
                area=community,
                area_code=community.code,
                parent=top,
                secretary=secretary,
                founded_on=today - dt.timedelta(days=rng.randint(2000, 9000)),
            )
            if secretary is not None and secretary.pk in members:
                PartyMember.objects.filter(user=secretary).update(org=committee)
            _community(community, committee, members, rng, today, now)
    return len(party)


def build_demo_cobuilding(rng: random.Random, today: dt.date) -> int:
    """The 大党委 of every community (member units, an agreement whose commitments go on the offers
    list, a pairing, a joint meeting) and each street's 攻坚清单. `manage.py demo_city` runs it with the
    residents' participation; the tests' small city does without it (its lists start empty). Returns the
    number of agreements."""
    now = timezone.now()
    staff_of = _first_staff()
    agreements = 0
    for street in Area.objects.filter(level=Level.STREET).order_by("code"):
        for community in Area.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code"):
            committee = PartyOrg.objects.filter(area=community, kind=OrgKind.COMMITTEE).first()
            secretary = staff_of.get(community.pk)
            if committee is not None and secretary is not None:
                agreements += _cobuilding(community, committee, secretary, rng, today)
        _hard_cases(street, rng, today, now)
    return agreements


def _cobuilding(
    community: Area, committee: PartyOrg, secretary: User, rng: random.Random, today: dt.date
) -> int:
    """大党委 of a community: the units serving it as member units, an agreement whose commitments go on
    the offers list, a pairing and last month's joint meeting."""
    serving = [
        u
        for u in Unit.objects.filter(active=True).select_related("area").order_by("code")
        if community.code.startswith(u.area.code) or u.area.code.startswith(community.code)
    ]
    if not serving:
        return 0
    members = rng.sample(serving, min(3, len(serving)))
    for unit in members:
        actions.do_add_committee_unit(committee, unit=unit, actor=secretary)
    signer = members[0]
    actions.do_sign_agreement(
        committee,
        unit=signer,
        title=f"{today.year}年共驻共建协议",
        signed_on=today - dt.timedelta(days=rng.randint(30, 200)),
        ends_on=today + dt.timedelta(days=rng.randint(120, 330)),
        promises=[rng.choice(COMMITMENTS), rng.choice(COMMITMENTS[::-1])][: rng.randint(1, 2)],
        actor=secretary,
    )
    actions.do_pair(committee, unit=members[-1], purpose=rng.choice(PAIRINGS), actor=secretary)
    actions.do_record_meeting(
        committee,
        held_on=today - dt.timedelta(days=rng.randint(10, 60)),
        topic=rng.choice(["老旧小区改造", "冬季供暖保障", "背街小巷环境整治", "一老一小服务"]),
        place="党群服务中心",
        units=members,
        decisions="各成员单位认领任务，下次联席会议通报进展",
        actor=secretary,
    )
    return 1


def _hard_cases(street: Area, rng: random.Random, today: dt.date, now: dt.datetime) -> None:
    """攻坚清单 of a street: one hard case under way in its first community (one step done, one overdue,
    one to come) and one solved, each with the street's 包联领导."""
    leader = (
        Membership.objects.filter(role=Role.LEADER, area=street, active=True).select_related("user").first()
    )
    staff = (
        Membership.objects.filter(role=Role.STREET_STAFF, area=street, active=True)
        .select_related("user")
        .first()
    )
    community = Area.objects.filter(parent=street, level=Level.COMMUNITY).order_by("code").first()
    if leader is None or staff is None or community is None:
        return
    worker = (
        Membership.objects.filter(role=Role.GRID_WORKER, area__parent=community, active=True)
        .select_related("user")
        .first()
    )
    title, steps = rng.choice(HARD_CASES)
    case = actions.do_open_case(
        area=community,
        title=title,
        description="居民多次反映，涉及多个部门",
        leader=leader.user,
        actor=staff.user,
    )
    HardCase.objects.filter(pk=case.pk).update(opened_at=now - dt.timedelta(days=40))
    owners = [staff.user, worker.user if worker else staff.user, leader.user]
    for i, (text, owner) in enumerate(zip(steps, owners, strict=False)):
        step = PlanStep.objects.create(
            case=case, text=text, owner=owner, due_on=today + dt.timedelta(days=i * 15 - 20)
        )
        if i == 0:
            PlanStep.objects.filter(pk=step.pk).update(
                done_at=now - dt.timedelta(days=20), note="已完成，居民签字确认"
            )
    solved_title, solved_steps = rng.choice([c for c in HARD_CASES if c[0] != title])
    done = HardCase.objects.create(
        area=community,
        area_code=community.code,
        title=solved_title,
        leader=leader.user,
        opened_by=staff.user,
        opened_at=now - dt.timedelta(days=120),
        state=CaseState.SOLVED,
        solved_at=now - dt.timedelta(days=15),
        result="问题已解决，居民满意",
    )
    for i, text in enumerate(solved_steps):
        PlanStep.objects.create(
            case=done,
            text=text,
            owner=owners[i % len(owners)],
            due_on=today - dt.timedelta(days=100 - i * 20),
            done_at=now - dt.timedelta(days=100 - i * 20),
            note="已完成",
        )


def _first_staff() -> dict[int, User | None]:
    """community id -> its first staff member (who accepts the demo's registrations)."""
    found: dict[int, User | None] = {}
    for m in (
        Membership.objects.filter(role=Role.COMMUNITY_STAFF, active=True, area__level=Level.COMMUNITY)
        .select_related("user")
        .order_by("pk")
    ):
        found.setdefault(m.area_id, m.user)  # type: ignore[arg-type]
    return found


def _community(
    community: Area,
    committee: PartyOrg,
    members: dict[int, PartyMember],
    rng: random.Random,
    today: dt.date,
    now: dt.datetime,
) -> None:
    registered = [
        r.member
        for r in Registration.objects.filter(community=community, state=RegistrationState.ACCEPTED)
        .select_related("member__user")
        .order_by("pk")
    ]
    leaders = iter(registered * 2)
    for grid in Area.objects.filter(parent=community, level=Level.GRID).order_by("code"):
        # the grid's head if a party member, else a party member among its workers
        staff = [
            m.user
            for m in Membership.objects.filter(
                area=grid, role__in=[Role.GRID_HEAD, Role.GRID_WORKER], active=True
            )
            .select_related("user")
            .order_by("role", "pk")
            if m.user_id in members
        ]
        branch = PartyOrg.objects.create(
            name=f"{grid.name}党支部",
            kind=OrgKind.BRANCH,
            area=grid,
            area_code=grid.code,
            parent=committee,
            secretary=staff[0] if staff else None,
        )
        PartyMember.objects.filter(user__in=staff, org=None).update(org=branch)
        for building in Area.objects.filter(parent=grid, level=Level.BUILDING).order_by("code")[:1]:
            leader, centre = next(leaders, None), next(leaders, None)
            group = PartyOrg.objects.create(
                name=f"{building.name}党小组",
                kind=OrgKind.GROUP,
                area=building,
                area_code=building.code,
                parent=branch,
                secretary=leader.user if leader else None,
            )
            if centre is not None:
                PartyOrg.objects.create(
                    name=f"{centre.user.shown_name}党员中心户",
                    kind=OrgKind.CENTRE,
                    area=building,
                    area_code=building.code,
                    parent=group,
                    secretary=centre.user,
                )
    # One more in-service member waiting for the community: a volunteer who is also a party member.
    waiting = (
        Membership.objects.filter(area=community, role=Role.VOLUNTEER, active=True)
        .exclude(user__username="volunteer")
        .exclude(user_id__in=members)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if waiting is not None:
        newcomer = PartyMember.objects.create(
            user=waiting.user,
            joined_on=today - dt.timedelta(days=rng.randint(400, 9000)),
            workplace="区税务局",
        )
        Registration.objects.create(
            member=newcomer,
            community=community,
            community_code=community.code,
            offer="周末可以参加志愿服务，会用电脑",
            submitted_by=waiting.user,
            submitted_at=now - dt.timedelta(hours=rng.randint(2, 60)),
        )
    # Registered members join the community committee's organisation; posts and pledges.
    PartyMember.objects.filter(pk__in=[m.pk for m in registered], org=None).update(org=committee)
    holders = list(registered)
    rng.shuffle(holders)
    for (kind, name, duties), holder in zip(POSTS, holders, strict=False):
        Post.objects.create(
            kind=kind,
            name=name,
            area=community,
            area_code=community.code,
            holder=holder,
            duties=duties,
            since=today - dt.timedelta(days=rng.randint(30, 700)),
        )
    grids = list(Area.objects.filter(parent=community, level=Level.GRID).order_by("code"))
    for grid, holder in zip(grids, holders[len(POSTS) :], strict=False):
        Post.objects.create(
            kind=PostKind.RESPONSIBILITY,
            name=f"{grid.name}党员责任区",
            area=grid,
            area_code=grid.code,
            holder=holder,
            duties="环境卫生、矛盾调解、安全巡查",
            since=today - dt.timedelta(days=rng.randint(30, 700)),
        )
    # 物业党员管家: a party member of the property company on every grid but the last
    keeper = (
        Membership.objects.filter(
            role=Role.UNIT_STAFF, active=True, unit__in=selectors.property_units_of(community.code)
        )
        .select_related("user", "unit")
        .order_by("pk")
        .first()
    )
    if keeper is not None:
        steward, _ = PartyMember.objects.get_or_create(
            user=keeper.user,
            defaults={"unit": keeper.unit, "joined_on": today - dt.timedelta(days=rng.randint(800, 6000))},
        )
        for grid in grids[:-1]:
            Post.objects.create(
                kind=PostKind.STEWARD,
                name=f"{grid.name}物业党员管家",
                area=grid,
                area_code=grid.code,
                holder=steward,
                duties="物业报修跟进、楼院环境",
                since=today - dt.timedelta(days=rng.randint(30, 400)),
            )
    pledges = []
    for member in registered:
        text, result = rng.choice(PLEDGES)
        roll = rng.random()
        made = now - dt.timedelta(days=rng.randint(20, 200))
        if roll < 0.45:  # kept
            pledges.append(
                Pledge(
                    member=member,
                    area=community,
                    area_code=community.code,
                    text=text,
                    due_on=(made + dt.timedelta(days=90)).date(),
                    made_at=made,
                    state=PledgeState.KEPT,
                    kept_at=made + dt.timedelta(days=rng.randint(10, 80)),
                    result=result,
                )
            )
        else:  # under way; one in six of them past its deadline
            due = (
                today + dt.timedelta(days=rng.randint(10, 120))
                if roll < 0.9
                else today - dt.timedelta(days=5)
            )
            pledges.append(
                Pledge(
                    member=member,
                    area=community,
                    area_code=community.code,
                    text=text,
                    due_on=due,
                    made_at=made,
                )
            )
    Pledge.objects.bulk_create(pledges)
