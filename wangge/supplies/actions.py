"""Writes of supplies: stock in, a distribution and its list, a delivery (one per person), closing."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.lib.errors import InputError, NotAllowed
from wangge.people.models import CareLevel, CareTag, Resident, born_by
from wangge.supplies.models import Delivery, Distribution, Entitlement, Item, Stock, StockEntry
from wangge.supplies.selectors import may_deliver, may_manage_supplies
from wangge.tickets.actions import clean_photos

MAX_LIST = 50_000  # one distribution's list; a district-wide plan is split by street


@transaction.atomic
def do_stock_in(
    *, area: Area, item: Item, quantity: int, actor: User, reason: str = "入库", low_mark: int | None = None
) -> Stock:
    """入库 (or 盘点 with a negative quantity): the stock never goes below zero."""
    if not may_manage_supplies(actor, area):
        raise NotAllowed("您不能管理这里的物资")
    if quantity == 0 or abs(quantity) > 1_000_000:
        raise InputError("quantity", "数量应为非零整数，且不超过一百万")
    reason = reason.strip()[:200] or ("入库" if quantity > 0 else "盘点出库")
    stock, _ = Stock.objects.get_or_create(area=area, item=item)
    changed = Stock.objects.filter(pk=stock.pk, quantity__gte=max(0, -quantity)).update(
        quantity=F("quantity") + quantity
    )
    if not changed:
        raise InputError("quantity", f"库存只有{stock.quantity}{item.unit}，不能减少{-quantity}")
    if low_mark is not None:
        Stock.objects.filter(pk=stock.pk).update(low_mark=max(0, low_mark))
    StockEntry.objects.create(stock=stock, delta=quantity, reason=reason, actor=actor)
    stock.refresh_from_db()
    return stock


@transaction.atomic
def do_stock_in_named(*, area: Area, name: str, unit: str = "", **rest: Any) -> Stock:
    """入库 by the item's name (a new name makes a new item, in the same transaction as its first stock)."""
    name = name.strip()[:50]
    if not name:
        raise InputError("item", "请填写物资名称")
    if not may_manage_supplies(rest["actor"], area):
        raise NotAllowed("您不能管理这里的物资")
    item, _ = Item.objects.get_or_create(name=name, defaults={"unit": unit.strip()[:10] or "份"})
    return do_stock_in(area=area, item=item, **rest)


@dataclass
class Rule:
    """Who is on the list: everyone matching all the conditions given, or exactly the hand-picked."""

    min_age: int | None = None
    care_tags: Sequence[str] = ()  # any of these tags
    care_levels: Sequence[str] = ()  # any of these levels
    resident_ids: Sequence[int] = field(default_factory=list)  # 手工名单

    def as_json(self) -> dict:
        return {
            k: v
            for k, v in {
                "min_age": self.min_age,
                "care_tags": list(self.care_tags),
                "care_levels": list(self.care_levels),
                "resident_ids": list(self.resident_ids),
            }.items()
            if v
        }

    def describe(self) -> str:
        parts = []
        if self.min_age is not None:
            parts.append(f"{self.min_age}周岁及以上")
        if self.care_tags:
            names = dict(CareTag.objects.filter(code__in=self.care_tags).values_list("code", "name"))
            parts.append("、".join(names.get(c, c) for c in self.care_tags))
        if self.care_levels:
            parts.append("、".join(CareLevel(c).label for c in self.care_levels) + "关爱等级")
        if self.resident_ids:
            parts.append(f"手工名单{len(self.resident_ids)}人")
        return "且".join(parts)


def eligible(area: Area, rule: Rule, *, today: dt.date | None = None) -> QuerySet[Resident]:
    today = today or timezone.localdate()
    qs = Resident.objects.filter(household__area__code__startswith=area.code)
    if rule.resident_ids:
        return qs.filter(pk__in=rule.resident_ids)
    if rule.min_age is not None:
        qs = qs.filter(birth_date__lte=born_by(rule.min_age, today))
    if rule.care_tags:
        qs = qs.filter(care_tags__code__in=rule.care_tags).distinct()
    if rule.care_levels:
        qs = qs.filter(care_level__in=rule.care_levels)
    return qs


def _check_rule(rule: Rule) -> None:
    if not (rule.min_age is not None or rule.care_tags or rule.care_levels or rule.resident_ids):
        raise InputError("rule", "请至少设置一个条件（年龄、关爱标签、关爱等级或手工名单）")
    if rule.min_age is not None and not 0 <= rule.min_age <= 120:
        raise InputError("min_age", "年龄应在0到120之间")
    unknown = set(rule.care_tags) - set(
        CareTag.objects.filter(code__in=rule.care_tags).values_list("code", flat=True)
    )
    if unknown:
        raise InputError("care_tags", f"没有这些关爱标签：{'、'.join(sorted(unknown))}")
    if set(rule.care_levels) - set(CareLevel.values):
        raise InputError("care_levels", "关爱等级只能是红、橙、黄、蓝、绿")


@transaction.atomic
def do_create_distribution(*, title: str, area: Area, stock: Stock, rule: Rule, actor: User) -> Distribution:
    """发放计划: the list is fixed now, one entitlement per person the rule picks under `area`."""
    if not may_manage_supplies(actor, area):
        raise NotAllowed("您不能在这里安排发放")
    title = title.strip()
    if not title:
        raise InputError("title", "请填写名称")
    if not area.code.startswith(stock.area.code):
        raise InputError("stock", f"{stock.area.name}的库存不能发往{area.name}")
    _check_rule(rule)
    people = list(eligible(area, rule).values_list("pk", "household_id", "household__area__code"))
    if rule.resident_ids and len(people) != len(set(rule.resident_ids)):
        raise InputError(
            "resident_ids", f"手工名单中有{len(set(rule.resident_ids)) - len(people)}人不在{area.name}"
        )
    if not people:
        raise InputError("rule", "没有符合条件的居民")
    if len(people) > MAX_LIST:
        raise InputError("area", f"名单超过{MAX_LIST}人，请按街道或社区分别安排")
    distribution = Distribution.objects.create(
        title=title[:100],
        stock=stock,
        area=area,
        rule=rule.as_json(),
        rule_text=rule.describe(),
        created_by=actor,
    )
    Entitlement.objects.bulk_create(
        [
            Entitlement(distribution=distribution, resident_id=pk, household_id=household_id, area_code=code)
            for pk, household_id, code in people
        ],
        batch_size=2000,
    )
    return distribution


@transaction.atomic
def do_deliver(
    entitlement: Entitlement,
    *,
    actor: User,
    received_by: str = "",
    photo: UploadedFile | None = None,
    note: str = "",
) -> Delivery:
    """发放签收: at most one item per person. When two people record the same delivery at once, the
    unique delivery row lets one through and tells the other who was first; the stock moves once."""
    distribution = entitlement.distribution
    if distribution.closed_at is not None:
        raise NotAllowed("发放已结束")
    if not may_deliver(actor, entitlement):
        raise NotAllowed("您不负责这户的发放")
    proof = clean_photos([photo], "photo")[0] if photo is not None else None
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                entitlement=entitlement,
                delivered_by=actor,
                delivered_by_name=actor.shown_name,
                received_by=received_by.strip()[:50],
                photo=proof or "",
                note=note.strip()[:200],
            )
    except IntegrityError:
        first = Delivery.objects.filter(entitlement=entitlement).first()
        who = (
            f"已于{timezone.localtime(first.delivered_at):%m月%d日 %H:%M}由{first.delivered_by_name}发放"
            if first
            else "已发放"
        )
        raise NotAllowed(who) from None
    stock = distribution.stock
    if not Stock.objects.filter(pk=stock.pk, quantity__gte=1).update(quantity=F("quantity") - 1):
        raise NotAllowed(f"{stock.area.name}的{stock.item.name}库存已用完，请先入库")
    StockEntry.objects.create(
        stock=stock, delta=-1, reason=f"{distribution.title}：{entitlement.resident.name}", actor=actor
    )
    return delivery


@transaction.atomic
def do_attach_delivery_photo(delivery: Delivery, *, actor: User, photo: UploadedFile) -> Delivery:
    """The proof photo of a delivery sent after it (the API records the delivery as JSON first)."""
    if delivery.delivered_by_id != actor.pk:
        raise NotAllowed("只有发放人可以上传签收照片")
    proof = clean_photos([photo], "photo")[0]
    if not Delivery.objects.filter(pk=delivery.pk, photo="").exists():
        raise NotAllowed("已有签收照片")
    delivery.photo = proof  # type: ignore[assignment]
    delivery.save(update_fields=["photo"])
    return delivery


@transaction.atomic
def do_close_distribution(distribution: Distribution, *, actor: User) -> Distribution:
    if not may_manage_supplies(actor, distribution.area):
        raise NotAllowed("您不能结束这次发放")
    if not Distribution.objects.filter(pk=distribution.pk, closed_at=None).update(closed_at=timezone.now()):
        raise NotAllowed("发放已结束")
    distribution.refresh_from_db()
    return distribution


def undelivered(distribution: Distribution) -> QuerySet[Entitlement]:
    return distribution.entitlements.filter(Q(delivery__isnull=True))
