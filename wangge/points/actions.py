"""Writes of the points ledger: awards by rule and by hand, reversals, redemptions and their hand-over,
the 爱心银行's hours. Every movement goes through `_move`, the one place that writes entries."""

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.areas.scoping import holds_over
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.states import move
from wangge.people.models import Household, Resident
from wangge.points.models import (
    HOLDERS,
    Account,
    AccountKind,
    Award,
    Currency,
    Entry,
    Item,
    Redemption,
    Rule,
    RuleKey,
    Store,
    Transfer,
    TransferKind,
    month_start,
)
from wangge.points.selectors import HOUSEHOLD_HELPERS, may_hand_over, may_manage_points, may_spend, rule_for

MAX_AWARD = 10_000  # one manual award
STAFF_QUANTITY = 12  # units of a rule one staff member pays at once (twelve hours of service)
MAX_MINUTES = 24 * 60  # hours banked at once
EARNING = (TransferKind.RULE, TransferKind.AWARD, TransferKind.BANK_IN)
SPENDING = (TransferKind.REDEEM, TransferKind.BANK_OUT)


# --- accounts -------------------------------------------------------------------------------------


def _account(kind: str, currency: str, home: Area, **holder: object) -> Account:
    """The account of a holder, made on first use (two first uses at once make one: the unique
    constraints, and the loser reads the winner's)."""
    lookup = {"kind": kind, "currency": currency, **holder}
    found = Account.objects.filter(**lookup).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(**{"area": home, **lookup}, area_code=home.code)
    except IntegrityError:
        return Account.objects.get(**lookup)


def person_account(user: User, area: Area, currency: str = Currency.POINTS) -> Account:
    """A person's account, counted in `area` (their community) when it is first made."""
    return _account(AccountKind.PERSON, currency, area, user=user)


def household_account(household: Household, currency: str = Currency.POINTS) -> Account:
    return _account(AccountKind.HOUSEHOLD, currency, household.area, household=household)


def fund_account(area: Area, currency: str = Currency.POINTS) -> Account:
    return _account(AccountKind.FUND, currency, area, area=area)


def store_account(store: Store) -> Account:
    return _account(AccountKind.STORE, Currency.POINTS, store.area, store=store)


# --- the one writer of entries ---------------------------------------------------------------------


def _lock(*accounts: Account) -> None:
    """Lock the accounts' rows in the order of their ids, whoever calls: two actions on the same two
    accounts (an award and a reversal, a redemption and its cancellation) then never wait on each other
    in a circle."""
    list(Account.objects.select_for_update().filter(pk__in=[a.pk for a in accounts]).order_by("pk"))


def holds(user: User, account: Account) -> bool:
    """Whether the account is the user's own or their household's: nobody awards or approves points to
    themselves."""
    if account.kind == AccountKind.PERSON:
        return account.user_id == user.pk
    if account.kind == AccountKind.HOUSEHOLD and account.household_id is not None:
        return Resident.objects.filter(user=user, household_id=account.household_id).exists()
    return False


def _move(
    *,
    kind: str,
    source: Account,
    target: Account,
    amount: int,
    reason: str,
    actor: User | None,
    rule: Rule | None = None,
    ref: str = "",
    approved_by: User | None = None,
    reverses: Transfer | None = None,
) -> Transfer:
    """Move `amount` from `source` to `target`: one transfer, two entries summing to zero, both balances
    changed by conditional UPDATEs. A holder's balance never goes below zero: when it would, nothing is
    written and the reason is given. Runs inside the caller's transaction."""
    if amount <= 0:
        raise InputError("amount", "数额应为正整数")
    if source.currency != target.currency:
        raise InputError("account", "记账单位不同的账户之间不能转账")
    _lock(source, target)
    debit = Account.objects.filter(pk=source.pk)
    if source.kind in HOLDERS:
        debit = debit.filter(balance__gte=amount)
    debits: dict[str, Any] = {"balance": F("balance") - amount}
    credits: dict[str, Any] = {"balance": F("balance") + amount}
    total, undo = _running_total(kind, reverses)
    if total == "earned" and not undo and target.kind in HOLDERS:
        credits["earned"] = F("earned") + amount
    if total == "earned" and undo and source.kind in HOLDERS:  # earning taken back
        debits["earned"] = F("earned") - amount
    if total == "spent" and not undo and source.kind in HOLDERS:
        debits["spent"] = F("spent") + amount
    if total == "spent" and undo and target.kind in HOLDERS:  # spending given back
        credits["spent"] = F("spent") - amount
    if not debit.update(**debits):
        have = Account.objects.filter(pk=source.pk).values_list("balance", flat=True).first() or 0
        unit = "分钟" if source.currency == Currency.HOURS else "分"
        raise NotAllowed(f"余额不足：需要{amount}{unit}，现有{have}{unit}")
    Account.objects.filter(pk=target.pk).update(**credits)
    now = timezone.now()
    transfer = Transfer.objects.create(
        kind=kind,
        currency=source.currency,
        amount=amount,
        source=source,
        target=target,
        rule=rule,
        ref=ref,
        reason=reason[:200],
        actor=actor,
        approved_by=approved_by,
        reverses=reverses,
        at=now,
    )
    Entry.objects.bulk_create(
        [
            Entry(transfer=transfer, account=source, amount=-amount, at=now),
            Entry(transfer=transfer, account=target, amount=amount, at=now),
        ]
    )
    return transfer


def _running_total(kind: str, reverses: Transfer | None) -> tuple[str | None, bool]:
    """Which running total of a holder's account a transfer changes (`earned` or `spent`), and whether
    it takes it back: a reversal undoes what it reverses, a refund undoes a redemption."""
    base = reverses.kind if reverses is not None else kind
    if kind == TransferKind.REFUND:
        base = TransferKind.REDEEM
    undo = reverses is not None or kind == TransferKind.REFUND
    if base in EARNING:
        return "earned", undo
    if base in SPENDING:
        return "spent", undo
    return None, undo


@transaction.atomic
def do_set_rule(
    *, area: Area, key: str, name: str, points: int, monthly_cap: int | None, actor: User
) -> Rule:
    """积分规则: a new rule for a matter replaces the area's active one (which stays, inactive, with the
    transfers it paid)."""
    if not may_manage_points(actor, area):
        raise NotAllowed("您不能设置这里的积分规则")
    name = name.strip()
    if not name:
        raise InputError("name", "请填写规则名称")
    if not 1 <= points <= 1_000:
        raise InputError("points", "每次积分应在1到1000之间")
    if monthly_cap is not None and monthly_cap < points:
        raise InputError("monthly_cap", "每月上限不能少于每次积分")
    Rule.objects.filter(area=area, key=key, active=True).update(active=False)
    try:
        with transaction.atomic():
            return Rule.objects.create(
                area=area, key=key, name=name[:50], points=points, monthly_cap=monthly_cap
            )
    except IntegrityError:  # another new rule for the same matter at the same moment
        raise NotAllowed("该事项的规则刚被他人修改，请刷新后重试") from None


# --- earning ---------------------------------------------------------------------------------------


def earned_this_month(rule: Rule, account: Account, *, now: dt.datetime | None = None) -> int:
    """Points this rule (or the rule it replaced, for the same matter in the same area) has paid this
    account since the month began, reversals deducted."""
    since = month_start(now or timezone.now())
    same = {"rule__area_id": rule.area_id, "rule__key": rule.key}  # a rule replaced mid-month keeps its cap
    paid = Transfer.objects.filter(**same, target=account, at__gte=since).aggregate(n=Sum("amount"))["n"]
    taken = Transfer.objects.filter(
        **{f"reverses__{k}": v for k, v in same.items()}, reverses__target=account, reverses__at__gte=since
    )
    return (paid or 0) - (taken.aggregate(n=Sum("amount"))["n"] or 0)


@transaction.atomic
def do_award_by_rule(
    *, rule: Rule, account: Account, ref: str, actor: User | None, quantity: int = 1, note: str = ""
) -> Transfer | None:
    """Pay `rule` for what `ref` names, once: a second call with the same ref returns the first
    transfer. The monthly cap pays what is left of it, and nothing (None) once it is reached. Called by
    staff (清洁户), and with no actor by the actions that see a thing done and have checked who did it (a
    volunteer's check-out …)."""
    if actor is not None and not may_manage_points(actor, rule.area):
        raise NotAllowed("您不能在这里发放积分")
    if actor is not None and holds(actor, account):
        raise NotAllowed("不能给自己或自己家发放积分")
    if actor is not None and quantity > STAFF_QUANTITY:
        raise InputError("quantity", f"手工按规则发放，一次最多{STAFF_QUANTITY}份")
    if not rule.active:
        raise NotAllowed("该积分规则已停用")
    if account.kind not in HOLDERS or account.currency != Currency.POINTS:
        raise InputError("account", "积分只能发给个人或家庭")
    if actor is not None and not account.area_code.startswith(rule.area.code):  # staff award their own area
        raise NotAllowed("该账户不在这条规则的适用区域")
    if not 1 <= quantity <= 100:
        raise InputError("quantity", "数量应在1到100之间")
    if not ref:
        raise InputError("ref", "缺少积分事由的编号")
    return _pay_rule(rule=rule, account=account, ref=ref, actor=actor, quantity=quantity, note=note)


def _pay_rule(
    *, rule: Rule, account: Account, ref: str, actor: User | None, quantity: int, note: str
) -> Transfer | None:
    """Pay a rule once per ref, within its monthly cap (the callers have checked who may)."""
    fund = fund_account(rule.area)
    _lock(fund, account)  # one award at a time per account: the cap is read under the lock
    earlier = Transfer.objects.filter(kind=TransferKind.RULE, target=account, ref=ref).first()
    if earlier is not None:
        return earlier
    amount = rule.points * quantity
    if rule.monthly_cap is not None:
        amount = min(amount, rule.monthly_cap - earned_this_month(rule, account))
        if amount <= 0:
            return None
    return _move(
        kind=TransferKind.RULE,
        source=fund,
        target=account,
        amount=amount,
        reason=note or rule.name,
        actor=actor,
        rule=rule,
        ref=ref,
    )


def clean_household_ref(household: Household, day: dt.date) -> str:
    return f"clean-household:{household.pk}:{day:%Y-%m}"


@transaction.atomic
def do_rate_clean_household(*, household: Household, actor: User) -> tuple[Transfer | None, bool]:
    """清洁户 (城口): the grid's worker or head, or the community's staff, rate a household clean after
    an inspection; the household's account earns the nearest 清洁户评比 rule once a month. Answers the
    payment (None at the monthly cap) and whether it had been paid already this month."""
    area = household.area
    if not (holds_over(actor, area.code, HOUSEHOLD_HELPERS) or may_manage_points(actor, area)):
        raise NotAllowed("由网格员或社区工作人员评定清洁户")
    rule = rule_for(area, RuleKey.CLEAN_HOUSEHOLD)
    if rule is None:
        raise NotAllowed("本社区还没有清洁户积分规则，请社区先设定")
    account = household_account(household)
    if holds(actor, account):
        raise NotAllowed("不能评定自己家")
    ref = clean_household_ref(household, timezone.localdate())
    already = Transfer.objects.filter(kind=TransferKind.RULE, target=account, ref=ref).exists()
    month = timezone.localdate().month
    paid = _pay_rule(rule=rule, account=account, ref=ref, actor=actor, quantity=1, note=f"{month}月清洁户")
    return paid, already


@transaction.atomic
def do_propose_award(*, account: Account, amount: int, reason: str, actor: User) -> Award:
    """手工奖励, proposed: paid only when another staff member approves it."""
    area = Area.objects.get(pk=account.area_id)
    if not may_manage_points(actor, area):
        raise NotAllowed("您不能在这里发放积分")
    if account.kind not in HOLDERS or account.currency != Currency.POINTS:
        raise InputError("account", "积分只能发给个人或家庭")
    if holds(actor, account):
        raise NotAllowed("不能给自己或自己家申请奖励")
    if not 1 <= amount <= MAX_AWARD:
        raise InputError("amount", f"积分应在1到{MAX_AWARD}之间")
    reason = reason.strip()
    if not reason:
        raise InputError("reason", "请写明奖励事由")
    return Award.objects.create(account=account, amount=amount, reason=reason[:200], proposed_by=actor)


@transaction.atomic
def do_decide_award(*, award: Award, approve: bool, actor: User) -> Award:
    """Approve (pay from the area's fund) or reject a proposed award, once; not by its proposer."""
    area = Area.objects.get(pk=award.account.area_id)
    if not may_manage_points(actor, area):
        raise NotAllowed("您不能审批这里的积分")
    if award.proposed_by_id == actor.pk:
        raise NotAllowed("奖励须由提出人以外的人审批")
    if holds(actor, award.account):
        raise NotAllowed("不能审批给自己或自己家的奖励")
    state = Award.State.APPROVED if approve else Award.State.REJECTED
    now = timezone.now()
    won = Award.objects.filter(pk=award.pk, state=Award.State.PENDING).update(
        state=state, decided_by=actor, decided_at=now
    )
    if not won:
        raise NotAllowed("该奖励已审批过")
    if approve:
        transfer = _move(
            kind=TransferKind.AWARD,
            source=fund_account(area),
            target=award.account,
            amount=award.amount,
            reason=award.reason,
            actor=award.proposed_by,
            approved_by=actor,
        )
        Award.objects.filter(pk=award.pk).update(transfer=transfer)
    award.refresh_from_db()
    return award


@transaction.atomic
def do_reverse(*, transfer: Transfer, reason: str, actor: User) -> Transfer:
    """冲正: the transfer moved back, once, with a reason. Points already spent cannot be taken back (the
    holder's balance would go below zero): then nothing is written and that is the answer."""
    holder = transfer.target if transfer.target.kind in HOLDERS else transfer.source
    area = Area.objects.get(pk=holder.area_id)
    if not may_manage_points(actor, area):
        raise NotAllowed("您不能冲正这里的积分")
    if transfer.kind in (TransferKind.REVERSAL, TransferKind.REDEEM, TransferKind.REFUND):
        raise NotAllowed("兑换请取消兑换，冲正记录不能再冲正")
    reason = reason.strip()
    if not reason:
        raise InputError("reason", "请写明冲正原因")
    _lock(transfer.source, transfer.target)  # one reversal at a time: then "once" is read
    if Transfer.objects.filter(reverses=transfer).exists():
        raise NotAllowed("该记录已冲正过")
    try:
        with transaction.atomic():
            return _move(
                kind=TransferKind.REVERSAL,
                source=transfer.target,
                target=transfer.source,
                amount=transfer.amount,
                reason=reason,
                actor=actor,
                reverses=transfer,
            )
    except IntegrityError:
        raise NotAllowed("该记录已冲正过") from None


# --- stores -------------------------------------------------------------------------------------


@transaction.atomic
def do_open_store(
    *, area: Area, name: str, actor: User, place: str = "", hours: str = "", keepers: list[User] | None = None
) -> Store:
    """积分超市 of a community ("一村一站一超市"), with the people who hand items over."""
    if not may_manage_points(actor, area):
        raise NotAllowed("您不能在这里开设积分超市")
    name = name.strip()
    if not name:
        raise InputError("name", "请填写超市名称")
    store = Store.objects.create(
        area=area, name=name[:50], place=place.strip()[:100], hours=hours.strip()[:100]
    )
    store.keepers.set(keepers or [])
    return store


@transaction.atomic
def do_shelve_item(*, store: Store, name: str, price: int, stock: int, actor: User) -> Item:
    """上架 an item, or restock one of the same name (its price set anew)."""
    if not may_manage_points(actor, store.area):
        raise NotAllowed("您不能管理这家积分超市")
    name = name.strip()
    if not name:
        raise InputError("name", "请填写商品名称")
    if not 1 <= price <= 100_000:
        raise InputError("price", "所需积分应在1到100000之间")
    if not 0 <= stock <= 100_000:
        raise InputError("stock", "数量应在0到100000之间")
    item = Item.objects.filter(store=store, name=name[:50]).first()
    if item is None:
        return Item.objects.create(store=store, name=name[:50], price=price, stock=stock)
    Item.objects.filter(pk=item.pk).update(price=price, stock=F("stock") + stock, active=True)
    item.refresh_from_db()
    return item


# --- spending --------------------------------------------------------------------------------------


def _new_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


@transaction.atomic
def do_redeem(*, item: Item, account: Account, actor: User) -> Redemption:
    """兑换: the item's price from the account to the store, one off its stock, a pickup code. With too
    few points or none left in stock, nothing is written and the reason is given."""
    if not may_spend(actor, account):
        raise NotAllowed("您不能使用这个账户的积分")
    store = item.store
    if not (item.active and store.active):
        raise NotAllowed("该商品已下架")
    if not account.area_code.startswith(store.area.code):
        raise NotAllowed("请在本社区的积分超市兑换")
    if not Item.objects.filter(pk=item.pk, stock__gte=1, price=item.price, active=True).update(
        stock=F("stock") - 1
    ):
        item.refresh_from_db()
        raise NotAllowed(
            f"{item.name}已兑完" if item.stock < 1 else f"{item.name}的价格或状态刚有变动，请刷新后再兑换"
        )
    paid = _move(
        kind=TransferKind.REDEEM,
        source=account,
        target=store_account(store),
        amount=item.price,
        reason=f"兑换{item.name}",
        actor=actor,
    )
    for _ in range(5):  # eight digits: a clash is rare, and retried
        try:
            with transaction.atomic():
                return Redemption.objects.create(
                    item=item, account=account, price=item.price, code=_new_code(), by=actor, paid=paid
                )
        except IntegrityError:
            continue
    raise NotAllowed("取货码生成失败，请重试")


@transaction.atomic
def do_hand_over(*, store: Store, code: str, actor: User) -> Redemption:
    """The keeper types or scans the pickup code and hands the item over: once."""
    if not may_hand_over(actor, store):
        raise NotAllowed("您不是这家积分超市的店员")
    code = code.strip()
    if not (code.isdigit() and len(code) == 8):
        raise InputError("code", "取货码是8位数字")
    found = Redemption.objects.filter(code=code, item__store=store).select_related("item").first()
    if found is None:
        raise InputError("code", "没有这个取货码")
    # By its id alone: an UPDATE through a join (the store) is a subquery, which PostgreSQL does not read
    # again after waiting for a racing hand-over, and both would hand the item over.
    waiting = (Redemption.State.WAITING,)
    return move(
        found, waiting, Redemption.State.HANDED, what="该取货码", handed_at=timezone.now(), handed_by=actor
    )


@transaction.atomic
def do_cancel_redemption(*, redemption: Redemption, actor: User) -> Redemption:
    """A redemption not yet picked up is cancelled (by its holder or the store): points back, the item
    back on the shelf."""
    store = redemption.item.store
    if not (may_spend(actor, redemption.account) or may_hand_over(actor, store)):
        raise NotAllowed("您不能取消这次兑换")
    move(redemption, (Redemption.State.WAITING,), Redemption.State.CANCELLED, what="该兑换")
    Item.objects.filter(pk=redemption.item_id).update(stock=F("stock") + 1)
    _move(
        kind=TransferKind.REFUND,
        source=store_account(store),
        target=redemption.account,
        amount=redemption.price,
        reason=f"取消兑换{redemption.item.name}",
        actor=actor,
    )
    redemption.refresh_from_db()
    return redemption


# --- 爱心银行: hours ------------------------------------------------------------------------------


@transaction.atomic
def do_bank_hours(*, account: Account, minutes: int, ref: str, reason: str, actor: User | None) -> Transfer:
    """存入: a volunteer's service time banked, once per `ref` (a check-out, a service record). Staff
    of the area bank by hand; the actions that record a service pass no actor."""
    area = Area.objects.get(pk=account.area_id)
    if actor is not None and not may_manage_points(actor, area):
        raise NotAllowed("您不能在这里记录服务时长")
    if actor is not None and holds(actor, account):
        raise NotAllowed("不能给自己记录服务时长")
    if account.kind != AccountKind.PERSON or account.currency != Currency.HOURS:
        raise InputError("account", "服务时长只能存入个人的时长账户")
    if not 1 <= minutes <= MAX_MINUTES:
        raise InputError("minutes", "时长应在1分钟到24小时之间")
    if not ref:
        raise InputError("ref", "缺少服务记录的编号")
    earlier = Transfer.objects.filter(kind=TransferKind.BANK_IN, target=account, ref=ref).first()
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            return _move(
                kind=TransferKind.BANK_IN,
                source=fund_account(area, Currency.HOURS),
                target=account,
                amount=minutes,
                reason=reason.strip() or "志愿服务",
                actor=actor,
                ref=ref,
            )
    except IntegrityError:  # the same service banked at the same moment: the first stands
        return Transfer.objects.get(kind=TransferKind.BANK_IN, target=account, ref=ref)


@transaction.atomic
def do_spend_hours(*, account: Account, minutes: int, reason: str, actor: User) -> Transfer:
    """支取: banked time spent on a service for the holder or their family (清河门's 爱心银行)."""
    if not may_spend(actor, account) and not may_manage_points(actor, Area.objects.get(pk=account.area_id)):
        raise NotAllowed("您不能使用这个账户的时长")
    if account.kind != AccountKind.PERSON or account.currency != Currency.HOURS:
        raise InputError("account", "只能支取个人的时长账户")
    if not 1 <= minutes <= MAX_MINUTES:
        raise InputError("minutes", "时长应在1分钟到24小时之间")
    reason = reason.strip()
    if not reason:
        raise InputError("reason", "请写明兑换的服务")
    return _move(
        kind=TransferKind.BANK_OUT,
        source=account,
        target=fund_account(Area.objects.get(pk=account.area_id), Currency.HOURS),
        amount=minutes,
        reason=reason,
        actor=actor,
    )
