"""议事 (F13): meeting days on the area tree (大荔's 周二说事日, 新邱's 逢六说事), the meetings they
bring, the matters residents raise (居民提案 / 说事, and the 大事 and 私事 that 三事分流 sends here), each
matter's way through the six steps (steps.py), and votes on a motion, one per household or per resident.

Minutes, decisions and vote results are public to the area's residents; who raised or said what is
shown by role and masked name only (PRODUCT.md section 6).
"""

import datetime as dt

from django.db import models
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.deliberation.steps import Step
from wangge.people.models import Household, Resident
from wangge.tickets.models import Ticket


class Rule(models.TextChoices):
    WEEKLY = "weekly", "每周"
    ENDING = "ending", "逢几"  # every date ending in the digit: 逢六 = the 6th, 16th and 26th
    MONTHLY = "monthly", "每月"


WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


class MeetingDay(models.Model):
    """说事日: a recurring day of a grid, community or street, with its place and host."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    area_code = models.CharField(max_length=40, db_index=True)
    name = models.CharField("名称", max_length=40)
    rule = models.CharField("规则", max_length=10, choices=Rule.choices)
    value = models.PositiveSmallIntegerField("周几/尾数/日期")  # 0 = Monday; a digit; a day of the month
    starts_at = models.TimeField("开始时间")
    place = models.CharField("地点", max_length=100)
    host = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="主持人")
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "说事日"
        verbose_name_plural = "说事日"
        ordering = ["area_code", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="meeting_day_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def rhythm(self) -> str:
        """每周二 19:00, 逢6日 (6日、16日、26日) 19:00, 每月15日 19:00."""
        at = self.starts_at.strftime("%H:%M")
        if self.rule == Rule.WEEKLY:
            return f"每{WEEKDAYS[self.value]} {at}"
        if self.rule == Rule.ENDING:
            return f"逢{self.value}日 {at}"
        return f"每月{self.value}日 {at}"

    def falls_on(self, day: dt.date) -> bool:
        if self.rule == Rule.WEEKLY:
            return day.weekday() == self.value
        if self.rule == Rule.ENDING:
            return day.day % 10 == self.value
        return day.day == self.value


class MeetingState(models.TextChoices):
    PLANNED = "planned", "待召开"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class Meeting(models.Model):
    """One meeting on its date: the agenda (the matters scheduled for it), then the minutes."""

    day = models.ForeignKey(
        MeetingDay,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="说事日",
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    area_code = models.CharField(max_length=40, db_index=True)
    title = models.CharField("名称", max_length=60)
    date = models.DateField("日期")
    starts_at = models.TimeField("开始时间")
    place = models.CharField("地点", max_length=100)
    host = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="主持人")
    state = models.CharField(
        "状态", max_length=10, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    minutes = models.TextField("会议纪要", blank=True)
    attendance = models.PositiveIntegerField("参会人数", null=True, blank=True)
    # Who spoke: [{"name": …, "role": "居民代表"}]; public pages mask the names.
    speakers = models.JSONField("发言人", default=list, blank=True)
    held_at = models.DateTimeField("记录时间", null=True, blank=True)

    class Meta:
        verbose_name = "说事会"
        verbose_name_plural = "说事会"
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["day", "date"], name="meeting_unique_day_date")]
        indexes = [models.Index(fields=["area_code", "date"])]

    def __str__(self) -> str:
        return f"{self.title}（{self.date:%m月%d日}）"


class Proposal(models.Model):
    """说事 / 居民提案: a matter raised in an area, on its way through the six steps."""

    number = models.CharField("编号", max_length=20, unique=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    area_code = models.CharField(max_length=40, db_index=True)
    title = models.CharField("事项", max_length=60)
    text = models.TextField("内容")
    step = models.CharField("环节", max_length=10, choices=Step.choices, default=Step.RAISED)
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="提出人")
    raiser_role = models.CharField("提出人身份", max_length=12)  # 居民, 网格员, 党员 …: shown in public
    resident = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="提出居民"
    )
    ticket = models.ForeignKey(  # the 诉求 it came from (三事分流), if any
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="来源诉求"
    )
    seconds = models.PositiveIntegerField("附议", default=0)
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name="说事会",
    )
    # 定事: how it was discussed
    discussion = models.TextField("商议情况", blank=True)
    consensus = models.BooleanField("协商一致", null=True, blank=True)  # None: decided by a vote
    # 解事: the decision
    decision = models.TextField("决定", blank=True)
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="负责人"
    )
    due_on = models.DateField("完成期限", null=True, blank=True)
    made_ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="转办工单"
    )
    result = models.TextField("办理结果", blank=True)
    done_at = models.DateTimeField("办结时间", null=True, blank=True)
    ratings = models.PositiveIntegerField("评价数", default=0)
    rating_sum = models.PositiveIntegerField("评分合计", default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "议事事项"
        verbose_name_plural = "议事事项"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area_code", "step"]),
            models.Index(fields=["step", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def overdue(self) -> bool:
        return (
            self.step in (Step.DECIDED, Step.FOLLOWING)
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )

    @property
    def average(self) -> float | None:
        return self.rating_sum / self.ratings if self.ratings else None


class ProposalEvent(models.Model):
    """One line of a matter's timeline: who (by role), what, when, with what note."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12)
    frm = models.CharField(max_length=10, blank=True)
    to = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_role = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class Second(models.Model):
    """附议: one per person and matter."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="second_unique_user")]

    def __str__(self) -> str:
        return f"附议 {self.proposal_id}"


class Rating(models.Model):
    """群众评事: one rating (1–5) per person and matter."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField("评分")
    note = models.CharField("意见", max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="rating_unique_user")]

    def __str__(self) -> str:
        return f"{self.score}分"


class Per(models.TextChoices):
    HOUSEHOLD = "household", "每户一票"
    RESIDENT = "resident", "每人一票"


class Choice(models.TextChoices):
    YES = "yes", "同意"
    NO = "no", "不同意"
    ABSTAIN = "abstain", "弃权"


class Motion(models.Model):
    """表决: a motion put to the vote at a meeting, on site or on the H5 during its window."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="motions")
    proposal = models.ForeignKey(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="motions"
    )
    text = models.CharField("表决事项", max_length=200)
    per = models.CharField("计票方式", max_length=10, choices=Per.choices, default=Per.HOUSEHOLD)
    opens_at = models.DateTimeField("开始投票")
    closes_at = models.DateTimeField("截止投票")
    quorum = models.PositiveIntegerField("有效票数下限")
    eligible = models.PositiveIntegerField("可投票户数/人数")
    closed_at = models.DateTimeField("计票时间", null=True, blank=True)
    yes = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    abstain = models.PositiveIntegerField(default=0)
    passed = models.BooleanField("通过", null=True, blank=True)  # None: not counted, or below the quorum

    class Meta:
        verbose_name = "表决"
        verbose_name_plural = "表决"
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.text

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.closed_at is None and self.opens_at <= now < self.closes_at


class Vote(models.Model):
    """One ballot. `ballot` is the household ("h12") or the resident ("r34") the motion counts by, so
    one unique constraint keeps one vote per household or per resident, whichever the motion chose."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="votes")
    ballot = models.CharField(max_length=20)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField("表决", max_length=10, choices=Choice.choices)
    on_site = models.BooleanField("现场", default=False)
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["motion", "ballot"], name="vote_unique_ballot")]

    def __str__(self) -> str:
        return f"{self.ballot} {self.choice}"
