"""党建引领 (F23): the party organisation on the area tree, its members, 双报到 and 包户, pioneer posts and
responsibility areas, and public pledges.

The seeds' chain is 党委/党总支—网格党支部—楼栋党小组—党员中心户 (seeds 000, 002, 004): each
organisation sits on an area of the tree (a street, community, grid or building) under its parent.
在职党员 register with the community where they live (双报到, seeds 000, 003, 004); once the community
accepts, they hold the party member role there (areas.Membership) and look after 5–8 households each
(包户, 正安's "分楼层包保联系服务5—8户", seed 003). 先锋岗 and 党员责任区 (西岗, seed 004) and 亮身份、
亮承诺 (seeds 000, 003) are the members' public face: a pledge with a deadline and what came of it, the
phone shown only by choice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Membership, Unit
from wangge.lib import crypto
from wangge.lib.masking import mask_phone
from wangge.people.models import Household


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", "党委"
    GENERAL_BRANCH = "general_branch", "党总支"
    BRANCH = "branch", "党支部"
    GROUP = "group", "党小组"
    CENTRE = "centre", "党员中心户"


# Which kinds may sit under which: a committee holds general branches and branches, a branch its groups,
# a group its 党员中心户.
CHILD_KINDS: dict[str, tuple[str, ...]] = {
    OrgKind.COMMITTEE: (OrgKind.GENERAL_BRANCH, OrgKind.BRANCH),
    OrgKind.GENERAL_BRANCH: (OrgKind.BRANCH,),
    OrgKind.BRANCH: (OrgKind.GROUP, OrgKind.CENTRE),
    OrgKind.GROUP: (OrgKind.CENTRE,),
    OrgKind.CENTRE: (),
}


class PartyOrg(models.Model):
    """党组织: on an area of the tree, under its parent organisation, with its secretary (书记; for a
    党小组 its 组长, for a 党员中心户 the member whose home it is)."""

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="所在区域")
    area_code = models.CharField(max_length=40, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级组织",
    )
    secretary = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="书记"
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["area_code", "id"]
        constraints = [models.UniqueConstraint(fields=["area", "name"], name="party_org_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def secretary_title(self) -> str:
        return {OrgKind.GROUP: "组长", OrgKind.CENTRE: "中心户长"}.get(self.kind, "书记")  # type: ignore[call-overload]


class Standing(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class PartyMember(models.Model):
    """党员: one record per person. Standing, joining date and phone are personal data: shown in full to
    the staff of the communities they are registered with, masked to others (亮电话 only by choice)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="party_member")
    standing = models.CharField("党员身份", max_length=12, choices=Standing.choices, default=Standing.FULL)
    joined_on = models.DateField("入党日期", null=True, blank=True)
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="所在党组织",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="工作单位"
    )
    workplace = models.CharField("工作单位（名称）", max_length=100, blank=True)  # a unit not on our list
    phone_encrypted = models.TextField(blank=True)
    show_phone = models.BooleanField("亮电话", default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"

    def __str__(self) -> str:
        return self.user.shown_name

    @property
    def phone(self) -> str:
        return crypto.decrypt(self.phone_encrypted, key=settings.FIELD_ENCRYPTION_KEY)

    @phone.setter
    def phone(self, value: str) -> None:
        self.phone_encrypted = crypto.encrypt(value, key=settings.FIELD_ENCRYPTION_KEY)

    @property
    def public_phone(self) -> str:
        """亮电话: the number only when the member chose to show it, else masked."""
        return self.phone if self.show_phone else mask_phone(self.phone)

    @property
    def workplace_name(self) -> str:
        return self.unit.name if self.unit_id else self.workplace  # type: ignore[union-attr]


class RegistrationState(models.TextChoices):
    PENDING = "pending", "待确认"
    ACCEPTED = "accepted", "已报到"
    DECLINED = "declined", "未通过"
    ENDED = "ended", "已转出"


class Registration(models.Model):
    """双报到: an in-service member reports to the community where they live. Accepted, they hold the
    party member role there; moving home ends it (their 包户 pass back to the community) and the history
    stays: this row, the 包户 log, their visits and points."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="registrations")
    community = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="报到社区")
    community_code = models.CharField(max_length=40, db_index=True)
    unit = models.ForeignKey(
        Unit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="报到时单位"
    )
    offer = models.CharField("服务意愿", max_length=200, blank=True)
    state = models.CharField(
        max_length=10, choices=RegistrationState.choices, default=RegistrationState.PENDING
    )
    submitted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField("说明", max_length=200, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "双报到"
        verbose_name_plural = "双报到"
        ordering = ["-submitted_at", "-id"]
        constraints = [
            # one waiting and one accepted registration per member at a time (a move: the new one waits
            # while the old one holds)
            models.UniqueConstraint(
                fields=["member"], condition=Q(state="pending"), name="registration_one_pending"
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(state="accepted"), name="registration_one_accepted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.community}"


class HouseholdQuota(models.Model):
    """包户户数: how many households one member looks after in an area (the nearest area's applies; else
    settings.PARTY_HOUSEHOLDS, 5–8)."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, related_name="+")
    minimum = models.PositiveSmallIntegerField("每人至少")
    maximum = models.PositiveSmallIntegerField("每人至多")

    class Meta:
        verbose_name = "包户户数"
        verbose_name_plural = "包户户数"
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum__gte=1, maximum__gte=models.F("minimum"), maximum__lte=30),
                name="quota_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.minimum}–{self.maximum}"


class AssignmentChange(models.TextChoices):
    ASSIGN = "assign", "分配"
    END = "end", "解除"


class AssignmentLog(models.Model):
    """The 包户 history: each assignment and its end, who did it and why (the links themselves are
    people.PartyMemberHousehold, present ones only)."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="assignment_log")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    change = models.CharField(max_length=10, choices=AssignmentChange.choices)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_change_display()} {self.household_id}"


class PostKind(models.TextChoices):
    PIONEER = "pioneer", "共产党员先锋岗"
    RESPONSIBILITY = "responsibility", "党员责任区"
    STEWARD = "steward", "物业党员管家"  # a property company's party member serving a grid (seed 002)


class Post(models.Model):
    """先锋岗 (a post: a service window, a canteen, a patrol), 党员责任区 (a stretch of the tree: a
    building, a grid), held by a member registered in the community; or 物业党员管家 of a grid, held by a
    party member on the staff of a property company serving it."""

    kind = models.CharField("类型", max_length=20, choices=PostKind.choices)
    name = models.CharField("名称", max_length=100)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    area_code = models.CharField(max_length=40, db_index=True)
    holder = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="posts", verbose_name="党员"
    )
    duties = models.CharField("职责", max_length=200, blank=True)
    since = models.DateField("设立日期", default=timezone.localdate)
    ended_on = models.DateField("撤销日期", null=True, blank=True)

    class Meta:
        verbose_name = "先锋岗/责任区"
        verbose_name_plural = "先锋岗/责任区"
        ordering = ["area_code", "kind", "id"]

    def __str__(self) -> str:
        return self.name


class PledgeState(models.TextChoices):
    OPEN = "open", "践诺中"
    KEPT = "kept", "已兑现"
    WITHDRAWN = "withdrawn", "已撤回"


class Pledge(models.Model):
    """承诺事项 (亮承诺): made in public with a deadline; kept with what came of it. Overdue when the
    deadline passed while still open."""

    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="pledges")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    area_code = models.CharField(max_length=40, db_index=True)
    text = models.CharField("承诺内容", max_length=200)
    due_on = models.DateField("承诺时限")
    made_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=PledgeState.choices, default=PledgeState.OPEN)
    kept_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField("兑现情况", max_length=200, blank=True)

    class Meta:
        verbose_name = "承诺事项"
        verbose_name_plural = "承诺事项"
        ordering = ["state", "due_on", "id"]
        indexes = [models.Index(fields=["area_code", "state", "due_on"], name="pledge_board")]

    def __str__(self) -> str:
        return self.text

    def overdue(self, today: object = None) -> bool:
        return self.state == PledgeState.OPEN and self.due_on < (today or timezone.localdate())  # type: ignore[operator]


# --- 大党委 and co-building (seeds 000, 003) -----------------------------------------------------------


class CommitteeUnit(models.Model):
    """大党委成员单位: a unit (驻区单位, department, property company) sitting on a community's or street's
    big party committee, with its contact for the committee's work."""

    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="committee_units")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="成员单位")
    contact = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    joined_on = models.DateField("加入日期", default=timezone.localdate)

    class Meta:
        verbose_name = "大党委成员单位"
        verbose_name_plural = "大党委成员单位"
        ordering = ["org_id", "joined_on", "id"]
        constraints = [models.UniqueConstraint(fields=["org", "unit"], name="committee_unit_once")]

    def __str__(self) -> str:
        return f"{self.org} · {self.unit}"


class Agreement(models.Model):
    """共驻共建协议: a unit and the committee sign what the unit will give (its commitments, which go on
    the offers list) for a term."""

    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="agreements")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="签约单位")
    title = models.CharField("协议名称", max_length=100)
    signed_on = models.DateField("签订日期")
    ends_on = models.DateField("到期日期")
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "共驻共建协议"
        verbose_name_plural = "共驻共建协议"
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Commitment(models.Model):
    """资源承诺 of an agreement: put on the offers list (资源清单) of the committee's area as it is made."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    title = models.CharField("承诺资源", max_length=100)
    offer = models.OneToOneField(
        "lists.Offer", on_delete=models.PROTECT, null=True, blank=True, related_name="commitment"
    )

    class Meta:
        verbose_name = "资源承诺"
        verbose_name_plural = "资源承诺"

    def __str__(self) -> str:
        return self.title


class Pairing(models.Model):
    """1+N结对: one party organisation paired with a unit's, for a purpose, until it ends."""

    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="pairings")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="结对单位")
    purpose = models.CharField("结对内容", max_length=200)
    since = models.DateField("结对日期", default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "结对共建"
        verbose_name_plural = "结对共建"
        ordering = ["org_id", "since", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "unit"], condition=Q(ended_on=None), name="pairing_once")
        ]

    def __str__(self) -> str:
        return f"{self.org} + {self.unit}"


class JointMeeting(models.Model):
    """联席会议 of a big party committee: when, on what, which units came and what was decided."""

    org = models.ForeignKey(PartyOrg, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("召开日期")
    topic = models.CharField("议题", max_length=200)
    place = models.CharField("地点", max_length=100, blank=True)
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name="参会单位")
    decisions = models.TextField("议定事项", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "联席会议"
        verbose_name_plural = "联席会议"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.topic


# --- 攻坚清单 (seed 002: 一个难题、一名领导、一套方案、一抓到底) ----------------------------------


class CaseState(models.TextChoices):
    OPEN = "open", "攻坚中"
    SOLVED = "solved", "已化解"


class HardCase(models.Model):
    """A hard case: a problem (or a ticket) of an area with one leader (包联领导) and a plan of steps, each
    with its owner and date, followed until the leader says it is solved (with every step done)."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", verbose_name="区域")
    area_code = models.CharField(max_length=40, db_index=True)
    title = models.CharField("难题", max_length=100)
    description = models.TextField("情况", blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="诉求",
    )
    leader = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="包联领导")
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    solved_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField("化解情况", max_length=200, blank=True)

    class Meta:
        verbose_name = "攻坚事项"
        verbose_name_plural = "攻坚清单"
        ordering = ["state", "-opened_at", "-id"]
        indexes = [models.Index(fields=["leader", "state"], name="case_leader")]

    def __str__(self) -> str:
        return self.title


class PlanStep(models.Model):
    """一套方案: one step of a hard case's plan, its owner and date; overdue when not done by then."""

    case = models.ForeignKey(HardCase, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField("措施", max_length=200)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="责任人")
    due_on = models.DateField("完成时限")
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("完成情况", max_length=200, blank=True)

    class Meta:
        verbose_name = "方案措施"
        verbose_name_plural = "方案措施"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text

    def overdue(self, today: object = None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())  # type: ignore[operator]
