"""诉求 / 工单: tickets, their timeline, assignments, summons (吹哨报到), SLA rules and unit assessment.

The states and actions are in `workflow.py`; every write goes through `actions.py`. Facts the KPIs need
(claimed_at, resolved_at, on_time, ever_escalated …) are kept on the ticket row itself, so that the
statistics of a whole district are one aggregate query over one table (see `stats/`).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Unit
from wangge.lib import crypto
from wangge.lib.masking import mask_phone
from wangge.people.models import Resident


class Status(models.TextChoices):
    NEW = "new", "待受理"
    ACCEPTED = "accepted", "待派单"
    ASSIGNED = "assigned", "待接单"
    IN_PROGRESS = "in_progress", "办理中"
    RESOLVED = "resolved", "待回访"
    CLOSED = "closed", "已办结"
    RETURNED = "returned", "已退单"
    MERGED = "merged", "已合并"
    WITHDRAWN = "withdrawn", "已撤回"
    REJECTED = "rejected", "不予受理"


class Channel(models.TextChoices):
    H5 = "h5", "指尖办(H5)"
    HOTLINE = "12345", "12345热线"
    PROVINCIAL = "provincial", "省级政务平台"
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信群"
    GRID = "grid", "网格发现"
    VISIT = "visit", "走访"
    WISH = "wish", "心愿墙"
    SENSOR = "sensor", "感知设备"
    STAFF = "staff", "窗口代录"
    API = "api", "接口"
    PROACTIVE = "proactive", "未诉先办"  # a planned action from a hotspot (routing.proactive)
    DELIBERATION = "deliberation", "居民议事"  # a decision of a meeting, carried out as a ticket
    OBJECTION = "objection", "公示异议"  # an objection to a public notice


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"
    CRITICAL = "critical", "特急"


class Kind(models.TextChoices):
    """三事分流: private matters are mediated, small ones stay in the grid, major ones need units."""

    PRIVATE = "private", "私事"
    SMALL = "small", "小事"
    MAJOR = "major", "大事"


class Level(models.TextChoices):
    """The escalation ladder: 小事不出网格、大事不出社区、难事不出街道."""

    GRID = "grid", "网格"
    COMMUNITY = "community", "社区"
    STREET = "street", "街道"
    DISTRICT = "district", "区"


LADDER = [Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT]


class Verdict(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Category(models.Model):
    """诉求分类: a three-level tree (一级/二级/三级). Tickets carry a leaf."""

    code = models.CharField("编码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField("完整名称", max_length=160)
    default_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="默认承办单位"
    )

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.path


class SlaRule(models.Model):
    """时限: claim and resolve limits for a category (or every category) and urgency, in minutes.

    Limits count working minutes of the working calendar, except 特急, which counts the clock.
    """

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, null=True, blank=True, verbose_name="分类（空=全部）"
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices)
    claim_minutes = models.PositiveIntegerField("接单时限（分钟）")
    resolve_minutes_small = models.PositiveIntegerField("办结时限·小事（分钟）")
    resolve_minutes_major = models.PositiveIntegerField("办结时限·大事（分钟）")

    class Meta:
        verbose_name = "时限规则"
        verbose_name_plural = "时限规则"
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="sla_unique_category_urgency"),
            models.UniqueConstraint(
                fields=["urgency"], condition=Q(category=None), name="sla_unique_default_urgency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '全部'} · {self.get_urgency_display()}"


class CalendarDay(models.Model):
    """A public holiday, or a weekend day made a working day (调休补班)."""

    date = models.DateField("日期", unique=True)
    workday = models.BooleanField("上班", default=False)
    name = models.CharField("说明", max_length=30, blank=True)

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'补班' if self.workday else '放假'} {self.name}"


class Ticket(models.Model):
    """诉求 / 工单: one resident request or problem, from any channel."""

    title = models.CharField("标题", max_length=100)
    description = models.TextField("诉求内容", max_length=4000)
    channel = models.CharField("渠道", max_length=12, choices=Channel.choices)
    external_id = models.CharField("来源编号", max_length=60, blank=True)
    # Whose numbering external_id follows (tickets.channels.source_of): an outside platform's channel, or
    # "user:<id>" for anyone else's own ids. Empty when there is no external_id.
    source = models.CharField("编号来源", max_length=40, blank=True, default="")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="tickets", verbose_name="网格")
    # A copy of area.code: subtree = prefix. Indexed alone too: on PostgreSQL that index brings the
    # pattern index that the scopes' prefix LIKE (areas.scoping.prefix_q) needs.
    area_code = models.CharField(max_length=40, db_index=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name="分类"
    )
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    kind = models.CharField("事项类型", max_length=10, choices=Kind.choices, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NEW)
    level = models.CharField("所在层级", max_length=10, choices=Level.choices, default=Level.GRID)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone_encrypted = models.TextField(blank=True)
    resident = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets", db_index=False
    )
    submitted_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submitted_tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        db_index=False,
    )
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="led_tickets", db_index=False
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_tickets",
        db_index=False,
    )
    submitted_at = models.DateTimeField("提交时间", default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    claim_deadline = models.DateTimeField("接单时限", null=True, blank=True)
    resolve_deadline = models.DateTimeField("办结时限", null=True, blank=True)
    # What the worker does next and when: escalate (claim or resolve overdue) and remind.
    next_escalation_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remind_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # KPI facts, set by the actions (PRODUCT.md section 5).
    response_seconds = models.PositiveIntegerField(null=True, blank=True)  # submit -> first claim
    handling_seconds = models.PositiveIntegerField(null=True, blank=True)  # submit -> resolved
    on_time = models.BooleanField(null=True, blank=True)  # closed no later than resolve deadline
    ever_escalated = models.BooleanField(default=False)  # above grid level at some point
    ever_returned = models.BooleanField(default=False)
    reviewed = models.BooleanField(default=False)
    callback_reached = models.BooleanField(null=True, blank=True)
    verdict = models.CharField("回访评价", max_length=20, choices=Verdict.choices, blank=True)
    rating = models.PositiveSmallIntegerField("居民评分", null=True, blank=True)
    dissatisfied_count = models.PositiveSmallIntegerField(default=0)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)  # bumped by every action: optimistic locking
    # 智能分拨 at intake: {"category"|"unit": {"model": id, "top": [[code, confidence], ...]}}
    routing = models.JSONField("智能分拨建议", default=dict, blank=True)

    class Meta:
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # Also the index of "seen before?": a lookup that excludes external_id="" uses it.
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="ticket_unique_source_external_id",
            ),
        ]
        # Columns that are empty when a ticket comes in have partial indexes (WHERE … IS NOT NULL): intake
        # writes no entry into them, and a lookup by value (`assignee = 5`, `response_seconds >= 600`)
        # still uses them on SQLite and PostgreSQL. Inserting and committing a new ticket's row on SQLite
        # took 0.24 ms with these six indexes whole and 0.09 ms with them partial. A partial index also
        # keeps SQLite's planner on it where most rows are empty: a whole index of a column that is all
        # NULL reads as one value for every row, and `submitted_by = 3` then scanned the table.
        indexes = [
            models.Index(fields=["area_code", "submitted_at"]),
            # The workbench's queues and tab counts: a queue's statuses under an area, with what its tests
            # read (the level a dispatcher works at, the deadlines of 超时) and its order, from the index
            # alone; a table row is wide (the description, the routing), and reading 48,000 of them took
            # 0.2 s.
            models.Index(
                fields=["status", "area_code", "level", "claim_deadline", "resolve_deadline", "submitted_at"],
                include=["id"],  # PostgreSQL's indexes hold no row id of their own (SQLite's do)
                name="ticket_queue",
            ),
            models.Index(fields=["submitted_at"]),
            # The exact medians read one histogram bucket of these in order (stats.kpis).
            *(
                models.Index(
                    fields=[column, "submitted_at", "area_code"],
                    condition=Q(**{f"{column}__isnull": False}),
                    name=f"ticket_{column}",
                )
                for column in ("response_seconds", "handling_seconds")
            ),
            *(
                models.Index(fields=[fk], condition=Q(**{f"{fk}__isnull": False}), name=f"ticket_{fk}")
                for fk in ("resident", "submitted_by", "assignee", "lead_unit", "merged_into")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """工单编号 shown to people: date of submission and id."""
        local = timezone.localtime(self.submitted_at) if self.submitted_at else timezone.localtime()
        return f"WG{local:%Y%m%d}-{self.pk or 0:06d}"

    @property
    def contact_phone(self) -> str:
        return crypto.decrypt(self.contact_phone_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @contact_phone.setter
    def contact_phone(self, value: str) -> None:
        self.contact_phone_encrypted = crypto.encrypt(value, key=settings.FIELD_ENCRYPTION_KEY)

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def current_deadline(self) -> dt.datetime | None:
        """The deadline the ticket waits on now: claim until someone claims it, then resolve."""
        if self.status in (Status.NEW, Status.ACCEPTED, Status.ASSIGNED, Status.RETURNED):
            return self.claim_deadline
        if self.status == Status.IN_PROGRESS:
            return self.resolve_deadline
        return None

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        """The same rule as `queries.overdue_q`, for one loaded ticket."""
        deadline = self.current_deadline
        return deadline is not None and deadline < (now or timezone.now())


class TicketEvent(models.Model):
    """One line of a ticket's timeline: who did what, when, from which state to which."""

    # Indexed as the first column of (ticket, at): each index is one more write per event.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    action = models.CharField("动作", max_length=20)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=60)  # kept as written, also for "系统"
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        from wangge.tickets.workflow import ACTIONS  # the table imports this module

        return {"submit": "提交诉求", "merged_in": "合并", "remind": "催办"}.get(self.action) or ACTIONS.get(
            self.action, self.action
        )

    @property
    def to_label(self) -> str:
        return Status(self.to_status).label if self.to_status in Status.values else ""


def photo_path(photo: "TicketPhoto", filename: str) -> str:
    return f"tickets/{timezone.now():%Y/%m}/{photo.ticket_id}-{filename}"


class PhotoStage(models.TextChoices):
    SUBMIT = "submit", "诉求照片"
    RESULT = "result", "办结照片"


class TicketPhoto(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(max_length=10, choices=PhotoStage.choices)
    image = models.FileField(upload_to=photo_path)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.image.name


class Assignment(models.Model):
    """派单: a ticket handed to a person or a unit; with several units, one leads (牵头单位)."""

    # Indexed as the first column of (ticket, unit, active): whether a unit holds a ticket (now) is one
    # probe of that index, without reading the assignment.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="assignments", db_index=False)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="assignments", db_index=False
    )
    lead = models.BooleanField("牵头", default=False)
    # A copy of the ticket's area_code (a ticket keeps its place): the statistics' unit table counts a
    # place's assignments of a period from one index, without reading the tickets.
    area_code = models.CharField(max_length=40, default="")
    assigned_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField("退单理由", blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-lead", "id"]
        indexes = [
            # A unit's tickets (held now, or ever) from the index alone: PostgreSQL reads them into a
            # hash to test a queue's rows against, and read 14,000 table pages for a unit's 33,000.
            models.Index(fields=["unit", "active", "ticket"], name="assignment_unit_held"),
            models.Index(fields=["ticket", "unit", "active"], name="assignment_ticket_unit"),
            models.Index(
                fields=["assigned_at", "area_code", "unit", "ticket", "returned_at"],
                name="assignment_unit_table",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(unit__isnull=False), name="assignment_user_or_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} → {self.unit or self.user}"


class Summons(models.Model):
    """吹哨报到: the named units must report (报到) on the ticket by the deadline."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="summonses")
    issued_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField("报到时限")
    note = models.TextField("事由", blank=True)
    # A copy of the ticket's area_code (a ticket keeps its place), as on Assignment: a place's summonses
    # of a period from one index, without a lookup of each ticket (25 ms of the big screen's refresh on
    # PostgreSQL at a million tickets, 8 ms without).
    area_code = models.CharField(max_length=40, default="")

    class Meta:
        verbose_name = "吹哨"
        verbose_name_plural = "吹哨"
        ordering = ["issued_at", "id"]
        indexes = [models.Index(fields=["issued_at", "area_code"], name="summons_period_place")]

    def __str__(self) -> str:
        return f"{self.ticket_id} 吹哨 {self.issued_at:%Y-%m-%d %H:%M}"


class SummonsState(models.TextChoices):
    REPORTED = "reported", "按时报到"
    LATE = "late", "迟到"
    MISSING = "missing", "未报到"
    WAITING = "waiting", "待报到"


class SummonsCall(models.Model):
    """One unit called by a summons, and when (if ever) it reported."""

    summons = models.ForeignKey(Summons, on_delete=models.CASCADE, related_name="calls")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="summons_calls")
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["summons", "unit"], name="summons_call_unique_unit")]

    def __str__(self) -> str:
        return f"{self.summons_id} → {self.unit_id}"

    def state(self, now: dt.datetime | None = None) -> str:
        deadline = self.summons.deadline
        if self.reported_at is not None:
            return SummonsState.REPORTED if self.reported_at <= deadline else SummonsState.LATE
        return SummonsState.MISSING if (now or timezone.now()) > deadline else SummonsState.WAITING

    def state_label(self) -> str:
        return SummonsState(self.state()).label


class UnitAssessment(models.Model):
    """以下评上: a community rates a unit that served it, for a period (e.g. "2026")."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="unit_assessments")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="assessments")
    period = models.CharField("考核期", max_length=10)
    score = models.PositiveSmallIntegerField("评分(1-5)")
    comment = models.TextField("评语", blank=True)
    assessor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "以下评上"
        verbose_name_plural = "以下评上"
        constraints = [
            models.UniqueConstraint(fields=["area", "unit", "period"], name="assessment_unique_period"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="assessment_score_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} 评 {self.unit_id} {self.period}: {self.score}"


class ContactAccess(models.Model):
    """Access log: one row each time someone reads a ticket's full contact phone."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="contact_accesses")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10)  # web, api
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "诉求联系电话查看记录"
        verbose_name_plural = verbose_name
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user_id} 查看 {self.ticket_id} 联系电话"
