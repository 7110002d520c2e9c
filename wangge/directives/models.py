"""一键响应 (F12): a directive pushed down the tree to the people at chosen posts, each of whom
acknowledges it and reports back; the emergency roster (1+4+N) an area switches to and back; and the
community task admission lists (社区事务准入, F17) a directive or ticket is checked against.

A directive fixes its receivers when it is sent, one `Receipt` per post (person, area, role), so the
completion rate is a count over exactly the people who were asked, and someone joining later is not
counted as missing.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Role, Unit


class Directive(models.Model):
    """工作指令: text, attachments and a deadline for chosen areas and roles."""

    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    sender = models.ForeignKey(User, on_delete=models.PROTECT, related_name="directives_sent")
    sender_name = models.CharField("发令人", max_length=60)
    areas = models.ManyToManyField(Area, related_name="directives", verbose_name="下达范围")
    roles = models.JSONField("接收角色", default=list)
    figures = models.JSONField("反馈数字项", default=list, blank=True)  # e.g. ["走访户数", "发现隐患"]
    deadline = models.DateTimeField("反馈时限")
    created_at = models.DateTimeField(default=timezone.now)
    reminded_at = models.DateTimeField("最近提醒", null=True, blank=True)
    remind_count = models.PositiveIntegerField(default=0)
    # 事务准入: what the sender was shown and chose to send anyway
    admission_flags = models.JSONField("准入提示", default=list, blank=True)

    class Meta:
        verbose_name = "工作指令"
        verbose_name_plural = "工作指令"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return timezone.now() > self.deadline

    def role_names(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(r, r)) for r in self.roles]


def attachment_path(attachment: "Attachment", filename: str) -> str:
    return f"directives/{timezone.now():%Y/%m}/{attachment.directive_id}-{filename}"


class Attachment(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Receipt(models.Model):
    """回执: one receiving post's acknowledgement (签收) and report (反馈)."""

    directive = models.ForeignKey(Directive, on_delete=models.CASCADE, related_name="receipts")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="receipts")
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    reported_at = models.DateTimeField("反馈时间", null=True, blank=True)
    report = models.TextField("反馈内容", blank=True)
    figures = models.JSONField("反馈数字", default=dict, blank=True)
    reminded = models.PositiveIntegerField("被提醒次数", default=0)

    class Meta:
        verbose_name = "回执"
        verbose_name_plural = "回执"
        ordering = ["area__code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["directive", "user", "area", "role"], name="receipt_once_per_post"
            ),
            models.CheckConstraint(
                condition=Q(reported_at=None) | Q(acknowledged_at__isnull=False),
                name="receipt_report_after_ack",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "reported_at"]),
            models.Index(fields=["directive", "reported_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.directive_id} → {self.user_id}@{self.area_id}"

    @property
    def status(self) -> str:
        if self.reported_at:
            return "已反馈"
        if self.acknowledged_at:
            return "已签收"
        return "未签收"

    @property
    def overdue(self) -> bool:
        return self.reported_at is None and timezone.now() > self.directive.deadline

    @property
    def place(self) -> str:
        return self.unit.name if self.unit else self.area.name


def report_photo_path(photo: "ReportPhoto", filename: str) -> str:
    return f"directives/{timezone.now():%Y/%m}/r{photo.receipt_id}-{filename}"


class ReportPhoto(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=report_photo_path)

    def __str__(self) -> str:
        return self.image.name


class Emergency(models.Model):
    """应急状态: an area switched to its emergency roster (1+4+N) until it is switched back."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="emergencies", verbose_name="区域")
    reason = models.CharField("事由", max_length=200)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "应急状态"
        verbose_name_plural = "应急状态"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"], condition=Q(ended_at=None), name="emergency_one_open_per_area"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.name} {self.reason}"


class Post(models.TextChoices):
    """The 1+4+N of seed 000 (张掖)."""

    LEADER = "leader", "包抓领导·临时支部书记"
    CADRE = "cadre", "下沉干部"
    COMMUNITY_WORKER = "community_worker", "社区工作者"
    GRID_HEAD = "grid_head", "网格长"
    BUILDING_HEAD = "building_head", "楼院长"
    VOLUNTEER = "volunteer", "党员志愿者"


POST_ORDER = {p: i for i, p in enumerate(Post.values)}


class RosterEntry(models.Model):
    """One person on an emergency roster, at a post, for a place."""

    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="roster")
    post = models.CharField("岗位", max_length=20, choices=Post.choices)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("姓名", max_length=60)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="负责区域")

    class Meta:
        verbose_name = "应急编组"
        verbose_name_plural = "应急编组"
        constraints = [
            models.UniqueConstraint(fields=["emergency", "post", "user", "area"], name="roster_once_per_post")
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.name}"


class DutyKind(models.TextChoices):
    DUTY = "duty", "依法履职事项"
    ASSISTED = "assisted", "依法协助事项"
    FORBIDDEN = "forbidden", "负面清单事项"


class DutyItem(models.Model):
    """社区事务准入: one item of a community's lists. Items on a street or the district apply to every
    community below it."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="duty_items", verbose_name="适用区域"
    )
    kind = models.CharField("清单", max_length=10, choices=DutyKind.choices)
    name = models.CharField("事项", max_length=100)
    keywords = models.CharField("关键词", max_length=300, blank=True, help_text="以顿号或逗号分隔")
    categories = models.JSONField("诉求分类编码", default=list, blank=True, help_text="含下级分类")

    class Meta:
        verbose_name = "社区事务准入事项"
        verbose_name_plural = "社区事务准入事项"
        ordering = ["area__code", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"
