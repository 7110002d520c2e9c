"""The demo district's residents as co-producers (issue 21), built through the actions, in every
community: the points rules and a 积分超市 with its shelf; its volunteers registered and accepted with
their skills; activities held last month (signed up, checked in and out: points and 爱心银行 minutes)
and coming next week; micro-wishes at every stage; needs, offers and a project of the three lists; a
few months of 清洁户 awards and redemptions, some picked up and some waiting.

`manage.py demo_city` runs it after the tickets; the tests' small city does without it.
"""

import datetime as dt
import io
import random
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role
from wangge.lib.images import clean_image
from wangge.lists import actions as lists
from wangge.people.models import Household, Resident
from wangge.points import actions as points
from wangge.points.models import Item, RuleKey, Store
from wangge.visits.selectors import contact_households
from wangge.volunteering import actions as volunteering
from wangge.volunteering.models import SignUp, Skill, Volunteer

RULES = [  # 城口's 文明积分 and what the seeds pay for
    (RuleKey.VOLUNTEER_HOUR, "志愿服务（每小时）", 10, 200),
    (RuleKey.CLEAN_HOUSEHOLD, "清洁户评比", 20, 20),
    (RuleKey.MEETING, "参加议事会", 5, 20),
    (RuleKey.WISH, "圆梦微心愿", 20, None),
    (RuleKey.DOUBLE_REPORT, "双报到服务", 10, 100),
]
SHELF = [("洗衣液", 30, 40), ("大米5公斤", 50, 30), ("食用油", 60, 20), ("毛巾", 15, 60), ("牙膏", 10, 80)]
WISHES = [
    ("想要一台收音机，听听戏", 80),
    ("家里的旧轮椅坏了，想换个坐垫", 60),
    ("孙子上学需要一个书包", 50),
    ("想学用智能手机视频通话", 1),
    ("老花镜度数不够了，想配一副", 90),
    ("冬天想要一床厚棉被", 150),
    ("想请人帮忙修一修阳台的晾衣架", 30),
    ("想要几盆绿萝放在楼道里", 40),
]
ACTIVITIES = [
    ("清洁家园志愿服务", "小区中心广场", Skill.OTHER),
    ("义诊进社区", "社区卫生服务站", Skill.DOCTOR),
    ("法律咨询服务日", "党群服务中心", Skill.LAWYER),
    ("教老人用智能手机", "社区活动室", Skill.PHONE),
    ("上门理发", "社区日间照料中心", Skill.BARBER),
]
NEEDS = [
    ("elderly", "独居老人周末陪护", 6),
    ("repair", "老旧楼道灯更换", 40),
    ("children", "双职工家庭课后托管", 15),
    ("environment", "楼间空地杂物清理", 120),
    ("health", "慢病老人定期量血压", 30),
]
OFFERS = [
    ("elderly", "hours", "护理志愿队周末陪护"),
    ("repair", "skill", "电工师傅每周六义务维修"),
    ("children", "venue", "单位活动室放学后开放"),
    ("health", "skill", "社区医生每月两次上门"),
    ("culture", "venue", "会议室周末借用"),
]


@dataclass
class ParticipationReport:
    stores: int = 0
    volunteers: int = 0
    activities: int = 0
    wishes: int = 0
    needs: int = 0
    offers: int = 0
    redemptions: int = 0


def _photo(rng: random.Random) -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (rng.randrange(256), rng.randrange(256), rng.randrange(256))).save(
        buffer, "PNG"
    )
    return clean_image(buffer.getvalue()).as_file()


@transaction.atomic
def build_demo_participation(rng: random.Random, *, now: dt.datetime | None = None) -> ParticipationReport:
    now = now or timezone.now()
    report = ParticipationReport()
    for community in Area.objects.filter(level=Level.COMMUNITY).order_by("code"):
        _community(community, rng, now, report)
    return report


def _members(community: Area, role: str) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(area=community, role=role, active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _community(community: Area, rng: random.Random, now: dt.datetime, report: ParticipationReport) -> None:
    staff = _members(community, Role.COMMUNITY_STAFF)
    if len(staff) < 2:
        return
    secretary, deputy = staff[0], staff[1]
    rules = {
        key: points.do_set_rule(
            area=community, key=key, name=name, points=n, monthly_cap=cap, actor=secretary
        )
        for key, name, n, cap in RULES
    }
    store = Store.objects.create(
        area=community,
        name=f"{community.name}积分超市"[-50:],
        place="党群服务中心一楼",
        hours="每周一至周六 9:00-17:00",
    )
    store.keepers.add(deputy)
    items = [Item.objects.create(store=store, name=n, price=p, stock=s) for n, p, s in SHELF]
    report.stores += 1

    # Volunteers of the community: registered with their skills, accepted.
    volunteers = _members(community, Role.VOLUNTEER)
    for user in volunteers:
        if not Volunteer.objects.filter(user=user).exists():
            skills = rng.sample([s for s in Skill.values if s != Skill.OTHER], 2)
            profile = volunteering.do_register_volunteer(
                user=user, area=community, skills=skills, availability="周末"
            )
            Volunteer.objects.filter(pk=profile.pk).update(
                approved_by=secretary, approved_at=now - dt.timedelta(days=60)
            )
            report.volunteers += 1

    # A 志愿服务队 with the first volunteer leading it and the rest in it (seed 002's 先锋骑士).
    profiles = list(Volunteer.objects.filter(user__in=volunteers, approved_at__isnull=False).order_by("pk"))
    if profiles:
        team = volunteering.do_form_team(
            area=community, name="先锋骑士服务队", actor=secretary, leader=profiles[0]
        )
        team.members.add(*profiles)

    members = _members(community, Role.PARTY_MEMBER)
    # Activities: two held last month (points and minutes credited), two coming next week.
    for i, (title, place, skill) in enumerate(rng.sample(ACTIVITIES, 4)):
        held = i < 2
        start = (
            (now - dt.timedelta(days=rng.randint(8, 30)))
            if held
            else (now + dt.timedelta(days=rng.randint(2, 9)))
        )
        start = start.replace(hour=9, minute=0, second=0, microsecond=0)
        activity = volunteering.do_publish_activity(
            area=community,
            title=title,
            place=place,
            starts_at=now + dt.timedelta(hours=1),  # published as if ahead, then moved to its date
            ends_at=now + dt.timedelta(hours=3),
            capacity=rng.randint(6, 12),
            skill="" if skill == Skill.OTHER else skill,
            actor=secretary,
        )
        came = volunteers[: rng.randint(min(2, len(volunteers)), min(6, len(volunteers)))]
        came += members[: rng.randint(0, min(3, len(members)))]  # 双报到 party members serve too
        for user in came:
            volunteering.do_sign_up(activity, actor=user)
        type(activity).objects.filter(pk=activity.pk).update(
            starts_at=start, ends_at=start + dt.timedelta(hours=2)
        )
        activity.refresh_from_db()
        report.activities += 1
        if held:
            for sign_up in SignUp.objects.filter(activity=activity).select_related("activity__area"):
                SignUp.objects.filter(pk=sign_up.pk).update(checked_in_at=start)
                sign_up.refresh_from_db()
                volunteering.do_check_out(sign_up, actor=secretary)

    # Micro-wishes at every stage: open (one of them stale), claimed, fulfilled, confirmed.
    residents = list(
        Resident.objects.filter(
            household__area__code__startswith=community.code, birth_date__lte=dt.date(1960, 1, 1)
        )
        .select_related("household__area")
        .order_by("pk")[:40]
    )
    helpers = _members(community, Role.PARTY_MEMBER) + volunteers
    if residents and helpers:  # posted by the community for elderly residents, as 阜新's 心愿墙 is filled
        stages = ["open", "open", "claimed", "fulfilled", "confirmed", "confirmed"]
        for (text, value), stage, resident in zip(
            rng.sample(WISHES, len(stages)),
            stages,
            rng.sample(residents, min(len(residents), len(stages))),
            strict=False,
        ):
            wish = lists.do_post_wish(resident=resident, text=text, value=value, actor=secretary)
            days = rng.randint(1, 25)
            type(wish).objects.filter(pk=wish.pk).update(posted_at=now - dt.timedelta(days=days))
            report.wishes += 1
            if stage == "open":
                continue
            helper = rng.choice(helpers)
            lists.do_claim_wish(wish, actor=helper)
            if stage == "claimed":
                continue
            lists.do_fulfil_wish(wish, actor=helper, proof=_photo(rng), note="已送到老人家中")
            if stage == "confirmed":
                lists.do_confirm_wish(wish, actor=secretary)

    # A party member's 包户 household has a wish of its own, first on their 我的包户 page.
    for member in _members(community, Role.PARTY_MEMBER)[:1]:
        elder = (
            Resident.objects.filter(household__in=contact_households(member))
            .select_related("household__area")
            .order_by("birth_date", "pk")
            .first()
        )
        if elder is not None:
            lists.do_post_wish(resident=elder, text="想要一副老花镜，看报纸用", value=60, actor=secretary)
            report.wishes += 1

    # The three lists: needs, offers (one claimed by the community), a project.
    needs = [
        lists.do_post_need(
            area=community,
            topic=t,
            title=title,
            people=n,
            actor=secretary,
            starts_on=now.date(),
            ends_on=now.date() + dt.timedelta(days=60),
        )
        for t, title, n in rng.sample(NEEDS, 3)
    ]
    offers = [
        lists.do_post_offer(
            area=community, topic=t, kind=k, title=title, capacity=rng.randint(2, 10), actor=secretary
        )
        for t, k, title in rng.sample(OFFERS, 3)
    ]
    report.needs += len(needs)
    report.offers += len(offers)
    lists.do_claim_offer(offers[0], actor=secretary, community=community)
    fitting = [o for o in offers if o.topic == needs[0].topic]
    if fitting:
        project = lists.do_start_project(
            need=needs[0],
            offers=fitting,
            title="",
            owner=secretary,
            starts_on=now.date(),
            ends_on=now.date() + dt.timedelta(days=90),
            actor=secretary,
        )
        lists.do_report_project(
            project, actor=secretary, progress=rng.choice([30, 60, 100]), result="按计划推进，居民反映良好"
        )

    # 清洁户: this month's inspection, a sixth of the households found clean; then redemptions.
    households = list(
        Household.objects.filter(area__code__startswith=community.code).select_related("area").order_by("pk")
    )
    month = f"{now:%Y-%m}"
    for household in rng.sample(households, len(households) // 6):
        points.do_award_by_rule(
            rule=rules[RuleKey.CLEAN_HOUSEHOLD],
            account=points.household_account(household),
            ref=f"inspection:{month}:{household.pk}",
            actor=secretary,
        )
    for household in rng.sample(households, min(8, len(households))):
        account = points.household_account(household)
        account.refresh_from_db()
        affordable = [i for i in items if i.price <= account.balance]
        if not affordable:
            continue
        item = rng.choice(affordable)
        redemption = points.do_redeem(item=Item.objects.get(pk=item.pk), account=account, actor=secretary)
        report.redemptions += 1
        if rng.random() < 0.6:
            points.do_hand_over(store=store, code=redemption.code, actor=deputy)
