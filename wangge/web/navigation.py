"""Who lands where and what the navigation offers: one persona per user, from their memberships.

A person may hold several posts; the persona is the one whose daily work the others serve (a community
secretary who is also a party member works at the desk). Each persona has a home it lands on after login
and a short navigation holding only what it can use.
"""

from dataclasses import dataclass

from django.urls import reverse

from wangge.accounts.models import User
from wangge.areas.models import Area, Role
from wangge.areas.scoping import scope_of
from wangge.deliberation.selectors import HOST_ROLES
from wangge.party.selectors import MANAGING_ROLES as PARTY_KEEPERS
from wangge.stats.screen import SCREEN_LEVELS, SCREEN_ROLES

COMMAND, DESK, FIELD, UNIT, PARTICIPANT, RESIDENT, OTHER = (
    "command",
    "desk",
    "field",
    "unit",
    "participant",
    "resident",
    "other",
)
# The first role a user holds, in this order, decides their persona.
PERSONA_OF_ROLE = [
    (Role.DISTRICT_STAFF, COMMAND),
    (Role.LEADER, COMMAND),
    (Role.STREET_STAFF, DESK),
    (Role.COMMUNITY_STAFF, DESK),
    (Role.GRID_HEAD, FIELD),
    (Role.GRID_WORKER, FIELD),
    (Role.UNIT_STAFF, UNIT),
    (Role.PARTY_MEMBER, PARTICIPANT),
    (Role.VOLUNTEER, PARTICIPANT),
    (Role.BUILDING_HEAD, PARTICIPANT),
    (Role.UNIT_HEAD, PARTICIPANT),
    (Role.HOUSEHOLD_HEAD, PARTICIPANT),
]


def persona(user: User) -> str:
    scope = scope_of(user)
    if scope.everything:
        return COMMAND
    roles = {m.role for m in scope.memberships}
    for role, name in PERSONA_OF_ROLE:
        if role in roles:
            return name
    return RESIDENT if scope.own_resident_id is not None else OTHER


def root_code(user: User) -> str | None:
    """The widest area of the user's posts (where their 辖区 and statistics start)."""
    scope = scope_of(user)
    codes = [m.area.code for m in scope.memberships if m.area is not None]
    if not codes and scope.everything:
        top = Area.objects.filter(parent=None).order_by("code").first()
        return top.code if top else None
    return min(codes, key=len) if codes else None


def home_url(user: User) -> str | None:
    """Where the user lands after login; None: the overview page itself."""
    match persona(user):
        case "command":
            code = root_code(user)
            return reverse("web:stats", args=[code]) if code else None
        case "desk" | "unit":
            return reverse("web:workbench")
        case "field" | "participant":
            return reverse("web:field")
        case "resident":
            return reverse("web:h5_submit")
    return None


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


def _watches(user: User, code: str) -> bool:
    """Whether the user has the big screen of their widest area (read from the memberships already
    loaded, no query)."""
    scope = scope_of(user)
    if scope.everything:
        return True
    return any(
        m.area is not None
        and m.area.code == code
        and m.role in SCREEN_ROLES
        and m.area.level in SCREEN_LEVELS
        for m in scope.memberships
    )


def _keeps_party(user: User, code: str) -> bool:
    """Whether the user keeps the party records of their widest area (from the loaded memberships)."""
    scope = scope_of(user)
    return scope.everything or any(
        m.area is not None and code.startswith(m.area.code) and m.role in PARTY_KEEPERS
        for m in scope.memberships
    )


def _hosts(user: User, code: str) -> bool:
    """Whether the user hosts meetings over their widest area (from the loaded memberships)."""
    scope = scope_of(user)
    return scope.everything or any(
        m.area is not None and code.startswith(m.area.code) and m.role in HOST_ROLES
        for m in scope.memberships
    )


def nav_items(user: User) -> list[NavItem]:
    """The navigation of the staff frame for this user's persona."""
    kind = persona(user)
    code = root_code(user)
    area = [NavItem("辖区", reverse("web:area", args=[code]))] if code else []
    stats = [NavItem("统计", reverse("web:stats", args=[code]))] if code else []
    screen = [NavItem("大屏", reverse("web:screen", args=[code]))] if code and _watches(user, code) else []
    together = [NavItem("共建", reverse("web:participation", args=[code]))] if code else []
    party = [NavItem("党建", reverse("web:party", args=[code]))] if code and _keeps_party(user, code) else []
    hosts = bool(code) and _hosts(user, code or "")
    talk = NavItem("议事", reverse("web:talk", args=[code]) if hosts else reverse("web:h5_talk"))
    workbench = NavItem("工作台", reverse("web:workbench"))
    residents = NavItem("居民档案", reverse("web:residents"))
    directives = NavItem("指令", reverse("web:directives"))
    leads = any(m.role == Role.LEADER for m in scope_of(user).memberships)
    cases = [NavItem("攻坚", reverse("web:my_cases"))] if leads else []
    if kind == COMMAND:
        return [*stats, *screen, workbench, *cases, *area, *together, *party, talk, directives, residents]
    if kind == DESK:
        return [workbench, *area, *together, *party, talk, *stats, *screen, residents, directives]
    if kind == FIELD:
        return [NavItem("走访", reverse("web:field")), workbench, residents, talk, directives, *stats]
    if kind == UNIT:
        served = next((m.unit for m in scope_of(user).memberships if m.unit is not None), None)
        needs = [NavItem("需求清单", reverse("web:participation", args=[served.area.code]))] if served else []
        return [NavItem("我的工单", reverse("web:workbench")), *needs]
    if kind == PARTICIPANT:
        mine = [NavItem("我的包户", reverse("web:field")), NavItem("我的工单", reverse("web:workbench"))]
        if any(m.role == Role.PARTY_MEMBER for m in scope_of(user).memberships):
            mine.append(NavItem("党员服务", reverse("web:h5_party")))
        return [*mine, talk]
    if kind == RESIDENT:
        return [
            NavItem("我要反映", reverse("web:h5_submit")),
            NavItem("我的诉求", reverse("web:h5_mine")),
            NavItem("议事", reverse("web:h5_talk")),
            NavItem("便民服务", reverse("web:h5_services")),
        ]
    return []
