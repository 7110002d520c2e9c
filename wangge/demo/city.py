"""The demo district: one district, 3 streets, 10 communities, 60 grids tiling it, buildings, units,
households, residents, staff, organisations and party members, all deterministic from a seed.

Care-tag counts are scaled from seed 000 (大东区): 空巢独居老人 2,856, 残障人士 1,047 and 慢性病基础病
2,693 people across the district's 126 communities (“在全区126个社区全面落实‘四项清单’”). We take a
community as about 2,000 households, so N households get 2,856 × N / (126 × 2,000) empty-nest elderly, and
so on. The other tags use the rates in OTHER_TAG_RATES, which are assumptions for the demo, not statistics.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker
from shapely.geometry import Point, shape

from wangge.accounts.models import User
from wangge.areas.lookup import forget_index
from wangge.areas.models import SEGMENT_LENGTH, Area, GridKind, Level, Membership, Role, Unit, UnitKind
from wangge.demo.directives import build_demo_directives
from wangge.demo.directory import build_demo_directory
from wangge.demo.party import build_demo_party
from wangge.demo.visits import build_demo_visits, name_song_yulan, plant_song_yulan, story_household
from wangge.lib import crypto
from wangge.lib.geo import jittered_lattice, union_geojson
from wangge.lib.idcard import make_id_number
from wangge.people.models import (
    DEFAULT_CARE_TAGS,
    CareLevel,
    CareTag,
    ChangeAction,
    Gender,
    Household,
    Housing,
    PartyMemberHousehold,
    PersonalDataAccess,
    RecordKind,
    RegistryChange,
    Relation,
    Resident,
)
from wangge.routing.models import RouterModel

DEMO_PASSWORD = "wangge-demo"
# The fixed demo logins, all in the same street, community and grid.
DEMO_USERNAMES = [
    "district",
    "street",
    "community",
    "gridhead",
    "gridworker",
    "unit",
    "party",
    "volunteer",
    "resident",
]
DISTRICT_CODE = "210104"
DISTRICT_NAME = "大东区"
BBOX = (123.44, 41.77, 123.56, 41.85)  # min_lng, min_lat, max_lng, max_lat
COLS, ROWS = 10, 6
# Streets take column ranges of the lattice; each street's communities are blocks of 6 cells.
STREETS = [
    (
        "东站街道",
        range(0, 3),
        [(range(0, 3), range(0, 2)), (range(0, 3), range(2, 4)), (range(0, 3), range(4, 6))],
    ),
    (
        "新华街道",
        range(3, 6),
        [(range(3, 6), range(0, 2)), (range(3, 6), range(2, 4)), (range(3, 6), range(4, 6))],
    ),
    (
        "长安街道",
        range(6, 10),
        [
            (range(6, 8), range(0, 3)),
            (range(8, 10), range(0, 3)),
            (range(6, 8), range(3, 6)),
            (range(8, 10), range(3, 6)),
        ],
    ),
]
COMMUNITY_NAMES = ["幸福", "和平", "光明", "阳光", "翠湖", "文化", "春晖", "安康", "明珠", "福民"]
GRID_DUTIES = ["综治", "城管", "民政", "应急", "市场监管", "卫健", "消防"]

# Seed 000's district-wide counts, and the households they are spread over (126 communities × 2,000).
SEED_COUNTS = {"empty_nest": 2856, "disabled": 1047, "chronic": 2693}
SEED_HOUSEHOLDS = 126 * 2000
OTHER_TAG_RATES = {  # share of residents, demo assumptions
    "dibao": 0.008,
    "tekun": 0.001,
    "veteran": 0.012,
    "left_behind_child": 0.002,
    "child_in_difficulty": 0.0008,
}

DEPARTMENTS = [
    ("CG", "区城市管理局", "市容环境、违章搭建、占道经营"),
    ("MZ", "区民政局", "低保、特困、养老服务、殡葬"),
    ("WJ", "区卫生健康局", "医疗卫生、家庭医生、疫情防控"),
    ("ZJ", "区住房和城乡建设局", "老旧小区改造、房屋安全、物业监管"),
    ("SJ", "区市场监督管理局", "食品安全、价格、消费投诉"),
    ("GA", "区公安分局", "治安、户籍、交通秩序"),
    ("YJ", "区应急管理局", "安全生产、防汛、应急救援"),
]
UTILITIES = [("GS", "市供水集团大东营业所", "供水、管网维修"), ("GD", "国网大东供电中心", "供电、线路抢修")]
# One property company per community (the first serves the demo logins' community); a larger demo reuses
# the names with a number.
PROPERTY_COMPANIES = [
    "安居物业服务有限公司",
    "万家物业管理有限公司",
    "东城物业服务有限公司",
    "和顺物业管理有限公司",
    "恒信物业服务有限公司",
    "嘉园物业管理有限公司",
    "福瑞物业服务有限公司",
    "金地物业管理有限公司",
    "康宁物业服务有限公司",
    "瑞和物业管理有限公司",
]
RESIDENT_UNITS = ["区第一中学", "区人民医院", "区税务局", "大东农贸市场", "东塔小学"]
SOCIAL_ORGS = [("SG1", "区社会工作服务中心", "社工服务、心理疏导")]


@dataclass
class DemoReport:
    districts: int = 0
    streets: int = 0
    communities: int = 0
    grids: int = 0
    buildings: int = 0
    units: int = 0
    households: int = 0
    residents: int = 0
    users: int = 0
    organisations: int = 0
    party_members: int = 0
    visits: int = 0
    directives: int = 0
    service_points: int = 0
    care_counts: dict[str, int] = field(default_factory=dict)


class _Builder:
    """Holds the random sources and the rows to bulk-insert."""

    def __init__(self, *, households: int, seed: int, progress: Callable[[int], None]):
        self.n_households = households
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.progress = progress
        self.today = timezone.localdate()
        self.password = make_password(DEMO_PASSWORD)
        self.key = settings.FIELD_ENCRYPTION_KEY
        self.id_numbers: set[str] = set()
        self.user_count = 0
        self.now = timezone.now()

    # --- people ---------------------------------------------------------------------------------
    def person_name(self, gender: str, surname: str | None = None) -> str:
        given = self.fake.first_name_male() if gender == Gender.MALE else self.fake.first_name_female()
        return (surname or self.fake.last_name()) + given

    def id_number(self, birth: dt.date, gender: str) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if gender == Gender.MALE else 0)
            value = make_id_number(DISTRICT_CODE, birth, seq)
            if value not in self.id_numbers:
                self.id_numbers.add(value)
                return value

    def phone(self) -> str:
        return "1" + self.rng.choice("35789") + "".join(self.rng.choice("0123456789") for _ in range(9))

    def birth(self, age_min: int, age_max: int) -> dt.date:
        age = self.rng.randint(age_min, age_max)
        return self.today - dt.timedelta(days=age * 365 + self.rng.randrange(365))

    def user(self, username: str, display_name: str) -> User:
        self.user_count += 1
        return User(username=username, display_name=display_name, password=self.password)


def _delete_everything() -> None:
    """Empty tickets, the registry, organisations, memberships and the tree (demo reset). Superusers stay."""
    from wangge.directives.models import Directive, Emergency
    from wangge.directory.models import ServicePoint
    from wangge.notify.models import Notification, OutboundMessage
    from wangge.party.models import (
        Agreement,
        AssignmentLog,
        Commitment,
        CommitteeUnit,
        HardCase,
        HouseholdQuota,
        JointMeeting,
        Pairing,
        PartyMember,
        PartyOrg,
        PlanStep,
        Pledge,
        Post,
        Registration,
    )
    from wangge.stats.models import DayRollup
    from wangge.supplies.models import Distribution, Entitlement, Stock
    from wangge.tickets.models import Category, Ticket, UnitAssessment
    from wangge.visits.models import Visit
    from wangge.volunteering.models import Activity, Booking, SignUp, Team, Volunteer

    Notification.objects.all().delete()
    OutboundMessage.objects.all().delete()
    Visit.objects.all().delete()
    Directive.objects.all().delete()
    ServicePoint.objects.all().delete()
    Emergency.objects.all().delete()
    Entitlement.objects.all().delete()  # with their deliveries
    Distribution.objects.all().delete()
    Stock.objects.all().delete()  # with their ledgers
    Ticket.objects.update(merged_into=None)
    Ticket.objects.all().delete()
    DayRollup.objects.all().delete()
    RouterModel.objects.all().delete()  # trained on the tickets just deleted
    UnitAssessment.objects.all().delete()
    Category.objects.update(default_unit=None)
    for model in (
        PlanStep,
        HardCase,
        Commitment,
        Agreement,
        CommitteeUnit,
        Pairing,
        JointMeeting,
        Pledge,
        Post,
        AssignmentLog,
        Registration,
        PartyMember,
        HouseholdQuota,
        Booking,  # the party members are in the talent pool
        SignUp,
        Activity,
        Team,
        Volunteer,
    ):
        model.objects.all().delete()
    PartyOrg.objects.update(parent=None)
    PartyOrg.objects.all().delete()
    PartyMemberHousehold.objects.all().delete()
    RegistryChange.objects.all().delete()
    Resident.care_tags.through.objects.all().delete()
    PersonalDataAccess.objects.all().delete()
    Resident.objects.all().delete()
    Household.objects.all().delete()
    Membership.objects.all().delete()
    Unit.objects.all().delete()
    Area.objects.update(parent=None)
    Area.objects.all().delete()
    forget_index()
    User.objects.filter(is_superuser=False).delete()


def ensure_care_tags() -> dict[str, CareTag]:
    for sort, (code, name, description) in enumerate(DEFAULT_CARE_TAGS):
        CareTag.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "sort": sort}
        )
    return {t.code: t for t in CareTag.objects.all()}


def _area(code: str, name: str, level: str, parent: Area | None, **extra: object) -> Area:
    return Area(code=code, name=name, level=level, parent=parent, **extra)


def _random_point_in(polygon: dict, rng: random.Random) -> tuple[float, float]:
    geometry = shape(polygon)
    min_x, min_y, max_x, max_y = geometry.bounds
    while True:
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if geometry.contains(Point(x, y)):
            return round(x, 6), round(y, 6)


def _household_sizes(n: int, rng: random.Random) -> list[int]:
    return rng.choices([1, 2, 3, 4, 5], weights=[16, 30, 29, 16, 9], k=n)


@transaction.atomic
def build_demo_city(
    *,
    households: int = 20_000,
    seed: int = 0,
    reset: bool = False,
    progress: Callable[[int], None] = lambda n: None,
) -> DemoReport:
    """Build the demo district. `progress(n)` is called as households are generated."""
    if households < 100:
        raise ValueError("households: at least 100")
    if reset:
        _delete_everything()
    elif Area.objects.exists():
        raise ValueError("the database already has areas; use reset=True to replace them")

    b = _Builder(households=households, seed=seed, progress=progress)
    rng = b.rng
    report = DemoReport()
    tags = ensure_care_tags()
    now = b.now

    # --- area tree: district, streets, communities, grids ------------------------------------
    cells = jittered_lattice(cols=COLS, rows=ROWS, bbox=BBOX, jitter=0.22, rng=rng)
    min_lng, min_lat, max_lng, max_lat = BBOX
    district_polygon = {
        "type": "Polygon",
        "coordinates": [
            [
                [min_lng, max_lat],
                [min_lng, min_lat],
                [max_lng, min_lat],
                [max_lng, max_lat],
                [min_lng, max_lat],
            ]
        ],
    }
    district = _area(
        DISTRICT_CODE,
        DISTRICT_NAME,
        Level.DISTRICT,
        None,
        boundary=district_polygon,
        lat=(min_lat + max_lat) / 2,
        lng=(min_lng + max_lng) / 2,
    )
    district.save()
    streets: list[Area] = []
    communities: list[Area] = []
    grids: list[Area] = []
    community_index = 0
    for s_index, (street_name, cols, blocks) in enumerate(STREETS, start=1):
        street_cells = [cells[r][c] for r in range(ROWS) for c in cols]
        street = _area(
            f"{DISTRICT_CODE}{s_index:03d}",
            street_name,
            Level.STREET,
            district,
            boundary=union_geojson(street_cells),
        )
        street.lat, street.lng = _centre(street_cells)
        street.save()
        streets.append(street)
        for c_index, (block_cols, block_rows) in enumerate(blocks, start=1):
            block = [cells[r][c] for r in block_rows for c in block_cols]
            community = _area(
                f"{street.code}{c_index:03d}",
                COMMUNITY_NAMES[community_index] + "社区",
                Level.COMMUNITY,
                street,
                boundary=union_geojson(block),
            )
            community.lat, community.lng = _centre(block)
            community.save()
            community_index += 1
            communities.append(community)
            for g_index, polygon in enumerate(block, start=1):
                lat, lng = _centre([polygon])
                grid = _area(
                    f"{community.code}{g_index:03d}",
                    f"{community.name[:-2]}第{g_index}网格",
                    Level.GRID,
                    community,
                    grid_kind=GridKind.REGULAR,
                    boundary=polygon,
                    geometry_changed_at=now,
                    lat=lat,
                    lng=lng,
                    duties=sorted(rng.sample(GRID_DUTIES, k=rng.randint(3, 5)), key=GRID_DUTIES.index),
                )
                grids.append(grid)
    Area.objects.bulk_create(grids)
    grids = list(Area.objects.filter(level=Level.GRID).order_by("code"))

    # 专属网格: a school and a market nested in two grids (二级网格).
    special: list[Area] = []
    for grid, (kind, name) in zip(
        (grids[0], grids[len(grids) // 2]),
        ((GridKind.SCHOOL, "东塔小学专属网格"), (GridKind.MARKET, "大东农贸市场专属网格")),
        strict=True,
    ):
        centre = shape(grid.boundary).centroid
        half = 0.0025
        polygon = {
            "type": "Polygon",
            "coordinates": [
                [
                    [centre.x - half, centre.y + half * 0.75],
                    [centre.x - half, centre.y - half * 0.75],
                    [centre.x + half, centre.y - half * 0.75],
                    [centre.x + half, centre.y + half * 0.75],
                    [centre.x - half, centre.y + half * 0.75],
                ]
            ],
        }
        special.append(
            _area(
                f"{grid.code}001",
                name,
                Level.GRID,
                grid,
                grid_kind=kind,
                boundary=polygon,
                geometry_changed_at=now,
                lat=centre.y,
                lng=centre.x,
                duties=["综治", "应急"],
            )
        )
    Area.objects.bulk_create(special)
    report.districts, report.streets, report.communities = 1, len(streets), len(communities)
    report.grids = len(grids) + len(special)

    # --- buildings, units, households ---------------------------------------------------------
    per_grid = [
        households // len(grids) + (1 if i < households % len(grids) else 0) for i in range(len(grids))
    ]
    building_rows: list[Area] = []
    unit_plan: list[tuple[Area, int, int]] = []  # (building, units, floors)
    for grid, quota in zip(grids, per_grid, strict=True):
        remaining, number = quota, 0
        # Building numbers start at 2 in grids holding a 专属网格, so its code 001 stays the nested grid's.
        offset = 1 if any(s.parent_id == grid.pk for s in special) else 0
        while remaining > 0:
            number += 1
            units, floors = rng.choice([(2, 6), (3, 6), (4, 6), (2, 7), (2, 18)])
            capacity = units * floors * 2
            lng, lat = _random_point_in(grid.boundary or {}, rng)
            building = _area(
                f"{grid.code}{number + offset:03d}", f"{number}号楼", Level.BUILDING, grid, lat=lat, lng=lng
            )
            building_rows.append(building)
            unit_plan.append((building, units, floors))
            remaining -= capacity
    Area.objects.bulk_create(building_rows)
    buildings = {a.code: a for a in Area.objects.filter(level=Level.BUILDING)}
    unit_rows = []
    for building, units, _floors in unit_plan:
        saved = buildings[building.code]
        for u in range(1, units + 1):
            unit_rows.append(
                _area(f"{saved.code}{u:03d}", f"{u}单元", Level.UNIT, saved, lat=saved.lat, lng=saved.lng)
            )
    Area.objects.bulk_create(unit_rows)
    forget_index()
    report.buildings, report.units = len(building_rows), len(unit_rows)
    units_by_building: dict[str, list[Area]] = {}
    for unit in Area.objects.filter(level=Level.UNIT).order_by("code"):
        units_by_building.setdefault(unit.code[:-3], []).append(unit)

    names = {a.code: a.name for a in Area.objects.exclude(level__in=[Level.GRID, Level.BUILDING, Level.UNIT])}
    household_rows: list[Household] = []
    plans_by_grid: dict[str, list[tuple[Area, int, int]]] = {}
    for plan in unit_plan:
        plans_by_grid.setdefault(plan[0].code[:-SEGMENT_LENGTH], []).append(plan)
    for grid, quota in zip(grids, per_grid, strict=True):
        place = names[grid.code[:6]] + names[grid.code[:9]] + names[grid.code[:12]]
        doors = []
        for building, _units, floors in plans_by_grid.get(grid.code, []):
            for unit in units_by_building[building.code]:
                for floor in range(1, floors + 1):
                    for room in (1, 2):
                        doors.append((building, unit, f"{floor}{room:02d}"))
        for building, unit, door in doors[:quota]:
            household_rows.append(
                Household(
                    area=unit,
                    door_no=door,
                    address=f"{place}{building.name}{unit.name}{door}",
                    housing=rng.choices([Housing.OWNED, Housing.RENTED, Housing.VACANT], weights=[78, 18, 4])[
                        0
                    ],
                )
            )
    Household.objects.bulk_create(household_rows, batch_size=2000)
    saved_households = list(Household.objects.select_related("area").order_by("area__code", "door_no"))
    report.households = len(saved_households)

    # --- residents ------------------------------------------------------------------------------
    resident_rows: list[Resident] = []
    sizes = _household_sizes(len(saved_households), rng)
    done = 0
    for household, size in zip(saved_households, sizes, strict=True):
        if household.housing == Housing.VACANT:
            size = 0
        members = _family(b, size)
        for gender, relation, birth, name in members:
            r = Resident(
                household=household,
                name=name,
                gender=gender,
                birth_date=birth,
                relation=relation,
                care_level=CareLevel.GREEN,
            )
            id_no = b.id_number(birth, gender)
            r.id_number_encrypted = crypto.encrypt(id_no, key=b.key)
            r.id_number_index = crypto.blind_index(id_no, key=b.key)
            r.phone_encrypted = (
                crypto.encrypt(b.phone(), key=b.key) if relation in (Relation.HEAD, Relation.SPOUSE) else ""
            )
            resident_rows.append(r)
        done += 1
        if done % 500 == 0:
            progress(500)
    progress(done % 500)
    Resident.objects.bulk_create(resident_rows, batch_size=2000)
    couple = story_household(grids[0].code)  # seed 001's elderly couple, on the demo grid
    if couple is not None:
        name_song_yulan(couple, id_number=b.id_number, today=b.today)
    residents = list(Resident.objects.select_related("household").order_by("id"))
    report.residents = len(residents)

    # --- care tags and levels -----------------------------------------------------------------
    report.care_counts = _assign_care(residents, tags, b)

    # --- change history: one "create" row per record -----------------------------------------
    changes = [
        RegistryChange(
            kind=RecordKind.HOUSEHOLD,
            object_id=h.pk,
            household=h,
            action=ChangeAction.CREATE,
            source="demo",
            changes={"door_no": [None, h.door_no]},
        )
        for h in saved_households
    ] + [
        RegistryChange(
            kind=RecordKind.RESIDENT,
            object_id=r.pk,
            household_id=r.household_id,
            action=ChangeAction.CREATE,
            source="demo",
            changes={"name": [None, r.name]},
        )
        for r in residents
    ]
    RegistryChange.objects.bulk_create(changes, batch_size=5000)

    # --- organisations ----------------------------------------------------------------------------
    orgs: list[Unit] = []
    district_wide = [
        (UnitKind.DEPARTMENT, DEPARTMENTS),
        (UnitKind.UTILITY, UTILITIES),
        (UnitKind.SOCIAL_ORG, SOCIAL_ORGS),
    ]
    for unit_kind, entries in district_wide:
        for code, name, duties in entries:
            phone = (
                f"024-{rng.randint(2000, 8999)}{rng.randint(1000, 9999)}"
                if unit_kind == UnitKind.DEPARTMENT
                else ""
            )
            orgs.append(
                Unit(
                    code=f"{DISTRICT_CODE}-{code}",
                    name=name,
                    kind=unit_kind,
                    area=district,
                    duties=duties,
                    phone=phone,
                )
            )
    for i, served in enumerate(communities):
        name = PROPERTY_COMPANIES[i % len(PROPERTY_COMPANIES)]
        if i >= len(PROPERTY_COMPANIES):
            name = name.replace("有限公司", f"第{i // len(PROPERTY_COMPANIES) + 1}分公司")
        orgs.append(
            Unit(
                code=f"{DISTRICT_CODE}-WY{i + 1}",
                name=name,
                kind=UnitKind.PROPERTY,
                area=served,
                duties="物业服务、公共设施维修、小区环境",
            )
        )
    for i, name in enumerate(RESIDENT_UNITS):
        orgs.append(
            Unit(
                code=f"{DISTRICT_CODE}-ZQ{i + 1}",
                name=name,
                kind=UnitKind.RESIDENT_UNIT,
                area=streets[i % len(streets)],
                duties="驻区单位：共驻共建、资源开放",
            )
        )
    Unit.objects.bulk_create(orgs)
    orgs = list(Unit.objects.order_by("code"))
    report.organisations = len(orgs)

    # --- staff and memberships ------------------------------------------------------------------
    _staff(
        b,
        report,
        district,
        streets,
        communities,
        grids,
        special,
        buildings,
        orgs,
        saved_households,
        residents,
    )
    report.users = User.objects.filter(is_superuser=False).count()

    # --- visit ledger, and seed 001's elderly couple on the demo grid worker's round -------------
    report.visits = build_demo_visits(rng, b.today)
    if couple is not None:
        plant_song_yulan(couple, visitor=User.objects.get(username="gridworker"), today=b.today)
    report.directives = build_demo_directives(rng)
    report.service_points = build_demo_directory(rng)
    build_demo_party(random.Random(seed + 22), b.today)
    return report


def _centre(polygons: list[dict]) -> tuple[float, float]:
    """(lat, lng) of a point inside the union of polygons."""
    from shapely import union_all

    point = union_all([shape(p) for p in polygons]).representative_point()
    return round(point.y, 6), round(point.x, 6)


def _family(b: _Builder, size: int) -> list[tuple[str, str, dt.date, str]]:
    """(gender, relation, birth date, name) of a household's members."""
    if size == 0:
        return []
    rng = b.rng
    surname = b.fake.last_name()
    head_gender = rng.choice([Gender.MALE, Gender.MALE, Gender.FEMALE])
    if size <= 2:
        head_age = rng.choices([(22, 40), (41, 59), (60, 79), (80, 95)], weights=[25, 25, 35, 15])[0]
    else:
        head_age = rng.choices([(26, 45), (46, 60), (61, 75)], weights=[55, 35, 10])[0]
    head_birth = b.birth(*head_age)
    head_years = (b.today - head_birth).days // 365
    members: list[tuple[str, str, dt.date, str]] = [
        (head_gender, Relation.HEAD, head_birth, b.person_name(head_gender, surname))
    ]
    if size >= 2:
        g = Gender.FEMALE if head_gender == Gender.MALE else Gender.MALE
        age = max(20, head_years + rng.randint(-4, 4))
        members.append((g, Relation.SPOUSE, b.birth(age, age), b.person_name(g)))
    for i in range(2, size):
        g = rng.choice([Gender.MALE, Gender.FEMALE])
        if i == 4 or (i == 3 and rng.random() < 0.3):
            age = min(98, head_years + rng.randint(22, 32))
            members.append(
                (
                    g,
                    Relation.PARENT,
                    b.birth(age, age),
                    b.person_name(g, surname if g == Gender.MALE else None),
                )
            )
        elif head_years >= 55 and rng.random() < 0.5:
            age = max(0, head_years - rng.randint(50, 60))
            members.append((g, Relation.GRANDCHILD, b.birth(age, age), b.person_name(g, surname)))
        else:
            age = max(0, head_years - rng.randint(22, 34))
            members.append((g, Relation.CHILD, b.birth(age, age), b.person_name(g, surname)))
    return members


def _assign_care(residents: list[Resident], tags: dict[str, CareTag], b: _Builder) -> dict[str, int]:
    rng, today, n = b.rng, b.today, b.n_households
    by_household: dict[int, list[Resident]] = {}
    for r in residents:
        by_household.setdefault(r.household_id, []).append(r)

    def age(r: Resident) -> int:
        return r.age(today)

    chosen: dict[str, list[Resident]] = {}
    empty_nest_pool = [
        r
        for members in by_household.values()
        if len(members) <= 2 and all(age(m) >= 60 for m in members)
        for r in members
    ]
    targets = {code: round(count * n / SEED_HOUSEHOLDS) for code, count in SEED_COUNTS.items()}
    chosen["empty_nest"] = rng.sample(empty_nest_pool, min(targets["empty_nest"], len(empty_nest_pool)))
    chosen["disabled"] = rng.sample(residents, targets["disabled"])
    over_50 = [r for r in residents if age(r) >= 50]
    chosen["chronic"] = rng.sample(over_50, min(targets["chronic"], len(over_50)))
    chosen["elderly_80"] = [r for r in residents if age(r) >= 80]
    adults = [r for r in residents if age(r) >= 18]
    heads = [r for r in residents if r.relation == Relation.HEAD]
    children = [r for r in residents if age(r) < 16]
    pools = {
        "dibao": heads,
        "tekun": heads,
        "veteran": [r for r in adults if r.gender == Gender.MALE],
        "left_behind_child": children,
        "child_in_difficulty": children,
    }
    for code, rate in OTHER_TAG_RATES.items():
        pool = pools[code]
        chosen[code] = rng.sample(pool, min(len(pool), max(1, round(rate * len(residents)))))

    through = Resident.care_tags.through
    links = []
    tags_of: dict[int, set[str]] = {}
    for code, members in chosen.items():
        for r in members:
            if code not in tags_of.setdefault(r.pk, set()):
                tags_of[r.pk].add(code)
                links.append(through(resident_id=r.pk, caretag_id=tags[code].pk))
    through.objects.bulk_create(links, batch_size=5000)

    # 五色管理: the colour follows the tags (a rule of thumb for the demo; staff adjust it per person).
    levels: dict[str, list[int]] = {}
    level: str
    for pk, codes in tags_of.items():
        if ("empty_nest" in codes and ({"disabled", "chronic", "elderly_80"} & codes)) or "tekun" in codes:
            level = CareLevel.RED
        elif codes & {"empty_nest", "disabled", "child_in_difficulty"}:
            level = CareLevel.ORANGE
        elif codes & {"chronic", "elderly_80", "dibao", "left_behind_child"}:
            level = CareLevel.YELLOW
        else:
            level = CareLevel.BLUE
        levels.setdefault(level, []).append(pk)
    for level, pks in levels.items():
        for start in range(0, len(pks), 900):
            Resident.objects.filter(pk__in=pks[start : start + 900]).update(care_level=level)
    return {tags[code].name: len({r.pk for r in members}) for code, members in chosen.items()}


def _staff(
    b: _Builder,
    report: DemoReport,
    district: Area,
    streets: list[Area],
    communities: list[Area],
    grids: list[Area],
    special: list[Area],
    buildings: dict[str, Area],
    orgs: list[Unit],
    households: list[Household],
    residents: list[Resident],
) -> None:
    rng = b.rng
    users: list[User] = []
    plans: list[tuple[int, dict]] = []  # (index into users, membership fields)

    def add(
        username: str,
        role: str,
        *,
        area: Area | None = None,
        unit: Unit | None = None,
        full_time: bool = True,
        name: str | None = None,
    ) -> None:
        users.append(b.user(username, name or b.person_name(rng.choice([Gender.MALE, Gender.FEMALE]))))
        plans.append((len(users) - 1, {"role": role, "area": area, "unit": unit, "full_time": full_time}))

    demo_street, demo_community, demo_grid = streets[0], communities[0], grids[0]
    property_company = next(o for o in orgs if o.kind == UnitKind.PROPERTY and o.area_id == demo_community.pk)
    # The fixed demo logins, all in the same street, community and grid.
    add("district", Role.DISTRICT_STAFF, area=district)
    add("street", Role.STREET_STAFF, area=demo_street)
    add("community", Role.COMMUNITY_STAFF, area=demo_community)
    add("gridhead", Role.GRID_HEAD, area=demo_grid)
    add("gridworker", Role.GRID_WORKER, area=demo_grid, name="董银成")  # seed 001's grid worker
    add("unit", Role.UNIT_STAFF, unit=property_company)
    add("party", Role.PARTY_MEMBER, area=demo_community)
    add("volunteer", Role.VOLUNTEER, area=demo_community)
    serial = 0

    def next_name(prefix: str) -> str:
        nonlocal serial
        serial += 1
        return f"{prefix}{serial:05d}"

    add(next_name("qu"), Role.DISTRICT_STAFF, area=district)
    add(next_name("qu"), Role.LEADER, area=district)
    for street in streets:
        for _ in range(2):
            add(next_name("jd"), Role.STREET_STAFF, area=street)
        add(next_name("bl"), Role.LEADER, area=street)
    for community in communities:
        for _ in range(3):
            add(next_name("sq"), Role.COMMUNITY_STAFF, area=community)
        for _ in range(rng.randint(4, 8)):
            add(next_name("zy"), Role.VOLUNTEER, area=community)
    for grid in grids + special:
        if grid.pk != demo_grid.pk:  # the demo grid's head and full-time worker are the demo logins
            add(next_name("wgz"), Role.GRID_HEAD, area=grid)
            add(next_name("wgy"), Role.GRID_WORKER, area=grid, full_time=True)
        for _ in range(rng.randint(1, 2)):
            add(next_name("wgy"), Role.GRID_WORKER, area=grid, full_time=False)
    for code in sorted(buildings):
        add(next_name("ld"), Role.BUILDING_HEAD, area=buildings[code])
    for org in orgs:
        for _ in range(2):
            add(next_name("dw"), Role.UNIT_STAFF, unit=org)

    # 双报到 party members: the demo `party` login and about one per 100 households, each with 5–8
    # households (包户) of one grid of their community.
    by_grid: dict[str, list[Household]] = {}
    for h in households:
        by_grid.setdefault(h.area.code[:15], []).append(h)
    party_plans: list[tuple[int, list[Household]]] = []
    party_plans.append((6, rng.sample(by_grid[demo_grid.code], min(6, len(by_grid[demo_grid.code])))))
    for grid in grids:
        pool = list(by_grid.get(grid.code, []))
        rng.shuffle(pool)
        pool = [h for h in pool if h not in party_plans[0][1]]  # one member per household
        for _ in range(max(1, len(pool) // 100)):
            take, pool = pool[: rng.randint(5, 8)], pool[8:]
            if len(take) < 5:
                break
            add(next_name("dy"), Role.PARTY_MEMBER, area=grid.parent)
            party_plans.append((len(users) - 1, take))

    User.objects.bulk_create(users, batch_size=2000)
    saved = {u.username: u for u in User.objects.all()}
    memberships = [
        Membership(
            user=saved[users[i].username], since=b.today - dt.timedelta(days=rng.randint(30, 1500)), **fields
        )
        for i, fields in plans
    ]
    Membership.objects.bulk_create(memberships, batch_size=2000)
    party_membership = {
        m.user.username: m for m in Membership.objects.filter(role=Role.PARTY_MEMBER).select_related("user")
    }
    PartyMemberHousehold.objects.bulk_create(
        [
            PartyMemberHousehold(membership=party_membership[users[i].username], household=h)
            for i, taken in party_plans
            for h in taken
        ]
    )
    report.party_members = len(party_plans)

    # The `resident` login: the head of an occupied household in the demo grid.
    resident = next(
        r
        for r in residents
        if r.relation == Relation.HEAD and r.household.area.code.startswith(demo_grid.code)
    )
    user = User.objects.create(username="resident", display_name=resident.name, password=b.password)
    Resident.objects.filter(pk=resident.pk).update(user=user)


def demo_logins() -> list[tuple[str, str, str]]:
    """The fixed demo logins that exist in this database, with role and place."""
    rows = []
    staff = DEMO_USERNAMES[:-1]  # all but `resident`, who has a household instead of a membership
    for m in Membership.objects.filter(user__username__in=staff).select_related("user", "area", "unit"):
        rows.append((m.user.username, m.role_name, m.area.name if m.area else m.unit.name if m.unit else ""))
    rows.sort(key=lambda r: staff.index(r[0]))
    resident = Resident.objects.filter(user__username="resident").select_related("household").first()
    if resident is not None:
        rows.append(("resident", "居民", resident.household.address))
    return rows
