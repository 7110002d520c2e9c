"""积分 on the phone (F10): my points and hours with their history, my community's 积分超市 with 兑换, my
pickup codes; and the keeper's 核销 page, where a code is typed and the item handed over once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wangge.lib.errors import InputError, NotAllowed
from wangge.points import actions
from wangge.points.models import Currency, Item, Redemption, Store
from wangge.points.selectors import history, home_area, may_hand_over, own_accounts, stores_for
from wangge.web.views import request_user

HISTORY_SHOWN = 20


@login_required
def h5_points(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    home = home_area(user)
    if home is not None:
        actions.person_account(user, home)
    accounts = list(own_accounts(user).select_related("household").order_by("kind", "currency", "pk"))
    points = next((a for a in accounts if a.kind == "person" and a.currency == Currency.POINTS), None)
    hours = next((a for a in accounts if a.currency == Currency.HOURS), None)
    family = next((a for a in accounts if a.kind == "household"), None)
    stores = list(stores_for(user).filter(active=True).prefetch_related("items")[:3])
    waiting = Redemption.objects.filter(account__in=accounts, state=Redemption.State.WAITING).select_related(
        "item__store"
    )
    return render(
        request,
        "web/points/mine.html",
        {
            "points": points,
            "hours": hours,
            "family": family,
            "entries": list(history(points, limit=HISTORY_SHOWN)) if points else [],
            "stores": stores,
            "waiting": list(waiting.order_by("-at")),
        },
    )


@login_required
@require_POST
def h5_redeem(request: HttpRequest, item_id: int) -> HttpResponse:
    """兑换 with my own points, or my household's when I choose it."""
    user = request_user(request)
    item = (
        Item.objects.filter(pk=item_id, store__in=stores_for(user), active=True)
        .select_related("store__area")
        .first()
    )
    if item is None:
        raise Http404
    home = home_area(user)
    if home is not None:
        actions.person_account(user, home)
    accounts = own_accounts(user)
    account = (
        accounts.filter(pk=request.POST.get("account") or 0).first()
        or accounts.filter(kind="person", currency=Currency.POINTS).first()
    )
    if account is None:
        raise Http404
    try:
        done = actions.do_redeem(item=item, account=account, actor=user)
    except NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"兑换成功！到{item.store.name}出示取货码 {done.code} 领取{item.name}。")
    return redirect("web:h5_points")


@login_required
def hand_over(request: HttpRequest) -> HttpResponse:
    """核销: the keeper picks the store (if they keep several) and types the pickup code."""
    user = request_user(request)
    kept = list(Store.objects.filter(keepers=user, active=True).select_related("area")) or [
        s for s in stores_for(user).select_related("area") if may_hand_over(user, s)
    ]
    if not kept:
        raise Http404
    errors: dict[str, str] = {}
    handed = None
    if request.method == "POST":
        store = next((s for s in kept if str(s.pk) == request.POST.get("store")), kept[0])
        try:
            handed = actions.do_hand_over(store=store, code=request.POST.get("code", ""), actor=user)
        except InputError as exc:
            errors[exc.field] = exc.message
        except NotAllowed as exc:
            errors["code"] = str(exc)
    return render(
        request,
        "web/points/hand_over.html",
        {"stores": kept, "handed": handed, "errors": errors, "form": request.POST},
        status=422 if errors else 200,
    )
