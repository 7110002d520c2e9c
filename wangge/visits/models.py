"""入户走访 / 巡查 (F4): what a grid worker saw at a household, and the tickets it opened.

A visit is to a household (the schedule is per household, people.schedule); it may name the member it
was mainly about. `area_code` copies the household's building or unit code so that the visits of a
subtree are a prefix read, as for tickets.
"""

from django.db import models
from django.utils import timezone

from wangge.accounts.models import User
from wangge.people.models import Household, Resident
from wangge.tickets.models import Ticket


class VisitKind(models.TextChoices):
    ROUTINE = "routine", "日常走访"
    CARE = "care", "关爱探访"
    KNOCK = "knock", "敲门行动"
    FOLLOW_UP = "follow_up", "跟进回访"


class Visit(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name="住户"
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name="走访对象",
    )
    area_code = models.CharField(max_length=40)  # the household's building or unit code
    visitor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits")
    visitor_name = models.CharField("走访人", max_length=60)  # kept as written
    kind = models.CharField("走访类型", max_length=12, choices=VisitKind.choices, default=VisitKind.ROUTINE)
    visited_at = models.DateTimeField("走访时间", default=timezone.now)
    findings = models.TextField("走访情况", max_length=2000)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    tickets = models.ManyToManyField(Ticket, blank=True, related_name="visits", verbose_name="发现问题转工单")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_at", "-id"]
        indexes = [
            models.Index(fields=["household", "visited_at"]),
            models.Index(fields=["area_code", "visited_at"]),
            models.Index(fields=["visitor", "visited_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.visitor_name} {self.get_kind_display()} {self.household_id} {self.visited_at:%Y-%m-%d}"


def photo_path(photo: "VisitPhoto", filename: str) -> str:
    return f"visits/{timezone.now():%Y/%m}/{photo.visit_id}-{filename}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.image.name
