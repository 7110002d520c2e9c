"""Writes of micro-wishes: post, claim (one claimant), give up, fulfil with a photo, confirm (the
claimant's points, by the community's 完成微心愿 rule), withdraw. Writes of the three lists: post a need
or an offer, claim either (one claimant), start a project from a need and offers, report its progress."""

import datetime as dt

from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Unit
from wangge.areas.scoping import holds_over
from wangge.lib.errors import InputError, NotAllowed
from wangge.lib.states import move
from wangge.lists.models import (
    WISH_VALUE_CAP,
    ItemState,
    Need,
    Offer,
    OfferKind,
    Project,
    ProjectState,
    Topic,
    Wish,
    WishState,
)
from wangge.lists.selectors import (
    CLAIMING_ROLES,
    community_code,
    may_claim,
    may_confirm,
    may_post_for,
    may_run_lists,
    unit_of,
)
from wangge.people.models import Resident
from wangge.points.actions import do_award_by_rule, person_account
from wangge.points.models import RuleKey
from wangge.points.selectors import rule_for
from wangge.tickets.actions import clean_photos


def _move(
    wish: Wish, before: tuple[str, ...], after: str, *, by: User | None = None, **changes: object
) -> Wish:
    """The wish from one of `before` to `after` (and still `by`'s claim, when given)."""
    return move(wish, before, after, what="该心愿", where={"claimed_by": by} if by else None, **changes)


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
    return _move(wish, (WishState.CLAIMED,), WishState.OPEN, by=actor, claimed_by=None, claimed_at=None)


@transaction.atomic
def do_fulfil_wish(wish: Wish, *, actor: User, proof: File, note: str = "") -> Wish:
    """送达, with a photo of it."""
    if wish.claimed_by_id != actor.pk:
        raise NotAllowed("只有认领人可以登记送达")
    photo = clean_photos([proof], "proof", required=True)[0]
    wish = _move(
        wish,
        (WishState.CLAIMED,),
        WishState.FULFILLED,
        by=actor,
        fulfilled_at=timezone.now(),
        note=note.strip()[:200],
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
    rule = rule_for(community, RuleKey.WISH) if community is not None else None
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


# --- the three lists ---------------------------------------------------------------------------------


def _item_fields(
    area: Area, topic: str, title: str, description: str, starts_on: dt.date | None, ends_on: dt.date | None
) -> dict:
    title = " ".join(title.split())
    if not title:
        raise InputError("title", "请填写名称")
    if topic not in Topic.values:
        raise InputError("topic", "请从列表中选择类别")
    if starts_on and ends_on and ends_on < starts_on:
        raise InputError("ends_on", "结束日期不能早于开始日期")
    return {
        "area": area,
        "area_code": area.code,
        "topic": topic,
        "title": title[:100],
        "description": description.strip()[:2000],
        "starts_on": starts_on,
        "ends_on": ends_on,
    }


@transaction.atomic
def do_post_need(
    *,
    area: Area,
    topic: str,
    title: str,
    actor: User,
    description: str = "",
    people: int = 0,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Need:
    """需求清单: posted by the area's staff (a resident's need comes as a wish, or through them)."""
    if not may_run_lists(actor, area.code):
        raise NotAllowed("由社区、街道工作人员登记需求")
    if not 0 <= people <= 100_000:
        raise InputError("people", "惠及人数应在0到100000之间")
    return Need.objects.create(
        **_item_fields(area, topic, title, description, starts_on, ends_on), people=people, posted_by=actor
    )


@transaction.atomic
def do_post_offer(
    *,
    area: Area,
    topic: str,
    kind: str,
    title: str,
    actor: User,
    description: str = "",
    capacity: int = 1,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    provider: Unit | None = None,
) -> Offer:
    """资源清单: offered by a unit's staff (for their unit), party members and volunteers of the area, or
    posted by its staff for a 驻区单位 (`provider`, as a 共驻共建协议's commitments are)."""
    unit = unit_of(actor)
    if provider is not None and may_run_lists(actor, area.code):
        unit = provider  # the unit that signed, whatever unit the staff member also works for
    may = may_run_lists(actor, area.code) or unit is not None or holds_over(actor, area.code, CLAIMING_ROLES)
    if not may:
        raise NotAllowed("单位、党员、志愿者和社区工作人员可以提供资源")
    if kind not in OfferKind.values:
        raise InputError("kind", "请从列表中选择资源类型")
    if not 1 <= capacity <= 100_000:
        raise InputError("capacity", "可服务次数应在1到100000之间")
    return Offer.objects.create(
        **_item_fields(area, topic, title, description, starts_on, ends_on),
        kind=kind,
        capacity=capacity,
        provider_unit=unit,
        posted_by=actor,
    )


def _claim(model: type[Need] | type[Offer], pk: int, actor: User, **claimant: object) -> None:
    won = model.objects.filter(pk=pk, state=ItemState.OPEN).update(
        state=ItemState.CLAIMED, claimed_by=actor, claimed_at=timezone.now(), **claimant
    )
    if not won:
        raise NotAllowed("已被认领")


@transaction.atomic
def do_claim_need(need: Need, *, actor: User) -> Need:
    """双向认领 (1): a unit claims a need of an area it serves; one claimant."""
    unit = unit_of(actor)
    if unit is None or not (
        need.area_code.startswith(unit.area.code) or unit.area.code.startswith(need.area_code)
    ):
        raise NotAllowed("由服务该区域的单位认领需求")
    _claim(Need, need.pk, actor, claimed_by_unit=unit)
    need.refresh_from_db()
    return need


@transaction.atomic
def do_claim_offer(offer: Offer, *, actor: User, community: Area) -> Offer:
    """双向认领 (2): a community claims an offer for its people; one claimant."""
    if not may_run_lists(actor, community.code):
        raise NotAllowed("由社区工作人员认领资源")
    _claim(Offer, offer.pk, actor, claimed_by_area=community)
    offer.refresh_from_db()
    return offer


@transaction.atomic
def do_start_project(
    *,
    need: Need,
    offers: list[Offer],
    title: str,
    owner: User,
    starts_on: dt.date,
    ends_on: dt.date,
    actor: User,
) -> Project:
    """项目清单: a need met by offers; each offer serves it once (its capacity, never below zero)."""
    if not may_run_lists(actor, need.area_code):
        raise NotAllowed("由社区、街道工作人员立项")
    title = " ".join(title.split()) or need.title
    if ends_on < starts_on:
        raise InputError("ends_on", "计划完成日期不能早于开始日期")
    if Need.objects.filter(pk=need.pk, state__in=[ItemState.DONE, ItemState.CLOSED]).exists():
        raise NotAllowed("需求已完成或已关闭，不能再立项")
    for offer in offers:
        if offer.topic != need.topic and offer.kind not in (OfferKind.MONEY, OfferKind.VENUE):
            raise InputError("offers", f"资源「{offer.title}」与需求类别不同")
        claimant = offer.claimed_by_area
        if claimant is not None and not need.area_code.startswith(claimant.code):
            raise InputError("offers", f"资源「{offer.title}」已由{claimant.name}认领")
        if (
            not Offer.objects.filter(pk=offer.pk, capacity__gte=1)
            .exclude(state=ItemState.CLOSED)
            .update(capacity=F("capacity") - 1)
        ):
            raise NotAllowed(f"资源「{offer.title}」已用完")
    Need.objects.filter(pk=need.pk).exclude(state=ItemState.DONE).update(state=ItemState.CLAIMED)
    project = Project.objects.create(
        area=need.area,
        area_code=need.area_code,
        title=title[:100],
        need=need,
        owner=owner,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    project.offers.set(offers)
    return project


@transaction.atomic
def do_report_project(project: Project, *, actor: User, progress: int, result: str = "") -> Project:
    """进度 and, at 100 %, the result: the project is done and so is its need."""
    if not (project.owner_id == actor.pk or may_run_lists(actor, project.area_code)):
        raise NotAllowed("由项目负责人更新进度")
    if not 0 <= progress <= 100:
        raise InputError("progress", "进度应在0到100之间")
    if progress == 100 and not result.strip():
        raise InputError("result", "完成时请写明成效")
    state = (
        ProjectState.DONE if progress == 100 else ProjectState.RUNNING if progress else ProjectState.PLANNED
    )
    Project.objects.filter(pk=project.pk).update(progress=progress, result=result.strip(), state=state)
    if state == ProjectState.DONE and project.need_id:
        Need.objects.filter(pk=project.need_id).update(state=ItemState.DONE)
    project.refresh_from_db()
    return project
