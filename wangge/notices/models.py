"""公示 and 测评 (F15): an area's notice board (务川's 低保/社保 lists, seed 003; 西岗's 公开收费缴费,
seed 004; decisions and pledges) with a publication period in which residents may object (异议), each
objection a ticket on the publishing office's queue; and satisfaction surveys (新邱's 双向测评, seed 002)
sent to a sample of residents, answered on the H5 or entered by staff from a phone call.

A public list of people shows names partly (张**; a 救助名单 always) and never an ID or phone number: the
entries hold no such field, and the publishing action refuses text that holds one.
"""

import datetime as dt

from django.db import models
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Unit
from wangge.lib.masking import mask_name
from wangge.people.models import Resident
from wangge.tickets.models import Ticket


class NoticeKind(models.TextChoices):
    BENEFIT = "benefit", "救助名单"  # 低保、特困、临时救助 …
    FEES = "fees", "收费公开"
    DECISION = "decision", "议事决定"
    PLEDGE = "pledge", "公开承诺"
    AFFAIRS = "affairs", "居务公开"


class Notice(models.Model):
    """公示: a notice on an area's board for its publication period."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="公示范围")
    area_code = models.CharField(max_length=40, db_index=True)
    kind = models.CharField("类别", max_length=10, choices=NoticeKind.choices)
    title = models.CharField("标题", max_length=80)
    body = models.TextField("说明", blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="发布单位")
    # A list of people (shown as 张**) unless the publisher said it lists units or items (保洁 32000元).
    people = models.BooleanField("名单为个人", default=True)
    published_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField("公示开始")
    ends_on = models.DateField("公示截止")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    objections = models.PositiveIntegerField("异议数", default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["area_code", "ends_on"])]

    def __str__(self) -> str:
        return self.title

    def in_period(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.withdrawn_at is None and self.starts_on <= day <= self.ends_on

    def shown_name(self, name: str) -> str:
        return mask_name(name) if self.people else name


class NoticeEntry(models.Model):
    """One line of a public list: a name (shown masked) and what it is about (人数、金额、项目)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveIntegerField()
    name = models.CharField("姓名/名称", max_length=50)
    detail = models.CharField("内容", max_length=200, blank=True)

    class Meta:
        ordering = ["notice", "position"]

    def __str__(self) -> str:
        return self.name


class Objection(models.Model):
    """异议: a resident's objection to a notice (or one of its lines), handled as a ticket of channel
    公示异议 on the publishing office's queue; its outcome is that ticket's."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(NoticeEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("异议内容")
    ticket = models.OneToOneField(Ticket, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        # One objection per person and notice: it is a ticket on an office's queue, not a comment thread.
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="objection_unique_user")]

    def __str__(self) -> str:
        return f"异议 {self.notice_id}"


class Survey(models.Model):
    """测评: a satisfaction survey of an area over a period, sent to a sample of its residents."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="测评范围")
    area_code = models.CharField(max_length=40, db_index=True)
    title = models.CharField("名称", max_length=60)
    intro = models.TextField("说明", blank=True)
    starts_on = models.DateField("开始")
    ends_on = models.DateField("截止")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    invited = models.PositiveIntegerField("抽样人数", default=0)
    answered = models.PositiveIntegerField("已答人数", default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "满意度测评"
        verbose_name_plural = "满意度测评"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def in_period(self) -> bool:
        return self.starts_on <= timezone.localdate() <= self.ends_on


class Question(models.Model):
    """A question scored 1–5 (非常不满意 … 非常满意), about the area or about one unit's work; or a
    free-text one (意见建议)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField()
    text = models.CharField("问题", max_length=120)
    scored = models.BooleanField("打分题", default=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="测评单位"
    )

    class Meta:
        ordering = ["survey", "position"]

    def __str__(self) -> str:
        return self.text


class Invite(models.Model):
    """A resident drawn into a survey's sample."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invites")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="+")
    area_code = models.CharField(max_length=40)  # the resident's home, for results per area
    answered_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, blank=True)  # h5 | phone
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "resident"], name="invite_unique_resident")]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.resident_id}"


class Answer(models.Model):
    invite = models.ForeignKey(Invite, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invite", "question"], name="answer_unique_question")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.score}"
