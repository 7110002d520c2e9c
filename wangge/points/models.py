"""积分 (F10): one double-entry ledger for the points residents earn and spend, and for the hours the
爱心银行 banks.

Every movement is a `Transfer` of a positive amount from one account to another, written as two
`Entry` rows that sum to zero. An account's `balance` is the sum of its entries, kept on the row and
changed only by a conditional UPDATE in the same transaction as the entries, which is what keeps a
person's or a household's balance from ever going below zero when two redemptions race. Mistakes are
not edited: a reversal is a transfer back, at most one per transfer.

Accounts:
- a person (a user: resident on the H5, volunteer, party member) or a household (清洁户 is awarded to a
  household, seed 001), in points or in hours (the 爱心银行, seed 002);
- an area's fund (积分池), which issues the points its rules award: its balance is what it has issued,
  negative, and may be;
- a store (积分超市, seed 001: "一村一站一超市"), where redeemed points land.
"""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.people.models import Household


class Currency(models.TextChoices):
    POINTS = "points", "积分"
    HOURS = "hours", "服务时长"  # 爱心银行, in minutes


class AccountKind(models.TextChoices):
    PERSON = "person", "个人"
    HOUSEHOLD = "household", "家庭"
    FUND = "fund", "积分池"
    STORE = "store", "积分超市"


# The accounts that hold what people earned: never below zero.
HOLDERS = (AccountKind.PERSON, AccountKind.HOUSEHOLD)


class Store(models.Model):
    """积分超市 of a community (or village): items for points, handed over by its keepers."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="stores", verbose_name="所在社区")
    name = models.CharField("名称", max_length=50)
    place = models.CharField("地点", max_length=100, blank=True)
    hours = models.CharField("开放时间", max_length=100, blank=True)
    keepers = models.ManyToManyField(User, blank=True, related_name="kept_stores", verbose_name="店员")
    active = models.BooleanField("营业中", default=True)

    class Meta:
        verbose_name = "积分超市"
        verbose_name_plural = "积分超市"
        ordering = ["area__code", "name"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    kind = models.CharField("类型", max_length=10, choices=AccountKind.choices)
    currency = models.CharField("记账单位", max_length=10, choices=Currency.choices, default=Currency.POINTS)
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    store = models.OneToOneField(
        Store, on_delete=models.PROTECT, null=True, blank=True, related_name="account"
    )
    # The community a person's or household's points are counted in (a community's points economy), the
    # fund's own area, the store's community.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_code = models.CharField(max_length=40, db_index=True)  # a copy of area.code: economies by subtree
    balance = models.BigIntegerField("余额", default=0)
    earned = models.BigIntegerField("累计获得", default=0)  # credits, reversals of spending excluded
    spent = models.BigIntegerField("累计使用", default=0)  # debits, reversals of earning excluded
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "积分账户"
        verbose_name_plural = "积分账户"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "currency"],
                condition=Q(kind=AccountKind.PERSON),
                name="account_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["household", "currency"],
                condition=Q(kind=AccountKind.HOUSEHOLD),
                name="account_one_per_household",
            ),
            models.UniqueConstraint(
                fields=["area", "currency"],
                condition=Q(kind=AccountKind.FUND),
                name="account_one_fund_per_area",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=HOLDERS) | Q(balance__gte=0), name="account_holder_never_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=AccountKind.PERSON, user__isnull=False)
                    | Q(kind=AccountKind.HOUSEHOLD, household__isnull=False)
                    | Q(kind=AccountKind.STORE, store__isnull=False)
                    | Q(kind=AccountKind.FUND)
                ),
                name="account_has_its_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} {self.balance}"


class TransferKind(models.TextChoices):
    RULE = "rule", "规则积分"
    AWARD = "award", "奖励"
    REDEEM = "redeem", "兑换"
    REFUND = "refund", "退还"  # a redemption cancelled before hand-over
    REVERSAL = "reversal", "冲正"
    BANK_IN = "bank_in", "存入时长"
    BANK_OUT = "bank_out", "支取时长"


class RuleKey(models.TextChoices):
    """What a rule pays for; the actions that see it happen (a check-out, an inspection …) name it."""

    VOLUNTEER_HOUR = "volunteer_hour", "志愿服务（每小时）"
    CLEAN_HOUSEHOLD = "clean_household", "清洁户评比"
    MEETING = "meeting", "参加议事会"
    WISH = "wish", "完成微心愿"
    DOUBLE_REPORT = "double_report", "双报到服务"
    OTHER = "other", "其他"


class Rule(models.Model):
    """积分规则 of an area: what earns how many points, at most how many per person a month."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="point_rules", verbose_name="适用区域"
    )
    key = models.CharField("事项", max_length=20, choices=RuleKey.choices)
    name = models.CharField("名称", max_length=50)
    points = models.PositiveIntegerField("每次积分")
    monthly_cap = models.PositiveIntegerField("每人每月上限", null=True, blank=True, help_text="空为不设上限")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["area__code", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "key"], condition=Q(active=True), name="rule_one_active_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.points}分"


class Transfer(models.Model):
    kind = models.CharField("类型", max_length=10, choices=TransferKind.choices)
    currency = models.CharField(max_length=10, choices=Currency.choices, default=Currency.POINTS)
    amount = models.PositiveBigIntegerField("数额")
    source = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers")
    # What it was for, once per kind and account: "checkin:12" pays one check-out once,
    # "inspection:2026-11:345" one household's month. Callers name their own kind of thing first.
    ref = models.CharField(max_length=80, blank=True)
    reason = models.CharField("事由", max_length=200)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "积分流水"
        verbose_name_plural = "积分流水"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target", "ref"], condition=~Q(ref=""), name="transfer_once_per_ref"
            ),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="transfer_between_two"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.source_id}→{self.target_id}"


class Entry(models.Model):
    """One side of a transfer: the source's −amount or the target's +amount."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries", db_index=False)
    amount = models.BigIntegerField()
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["account", "at", "id"], name="entry_history")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount:+d}"


class Award(models.Model):
    """手工奖励: proposed with a reason by one staff member, paid when another approves it."""

    class State(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已发放"
        REJECTED = "rejected", "已驳回"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="awards")
    amount = models.PositiveIntegerField("积分")
    reason = models.CharField("事由", max_length=200)
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    transfer = models.OneToOneField(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "手工奖励"
        verbose_name_plural = "手工奖励"
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.amount}分 {self.reason}"


class Item(models.Model):
    """A good on a store's shelf: its price in points and how many are left."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="items")
    name = models.CharField("名称", max_length=50)
    price = models.PositiveIntegerField("所需积分")
    stock = models.PositiveIntegerField("库存", default=0)
    active = models.BooleanField("上架", default=True)

    class Meta:
        verbose_name = "商品"
        verbose_name_plural = "商品"
        ordering = ["store", "price", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.price}分"


class Redemption(models.Model):
    """兑换: points paid for an item, picked up at the store with a code the keeper types or scans, once."""

    class State(models.TextChoices):
        WAITING = "waiting", "待领取"
        HANDED = "handed", "已领取"
        CANCELLED = "cancelled", "已取消"

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="redemptions")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="redemptions")
    price = models.PositiveIntegerField("积分")
    code = models.CharField("取货码", max_length=12, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    handed_at = models.DateTimeField(null=True, blank=True)
    handed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    paid = models.OneToOneField(Transfer, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "兑换"
        verbose_name_plural = "兑换"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.item.name} {self.code}"


def month_start(at: dt.datetime) -> dt.datetime:
    """The local month's first moment: a rule's monthly cap counts from here."""
    local = timezone.localtime(at, timezone.get_default_timezone())
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
