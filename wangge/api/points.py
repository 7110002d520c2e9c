"""The points API (积分, 积分超市, 爱心银行): my accounts and their history, the stores and their items,
redemptions and their hand-over; for staff, rules, awards by rule and by hand, reversals and an area's
points economy."""

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.lib.errors import InputError
from wangge.points import actions
from wangge.points.models import Account, Award, Entry, Item, Redemption, Rule, RuleKey, Transfer
from wangge.points.selectors import (
    accounts_for,
    economy,
    get_account_for,
    get_redemption_for,
    get_store_for,
    history,
    home_area,
    may_manage_points,
    own_accounts,
    stores_for,
)

router = Router(tags=["points"])
PAGE = 50


def account_row(a: Account) -> dict:
    return {
        "id": a.pk,
        "kind": a.kind,
        "currency": a.currency,
        "area": a.area_code,
        "balance": a.balance,
        "earned": a.earned,
        "spent": a.spent,
    }


def entry_row(e: Entry) -> dict:
    return {
        "id": e.pk,
        "amount": e.amount,
        "at": e.at,
        "kind": e.transfer.kind,
        "kind_name": e.transfer.get_kind_display(),
        "reason": e.transfer.reason,
        "transfer": e.transfer_id,
    }


def redemption_row(r: Redemption) -> dict:
    return {
        "id": r.pk,
        "item": r.item.name,
        "store": r.item.store_id,
        "price": r.price,
        "code": r.code,
        "state": r.state,
        "state_name": r.get_state_display(),
        "at": r.at,
        "handed_at": r.handed_at,
    }


def transfer_row(t: Transfer) -> dict:
    return {"id": t.pk, "kind": t.kind, "amount": t.amount, "source": t.source_id, "target": t.target_id}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/points/me", response=list[dict])
def my_accounts(request: HttpRequest) -> list[dict]:
    """我的积分 and 我的服务时长: my own accounts and my household's."""
    user = _user(request)
    home = home_area(user)
    if home is not None:  # a person's points account exists from their first look
        actions.person_account(user, home)
    return [account_row(a) for a in own_accounts(user).order_by("kind", "currency", "pk")]


@router.get("/points/accounts/{account_id}/entries", response=dict)
def entries(
    request: HttpRequest,
    account_id: int,
    before: int | None = Query(None, ge=1, le=2**53, description="上一页最后一条的 id"),  # type: ignore[type-arg]
) -> dict:
    """An account's history, newest first, 50 at a time; `next_before` asks for the page after."""
    account = get_account_for(_user(request), account_id)
    rows = list(history(account, limit=PAGE, before_id=before))
    return {
        "account": account_row(account),
        "entries": [entry_row(e) for e in rows],
        "next_before": rows[-1].pk if len(rows) == PAGE else None,
    }


@router.get("/points/stores", response=list[dict])
def stores(request: HttpRequest) -> list[dict]:
    """积分超市 of my community (or of the areas I work in), with the items on the shelf."""
    found = stores_for(_user(request)).filter(active=True).select_related("area").prefetch_related("items")
    return [
        {
            "id": s.pk,
            "name": s.name,
            "area": s.area.code,
            "place": s.place,
            "hours": s.hours,
            "items": [
                {"id": i.pk, "name": i.name, "price": i.price, "stock": i.stock}
                for i in s.items.all()
                if i.active
            ],
        }
        for s in found.order_by("area__code", "name")[:PAGE]
    ]


class RedeemIn(Schema):
    item: int = Field(..., ge=1, le=2**53)
    account: int | None = Field(None, ge=1, le=2**53, description="默认为我的个人积分账户")


@router.post("/points/redemptions", response={201: dict, 409: dict, 422: dict})
def redeem(request: HttpRequest, payload: RedeemIn) -> Status:
    """兑换: the item's price from my account (or my household's), and a pickup code to show at the
    store. 409 with the reason when the points or the stock do not suffice."""
    user = _user(request)
    item = (
        Item.objects.filter(pk=payload.item, store__in=stores_for(user)).select_related("store__area").first()
    )
    if item is None:
        raise Http404
    if payload.account is not None:
        account = get_account_for(user, payload.account)
    else:
        home = home_area(user)
        if home is None:
            raise InputError("account", "您还没有积分账户")
        account = actions.person_account(user, home)
    return Status(201, redemption_row(actions.do_redeem(item=item, account=account, actor=user)))


@router.get("/points/redemptions", response=list[dict])
def my_redemptions(request: HttpRequest) -> list[dict]:
    """My redemptions, the codes still waiting first, then the newest."""
    found = Redemption.objects.filter(account__in=own_accounts(_user(request))).select_related("item")
    return [redemption_row(r) for r in found.order_by("-state", "-at", "-id")[:100]]


class HandOverIn(Schema):
    store: int = Field(..., ge=1, le=2**53)
    code: str = Field(..., min_length=1, max_length=12, description="8位取货码")


@router.post("/points/handovers", response={200: dict, 409: dict, 422: dict})
def hand_over(request: HttpRequest, payload: HandOverIn) -> dict:
    """核销: the keeper hands the item over for its pickup code, once (409 when it already was)."""
    user = _user(request)
    store = get_store_for(user, payload.store)
    return redemption_row(actions.do_hand_over(store=store, code=payload.code, actor=user))


@router.post("/points/redemptions/{redemption_id}/cancel", response={200: dict, 409: dict})
def cancel(request: HttpRequest, redemption_id: int) -> dict:
    """A redemption not picked up yet, cancelled by its holder or the store: points and item back."""
    user = _user(request)
    found = get_redemption_for(user, redemption_id)
    return redemption_row(actions.do_cancel_redemption(redemption=found, actor=user))


# --- staff ----------------------------------------------------------------------------------------


@router.get("/points/economy", response={200: dict, 403: dict})
def points_economy(request: HttpRequest, area: str = Query(..., max_length=40)) -> Status:  # type: ignore[type-arg]
    """积分经济 of an area: holders, points earned, spent and outstanding, pickups waiting."""
    user = _user(request)
    place = scoping.get_area_for(user, area)
    if not may_manage_points(user, place):
        return Status(403, {"detail": "您不能查看这里的积分"})
    e = economy(place)
    return Status(
        200,
        {
            "area": place.code,
            "accounts": e.accounts,
            "earned": e.earned,
            "spent": e.spent,
            "outstanding": e.outstanding,
            "waiting": e.waiting,
        },
    )


class StoreIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=50)
    place: str = Field("", max_length=100)
    hours: str = Field("", max_length=100)
    keepers: list[str] = Field(default_factory=list, max_length=20, description="店员的用户名")


@router.post("/points/stores", response={201: dict, 409: dict, 422: dict})
def open_store(request: HttpRequest, payload: StoreIn) -> Status:
    """积分超市 of an area, with its keepers (users of the area)."""
    user = _user(request)
    place = scoping.get_area_for(user, payload.area)
    keepers = list(User.objects.filter(username__in=payload.keepers))
    if len(keepers) != len(set(payload.keepers)):
        raise InputError("keepers", "有店员的用户名不存在")
    store = actions.do_open_store(
        area=place, name=payload.name, place=payload.place, hours=payload.hours, keepers=keepers, actor=user
    )
    return Status(201, {"id": store.pk, "name": store.name, "area": place.code})


class ItemIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    price: int = Field(..., ge=1, le=100_000)
    stock: int = Field(..., ge=0, le=100_000, description="上架或补货的数量")


@router.post("/points/stores/{store_id}/items", response={201: dict, 409: dict, 422: dict})
def shelve(request: HttpRequest, store_id: int, payload: ItemIn) -> Status:
    """上架 an item, or restock one of the same name."""
    user = _user(request)
    store = get_store_for(user, store_id)
    item = actions.do_shelve_item(
        store=store, name=payload.name, price=payload.price, stock=payload.stock, actor=user
    )
    return Status(201, {"id": item.pk, "name": item.name, "price": item.price, "stock": item.stock})


class RuleIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    key: RuleKey
    name: str = Field(..., min_length=1, max_length=50)
    points: int = Field(..., ge=1, le=1_000)
    monthly_cap: int | None = Field(None, ge=1, le=1_000_000)


@router.post("/points/rules", response={201: dict, 403: dict, 409: dict, 422: dict})
def create_rule(request: HttpRequest, payload: RuleIn) -> Status:
    """积分规则 of an area; it replaces the area's active rule for the same matter."""
    user = _user(request)
    place = scoping.get_area_for(user, payload.area)
    if not may_manage_points(user, place):
        return Status(403, {"detail": "您不能设置这里的积分规则"})
    rule = actions.do_set_rule(
        area=place,
        key=payload.key,
        name=payload.name,
        points=payload.points,
        monthly_cap=payload.monthly_cap,
        actor=user,
    )
    return Status(
        201, {"id": rule.pk, "key": rule.key, "points": rule.points, "monthly_cap": rule.monthly_cap}
    )


class RuleAwardIn(Schema):
    rule: int = Field(..., ge=1, le=2**53)
    account: int = Field(..., ge=1, le=2**53)
    ref: str = Field(..., min_length=1, max_length=80, description="所奖事项的编号，同一编号只奖一次")
    quantity: int = Field(1, ge=1, le=12)


@router.post("/points/rule-awards", response={201: dict, 200: dict, 409: dict, 422: dict})
def award_by_rule(request: HttpRequest, payload: RuleAwardIn) -> Status:
    """Points by a rule (清洁户评比 …) for what `ref` names: 201 paid, 200 with `paid: 0` when the
    monthly cap is reached, the first payment again (200) for a ref already paid."""
    user = _user(request)
    account = get_account_for(user, payload.account)
    rule = Rule.objects.filter(pk=payload.rule, active=True).select_related("area").first()
    if rule is None or not scoping.scope_of(user).sees_area(rule.area.code):
        raise Http404
    before = Transfer.objects.filter(kind="rule", target=account, ref=payload.ref).exists()
    paid = actions.do_award_by_rule(
        rule=rule, account=account, ref=payload.ref, actor=user, quantity=payload.quantity
    )
    if paid is None:
        return Status(200, {"paid": 0, "detail": "本月该项积分已达上限"})
    return Status(200 if before else 201, {"paid": paid.amount, "transfer": transfer_row(paid)})


class AwardIn(Schema):
    account: int = Field(..., ge=1, le=2**53)
    amount: int = Field(..., ge=1, le=actions.MAX_AWARD)
    reason: str = Field(..., min_length=1, max_length=200)


def award_row(a: Award) -> dict:
    return {"id": a.pk, "account": a.account_id, "amount": a.amount, "reason": a.reason, "state": a.state}


@router.post("/points/awards", response={201: dict, 409: dict, 422: dict})
def propose_award(request: HttpRequest, payload: AwardIn) -> Status:
    """手工奖励, proposed: paid when another staff member approves it."""
    user = _user(request)
    account = get_account_for(user, payload.account)
    return Status(
        201,
        award_row(
            actions.do_propose_award(
                account=account, amount=payload.amount, reason=payload.reason, actor=user
            )
        ),
    )


class DecisionIn(Schema):
    approve: bool


@router.post("/points/awards/{award_id}/decision", response={200: dict, 409: dict})
def decide_award(request: HttpRequest, award_id: int, payload: DecisionIn) -> dict:
    """Approve (paid from the area's fund) or reject, once; not by the proposer (409)."""
    user = _user(request)
    award = (
        Award.objects.filter(pk=award_id, account__in=accounts_for(user)).select_related("account").first()
    )
    if award is None:
        raise Http404
    return award_row(actions.do_decide_award(award=award, approve=payload.approve, actor=user))


class ReverseIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


@router.post("/points/transfers/{transfer_id}/reversal", response={201: dict, 409: dict, 422: dict})
def reverse(request: HttpRequest, transfer_id: int, payload: ReverseIn) -> Status:
    """冲正, once; 409 when the points are already spent or it was reversed before."""
    user = _user(request)
    seen = accounts_for(user)
    transfer = (
        Transfer.objects.filter(pk=transfer_id, target__in=seen).select_related("source", "target").first()
        or Transfer.objects.filter(pk=transfer_id, source__in=seen).select_related("source", "target").first()
    )
    if transfer is None:
        raise Http404
    return Status(201, transfer_row(actions.do_reverse(transfer=transfer, reason=payload.reason, actor=user)))


@router.post("/points/households/{household_id}/clean", response={201: dict, 200: dict, 409: dict})
def rate_clean_household(request: HttpRequest, household_id: int) -> Status:
    """清洁户: the grid's worker or head, or community staff, rate a household of their area clean after an
    inspection; the household earns the 清洁户评比 rule once a month (201). 200 with `paid: 0` at the cap,
    and the month's payment again (200) when it was rated already; 409 without a rule or for one's own
    household; 404 outside one's area."""
    user = _user(request)
    household = scoping.get_household_for(user, household_id)
    paid, already = actions.do_rate_clean_household(household=household, actor=user)
    if paid is None:
        return Status(200, {"paid": 0, "detail": "本月该项积分已达上限"})
    return Status(200 if already else 201, {"paid": paid.amount, "transfer": transfer_row(paid)})
