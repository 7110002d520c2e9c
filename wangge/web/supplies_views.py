"""紧缺物资 and 发放 pages: an area's stock and distributions; a distribution's progress per grid and the
list to hand items over from (phone-friendly, one tap per person)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wangge.areas import scoping
from wangge.areas.models import Area
from wangge.lib.errors import InputError, NotAllowed
from wangge.people.models import CareLevel, CareTag
from wangge.supplies.actions import Rule, do_create_distribution, do_deliver, do_stock_in_named
from wangge.supplies.models import Item, Stock
from wangge.supplies.selectors import (
    distributions_for,
    entitlements_for,
    get_distribution_for,
    get_entitlement_for,
    may_deliver,
    may_manage_supplies,
    progress_by_grid,
)
from wangge.web.views import _breadcrumbs, request_user


def _int(raw: str, field_name: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.lstrip("-").isdigit() or len(raw) > 9:
        raise InputError(field_name, "请填写整数")
    return int(raw)


def _supplies_page(
    request: HttpRequest, area: Area, *, errors: dict | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    stocks = Stock.objects.filter(area__code__startswith=area.code).select_related("area", "item")
    here = Q(area__code__startswith=area.code) | Q(area__code__in=area.ancestor_codes)
    found = distributions_for(user).filter(here)
    plans = [
        (p, *_totals(entitlements_for(user, p))) for p in found.select_related("stock__item", "area")[:30]
    ]
    return render(
        request,
        "web/supplies.html",
        {
            "area": area,
            "breadcrumbs": _breadcrumbs(user, area),
            "stocks": list(stocks),
            "plans": plans,
            "may_manage": may_manage_supplies(user, area),
            "items": Item.objects.all(),
            "tags": CareTag.objects.all(),
            "levels": CareLevel.choices,
            "errors": errors or {},
            "form": request.POST if errors else {},
        },
        status=status,
    )


def _totals(entitlements) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return entitlements.count(), entitlements.filter(delivery__isnull=False).count()


@login_required
def supplies(request: HttpRequest, code: str) -> HttpResponse:
    """The area's 紧缺物资 list and its distributions; its staff stock in and plan distributions."""
    user = request_user(request)
    area = scoping.get_area_for(user, code)
    if request.method != "POST":
        return _supplies_page(request, area)
    post = request.POST
    try:
        if post.get("form") == "stock":
            do_stock_in_named(
                area=area,
                name=post.get("item", ""),
                unit=post.get("unit", ""),
                quantity=_int(post.get("quantity", ""), "quantity") or 0,
                reason=post.get("reason", ""),
                low_mark=_int(post.get("low_mark", ""), "low_mark"),
                actor=user,
            )
            return redirect("web:supplies", code=area.code)
        stock_id = _int(post.get("stock", ""), "stock") or 0
        stock = Stock.objects.filter(pk=stock_id, area__code__in=[*area.ancestor_codes, area.code]).first()
        if stock is None:
            raise InputError("stock", "请选择出库的库存")
        rule = Rule(
            min_age=_int(post.get("min_age", ""), "min_age"),
            care_tags=post.getlist("care_tags"),
            care_levels=post.getlist("care_levels"),
        )
        plan = do_create_distribution(
            title=post.get("title", ""), area=area, stock=stock, rule=rule, actor=user
        )
        return redirect("web:distribution", distribution_id=plan.pk)
    except InputError as exc:
        return _supplies_page(request, area, errors={exc.field: exc.message}, status=422)
    except NotAllowed as exc:
        return _supplies_page(request, area, errors={"form": str(exc)}, status=403)


@login_required
def distribution(request: HttpRequest, distribution_id: int) -> HttpResponse:
    """发放进度 per grid, and my part of the list, the ones still to hand over first."""
    return _distribution_page(request, distribution_id)


def _distribution_page(
    request: HttpRequest, distribution_id: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    user = request_user(request)
    plan = get_distribution_for(user, distribution_id)
    mine = entitlements_for(user, plan)
    pending = request.GET.get("show") != "all"
    rows = mine.select_related("resident", "household", "delivery").order_by("delivery", "area_code", "id")
    if pending:
        rows = rows.filter(delivery__isnull=True)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    total, done = _totals(mine)
    return render(
        request,
        "web/distribution.html",
        {
            "plan": plan,
            "breadcrumbs": _breadcrumbs(user, plan.area),
            "progress": progress_by_grid(mine, plan.area),
            "page": page,
            "pending": pending,
            "total": total,
            "done": done,
            "stock": Stock.objects.get(pk=plan.stock_id),
            "deliverable": {e.pk for e in page if may_deliver(user, e)},
            "error": error,
        },
        status=status,
    )


@login_required
@require_POST
def deliver(request: HttpRequest, distribution_id: int, entitlement_id: int) -> HttpResponse:
    user = request_user(request)
    plan = get_distribution_for(user, distribution_id)
    entitlement = get_entitlement_for(user, plan, entitlement_id)
    try:
        do_deliver(
            entitlement,
            actor=user,
            received_by=request.POST.get("received_by", ""),
            photo=request.FILES.get("photo"),
            note=request.POST.get("note", ""),
        )
    except (InputError, NotAllowed) as exc:
        return _distribution_page(
            request, plan.pk, error=str(exc), status=409 if isinstance(exc, NotAllowed) else 422
        )
    return redirect("web:distribution", distribution_id=plan.pk)
