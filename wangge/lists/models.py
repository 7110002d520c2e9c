"""微心愿 (F8): a resident's small wish on the wish wall of their community, claimed by one party member or
volunteer, fulfilled with a photo and confirmed by the resident (or the grid worker who posted it for
them). Seed 002: 阜新's 心愿墙, 187 微心愿 claimed; seed 004: 双阳's 点亮群众"微心愿".

The needs, offers and projects of the three lists come next to it in this app.
"""

from django.db import models
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.people.models import Resident

WISH_VALUE_CAP = 200  # 元: a micro-wish is small; a larger need goes on the needs list


class WishState(models.TextChoices):
    OPEN = "open", "待认领"
    CLAIMED = "claimed", "已认领"
    FULFILLED = "fulfilled", "已送达"
    CONFIRMED = "confirmed", "已圆梦"
    WITHDRAWN = "withdrawn", "已撤回"


def wish_photo_path(wish: "Wish", filename: str) -> str:
    return f"wishes/{timezone.now():%Y/%m}/{wish.pk or 'new'}-{filename}"


class Wish(models.Model):
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, related_name="wishes", verbose_name="心愿人"
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+"
    )  # the resident's grid or building
    area_code = models.CharField(max_length=40, db_index=True)
    text = models.CharField("心愿", max_length=200)
    value = models.PositiveIntegerField("约值（元）")
    photo = models.FileField("照片", upload_to=wish_photo_path, blank=True)
    posted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=WishState.choices, default=WishState.OPEN)
    claimed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    proof = models.FileField("送达照片", upload_to=wish_photo_path, blank=True)
    note = models.CharField("送达说明", max_length=200, blank=True)
    confirmed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "微心愿"
        verbose_name_plural = "微心愿"
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["area_code", "state", "posted_at"], name="wish_wall")]

    def __str__(self) -> str:
        return self.text
