"""Registry (基础底数, 一人一档): households, residents, care tags and levels, change history (F3)."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership
from wangge.lib import crypto
from wangge.lib.masking import mask_id_number, mask_phone

# The care tags a new deployment starts with (code, name, description); staff add more in the admin.
DEFAULT_CARE_TAGS = [
    ("empty_nest", "空巢独居老人", "60岁以上独居或仅与配偶同住"),
    ("elderly_80", "高龄老人", "80岁以上"),
    ("disabled", "残疾人", "持残疾人证"),
    ("chronic", "慢性病", "有慢性病、基础病"),
    ("dibao", "低保户", "享受最低生活保障"),
    ("tekun", "特困人员", "特困供养"),
    ("left_behind_child", "留守儿童", "父母外出务工"),
    ("child_in_difficulty", "困境儿童", "家庭困难或监护缺失"),
    ("veteran", "退役军人", ""),
]


class CareTag(models.Model):
    """特殊群体 / 重点人群: 空巢独居老人, 残疾人, 慢性病, 低保户 …"""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=30, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "关爱标签"
        verbose_name_plural = "关爱标签"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class CareLevel(models.TextChoices):
    """五色管理: how closely a resident is watched."""

    RED = "red", "红色"
    ORANGE = "orange", "橙色"
    YELLOW = "yellow", "黄色"
    BLUE = "blue", "蓝色"
    GREEN = "green", "绿色"


# Most urgent first: a household is visited as often as its most urgent member needs.
LEVEL_URGENCY = [CareLevel.RED, CareLevel.ORANGE, CareLevel.YELLOW, CareLevel.BLUE, CareLevel.GREEN]

# Visit frequency per colour (days between household visits) a new deployment starts with; staff change
# them in the admin (VisitInterval), and people.schedule moves every household's next visit along.
VISIT_INTERVAL_DAYS = {
    CareLevel.RED: 7,
    CareLevel.ORANGE: 14,
    CareLevel.YELLOW: 30,
    CareLevel.BLUE: 60,
    CareLevel.GREEN: 90,
}


class VisitInterval(models.Model):
    """走访频次: days between household visits for one care level (四色/五色管理)."""

    care_level = models.CharField("关爱等级", max_length=10, choices=CareLevel.choices, unique=True)
    days = models.PositiveSmallIntegerField("走访间隔（天）")

    class Meta:
        verbose_name = "走访频次"
        verbose_name_plural = "走访频次"
        constraints = [models.CheckConstraint(condition=Q(days__gte=1, days__lte=366), name="interval_1_366")]

    def __str__(self) -> str:
        return f"{self.get_care_level_display()} 每{self.days}天"


class Housing(models.TextChoices):
    OWNED = "owned", "自住"
    RENTED = "rented", "租住"
    VACANT = "vacant", "空置"


class Household(models.Model):
    """户: sits on a building or unit node of the area tree."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="households", verbose_name="楼栋/单元"
    )
    door_no = models.CharField("门牌号", max_length=30)
    address = models.CharField("地址", max_length=200, blank=True)
    housing = models.CharField("居住类型", max_length=10, choices=Housing.choices, default=Housing.OWNED)
    notes = models.TextField("备注", blank=True)
    # The visit schedule (people.schedule keeps these): the household's level is its most urgent
    # member's; the next visit is due an interval after the later of the last visit and the day the
    # level took effect. A vacant household has no schedule.
    care_level = models.CharField(
        "户关爱等级", max_length=10, choices=CareLevel.choices, default=CareLevel.GREEN
    )
    level_since = models.DateField("等级起始日", null=True, blank=True)
    last_visited_at = models.DateTimeField("最近走访", null=True, blank=True)
    next_visit_on = models.DateField("下次走访", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "住户"
        verbose_name_plural = "住户"
        constraints = [models.UniqueConstraint(fields=["area", "door_no"], name="household_unique_door")]
        ordering = ["area__code", "door_no"]
        indexes = [
            # a grid's due list: its buildings' households by due date; the district's: by due date
            models.Index(fields=["area", "next_visit_on"]),
            models.Index(fields=["next_visit_on", "area"]),
        ]

    def __str__(self) -> str:
        return self.address or self.door_no

    def grid(self) -> Area | None:
        """The innermost grid above this household's building or unit."""
        return Area.objects.filter(code__in=self.area.ancestor_codes, level="grid").order_by("-code").first()


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    OTHER = "other", "其他"


class Resident(models.Model):
    """居民 (一人一档). ID and phone numbers are stored encrypted, with a keyed hash for lookups."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="residents")
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    birth_date = models.DateField("出生日期")
    id_number_encrypted = models.TextField(blank=True)
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    phone_encrypted = models.TextField(blank=True)
    relation = models.CharField("与户主关系", max_length=12, choices=Relation.choices, default=Relation.HEAD)
    care_level = models.CharField(
        "关爱等级", max_length=10, choices=CareLevel.choices, default=CareLevel.GREEN, db_index=True
    )
    care_tags = models.ManyToManyField(CareTag, blank=True, related_name="residents", verbose_name="关爱标签")
    notes = models.TextField("备注", blank=True)
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
        verbose_name="登录账户",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "居民"
        verbose_name_plural = "居民"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"], condition=~Q(id_number_index=""), name="resident_unique_id_number"
            )
        ]
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.name

    # Personal numbers: plain values exist only in memory; pages and the API show the masked forms.
    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @id_number.setter
    def id_number(self, value: str) -> None:
        key = settings.FIELD_ENCRYPTION_KEY
        self.id_number_encrypted = crypto.encrypt(value, key=key)
        self.id_number_index = crypto.blind_index(value, key=key)

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @phone.setter
    def phone(self, value: str) -> None:
        self.phone_encrypted = crypto.encrypt(value, key=settings.FIELD_ENCRYPTION_KEY)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def age(self, today: dt.date | None = None) -> int:
        today = today or dt.date.today()
        b = self.birth_date
        return today.year - b.year - ((today.month, today.day) < (b.month, b.day))


def born_by(age: int, today: dt.date) -> dt.date:
    """The latest birth date of someone aged `age` on `today` (29 February counts as 28 February)."""
    try:
        return today.replace(year=today.year - age)
    except ValueError:
        return today.replace(year=today.year - age, day=28)


def id_number_lookup(value: str) -> str:
    return crypto.blind_index(value, key=settings.FIELD_ENCRYPTION_KEY)


class PartyMemberHousehold(models.Model):
    """包户: a party member registered in a community (双报到) looks after 5–8 households."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="assigned_households")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="party_contacts")
    assigned_at = models.DateField(auto_now_add=True)

    class Meta:
        verbose_name = "党员包户"
        verbose_name_plural = "党员包户"
        constraints = [
            # one member looks after a household (party.actions.do_assign_household keeps the quota)
            models.UniqueConstraint(fields=["household"], name="party_household_one_member"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} → {self.household_id}"


class RecordKind(models.TextChoices):
    HOUSEHOLD = "household", "住户"
    RESIDENT = "resident", "居民"


class ChangeAction(models.TextChoices):
    CREATE = "create", "新建"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"


class RegistryChange(models.Model):
    """Change history of every registry record: who changed what, when. Personal numbers are never
    stored here in plain text, only the fact that they changed."""

    kind = models.CharField(max_length=10, choices=RecordKind.choices)
    object_id = models.BigIntegerField()
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField("来源", max_length=30, default="web")  # web, api, import, demo, admin
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    changes = models.JSONField(default=dict)  # {field: [old, new]}

    class Meta:
        verbose_name = "档案变更记录"
        verbose_name_plural = "档案变更记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{self.object_id} {self.get_action_display()}"


class PersonalDataAccess(models.Model):
    """Access log: one row for every reveal of a full ID or phone number."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="accesses")
    fields = models.CharField(max_length=100)
    channel = models.CharField(max_length=10)  # web, api, export
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "个人信息查看记录"
        verbose_name_plural = "个人信息查看记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} 查看 {self.resident_id} {self.fields}"
