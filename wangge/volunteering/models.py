"""志愿服务 (F11): volunteers with their skills (the talent pool, seed 003's doctors, teachers and lawyers;
seed 004's 890 水电维修、文体教育、法律咨询 volunteers), activities a community or unit publishes with a
capacity, sign-up with a waiting list, check-in on site with the organiser's code, and the time served
recorded at check-out: points by the area's 志愿服务 rule and minutes in the 爱心银行 (seed 002).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area


class Skill(models.TextChoices):
    DOCTOR = "doctor", "医生"
    NURSE = "nurse", "护理"
    TEACHER = "teacher", "教师"
    LAWYER = "lawyer", "律师"
    PLUMBER = "plumber", "水电维修"
    BARBER = "barber", "理发"
    COUNSELLOR = "counsellor", "心理咨询"
    PHONE = "phone", "手机电脑"
    ARTS = "arts", "文体"
    CARE = "care", "助老助残"
    OTHER = "other", "其他"


class Volunteer(models.Model):
    """A registered volunteer: their community, skills and when they can help (人才库)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="volunteer")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="所在社区")
    area_code = models.CharField(max_length=40, db_index=True)
    skills = models.JSONField("特长", default=list)
    availability = models.CharField("可服务时间", max_length=100, blank=True)
    bio = models.CharField("简介", max_length=200, blank=True)
    registered_at = models.DateTimeField(default=timezone.now)
    # Registered by the person, accepted by the community's staff: the volunteer role (which lets its
    # holder claim wishes and carry items to people on a list) is the community's to give.
    approved_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = "志愿者"

    def __str__(self) -> str:
        return self.user.shown_name

    def skill_names(self) -> list[str]:
        labels = dict(Skill.choices)
        return [str(labels.get(s, s)) for s in self.skills]


class Team(models.Model):
    """志愿服务队 of a community (or a street): 先锋骑士 who deliver meals, a 护理志愿队, a 理发服务队 …,
    with its leader and its accepted volunteers."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="所在区域")
    area_code = models.CharField(max_length=40, db_index=True)
    name = models.CharField("队名", max_length=50)
    leader = models.ForeignKey(
        Volunteer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="队长"
    )
    members = models.ManyToManyField(Volunteer, blank=True, related_name="teams", verbose_name="队员")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="team_name_once_per_area")]

    def __str__(self) -> str:
        return self.name


class ActivityState(models.TextChoices):
    PUBLISHED = "published", "报名中"
    CANCELLED = "cancelled", "已取消"


class Activity(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="所在区域")
    area_code = models.CharField(max_length=40, db_index=True)
    title = models.CharField("活动", max_length=100)
    description = models.TextField("内容", blank=True)
    place = models.CharField("地点", max_length=100)
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    capacity = models.PositiveIntegerField("名额")
    skill = models.CharField("所需特长", max_length=20, choices=Skill.choices, blank=True)
    organiser = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    check_in_code = models.CharField("签到码", max_length=6)
    state = models.CharField(max_length=10, choices=ActivityState.choices, default=ActivityState.PUBLISHED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "志愿活动"
        verbose_name_plural = "志愿活动"
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["area_code", "starts_at"], name="activity_near")]

    def __str__(self) -> str:
        return self.title


class SignUpState(models.TextChoices):
    SIGNED = "signed", "已报名"
    WAITING = "waiting", "候补"
    CANCELLED = "cancelled", "已取消"


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sign_ups")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_ups")
    state = models.CharField(max_length=10, choices=SignUpState.choices)
    at = models.DateTimeField(default=timezone.now)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField("服务时长（分钟）", default=0)
    wrong_codes = models.PositiveSmallIntegerField("签到码输错次数", default=0)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"], condition=~Q(state="cancelled"), name="sign_up_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.user_id} {self.state}"


class BookingState(models.TextChoices):
    REQUESTED = "requested", "待答复"
    ACCEPTED = "accepted", "已接单"
    DECLINED = "declined", "已婉拒"
    DONE = "done", "已服务"
    CANCELLED = "cancelled", "已取消"


class Booking(models.Model):
    """志愿者预约服务 (seed 003): a resident asks a volunteer of their community for a service at a time."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="bookings")
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    skill = models.CharField("服务", max_length=20, choices=Skill.choices)
    wanted_at = models.DateTimeField("预约时间")
    note = models.CharField("说明", max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=BookingState.choices, default=BookingState.REQUESTED)
    at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField("服务时长（分钟）", default=0)

    class Meta:
        verbose_name = "预约服务"
        verbose_name_plural = "预约服务"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_skill_display()} {self.wanted_at:%Y-%m-%d %H:%M}"
