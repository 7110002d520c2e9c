"""Writes of micro-wishes: post, claim (one claimant), give up, fulfil with a photo, confirm (the
claimant's points, by the community's 完成微心愿 rule), withdraw."""

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.lib.errors import InputError, NotAllowed
from wangge.lists.models import WISH_VALUE_CAP, Wish, WishState
from wangge.lists.selectors import community_code, may_claim, may_confirm, may_post_for
from wangge.people.models import Resident
from wangge.points.actions import do_award_by_rule, person_account
from wangge.points.models import Rule, RuleKey
from wangge.tickets.actions import clean_photos


def _move(wish: Wish, before: tuple[str, ...], after: str, **changes: object) -> Wish:
    """The wish from one of `before` to `after`, if it still is in one: the one winner of a race."""
    if not Wish.objects.filter(pk=wish.pk, state__in=before).update(state=after, **changes):
        wish.refresh_from_db()
        raise NotAllowed(f"该心愿{wish.get_state_display()}")
    wish.refresh_from_db()
    return wish


@transaction.atomic
def do_post_wish(
    *, resident: Resident, text: str, value: int, actor: User, photo: File | None = None
) -> Wish:
    if not may_post_for(actor, resident):
        raise NotAllowed("您不能为这位居民发布心愿")
    text = " ".join(text.split())
    if not text:
        raise InputError("text", "请写下心愿")
    if len(text) > 200:
        raise InputError("text", "心愿不超过200字")
    if not 1 <= value <= WISH_VALUE_CAP:
        raise InputError("value", f"微心愿约值应在1到{WISH_VALUE_CAP}元之间，更大的需求请提交需求清单")
    wish = Wish(resident=resident, area=resident.household.area, area_code=resident.household.area.code)
    wish.text, wish.value, wish.posted_by = text, value, actor
    if photo is not None:
        wish.photo = clean_photos([photo], "photo")[0]  # type: ignore[assignment]
    wish.save()
    return wish


@transaction.atomic
def do_claim_wish(wish: Wish, *, actor: User) -> Wish:
    """认领: one party member or volunteer of the community; the others are told who was first."""
    if not may_claim(actor, wish):
        raise NotAllowed("党员和志愿者可以认领本社区的心愿")
    return _move(wish, (WishState.OPEN,), WishState.CLAIMED, claimed_by=actor, claimed_at=timezone.now())


@transaction.atomic
def do_release_wish(wish: Wish, *, actor: User) -> Wish:
    """The claimant gives it back to the wall."""
    if wish.claimed_by_id != actor.pk:
        raise NotAllowed("只有认领人可以放弃认领")
    return _move(wish, (WishState.CLAIMED,), WishState.OPEN, claimed_by=None, claimed_at=None)


@transaction.atomic
def do_fulfil_wish(wish: Wish, *, actor: User, proof: File, note: str = "") -> Wish:
    """送达, with a photo of it."""
    if wish.claimed_by_id != actor.pk:
        raise NotAllowed("只有认领人可以登记送达")
    photo = clean_photos([proof], "proof", required=True)[0]
    wish = _move(
        wish, (WishState.CLAIMED,), WishState.FULFILLED, fulfilled_at=timezone.now(), note=note.strip()[:200]
    )
    wish.proof = photo  # type: ignore[assignment]
    wish.save(update_fields=["proof"])
    return wish


@transaction.atomic
def do_confirm_wish(wish: Wish, *, actor: User) -> Wish:
    """圆梦: confirmed by the wisher (or for them); the claimant earns the community's points for it."""
    if not may_confirm(actor, wish):
        raise NotAllowed("由心愿人或代为发布的网格员确认")
    wish = _move(
        wish, (WishState.FULFILLED,), WishState.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now()
    )
    community = Area.objects.filter(code=community_code(wish.area_code)).first()
    rule = (
        Rule.objects.filter(
            area__code__in=[*(community.ancestor_codes if community else []), community_code(wish.area_code)],
            key=RuleKey.WISH,
            active=True,
        )
        .order_by("-area__code")
        .first()
    )  # the community's own rule before the street's or district's
    if rule is not None and community is not None and wish.claimed_by is not None:
        do_award_by_rule(
            rule=rule,
            account=person_account(wish.claimed_by, community),
            ref=f"wish:{wish.pk}",
            actor=None,
            note=f"圆梦微心愿：{wish.text[:40]}",
        )
    return wish


@transaction.atomic
def do_withdraw_wish(wish: Wish, *, actor: User) -> Wish:
    if not (wish.resident.user_id == actor.pk or wish.posted_by_id == actor.pk):
        raise NotAllowed("只有心愿人或代为发布的人可以撤回")
    return _move(wish, (WishState.OPEN, WishState.CLAIMED), WishState.WITHDRAWN)
