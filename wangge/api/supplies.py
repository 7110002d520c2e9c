"""The supplies API (紧缺物资与发放): stock, distributions with their lists and progress, deliveries."""

from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from wangge.accounts.models import User
from wangge.api.presenters import page_of
from wangge.api.views import PAGE, PAGE_SIZE
from wangge.areas import scoping
from wangge.lib.errors import InputError
from wangge.people.models import CareLevel
from wangge.supplies.actions import (
    Rule,
    do_attach_delivery_photo,
    do_create_distribution,
    do_deliver,
    do_stock_in_named,
)
from wangge.supplies.models import Delivery, Distribution, Entitlement, Stock
from wangge.supplies.selectors import (
    distributions_for,
    entitlements_for,
    get_distribution_for,
    get_entitlement_for,
    may_manage_supplies,
    progress_by_grid,
)

router = Router(tags=["supplies"])


def stock_row(s: Stock) -> dict:
    return {
        "id": s.pk,
        "area": s.area.code,
        "item": s.item.name,
        "unit": s.item.unit,
        "quantity": s.quantity,
        "low_mark": s.low_mark,
        "scarce": s.scarce,
    }


def distribution_row(d: Distribution, user: User) -> dict:
    mine = entitlements_for(user, d)
    return {
        "id": d.pk,
        "title": d.title,
        "area": d.area.code,
        "rule": d.rule,
        "rule_text": d.rule_text,
        "stock": d.stock_id,
        "closed": d.closed_at is not None,
        "listed": mine.count(),
        "delivered": mine.filter(delivery__isnull=False).count(),
    }


@router.get("/supplies/stock", response=list[dict])
def stock(request: HttpRequest, area: str = Query(..., max_length=40)) -> list[dict]:  # type: ignore[type-arg]
    """库存 under an area (紧缺 when at or below its mark)."""
    place = scoping.get_area_for(request.user, area)  # type: ignore[arg-type]
    found = Stock.objects.filter(area__code__startswith=place.code).select_related("area", "item")
    return [stock_row(s) for s in found.order_by("area__code", "item__name")]


class StockIn(Schema):
    area: str = Field(..., min_length=1, max_length=40)
    item: str = Field(..., min_length=1, max_length=50, description="物资名称；新名称即新建")
    unit: str = Field("份", max_length=10)
    quantity: int = Field(..., ge=-1_000_000, le=1_000_000, description="入库为正，出库（盘点）为负")
    reason: str = Field("", max_length=200)
    low_mark: int | None = Field(None, ge=0, le=1_000_000)


@router.post("/supplies/stock", response={201: dict, 403: dict, 422: dict})
def stock_in(request: HttpRequest, payload: StockIn) -> Status:
    user: User = request.user  # type: ignore[assignment]
    place = scoping.get_area_for(user, payload.area)
    if not may_manage_supplies(user, place):
        return Status(403, {"detail": "您不能管理这里的物资"})
    s = do_stock_in_named(
        area=place,
        name=payload.item,
        unit=payload.unit,
        quantity=payload.quantity,
        reason=payload.reason,
        low_mark=payload.low_mark,
        actor=user,
    )
    return Status(201, stock_row(s))


@router.get("/supplies/distributions", response=list[dict])
def distributions(request: HttpRequest) -> list[dict]:
    """发放计划 I see (my area inside or around theirs), newest first, with my part's progress."""
    user: User = request.user  # type: ignore[assignment]
    return [distribution_row(d, user) for d in distributions_for(user).select_related("area")[:100]]


class DistributionIn(Schema):
    title: str = Field(..., min_length=1, max_length=100)
    area: str = Field(..., min_length=1, max_length=40, description="范围（区域编码）")
    stock: int = Field(..., ge=1, le=2**53, description="出库的库存 id（范围或其上级的）")
    min_age: int | None = Field(None, ge=0, le=120, description="年满（周岁）")
    care_tags: list[str] = Field(default_factory=list, max_length=20, description="关爱标签代码（任一）")
    care_levels: list[CareLevel] = Field(default_factory=list, max_length=5, description="关爱等级（任一）")
    resident_ids: list[int] = Field(default_factory=list, max_length=5000, description="手工名单")


@router.post("/supplies/distributions", response={201: dict, 409: dict, 422: dict})
def create_distribution(request: HttpRequest, payload: DistributionIn) -> Status:
    """The list is fixed now: everyone under `area` matching every condition given (or exactly the
    hand-picked residents). 409 when my role may not plan here."""
    user: User = request.user  # type: ignore[assignment]
    place = scoping.get_area_for(user, payload.area)
    s = Stock.objects.filter(pk=payload.stock, area__code__in=[*place.ancestor_codes, place.code]).first()
    if s is None:
        raise InputError("stock", "请选择范围内或其上级的库存")
    rule = Rule(
        min_age=payload.min_age,
        care_tags=payload.care_tags,
        care_levels=[str(level) for level in payload.care_levels],
        resident_ids=payload.resident_ids,
    )
    plan = do_create_distribution(title=payload.title, area=place, stock=s, rule=rule, actor=user)
    return Status(201, distribution_row(plan, user))


@router.get("/supplies/distributions/{distribution_id}", response=dict)
def distribution(request: HttpRequest, distribution_id: int) -> dict:
    """A distribution with progress per grid (`grids`: code, name, listed, delivered) in my part."""
    user: User = request.user  # type: ignore[assignment]
    plan = get_distribution_for(user, distribution_id)
    grids = progress_by_grid(entitlements_for(user, plan), plan.area)
    return {
        **distribution_row(plan, user),
        "grids": [{"code": g.code, "name": g.name, "listed": n, "delivered": d} for g, n, d in grids],
    }


def entitlement_row(e: Entitlement) -> dict:
    delivery = getattr(e, "delivery", None)
    return {
        "id": e.pk,
        "resident_id": e.resident_id,
        "name": e.resident.name,
        "age": e.resident.age(),
        "address": e.household.address,
        "delivered_at": delivery.delivered_at.isoformat() if delivery else None,
        "delivered_by": delivery.delivered_by_name if delivery else None,
        "received_by": delivery.received_by if delivery else None,
    }


@router.get("/supplies/distributions/{distribution_id}/list", response=dict)
def distribution_list(
    request: HttpRequest,
    distribution_id: int,
    pending: bool = False,
    page: int = PAGE,
    page_size: int = PAGE_SIZE,
) -> dict:
    """My part of the list (`pending=true`: not yet delivered), paginated."""
    user: User = request.user  # type: ignore[assignment]
    plan = get_distribution_for(user, distribution_id)
    qs = (
        entitlements_for(user, plan)
        .select_related("resident", "household", "delivery")
        .order_by("area_code", "id")
    )
    if pending:
        qs = qs.filter(delivery__isnull=True)
    return page_of(qs, page=page, page_size=page_size, row=entitlement_row)


class DeliveryIn(Schema):
    entitlement: int = Field(..., ge=1, le=2**53)
    received_by: str = Field("", max_length=50, description="代领人（本人领取不填）")
    note: str = Field("", max_length=200)


@router.post(
    "/supplies/distributions/{distribution_id}/deliveries", response={201: dict, 409: dict, 422: dict}
)
def deliver(request: HttpRequest, distribution_id: int, payload: DeliveryIn) -> Status:
    """发放签收 → 201. 409 when the person already received it (saying when and from whom), the stock
    is empty, the distribution is closed, or the household is not mine to serve."""
    user: User = request.user  # type: ignore[assignment]
    plan = get_distribution_for(user, distribution_id)
    entitlement = get_entitlement_for(user, plan, payload.entitlement)
    do_deliver(entitlement, actor=user, received_by=payload.received_by, note=payload.note)
    entitlement = Entitlement.objects.select_related("resident", "household", "delivery").get(
        pk=entitlement.pk
    )
    return Status(201, entitlement_row(entitlement))


@router.post(
    "/supplies/distributions/{distribution_id}/deliveries/{entitlement_id}/photo",
    response={200: dict, 404: dict, 409: dict, 422: dict},
)
def delivery_photo(
    request: HttpRequest, distribution_id: int, entitlement_id: int, photo: File[UploadedFile]
) -> Status:
    """The proof photo of a delivery I recorded (multipart, field `photo`); 409 when it has one or is
    someone else's, 404 when not delivered yet."""
    user: User = request.user  # type: ignore[assignment]
    plan = get_distribution_for(user, distribution_id)
    entitlement = get_entitlement_for(user, plan, entitlement_id)
    delivery = Delivery.objects.filter(entitlement=entitlement).first()
    if delivery is None:
        return Status(404, {"detail": "尚未发放"})
    do_attach_delivery_photo(delivery, actor=user, photo=photo)
    return Status(200, {**entitlement_row(entitlement), "photo": True})
