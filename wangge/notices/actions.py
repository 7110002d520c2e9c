"""Writes of 公示 and 测评: publish a notice with its list (names masked on the board, no ID or phone
number accepted in it), withdraw it, object to it during its period (a ticket of channel 公示异议 put on
the publishing office's queue); create a survey with its questions, draw its sample, and answer it once
per person, on the H5 or entered by staff from a phone call."""

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Role, Unit, subtree_q
from wangge.areas.scoping import holds_over
from wangge.deliberation.selectors import home_of
from wangge.lib.errors import InputError, NotAllowed, clean_text
from wangge.lib.masking import has_personal_number
from wangge.notices.models import (
    Answer,
    Invite,
    Notice,
    NoticeEntry,
    NoticeKind,
    Objection,
    Question,
    Survey,
)
from wangge.notify.actions import do_notify_users
from wangge.people.models import Resident, born_by
from wangge.tickets.actions import NewTicket, do_accept, do_assign, do_submit_ticket
from wangge.tickets.models import Channel, Kind, Status

# Who publishes notices and runs surveys of an area: the community's, street's and district's staff.
PUBLISHING_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})
MAX_ENTRIES = 2000
MAX_QUESTIONS = 20
MAX_SAMPLE = 5000
SURVEY_AGE = 18


def may_publish(user: User, code: str) -> bool:
    return holds_over(user, code, PUBLISHING_ROLES)


def _no_personal_number(value: str, field: str, where: str) -> None:
    if has_personal_number(value):
        raise InputError(field, f"{where}含有身份证号或手机号，公示内容不能包含")


@dataclass(frozen=True)
class Line:
    name: str
    detail: str = ""


def parse_lines(text: str) -> list[Line]:
    """A pasted list, one entry a line: the name, then what it is about after a space or a tab
    (张三 3人 每月1280元)."""
    lines = []
    for raw in text.splitlines():
        raw = raw.strip()
        if raw:
            name, _, detail = raw.replace("\t", " ").partition(" ")
            lines.append(Line(name.strip(), detail.strip()))
    return lines


@transaction.atomic
def do_publish(
    *,
    area: Area,
    kind: str,
    title: str,
    body: str,
    unit: Unit,
    starts_on: dt.date,
    ends_on: dt.date,
    lines: Sequence[Line] = (),
    people: bool = True,
    actor: User,
) -> Notice:
    """公示 on the board of an area (a community or street, or a grid), from `starts_on` to `ends_on`;
    objections go to `unit`, which must serve the area. A list of people (`people`; a 救助名单 always is)
    shows its names masked."""
    if not may_publish(actor, area.code):
        raise NotAllowed("只有本区域的社区、街道工作人员可以发布公示")
    if kind not in NoticeKind.values:
        raise InputError("kind", "请选择公示类别")
    title = clean_text(title, "title", "标题", 80)
    body = clean_text(body, "body", "说明", 3000, required=False)
    _no_personal_number(title, "title", "标题")
    _no_personal_number(body, "body", "说明")
    if not unit.active or not area.code.startswith(unit.area.code):
        raise InputError("unit", f"{unit.name}不服务{area.name}")
    if ends_on < starts_on:
        raise InputError("ends_on", "公示截止日期不能早于开始日期")
    if ends_on < timezone.localdate():
        raise InputError("ends_on", "公示截止日期已过")
    if len(lines) > MAX_ENTRIES:
        raise InputError("lines", f"公示名单最多{MAX_ENTRIES}行")
    entries = []
    for i, line in enumerate(lines, start=1):
        name, detail = line.name.strip(), line.detail.strip()
        if not name:
            raise InputError("lines", f"第{i}行缺少姓名或名称")
        if len(name) > 50 or len(detail) > 200:
            raise InputError("lines", f"第{i}行过长（姓名最多50字，内容最多200字）")
        _no_personal_number(f"{name} {detail}", "lines", f"第{i}行")
        entries.append(NoticeEntry(position=i, name=name, detail=detail))
    notice = Notice.objects.create(
        area=area,
        area_code=area.code,
        kind=kind,
        title=title,
        body=body,
        unit=unit,
        published_by=actor,
        starts_on=starts_on,
        ends_on=ends_on,
        people=people or kind == NoticeKind.BENEFIT,
    )
    for entry in entries:
        entry.notice = notice
    NoticeEntry.objects.bulk_create(entries)
    return notice


@transaction.atomic
def do_withdraw_notice(notice: Notice, *, actor: User) -> Notice:
    if not may_publish(actor, notice.area_code):
        raise NotAllowed("只有本区域的社区、街道工作人员可以撤回公示")
    won = Notice.objects.filter(pk=notice.pk, withdrawn_at=None).update(withdrawn_at=timezone.now())
    notice.refresh_from_db()
    if not won:
        raise NotAllowed("该公示已撤回")
    return notice


@transaction.atomic
def do_object(notice: Notice, *, text: str, actor: User, entry: NoticeEntry | None = None) -> Objection:
    """异议: a resident of the area objects during the publication period. It becomes a ticket of channel
    公示异议 on the resident's grid, accepted and assigned at once to the publishing office; the notice
    counts it, and its outcome is that ticket's."""
    text = clean_text(text, "text", "异议内容", 1000)
    home = home_of(actor)
    if home is None or not home.household.area.code.startswith(notice.area_code):
        raise NotAllowed("只有公示范围内的居民可以提出异议")
    if not notice.in_period():
        raise NotAllowed("不在公示期内，不能提出异议")
    if entry is not None and entry.notice_id != notice.pk:
        raise InputError("entry", "该行不在这条公示里")
    if Objection.objects.filter(notice=notice, user=actor).exists():
        raise NotAllowed("您已对这条公示提出过异议，办理结果会在「我的诉求」里告诉您")
    about = f"（第{entry.position}行 {notice.shown_name(entry.name)}）" if entry is not None else ""
    ticket = do_submit_ticket(
        NewTicket(
            title=f"公示异议：{notice.title}"[:100],
            description=f"对公示「{notice.title}」{about}的异议：\n{text}",
            channel=Channel.OBJECTION,
            area=home.household.area,
            contact_name=home.name,
            contact_phone=home.phone,
            resident_id=home.pk,
        ),
        actor=actor,
    )
    if ticket.status == Status.NEW:
        do_accept(ticket.pk, actor=None, kind=Kind.SMALL, note="公示异议，由发布单位核实")
    ticket = do_assign(ticket.pk, actor=None, units=[notice.unit], note=f"公示异议转{notice.unit.name}核实")
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                notice=notice, entry=entry, user=actor, text=text, ticket=ticket
            )
    except IntegrityError:  # the same person's second objection at the same moment
        raise NotAllowed("您已对这条公示提出过异议") from None
    Notice.objects.filter(pk=notice.pk).update(objections=F("objections") + 1)
    return objection


# --- surveys -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    text: str
    scored: bool = True
    unit: Unit | None = None


@transaction.atomic
def do_create_survey(
    *,
    area: Area,
    title: str,
    intro: str,
    starts_on: dt.date,
    ends_on: dt.date,
    questions: Sequence[Ask],
    actor: User,
) -> Survey:
    """双向测评 of an area over a period: scored questions (1–5) about the area or one unit's work, and
    free-text ones."""
    if not may_publish(actor, area.code):
        raise NotAllowed("只有本区域的社区、街道工作人员可以发起测评")
    title = clean_text(title, "title", "名称", 60)
    intro = clean_text(intro, "intro", "说明", 1000, required=False)
    if ends_on < starts_on:
        raise InputError("ends_on", "截止日期不能早于开始日期")
    if not questions:
        raise InputError("questions", "请至少填写一个问题")
    if len(questions) > MAX_QUESTIONS:
        raise InputError("questions", f"问题最多{MAX_QUESTIONS}个")
    for i, ask in enumerate(questions, start=1):
        if not ask.text.strip() or len(ask.text.strip()) > 120:
            raise InputError("questions", f"第{i}题应为1到120个字")
        if (
            ask.unit is not None
            and not area.code.startswith(ask.unit.area.code)
            and not (ask.unit.area.code.startswith(area.code))
        ):
            raise InputError("questions", f"第{i}题的{ask.unit.name}不在{area.name}")
    survey = Survey.objects.create(
        area=area,
        area_code=area.code,
        title=title,
        intro=intro,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    Question.objects.bulk_create(
        Question(survey=survey, position=i, text=a.text.strip(), scored=a.scored, unit=a.unit)
        for i, a in enumerate(questions, start=1)
    )
    return survey


@transaction.atomic
def do_sample(survey: Survey, *, size: int, actor: User, seed: int | None = None) -> int:
    """抽样: draw `size` more adult residents of the area into the sample (those drawn before stay);
    those with an account are told on the H5, the others are called by staff. Returns how many."""
    if not may_publish(actor, survey.area_code):
        raise NotAllowed("只有本区域的社区、街道工作人员可以抽样")
    if not 1 <= size <= MAX_SAMPLE:
        raise InputError("size", f"抽样人数应在1到{MAX_SAMPLE}之间")
    # Two samplings at once draw one after the other.
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.ends_on < timezone.localdate():
        raise NotAllowed("测评已截止")
    today = timezone.localdate()
    adults = Resident.objects.filter(
        subtree_q(survey.area_code, "household__area__code"),
        birth_date__lte=born_by(SURVEY_AGE, today),
    ).exclude(pk__in=Invite.objects.filter(survey=survey).values("resident_id"))
    pool = list(adults.values_list("pk", "household__area__code", "user_id"))
    drawn = random.Random(seed).sample(pool, min(size, len(pool)))
    Invite.objects.bulk_create(
        [Invite(survey=survey, resident_id=pk, area_code=code) for pk, code, _ in drawn],
        ignore_conflicts=True,
    )
    added = len(drawn)
    Survey.objects.filter(pk=survey.pk).update(invited=Invite.objects.filter(survey=survey).count())
    users = list(User.objects.filter(pk__in=[u for _, _, u in drawn if u]))
    do_notify_users(
        users, f"邀请您参加{survey.title}，几分钟就能答完", url=reverse("web:h5_survey", args=[survey.pk])
    )
    survey.refresh_from_db()
    return added


@transaction.atomic
def do_answer(
    survey: Survey,
    *,
    answers: Mapping[int, tuple[int | None, str]],
    actor: User,
    resident: Resident | None = None,
) -> Invite:
    """答卷: the invited resident's own on the H5 (`resident` None), or one staff enter from a phone call
    (电话测评). Every scored question needs a score 1–5; once per person (the first of two at once wins)."""
    on_phone = resident is not None
    if on_phone and not may_publish(actor, survey.area_code):
        # not the grid staff: their own work is what the residents rate
        raise NotAllowed("电话测评由社区、街道工作人员录入")
    if not on_phone:
        resident = home_of(actor)
    invite = Invite.objects.filter(survey=survey, resident=resident).select_related("resident").first()
    if invite is None:
        raise NotAllowed("不在本次测评的抽样名单中")
    if on_phone and invite.resident.user_id is not None:
        raise NotAllowed("这位居民有手机账号，请由本人在手机上作答")
    if not survey.in_period():
        raise NotAllowed("不在测评时间内")
    rows = []
    for q in survey.questions.order_by("position"):
        score, text = answers.get(q.pk, (None, ""))
        text = (text or "").strip()
        if q.scored and score not in range(1, 6):
            raise InputError(f"q{q.pk}", f"请为第{q.position}题打分（1到5）")
        if len(text) > 300:
            raise InputError(f"q{q.pk}", f"第{q.position}题的意见最多300个字")
        if has_personal_number(text):
            raise InputError(f"q{q.pk}", f"第{q.position}题的意见里不要写身份证号或手机号")
        rows.append(Answer(invite=invite, question=q, score=score if q.scored else None, text=text))
    won = Invite.objects.filter(pk=invite.pk, answered_at=None).update(
        answered_at=timezone.now(),
        channel="phone" if on_phone else "h5",
        entered_by=actor if on_phone else None,
    )
    if not won:
        raise NotAllowed("已经答过了")
    Answer.objects.bulk_create(rows)
    Survey.objects.filter(pk=survey.pk).update(answered=F("answered") + 1)
    invite.refresh_from_db()
    return invite
