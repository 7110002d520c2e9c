"""The area tree (区/街道/社区/网格/楼栋/单元), organisations (Unit) and memberships (F1, F2)."""

from django.db import models
from django.db.models import Q

from wangge.accounts.models import User

DISTRICT_CODE_LENGTH = 6
SEGMENT_LENGTH = 3  # every level below the district adds one fixed-width segment


def codes_above(code: str) -> list[str]:
    """The codes of every area above this one, root first (not the code itself)."""
    return [code[:length] for length in range(DISTRICT_CODE_LENGTH, len(code), SEGMENT_LENGTH)]


def next_code(code: str) -> str | None:
    """The first digit code after all codes under `code`: "2101" -> "2102", "2109" -> "211"; None
    after "99"."""
    kept = code.rstrip("9")
    return kept[:-1] + str(int(kept[-1]) + 1) if kept else None


def subtree_q(code: str, field_name: str = "area_code") -> Q:
    """Codes under `code` (itself included) as a range, so that an index on the code serves it (a LIKE
    prefix is read row by row on SQLite, and needs a pattern index on PostgreSQL).

    The range ends at `next_code`, not at `code + ":"`: digits come before ':' in byte order but after
    it in a locale collation such as ICU's (a PostgreSQL database or column may use one), where that
    range held the code alone. Strings of digits sort alike in both. A code with other characters is
    matched by its prefix."""
    if not (code.isascii() and code.isdigit()):
        return Q(**{f"{field_name}__startswith": code})
    end = next_code(code)
    return Q(**{f"{field_name}__gte": code}) & (Q(**{f"{field_name}__lt": end}) if end else Q())


class Level(models.TextChoices):
    DISTRICT = "district", "区"
    STREET = "street", "街道"
    COMMUNITY = "community", "社区"
    GRID = "grid", "网格"
    BUILDING = "building", "楼栋"
    UNIT = "unit", "单元"


# Which levels may sit under which: grids nest (一级/二级/三级网格); households sit on buildings or units.
CHILD_LEVELS: dict[str, tuple[str, ...]] = {
    Level.DISTRICT: (Level.STREET,),
    Level.STREET: (Level.COMMUNITY,),
    Level.COMMUNITY: (Level.GRID,),
    Level.GRID: (Level.GRID, Level.BUILDING),
    Level.BUILDING: (Level.UNIT,),
    Level.UNIT: (),
}


class GridKind(models.TextChoices):
    REGULAR = "regular", "全要素网格"
    SCHOOL = "school", "专属网格·学校"
    MARKET = "market", "专属网格·市场"
    COMPANY = "company", "专属网格·企业"
    OTHER = "other", "专属网格·其他"


class Area(models.Model):
    """One node of the place tree. `code` is hierarchical, so a subtree is a prefix query."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    grid_kind = models.CharField("网格类型", max_length=10, choices=GridKind.choices, blank=True)
    # 多网合一: the departmental duties merged into this grid (综治, 城管, 民政, 应急 …)
    duties = models.JSONField("合并职责", default=list, blank=True)
    boundary = models.JSONField("边界(GeoJSON)", null=True, blank=True)
    geometry_changed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)

    class Meta:
        verbose_name = "区域"
        verbose_name_plural = "区域"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes of every ancestor, root first (not including this node)."""
        return codes_above(self.code)

    def ancestors(self) -> list["Area"]:
        return list(Area.objects.filter(code__in=self.ancestor_codes).order_by("code"))

    def subtree(self) -> models.QuerySet["Area"]:
        return Area.objects.filter(code__startswith=self.code)

    @property
    def grid_tier(self) -> int | None:
        """一级/二级/三级网格: 1 for a grid directly under a community, 2 for one nested in it, …"""
        if self.level != Level.GRID:
            return None
        community_length = DISTRICT_CODE_LENGTH + 2 * SEGMENT_LENGTH
        return (len(self.code) - community_length) // SEGMENT_LENGTH

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "level_name": self.get_level_display(),
            "grid_kind": self.grid_kind or None,
            "grid_tier": self.grid_tier,
            "duties": self.duties,
            "lat": self.lat,
            "lng": self.lng,
        }


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", "职能部门"
    RESIDENT_UNIT = "resident_unit", "驻区单位"
    PROPERTY = "property", "物业公司"
    SOCIAL_ORG = "social_org", "社会组织"
    UTILITY = "utility", "公用事业单位"


class Unit(models.Model):
    """An organisation that handles tickets or offers resources, attached to the area it serves."""

    code = models.CharField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="units", verbose_name="服务区域")
    phone = models.CharField("办公电话", max_length=30, blank=True)
    duties = models.TextField("职责", blank=True)
    active = models.BooleanField("在用", default=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "kind": self.kind, "area": self.area.code}


class Role(models.TextChoices):
    GRID_HEAD = "grid_head", "网格长"
    GRID_WORKER = "grid_worker", "网格员"
    BUILDING_HEAD = "building_head", "楼栋长"
    UNIT_HEAD = "unit_head", "单元长"
    HOUSEHOLD_HEAD = "household_head", "联户长"
    COMMUNITY_STAFF = "community_staff", "社区工作者"
    STREET_STAFF = "street_staff", "街道工作人员"
    DISTRICT_STAFF = "district_staff", "区指挥中心"
    UNIT_STAFF = "unit_staff", "单位工作人员"
    PARTY_MEMBER = "party_member", "在职党员"
    VOLUNTEER = "volunteer", "志愿者"
    LEADER = "leader", "包联领导"


class Membership(models.Model):
    """(person, area or unit, role): the source of every user's scope."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    full_time = models.BooleanField("专职", default=True, help_text="网格员：专职或兼职")
    since = models.DateField("起始日期", null=True, blank=True)
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="unit_staff", unit__isnull=False, area__isnull=True))
                | (~Q(role="unit_staff") & Q(area__isnull=False, unit__isnull=True)),
                name="membership_area_xor_unit",
            ),
        ]
        indexes = [models.Index(fields=["user", "active"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.area or self.unit}"

    @property
    def role_name(self) -> str:
        if self.role == Role.GRID_WORKER:
            return "专职网格员" if self.full_time else "兼职网格员"
        return self.get_role_display()
