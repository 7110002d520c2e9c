"""紧缺物资 and 发放 (F9): stock of scarce items per area, and distributions to the people a rule picks
(seed 000: a health kit to everyone aged 80 and over), one item per person, with proof of delivery.

A distribution fixes its list when it is created (`Entitlement`, one row per person), so progress per
grid is a count and a later birthday does not change who was promised a kit. A delivery is one row per
entitlement (unique), which is what makes "at most one each" hold when two workers record the same
delivery at once.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.people.models import Household, Resident


class Item(models.Model):
    """物资: fever medicine, a health kit, rice …"""

    name = models.CharField("名称", max_length=50, unique=True)
    unit = models.CharField("计量单位", max_length=10, default="份")
    description = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "物资"
        verbose_name_plural = "物资"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """库存: how many of an item an area (community, street …) holds now."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="stocks", verbose_name="存放区域")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="stocks", verbose_name="物资")
    quantity = models.PositiveIntegerField("库存", default=0)
    low_mark = models.PositiveIntegerField("紧缺线", default=0, help_text="库存不高于此数即为紧缺")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "库存"
        verbose_name_plural = "库存"
        ordering = ["area__code", "item__name"]
        constraints = [models.UniqueConstraint(fields=["area", "item"], name="stock_one_per_area_item")]

    def __str__(self) -> str:
        return f"{self.area.name} {self.item.name} {self.quantity}"

    @property
    def scarce(self) -> bool:
        return self.quantity <= self.low_mark


class StockEntry(models.Model):
    """One movement of a stock (入库 +, 发放 −, 盘点 ±): the ledger the quantity is the sum of."""

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="entries")
    delta = models.IntegerField("数量变化")
    reason = models.CharField("事由", max_length=200)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.stock_id} {self.delta:+d} {self.reason}"


class Distribution(models.Model):
    """发放计划: an item for the people of an area that a rule picks."""

    title = models.CharField("名称", max_length=100)
    stock = models.ForeignKey(
        Stock, on_delete=models.PROTECT, related_name="distributions", verbose_name="出库"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="distributions", verbose_name="范围"
    )
    rule = models.JSONField("条件", default=dict)  # {"min_age": 80, "care_tags": [...], "care_levels": [...]}
    rule_text = models.CharField("条件说明", max_length=200)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "发放计划"
        verbose_name_plural = "发放计划"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Entitlement(models.Model):
    """One person on a distribution's list."""

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="entitlements")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="entitlements")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(max_length=40)  # the household's building or unit, for grid progress

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["distribution", "resident"], name="entitlement_once_per_person")
        ]
        indexes = [models.Index(fields=["distribution", "area_code"])]

    def __str__(self) -> str:
        return f"{self.distribution_id} → {self.resident_id}"


def proof_path(delivery: "Delivery", filename: str) -> str:
    return f"supplies/{timezone.now():%Y/%m}/{delivery.entitlement_id}-{filename}"


class Delivery(models.Model):
    """签收: the item handed over, by whom, when, with a photo. One per entitlement, whoever records it."""

    entitlement = models.OneToOneField(Entitlement, on_delete=models.CASCADE, related_name="delivery")
    delivered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    delivered_by_name = models.CharField("发放人", max_length=60)
    delivered_at = models.DateTimeField("发放时间", default=timezone.now)
    received_by = models.CharField("签收人", max_length=50, blank=True, help_text="本人以外代领时填写")
    photo = models.FileField("签收照片", upload_to=proof_path, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "发放记录"
        verbose_name_plural = "发放记录"
        ordering = ["-delivered_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(delivered_by_name=""), name="delivery_names_who"),
        ]

    def __str__(self) -> str:
        return f"{self.entitlement_id} {self.delivered_at:%Y-%m-%d}"
