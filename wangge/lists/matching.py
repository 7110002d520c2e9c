"""Matching suggestions for a need (F8): the open offers that could meet it, ranked, each with the
reasons a community secretary would give — the same kind of help, how near, whether the time fits,
how much is left.

Scores, added up:
- the same topic: 4 (an offer of another topic is not suggested);
- place: 3 in the same community, else 3 × (1 − distance / 5 km), nothing from 5 km on;
- time: 2 when the offer's window covers the need's, 1 when it overlaps it or has no window, −2 when
  they do not meet;
- capacity: up to 1, by how much of the need (its people) the offer can still serve.
"""

import datetime as dt
from dataclasses import dataclass

from wangge.areas.models import DISTRICT_CODE_LENGTH
from wangge.areas.selectors import COMMUNITY_CODE_LENGTH
from wangge.lib.geo import metres
from wangge.lists.models import ItemState, Need, Offer

NEAR_KM = 5.0
CANDIDATES = 500  # open offers of the same topic in the district, newest first


@dataclass
class Suggestion:
    offer: Offer
    score: float
    reasons: list[str]


def _day(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def _place(need: Need, offer: Offer) -> tuple[float, str]:
    if need.area_code[:COMMUNITY_CODE_LENGTH] == offer.area_code[:COMMUNITY_CODE_LENGTH]:
        return 3.0, "同一社区"
    a, b = need.area, offer.area
    if None in (a.lat, a.lng, b.lat, b.lng):
        return 0.0, "位置不详"
    km = metres(a.lat, a.lng, b.lat, b.lng) / 1000  # type: ignore[arg-type]
    return 3.0 * max(0.0, 1 - km / NEAR_KM), f"距离{km:.1f}公里"


def _time(need: Need, offer: Offer) -> tuple[float, str]:
    if offer.starts_on is None and offer.ends_on is None:
        return 1.0, "时间不限"
    if need.starts_on is None and need.ends_on is None:
        return 1.0, f"可用至{_day(offer.ends_on)}" if offer.ends_on else "时间可约"
    need_from, need_to = need.starts_on or dt.date.min, need.ends_on or dt.date.max
    offer_from, offer_to = offer.starts_on or dt.date.min, offer.ends_on or dt.date.max
    if offer_from <= need_from and need_to <= offer_to:
        return 2.0, "时间吻合"
    if offer_from <= need_to and need_from <= offer_to:
        return 1.0, "时间部分吻合"
    return -2.0, "时间不合"


def suggest_offers(need: Need, *, limit: int = 5) -> list[Suggestion]:
    district = need.area_code[:DISTRICT_CODE_LENGTH]
    offers = (
        Offer.objects.filter(
            area_code__startswith=district, topic=need.topic, state=ItemState.OPEN, capacity__gte=1
        )
        .select_related("area", "provider_unit")
        .order_by("-posted_at", "-id")[:CANDIDATES]
    )
    found = []
    for offer in offers:
        place, where = _place(need, offer)
        time, when = _time(need, offer)
        share = min(offer.capacity, need.people or 1) / (need.people or 1)
        reasons = [f"同为{offer.get_topic_display()}", where, when, f"尚可服务{offer.capacity}次"]
        found.append(Suggestion(offer, round(4 + place + time + share, 2), reasons))
    found.sort(key=lambda s: (-s.score, -s.offer.pk))
    return found[:limit]
