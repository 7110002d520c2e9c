"""微心愿 (F8): a resident's small wish on the wish wall of their community, claimed by one party member or
volunteer, fulfilled with a photo and confirmed by the resident (or the grid worker who posted it for
them). Seed 002: 阜新's 心愿墙, 187 微心愿 claimed; seed 004: 双阳's 点亮群众"微心愿".

三张清单 (F8): needs (需求清单), offers (资源清单) and projects (项目清单, a need met by offers), claimed both
ways (双向认领: a unit claims a need, a community claims an offer). Seed 000: 张掖's 项目、资源、需求"三张
清单"; seed 004: 西岗's 资源清单296个、需求清单255个、项目清单291个.
"""

from django.db import models
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Unit
from wangge.people.models import Resident

WISH_VALUE_CAP = 200  # 元: a micro-wish is small; a larger need goes on the needs list


class WishState(models.TextChoices):
    OPEN = "open", "待认领"
    CLAIMED = "claimed", "已认领"
    FULFILLED = "fulfilled", "已送达"
    CONFIRMED = "confirmed", "已圆梦"
    WITHDRAWN = "withdrawn", "已撤回"


def wish_photo_path(wish: "Wish", filename: str) -> str:
    return f"wishes/{timezone.now():%Y/%m}/{wish.pk or 'new'}-{filename}"


class Wish(models.Model):
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="wishes", verbose_name="心愿人"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+"
    )  # the resident's grid or building
    area_code = models.CharField(max_length=40, db_index=True)
    text = models.CharField("心愿", max_length=200)
    value = models.PositiveIntegerField("约值（元）")
    photo = models.FileField("照片", upload_to=wish_photo_path, blank=True)
    posted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=WishState.choices, default=WishState.OPEN)
    claimed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    proof = models.FileField("送达照片", upload_to=wish_photo_path, blank=True)
    note = models.CharField("送达说明", max_length=200, blank=True)
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "微心愿"
        verbose_name_plural = "微心愿"
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["area_code", "state", "posted_at"], name="wish_wall")]

    def __str__(self) -> str:
        return self.text


class Topic(models.TextChoices):
    """What a need asks for or an offer gives: matched like with like."""

    ELDERLY = "elderly", "助老"
    CHILDREN = "children", "助学托幼"
    HEALTH = "health", "医疗健康"
    LAW = "law", "法律"
    ENVIRONMENT = "environment", "环境整治"
    REPAIR = "repair", "维修"
    CULTURE = "culture", "文体活动"
    JOBS = "jobs", "就业"
    VENUE = "venue", "场地"
    GOODS = "goods", "物资"
    FUNDS = "funds", "资金"
    OTHER = "other", "其他"


class ItemState(models.TextChoices):
    OPEN = "open", "待认领"
    CLAIMED = "claimed", "已认领"
    DONE = "done", "已完成"
    CLOSED = "closed", "已关闭"


class ListItem(models.Model):
    """What a need and an offer share: a topic, a place, a time window, who posted it, who claimed it."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    area_code = models.CharField(max_length=40, db_index=True)
    topic = models.CharField("类别", max_length=12, choices=Topic.choices)
    title = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    starts_on = models.DateField("起", null=True, blank=True)
    ends_on = models.DateField("止", null=True, blank=True)
    posted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=ItemState.choices, default=ItemState.OPEN)
    claimed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Need(ListItem):
    """需求清单: what residents, a grid or a community need; a unit (or its staff) claims it."""

    people = models.PositiveIntegerField("惠及人数", default=0)
    claimed_by_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(ListItem.Meta):
        verbose_name = "需求"
        verbose_name_plural = "需求清单"
        indexes = [models.Index(fields=["area_code", "state"], name="need_list")]


class OfferKind(models.TextChoices):
    VENUE = "venue", "场地"
    SKILL = "skill", "技能"
    MONEY = "money", "资金"
    HOURS = "hours", "志愿时间"
    GOODS = "goods", "物资"


class Offer(ListItem):
    """资源清单: what a unit, a 驻区单位, a property company, a party member or a volunteer offers; a
    community claims it. `capacity` is how many times (people, sessions) it can still serve."""

    kind = models.CharField("资源类型", max_length=10, choices=OfferKind.choices)
    provider_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    capacity = models.PositiveIntegerField("可服务次数", default=1)
    claimed_by_area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta(ListItem.Meta):
        verbose_name = "资源"
        verbose_name_plural = "资源清单"
        indexes = [models.Index(fields=["area_code", "state"], name="offer_list")]


class ProjectState(models.TextChoices):
    PLANNED = "planned", "筹备中"
    RUNNING = "running", "实施中"
    DONE = "done", "已完成"


class Project(models.Model):
    """项目清单: a need met by offers, with an owner, dates, progress and a result."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(max_length=40, db_index=True)
    title = models.CharField("项目", max_length=100)
    need = models.ForeignKey(Need, on_delete=models.PROTECT, null=True, blank=True, related_name="projects")
    offers = models.ManyToManyField(Offer, blank=True, related_name="projects")
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="负责人")
    starts_on = models.DateField("开始")
    ends_on = models.DateField("计划完成")
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    result = models.TextField("成效", blank=True)
    state = models.CharField(max_length=10, choices=ProjectState.choices, default=ProjectState.PLANNED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "项目"
        verbose_name_plural = "项目清单"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
