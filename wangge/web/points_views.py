"""积分 on the phone (F10): my points and hours with their history, my community's 积分超市 with 兑换, my
pickup codes; and the keeper's 核销 page, where a code is typed and the item handed over once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wangge.areas.scoping import codes_with, prefix_q
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.ids import is_id
from wangge.points import actions
from wangge.points.models import Currency, Item, Redemption, Store
from wangge.points.selectors import MANAGING_ROLES, history, home_area, own_accounts, stores_for
from wangge.volunteering.models import SignUp
from wangge.web.views import request_user

HISTORY_SHOWN = 20
STORES_SHOWN = 3
SERVED_SHOWN = 10


@login_required
def h5_points(request: HttpRequest) -> HttpResponse:
    """我的积分: my points and my family's, my 爱心银行 hours and the activities that earned them, pickup
    codes, and the shelf of the stores where my points are spent (those over my home)."""
    user = request_user(request)
    home = home_area(user)
    if home is not None:
        actions.person_account(user, home)
    accounts = list(own_accounts(user).select_related("household").order_by("kind", "currency", "pk"))
    points = next((a for a in accounts if a.kind == "person" and a.currency == Currency.POINTS), None)
    hours = next((a for a in accounts if a.currency == Currency.HOURS), None)
    family = next((a for a in accounts if a.kind == "household" and a.currency == Currency.POINTS), None)
    stores = []
    if home is not None:
        stores = [
            s
            for s in stores_for(user)
            .filter(active=True)
            .select_related("area")
            .prefetch_related("items")
            .order_by("-area__code", "pk")[:STORES_SHOWN]
            if home.code.startswith(s.area.code)
        ]
    waiting = Redemption.objects.filter(account__in=accounts, state=Redemption.State.WAITING).select_related(
        "item__store"
    )
    served = SignUp.objects.filter(user=user, checked_out_at__isnull=False).select_related("activity")
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
            "served": list(served.order_by("-checked_out_at")[:SERVED_SHOWN]),
        },
    )


@login_required
@require_POST
def h5_redeem(request: HttpRequest, item_id: int) -> HttpResponse:
    """兑换 with my own points, or my household's when I choose it (`account`)."""
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
    accounts = own_accounts(user).filter(currency=Currency.POINTS)
    chosen = request.POST.get("account", "")
    if chosen and not is_id(chosen):
        raise Http404
    account = accounts.filter(pk=int(chosen)).first() if chosen else accounts.filter(kind="person").first()
    if account is None:
        raise Http404
    try:
        done = actions.do_redeem(item=item, account=account, actor=user)
    except (InputError, NotAllowed) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"兑换成功！到{item.store.name}出示取货码 {done.code} 领取{item.name}。")
    return redirect("web:h5_points")


@login_required
def hand_over(request: HttpRequest) -> HttpResponse:
    """核销: the keeper (or the area's staff) picks the store if there are several and types the code."""
    user = request_user(request)
    managed = codes_with(user, MANAGING_ROLES)
    kept = list(
        Store.objects.filter(
            Q(keepers=user) | prefix_q("area__code", managed) if managed else Q(keepers=user)
        )
        .filter(active=True)
        .select_related("area")
        .distinct()
        .order_by("area__code", "pk")
    )
    if not kept:
        raise Http404
    errors: dict[str, str] = {}
    handed = None
    if request.method == "POST":
        picked = request.POST.get("store", "")
        store = next((s for s in kept if str(s.pk) == picked), None)
        if store is None and len(kept) == 1 and not picked:
            store = kept[0]
        try:
            if store is None:
                raise InputError("store", "请选择积分超市")
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
