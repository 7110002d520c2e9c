"""Writes of directives (sending, acknowledging, reporting back, reminding) and of the emergency switch."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role
from wangge.areas.scoping import prefix_q
from wangge.directives.admission import AdmissionFlagged, Flag, check_admission, community_codes_of
from wangge.directives.models import (
    Attachment,
    Directive,
    Emergency,
    Post,
    Receipt,
    ReportPhoto,
    RosterEntry,
)
from wangge.directives.selectors import may_follow_up, may_send_to, may_switch
from wangge.lib.errors import InputError, NotAllowed
from wangge.notify.actions import do_notify_users
from wangge.tickets.actions import clean_photos

MAX_FIGURES = 6
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_DEADLINE_DAYS = 90
REMIND_GAP = dt.timedelta(minutes=10)  # a second click within this is refused, not sent twice


@dataclass
class NewDirective:
    title: str
    body: str
    area_codes: Sequence[str]
    roles: Sequence[str]
    deadline: dt.datetime | None
    figures: Sequence[str] = ()
    attachments: Sequence[UploadedFile] = field(default_factory=list)


@dataclass
class Checked:
    """A directive as it would be sent: its areas, its receivers (user, area, unit, role) and flags."""

    new: NewDirective
    areas: list[Area]
    receivers: list[tuple[int, int, int | None, str]]
    flags: list[Flag]

    def by_role(self) -> list[tuple[str, int]]:
        labels = dict(Role.choices)
        counts: dict[str, int] = {}
        for _user, _area, _unit, role in self.receivers:
            counts[role] = counts.get(role, 0) + 1
        return [(str(labels[r]), n) for r, n in sorted(counts.items())]


def when_text(at: dt.datetime) -> str:
    """A deadline as the messages write it."""
    return f"{timezone.localtime(at):%m-%d %H:%M}"


def receivers_of(codes: Sequence[str], roles: Sequence[str]) -> list[tuple[int, int, int | None, str]]:
    """Every active post of those roles in those subtrees: (user, area, unit, role), once each.
    Units' staff are reached through the area their unit serves."""
    found = (
        Membership.objects.filter(active=True, user__is_active=True, role__in=list(roles))
        .filter(prefix_q("area__code", codes) | prefix_q("unit__area__code", codes))
        .values_list("user_id", "area_id", "unit_id", "unit__area_id", "role")
    )
    posts = {(user, area or unit_area, unit, role) for user, area, unit, unit_area, role in found}
    return sorted(posts, key=lambda p: (p[1], p[0], p[3]))


def _clean(new: NewDirective, actor: User) -> tuple[list[Area], list[str]]:
    new.title = new.title.strip()[:100]
    new.body = new.body.strip()
    if not new.title:
        raise InputError("title", "请填写标题")
    if not new.body or len(new.body) > 5000:
        raise InputError("body", "请填写指令内容（不超过5000字）")
    codes = sorted({c.strip() for c in new.area_codes if c.strip()})
    if not codes:
        raise InputError("areas", "请选择下达范围")
    areas = list(Area.objects.filter(code__in=codes))
    missing = set(codes) - {a.code for a in areas}
    if missing:
        raise InputError("areas", f"没有编码为 {sorted(missing)[0]} 的区域")
    for area in areas:
        if not may_send_to(actor, area):
            raise InputError("areas", f"{area.name}不在您的管辖范围内")
    roles = sorted(set(new.roles))
    if not roles:
        raise InputError("roles", "请选择接收角色")
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise InputError("roles", f"没有角色 {sorted(unknown)[0]}")
    now = timezone.now()
    if new.deadline is None or new.deadline <= now:
        raise InputError("deadline", "反馈时限应晚于现在")
    if new.deadline > now + dt.timedelta(days=MAX_DEADLINE_DAYS):
        raise InputError("deadline", f"反馈时限不能超过{MAX_DEADLINE_DAYS}天")
    figures = [f.strip()[:20] for f in new.figures if f.strip()]
    if len(figures) > MAX_FIGURES or len(set(figures)) != len(figures):
        raise InputError("figures", f"反馈数字项最多{MAX_FIGURES}项，且不能重复")
    new.figures = figures
    if len(new.attachments) > MAX_ATTACHMENTS:
        raise InputError("attachments", f"最多{MAX_ATTACHMENTS}个附件")
    for upload in new.attachments:
        if upload.size and upload.size > MAX_ATTACHMENT_BYTES:
            raise InputError("attachments", f"附件「{upload.name}」超过10MB")
    return areas, codes


def check_directive(new: NewDirective, *, actor: User) -> Checked:
    """Validate a directive and find its receivers and admission flags, without sending it (预览)."""
    areas, codes = _clean(new, actor)
    receivers = receivers_of(codes, new.roles)
    if not receivers:
        raise InputError("roles", "所选范围内没有这些角色的在岗人员")
    communities = community_codes_of(
        Area.objects.filter(pk__in={r[1] for r in receivers}).values_list("code", flat=True)
    )
    flags = check_admission(community_codes=communities, text=f"{new.title}\n{new.body}")
    return Checked(new=new, areas=areas, receivers=receivers, flags=flags)


@transaction.atomic
def do_send_directive(new: NewDirective, *, actor: User, confirm_admission: bool = False) -> Directive:
    """一键下达: one receipt per receiving post, a message to each. A task outside a receiving community's
    lists is refused until the sender confirms it; the flags are kept on the directive."""
    checked = check_directive(new, actor=actor)
    if checked.flags and not confirm_admission:
        raise AdmissionFlagged(checked.flags)
    assert new.deadline is not None  # checked above
    directive = Directive.objects.create(
        title=new.title,
        body=new.body,
        sender=actor,
        sender_name=actor.shown_name,
        roles=sorted(set(new.roles)),
        figures=list(new.figures),
        deadline=new.deadline,
        admission_flags=[f.as_json() for f in checked.flags],
    )
    directive.areas.set(checked.areas)
    for upload in new.attachments:
        Attachment.objects.create(directive=directive, file=upload, name=(upload.name or "附件")[:200])
    Receipt.objects.bulk_create(
        Receipt(directive=directive, user_id=user, area_id=area, unit_id=unit, role=role)
        for user, area, unit, role in checked.receivers
    )
    do_notify_users(
        User.objects.filter(pk__in={r[0] for r in checked.receivers}),
        f"工作指令「{directive.title}」，请签收并于{when_text(directive.deadline)}前反馈",
        url=reverse("web:field_directives"),
    )
    return directive


@transaction.atomic
def do_acknowledge(receipt: Receipt, *, actor: User) -> Receipt:
    """签收 (once; a second tap changes nothing)."""
    if receipt.user_id != actor.pk:
        raise NotAllowed("只能签收自己的指令")
    Receipt.objects.filter(pk=receipt.pk, acknowledged_at=None).update(acknowledged_at=timezone.now())
    receipt.refresh_from_db()
    return receipt


@transaction.atomic
def do_report_back(
    receipt: Receipt,
    *,
    actor: User,
    report: str,
    figures: dict[str, int | None] | None = None,
    photos: Sequence[UploadedFile] = (),
) -> Receipt:
    """反馈: text, the figures the directive asks for, photos. A later report corrects the earlier one."""
    if receipt.user_id != actor.pk:
        raise NotAllowed("只能反馈自己的指令")
    report = report.strip()
    if not report or len(report) > 5000:
        raise InputError("report", "请填写反馈内容（不超过5000字）")
    given = figures or {}
    clean: dict[str, int] = {}
    for name in receipt.directive.figures:
        value = given.get(name)
        if value is None:
            raise InputError(f"figures.{name}", f"请填写「{name}」")
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10_000_000:
            raise InputError(f"figures.{name}", f"「{name}」应为不小于0的整数")
        clean[name] = value
    extra = set(given) - set(receipt.directive.figures)
    if extra:
        raise InputError("figures", f"该指令没有数字项「{sorted(extra)[0]}」")
    cleaned = clean_photos(photos)
    now = timezone.now()
    Receipt.objects.filter(pk=receipt.pk).update(
        acknowledged_at=receipt.acknowledged_at or now, reported_at=now, report=report, figures=clean
    )
    for photo in cleaned:
        ReportPhoto.objects.create(receipt=receipt, image=photo)
    receipt.refresh_from_db()
    return receipt


@transaction.atomic
def do_add_report_photos(receipt: Receipt, *, actor: User, photos: Sequence[UploadedFile]) -> Receipt:
    """Photos of a report sent after it (the API takes the report as JSON, then its photos)."""
    if receipt.user_id != actor.pk:
        raise NotAllowed("只能给自己的反馈上传照片")
    for photo in clean_photos(photos, already=receipt.photos.count(), required=True):
        ReportPhoto.objects.create(receipt=receipt, image=photo)
    return receipt


@transaction.atomic
def do_remind_receivers(directive: Directive, *, actor: User) -> int:
    """一键提醒 everyone who has not reported back. Returns how many were reminded."""
    if not may_follow_up(actor, directive):
        raise NotAllowed("只有发令人和上级可以提醒")
    now = timezone.now()
    recent = Q(reminded_at__isnull=False) & Q(reminded_at__gt=now - REMIND_GAP)
    if (
        not Directive.objects.filter(pk=directive.pk)
        .exclude(recent)
        .update(reminded_at=now, remind_count=F("remind_count") + 1)
    ):
        directive.refresh_from_db()
        raise NotAllowed(f"已于{when_text(directive.reminded_at or now)}提醒过，请稍后再试")
    pending = Receipt.objects.filter(directive=directive, reported_at=None)
    users = User.objects.filter(pk__in=pending.values("user_id"))
    count = pending.update(reminded=F("reminded") + 1)
    if not count:
        raise NotAllowed("全部接收人都已反馈")
    late = "已超时，" if now > directive.deadline else ""
    do_notify_users(
        users,
        f"提醒：工作指令「{directive.title}」{late}请于{when_text(directive.deadline)}前反馈",
        url=reverse("web:field_directives"),
    )
    directive.refresh_from_db()
    return count


# --- emergency roster (1+4+N) ----------------------------------------------------------------------

# Which memberships fill which post of the roster, besides the leader and cadres the switcher names.
ROSTER_ROLES: dict[str, tuple[str, ...]] = {
    Post.COMMUNITY_WORKER: (Role.COMMUNITY_STAFF,),
    Post.GRID_HEAD: (Role.GRID_HEAD,),
    Post.BUILDING_HEAD: (Role.BUILDING_HEAD, Role.UNIT_HEAD),
    Post.VOLUNTEER: (Role.PARTY_MEMBER, Role.VOLUNTEER),
}


def roster_people(leader: str, cadres: Sequence[str]) -> tuple[User, list[User]]:
    """The leader and 下沉干部 named by username, or InputError naming the field."""
    leader, cadres = leader.strip(), [c.strip() for c in cadres if c.strip()]
    if not leader:
        raise InputError("leader", "请填写包抓领导的用户名")
    people = {u.username: u for u in User.objects.filter(username__in=[leader, *cadres], is_active=True)}
    if leader not in people:
        raise InputError("leader", f"包抓领导：没有用户 {leader}")
    missing = [c for c in cadres if c not in people]
    if missing:
        raise InputError("cadres", f"下沉干部：没有用户 {missing[0]}")
    return people[leader], [people[c] for c in cadres]


def _roster_memberships(area: Area) -> list[Membership]:
    """Posts in the area, and the community or grid posts just above it (a grid's own community staff)."""
    above = [c for c in area.ancestor_codes if len(c) >= 12]
    return list(
        Membership.objects.filter(active=True, user__is_active=True, area__isnull=False)
        .filter(Q(area__code__startswith=area.code) | Q(area__code__in=above))
        .select_related("user", "area")
        .order_by("area__code", "id")
    )


@transaction.atomic
def do_start_emergency(
    area: Area, *, reason: str, leader: User, cadres: Sequence[User] = (), actor: User
) -> Emergency:
    """转入应急状态: the area's staffing switches to the 1+4+N roster — the named leader as temporary
    branch secretary, the named 下沉干部, and the area's community workers, grid heads, building heads and
    its party members and volunteers."""
    if not may_switch(actor, area):
        raise NotAllowed("只有街道、区指挥中心或包联领导可以启动应急状态")
    if area.level in (Level.BUILDING, Level.UNIT):
        raise InputError("area", "应急状态以网格及以上区域为单位")
    reason = reason.strip()[:200]
    if not reason:
        raise InputError("reason", "请填写事由")
    covering = [*area.ancestor_codes, area.code]
    open_now = Emergency.objects.filter(area__code__in=covering, ended_at=None).select_related("area").first()
    if open_now is not None:
        raise NotAllowed(
            f"{open_now.area.name}已于{timezone.localtime(open_now.started_at):%m-%d %H:%M}进入应急状态"
        )
    try:
        with transaction.atomic():
            emergency = Emergency.objects.create(area=area, reason=reason, started_by=actor)
    except IntegrityError:
        raise NotAllowed(f"{area.name}已处于应急状态") from None
    entries: list[tuple[str, User, Area]] = [(Post.LEADER, leader, area)]
    entries += [(Post.CADRE, c, area) for c in cadres if c.pk != leader.pk]
    for m in _roster_memberships(area):
        for post, roles in ROSTER_ROLES.items():
            if m.role in roles and m.area is not None:
                entries.append((post, m.user, m.area))
    seen: set[tuple[str, int, int]] = set()
    rows = []
    for post, user, place in entries:
        if (post, user.pk, place.pk) not in seen:
            seen.add((post, user.pk, place.pk))
            rows.append(
                RosterEntry(
                    emergency=emergency,
                    post=post,
                    user=user,
                    name=user.shown_name,
                    phone=user.work_phone,
                    area=place,
                )
            )
    RosterEntry.objects.bulk_create(rows)
    do_notify_users(
        [r.user for r in rows],
        f"{area.name}进入应急状态（{reason}），您已编入应急编组，请保持联系畅通",
        url=reverse("web:emergency", args=[area.code]),
    )
    return emergency


@transaction.atomic
def do_end_emergency(area: Area, *, actor: User) -> Emergency:
    """恢复常态 of an area switched itself (not one covered by an area above it): it goes back to its
    everyday staffing; the roster stays on record."""
    if not may_switch(actor, area):
        raise NotAllowed("只有街道、区指挥中心或包联领导可以解除应急状态")
    emergency = Emergency.objects.filter(area=area, ended_at=None).first()
    if emergency is None:
        raise NotAllowed("该区域不在应急状态")
    if not Emergency.objects.filter(pk=emergency.pk, ended_at=None).update(
        ended_at=timezone.now(), ended_by=actor
    ):
        raise NotAllowed("应急状态已解除")
    emergency.refresh_from_db()
    do_notify_users(
        User.objects.filter(pk__in=emergency.roster.values("user_id")),
        f"{emergency.area.name}已解除应急状态，恢复常态网格管理",
        url=reverse("web:emergency", args=[emergency.area.code]),
    )
    return emergency
