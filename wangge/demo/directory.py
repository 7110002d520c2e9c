"""The demo district's 便民服务目录: in every community a supermarket, a pharmacy, a health station, two
family doctors and a canteen; in every street a vaccination point, a legal aid station and a counselling
room; three district hospitals with fever clinics. (Seed 000's 大东区 handbook lists 19 vaccination
points, 15 fever clinics and 116 family doctors for 126 communities.)"""

import random

from wangge.areas.models import Area, Level
from wangge.directory.models import ServiceKind, ServicePoint

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高"
PER_COMMUNITY = [
    (ServiceKind.SUPPLIES, "{name}便民超市", "7:00-21:00", ""),
    (ServiceKind.PHARMACY, "{name}大药房", "8:00-22:00", "可医保刷卡"),
    (ServiceKind.CLINIC, "{name}社区卫生服务站", "周一至周六 8:00-17:00", "慢病随访、上门服务预约"),
    (ServiceKind.FAMILY_DOCTOR, "家庭医生 {doctor}医生团队", "工作日 8:30-16:30", "签约居民可电话预约上门"),
    (ServiceKind.FAMILY_DOCTOR, "家庭医生 {doctor}医生团队", "工作日 8:30-16:30", "签约居民可电话预约上门"),
    (ServiceKind.CANTEEN, "{name}老年助餐点", "11:00-13:00，17:00-18:30", "80岁以上老人就餐优惠"),
]
PER_STREET = [
    (ServiceKind.VACCINATION, "{name}社区卫生服务中心预防接种门诊", "周二、周四 8:00-11:30", "请携带接种证"),
    (ServiceKind.LEGAL_AID, "{name}法律援助工作站", "工作日 9:00-17:00", "免费法律咨询"),
    (ServiceKind.PSYCHOLOGICAL, "{name}心理咨询室", "周三、周五 14:00-17:00", "预约制"),
]
HOSPITALS = ["区人民医院", "区中医院", "区第二人民医院"]


def _near(area: Area, rng: random.Random) -> tuple[float | None, float | None]:
    if area.lat is None or area.lng is None:
        return None, None
    return round(area.lat + rng.uniform(-0.003, 0.003), 6), round(area.lng + rng.uniform(-0.004, 0.004), 6)


def _phone(rng: random.Random) -> str:
    return f"024-8{rng.randrange(10**6, 10**7)}"


def build_demo_directory(rng: random.Random) -> int:
    rows = []

    def add(area: Area, kind: str, name: str, hours: str, notes: str, address: str) -> None:
        lat, lng = _near(area, rng)
        rows.append(
            ServicePoint(
                area=area,
                kind=kind,
                name=name,
                phone=_phone(rng),
                hours=hours,
                notes=notes,
                address=address,
                lat=lat,
                lng=lng,
            )
        )

    district = Area.objects.get(parent=None)
    for i, hospital in enumerate(HOSPITALS):
        add(
            district,
            ServiceKind.FEVER_CLINIC,
            f"{hospital}发热门诊",
            "24小时",
            "请佩戴口罩",
            f"{district.name}健康路{i * 20 + 8}号",
        )
    for street in Area.objects.filter(level=Level.STREET):
        short = street.name.removesuffix("街道")
        for kind, name, hours, notes in PER_STREET:
            add(street, kind, name.format(name=short), hours, notes, f"{street.name}党群服务中心")
    for community in Area.objects.filter(level=Level.COMMUNITY):
        short = community.name.removesuffix("社区")
        for kind, name, hours, notes in PER_COMMUNITY:
            doctor = rng.choice(SURNAMES)
            label = name.format(name=short, doctor=doctor)
            add(community, kind, label, hours, notes, f"{community.name}{rng.randrange(1, 60)}号")
    ServicePoint.objects.bulk_create(rows)
    return len(rows)
