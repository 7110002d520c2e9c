"""心愿墙 on the phone (F8): the wall of one's community, a wish's own page with what its viewer may do
next (claim, give back, fulfil with a photo, confirm, withdraw), and posting a wish. Residents, party
members and volunteers use the same pages in the H5 frame; what each sees to do comes from their part
in the wish."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.ids import is_id
from wangge.lib.masking import mask_name
from wangge.lists import actions
from wangge.lists.models import WISH_VALUE_CAP, Wish, WishState
from wangge.lists.selectors import (
    GRID_CODE_LENGTH,
    STALE_DAYS,
    get_wish_for,
    grid_names,
    is_close_to,
    may_claim,
    may_confirm,
    may_post_for,
    my_wishes,
    waited_days,
    wall,
)
from wangge.people.models import Resident
from wangge.web.views import image_response, request_user

WALL_SHOWN = 100
TONE = {
    WishState.OPEN: "waiting",
    WishState.CLAIMED: "working",
    WishState.FULFILLED: "rate",
    WishState.CONFIRMED: "done",
    WishState.WITHDRAWN: "waiting",
}


def card(wish: Wish, grids: dict[str, str]) -> dict:
    waited = waited_days(wish)
    return {
        "wish": wish,
        "wisher": mask_name(wish.resident.name),
        "grid": grids.get(wish.area_code[:GRID_CODE_LENGTH], ""),
        "tone": TONE[WishState(wish.state)],
        "waited": waited,
        "stale": wish.state == WishState.OPEN and waited >= STALE_DAYS,
    }


@login_required
def h5_wishes(request: HttpRequest) -> HttpResponse:
    """心愿墙: waiting wishes first, the longest waiting on top. 我的心愿 (`?mine=1`): the wishes I made,
    posted for someone or claimed, at every stage, the newest first."""
    user = request_user(request)
    mine = request.GET.get("mine") == "1"
    found = my_wishes(user) if mine else wall(user)
    wishes = list(found[:WALL_SHOWN])
    grids = grid_names(wishes)
    own = Resident.objects.filter(user=user).exists()
    return render(
        request,
        "web/wishes/wall.html",
        {
            "cards": [card(w, grids) for w in wishes],
            "may_post": own,
            "stale_days": STALE_DAYS,
            "mine": mine,
        },
    )


@login_required
def h5_wish_new(request: HttpRequest) -> HttpResponse:
    """我有心愿: a resident's own wish, with a photo if they like; or, from a household's page
    (`?household=`), a grid worker's or community staff's for one of its residents (代为许愿: an elderly
    resident without a phone)."""
    user = request_user(request)
    household = None
    for_household = request.POST.get("household") or request.GET.get("household") or ""
    if for_household:
        if not is_id(for_household):
            raise Http404
        household = scoping.get_household_for(user, int(for_household))
        choices = list(household.residents.select_related("household__area").order_by("pk"))
        if not choices or not may_post_for(user, choices[0]):
            raise Http404
    else:
        own = Resident.objects.filter(user=user).select_related("household__area").first()
        if own is None:
            raise Http404
        choices = [own]
    errors: dict[str, str] = {}
    if request.method == "POST":
        picked = request.POST.get("resident", "")
        resident = next(
            (r for r in choices if str(r.pk) == picked), choices[0] if len(choices) == 1 else None
        )
        try:
            value = int(request.POST.get("value") or 0)
        except ValueError:
            value = 0
        try:
            if resident is None:
                raise InputError("resident", "请选择为哪位居民许愿")
            wish = actions.do_post_wish(
                resident=resident,
                text=request.POST.get("text", ""),
                value=value,
                actor=user,
                photo=request.FILES.get("photo"),
            )
        except InputError as exc:
            errors[exc.field] = exc.message
        except NotAllowed as exc:
            errors["resident"] = str(exc)
        else:
            messages.success(request, "心愿已贴上心愿墙。有人认领时，会在「消息」里告诉您。")
            return redirect("web:h5_wish", wish_id=wish.pk)
    return render(
        request,
        "web/wishes/new.html",
        {
            "errors": errors,
            "form": request.POST,
            "cap": WISH_VALUE_CAP,
            "household": household,
            "choices": choices if household is not None else [],
        },
        status=422 if errors else 200,
    )


def _next_steps(wish: Wish, user_id: int, *, claims: bool, confirms: bool) -> list[str]:
    """What this viewer may do with the wish now."""
    state = WishState(wish.state)
    steps = []
    if state == WishState.OPEN and claims:
        steps.append("claim")
    if state == WishState.CLAIMED and wish.claimed_by_id == user_id:
        steps += ["fulfil", "release"]
    if state == WishState.FULFILLED and confirms:
        steps.append("confirm")
    if state in (WishState.OPEN, WishState.CLAIMED) and user_id in (wish.resident.user_id, wish.posted_by_id):
        steps.append("withdraw")
    return steps


def _wish(user: User, wish_id: int) -> Wish:
    """A wish of the user's community; a withdrawn one only to those close to it."""
    wish = get_wish_for(user, wish_id)
    if wish.state == WishState.WITHDRAWN and not is_close_to(user, wish):
        raise Http404
    return wish


@login_required
def h5_wish(request: HttpRequest, wish_id: int) -> HttpResponse:
    return _wish_page(request, _wish(request_user(request), wish_id))


def _wish_page(
    request: HttpRequest, wish: Wish, *, errors: dict | None = None, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    steps = _next_steps(wish, user.pk, claims=may_claim(user, wish), confirms=may_confirm(user, wish))
    return render(
        request,
        "web/wishes/wish.html",
        {
            "c": card(wish, grid_names([wish])),
            "steps": steps,
            "errors": errors or {},
            "mine": user.pk == wish.resident.user_id,
            "close": is_close_to(user, wish),
        },
        status=status,
    )


@login_required
def h5_wish_photo(request: HttpRequest, wish_id: int, which: str) -> FileResponse:
    """The wish's own photo or its 送达 proof, to whoever sees the wish (EXIF was removed on upload)."""
    user = request_user(request)
    wish = _wish(user, wish_id)
    file = {"photo": wish.photo, "proof": wish.proof if is_close_to(user, wish) else None}.get(which)
    if not file:
        raise Http404
    return image_response(file)


@login_required
@require_POST
def h5_wish_act(request: HttpRequest, wish_id: int, action: str) -> HttpResponse:
    user = request_user(request)
    wish = _wish(user, wish_id)
    done = {
        "claim": "认领成功。请尽快和社区联系，把心愿送到。",
        "release": "已放弃认领，心愿回到了心愿墙。",
        "fulfil": "已登记送达，等心愿人确认。",
        "confirm": "谢谢！心愿已圆梦。",
        "withdraw": "心愿已撤回。",
    }
    if action not in done:
        raise Http404
    try:
        if action == "claim":
            actions.do_claim_wish(wish, actor=user)
        elif action == "release":
            actions.do_release_wish(wish, actor=user)
        elif action == "fulfil":
            proof = request.FILES.get("proof")
            if proof is None:
                raise InputError("proof", "请拍一张送达的照片")
            actions.do_fulfil_wish(wish, actor=user, proof=proof, note=request.POST.get("note", ""))
        elif action == "confirm":
            actions.do_confirm_wish(wish, actor=user)
        else:
            actions.do_withdraw_wish(wish, actor=user)
    except InputError as exc:
        return _wish_page(request, wish, errors={exc.field: exc.message}, status=422)
    except NotAllowed as exc:
        wish.refresh_from_db()
        return _wish_page(request, wish, errors={"action": str(exc)}, status=409)
    messages.success(request, done[action])
    return redirect("web:h5_wish", wish_id=wish.pk)
