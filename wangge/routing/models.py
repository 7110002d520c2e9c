from django.db import models
from django.db.models import Q
from django.utils import timezone


class Target(models.TextChoices):
    CATEGORY = "category", "诉求分类"
    UNIT = "unit", "承办单位"


class RouterModel(models.Model):
    """一次训练: a router trained on closed tickets. It becomes the active one only if it does no worse than
    the active one on the newest closed tickets, which it did not see; a refused one keeps its figures and
    drops its weights."""

    target = models.CharField("预测对象", max_length=10, choices=Target.choices)
    created_at = models.DateTimeField("训练时间", default=timezone.now)
    examples = models.PositiveIntegerField("训练样本数")
    labels = models.PositiveIntegerField("类别数")
    held_back = models.PositiveIntegerField("留出样本数")
    accuracy = models.FloatField("留出准确率", null=True, blank=True)
    previous_accuracy = models.FloatField("原模型留出准确率", null=True, blank=True)
    train_seconds = models.FloatField("训练耗时(秒)")
    active = models.BooleanField("在用", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    blob = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "分拨模型"
        verbose_name_plural = "分拨模型"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["target"], condition=Q(active=True), name="one_active_router")
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} #{self.pk} {'在用' if self.active else ''}".strip()


class HotspotReading(models.Model):
    """未诉先办 as read on one day for one area. Hotspots are found in the whole history of the area's
    tickets (seconds for a district of a million tickets), and they change with the days, not with each
    request: the page reads the day's reading, which the deadline worker renews every few hours for
    the areas people watch (districts, streets, communities) and the first viewer makes for others."""

    area_code = models.CharField(max_length=40)
    day = models.DateField()
    read_at = models.DateTimeField(default=timezone.now)
    found = models.JSONField(default=list)  # routing.hotspots.to_record of each hotspot, strongest first

    class Meta:
        verbose_name = "未诉先办分析"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["area_code", "day"], name="hotspot_reading_day")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.day}"
