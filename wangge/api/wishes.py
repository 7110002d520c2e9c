"""The micro-wish API (微心愿): the wall of my community, posting a wish (mine, or a resident's for staff),
claiming, giving back, fulfilling with a photo, confirming, withdrawing. On the wall the wisher is a
masked name and a grid."""

from django.http import HttpRequest
from ninja import File, Form, Router, Status, UploadedFile

from wangge.accounts.models import User
from wangge.areas import scoping
from wangge.lib.errors import InputError
from wangge.lib.masking import mask_name
from wangge.lists import actions
from wangge.lists.models import WISH_VALUE_CAP, Wish, WishState
from wangge.lists.selectors import GRID_CODE_LENGTH, STALE_DAYS, get_wish_for, grid_names, waited_days, wall
from wangge.people.models import Resident

router = Router(tags=["wishes"])


def wish_row(w: Wish, user: User, grids: dict[str, str]) -> dict:
    waited = waited_days(w)
    return {
        "id": w.pk,
        "text": w.text,
        "value": w.value,
        "wisher": mask_name(w.resident.name),
        "place": grids.get(w.area_code[:GRID_CODE_LENGTH], ""),
        "state": w.state,
        "state_name": w.get_state_display(),
        "posted_at": w.posted_at,
        "waited_days": waited,
        "stale": w.state == WishState.OPEN and waited >= STALE_DAYS,
        "claimed_by_me": w.claimed_by_id == user.pk,
        "mine": w.resident.user_id == user.pk or w.posted_by_id == user.pk,
        "photo": bool(w.photo),
        "proof": bool(w.proof),
    }


def _one(w: Wish, user: User) -> dict:
    return wish_row(w, user, grid_names([w]))


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@router.get("/wishes", response=list[dict])
def wish_wall(
    request: HttpRequest,
    state: WishState | None = None,
) -> list[dict]:
    """心愿墙 of the communities I live or work in: open wishes first, the longest waiting on top."""
    user = _user(request)
    wishes = list(wall(user, state=state)[:200])
    grids = grid_names(wishes)
    return [wish_row(w, user, grids) for w in wishes]


@router.post("/wishes", response={201: dict, 409: dict, 422: dict})
def post_wish(
    request: HttpRequest,
    text: str = Form(..., min_length=1, max_length=200),  # type: ignore[type-arg]
    value: int = Form(..., ge=1, le=WISH_VALUE_CAP, description="约值（元）"),  # type: ignore[type-arg]
    resident: int | None = Form(None, ge=1, le=2**53, description="代居民发布时的居民 id"),  # type: ignore[type-arg]
    photo: File[UploadedFile] | None = None,
) -> Status:
    """A wish of my own (a resident), or for a resident of my grid (staff; multipart, `photo` optional)."""
    user = _user(request)
    own = Resident.objects.filter(user=user).select_related("household__area").first()
    wisher = scoping.get_resident_for(user, resident) if resident is not None else own
    if wisher is None:
        raise InputError("resident", "请选择代为发布的居民")
    wish = actions.do_post_wish(resident=wisher, text=text, value=value, actor=user, photo=photo)
    return Status(201, _one(wish, user))


@router.post("/wishes/{wish_id}/claim", response={200: dict, 409: dict})
def claim(request: HttpRequest, wish_id: int) -> dict:
    """认领 (party members and volunteers of the community): one claimant; 409 for the others."""
    user = _user(request)
    return _one(actions.do_claim_wish(get_wish_for(user, wish_id), actor=user), user)


@router.post("/wishes/{wish_id}/release", response={200: dict, 409: dict})
def release(request: HttpRequest, wish_id: int) -> dict:
    user = _user(request)
    return _one(actions.do_release_wish(get_wish_for(user, wish_id), actor=user), user)


@router.post("/wishes/{wish_id}/fulfilment", response={200: dict, 409: dict, 422: dict})
def fulfil(
    request: HttpRequest,
    wish_id: int,
    proof: File[UploadedFile],
    note: str = Form("", max_length=200),  # type: ignore[type-arg]
) -> dict:
    """送达, with a photo (multipart, field `proof`)."""
    user = _user(request)
    return _one(actions.do_fulfil_wish(get_wish_for(user, wish_id), actor=user, proof=proof, note=note), user)


@router.post("/wishes/{wish_id}/confirmation", response={200: dict, 409: dict})
def confirm(request: HttpRequest, wish_id: int) -> dict:
    """圆梦: the wisher (or whoever posted it for them) confirms; the claimant earns the points."""
    user = _user(request)
    return _one(actions.do_confirm_wish(get_wish_for(user, wish_id), actor=user), user)


@router.post("/wishes/{wish_id}/withdrawal", response={200: dict, 409: dict})
def withdraw(request: HttpRequest, wish_id: int) -> dict:
    user = _user(request)
    return _one(actions.do_withdraw_wish(get_wish_for(user, wish_id), actor=user), user)
