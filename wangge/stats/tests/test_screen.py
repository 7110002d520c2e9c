"""一屏知全域 (issue 20): the screen's one JSON answer per refresh, on the demo district with tickets made
through the actions. Its figures are the API's /stats for the same area and period; it answers only the
command roles and leaders of the area; what a wall shows of a ticket is its masked title."""

import datetime as dt
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.cache.backends import locmem
from django.utils import timezone

from wangge.areas.models import Area, Membership, Role
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, OTHER_STREET
from wangge.directives.models import Emergency
from wangge.stats.screen import STANDINGS_SECONDS, mask_title, periods
from wangge.tickets import actions as a

FIGURES = (
    "accepted",
    "closure_rate",
    "on_time_rate",
    "satisfaction_rate",
    "callback_rate",
    "response_minutes",
    "solved_in_grid_rate",
    "summons_rate",
    "overdue",
)


@pytest.fixture
def busy_day(new_ticket, actor):  # type: ignore[no-untyped-def]
    """Tickets of today through the loop: two closed with a verdict, one accepted, one new by phone."""
    community, worker = actor("community"), actor("gridworker")
    for title in ("楼道灯坏了", "垃圾桶满溢"):
        t = new_ticket(title=title)
        a.do_accept(t.pk, actor=community, kind="small")
        a.do_claim(t.pk, actor=worker)
        a.do_resolve(t.pk, actor=worker, note="已处理")
        a.do_callback(t.pk, actor=community, reached=True, verdict="satisfied")
    a.do_accept(new_ticket(title="路灯不亮").pk, actor=community, kind="small")
    new_ticket(title="联系电话13812345678 楼上漏水", channel="phone", by="community")


def test_the_screen_shows_the_figures_of_the_stats_api(busy_day, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("district")
    screen = client.get("/api/v1/screen/210104")
    assert screen.status_code == 200
    data = screen.json()
    spans = periods(timezone.localdate())
    for key in ("today", "month", "year", "yesterday", "last_month", "last_year"):
        first, last = spans[key]
        stats = client.get(f"/api/v1/stats?area=210104&from={first}&to={last}").json()
        shown = data["headline"]["figures"][key]
        assert {f: shown[f] for f in FIGURES} == {f: stats[f] for f in FIGURES}, key
    today = data["headline"]["figures"]["today"]
    assert today["submitted"] == 4 and today["accepted"] == 3 and today["closure_rate"] == round(2 / 3, 4)
    assert today["satisfaction_rate"] == 1.0


def test_trends_categories_ticker_and_map(busy_day, client_for) -> None:  # type: ignore[no-untyped-def]
    data = client_for("street").get(f"/api/v1/screen/{DEMO_STREET}").json()
    channels = {c["key"]: c for c in data["trends"]["channels"]}
    assert channels["h5"]["days"][-1] == 3 and channels["phone"]["days"][-1] == 1
    assert channels["h5"]["months"][-1] >= 3 and len(data["trends"]["days"]) == 30
    assert sum(c["count"] for c in data["categories"]) <= 4
    newest = data["ticker"]["newest"]
    assert newest[0]["title"] == "联系电话＊＊＊ 楼上漏水"  # the newest first, its number masked
    assert "13812345678" not in str(data)
    assert {r["key"] for r in data["rankings"]["areas"]} == {DEMO_COMMUNITY} or data["rankings"][
        "level"
    ] == "网格"
    grid = data["map"]["grids"][DEMO_GRID]
    assert grid["open"] == 2 and grid["households"] > 0
    assert grid["per_1000"] == round(2 * 1000 / grid["households"], 1)
    assert data["registry"]["households"] > 0 and len(data["registry"]["care"]) == 5


def test_an_emergency_anywhere_inside_shows(db, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    client = client_for("district")
    assert client.get("/api/v1/screen/210104").json()["emergency"] is None
    Emergency.objects.create(
        area=Area.objects.get(code=DEMO_COMMUNITY), reason="暴雨", started_by=actor("district")
    )
    shown = client.get("/api/v1/screen/210104").json()["emergency"]
    assert shown["reason"] == "暴雨" and shown["area"] == Area.objects.get(code=DEMO_COMMUNITY).name


@pytest.mark.parametrize(
    "username,code,status",
    [
        ("district", "210104", 200),
        ("district", DEMO_GRID, 404),  # a grid has no screen
        ("street", DEMO_STREET, 200),
        ("street", OTHER_STREET, 404),
        ("community", DEMO_COMMUNITY, 200),
        ("community", DEMO_STREET, 404),
        ("gridhead", DEMO_COMMUNITY, 404),
        ("gridworker", DEMO_COMMUNITY, 404),
        ("unit", "210104", 404),
        ("volunteer", DEMO_COMMUNITY, 404),
        ("party", DEMO_COMMUNITY, 404),
        ("resident", DEMO_COMMUNITY, 404),
    ],
)
def test_who_may_watch(db, client_for, username, code, status) -> None:  # type: ignore[no-untyped-def]
    client = client_for(username)
    assert client.get(f"/api/v1/screen/{code}").status_code == status
    assert client.get(f"/screen/{code}/").status_code == status


def test_a_leader_watches_the_area_they_are_assigned(db, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    leader = actor("volunteer")
    Membership.objects.create(user=leader, area=Area.objects.get(code=DEMO_STREET), role=Role.LEADER)
    assert client_for("volunteer").get(f"/api/v1/screen/{DEMO_STREET}").status_code == 200


def test_one_refresh_reads_a_fixed_number_of_queries(  # type: ignore[no-untyped-def]
    busy_day, client_for, new_ticket, django_assert_max_num_queries
) -> None:
    client = client_for("district")
    client.get("/api/v1/screen/210104")
    cache.clear()  # every part read: the registry, the baselines and the standings too
    with django_assert_max_num_queries(80) as few:
        client.get("/api/v1/screen/210104")
    with django_assert_max_num_queries(40):  # a refresh within the minute
        client.get("/api/v1/screen/210104")
    for i in range(30):
        new_ticket(title=f"第{i}件", area_code=DEMO_GRID)
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/screen/210104")


def test_the_standings_are_shared_for_a_minute_and_the_rest_is_live(  # type: ignore[no-untyped-def]
    busy_day, client_for, new_ticket, monkeypatch
) -> None:
    """A new ticket shows at once in the headline, the ticker and the day's trend; the month's standings
    (rankings, top categories, the months' trend) of a minute ago stay, and say when they were drawn up,
    until the minute is over."""
    client = client_for("district")
    before = client.get("/api/v1/screen/210104").json()
    new_ticket(title="新来的诉求", area_code=DEMO_GRID)
    now = client.get("/api/v1/screen/210104").json()
    assert (
        now["headline"]["figures"]["today"]["submitted"]
        == before["headline"]["figures"]["today"]["submitted"] + 1
    )
    assert now["ticker"]["newest"][0]["title"] == "新来的诉求"
    h5 = {c["key"]: c for c in now["trends"]["channels"]}["h5"]
    h5_before = {c["key"]: c for c in before["trends"]["channels"]}["h5"]
    assert h5["days"][-1] == h5_before["days"][-1] + 1  # the day's trend: live
    assert h5["months"] == h5_before["months"]  # the months': the standings of a minute ago
    assert now["rankings"] == before["rankings"] and now["categories"] == before["categories"]
    assert (
        now["rankings"]["text"]
        == f"{timezone.localtime(dt.datetime.fromisoformat(before['generated_at'])):%H:%M}"
    )
    clock = time.time() + STANDINGS_SECONDS + 1  # the cache's clock, a minute on
    monkeypatch.setattr(locmem, "time", SimpleNamespace(time=lambda: clock))
    fresh = client.get("/api/v1/screen/210104").json()
    h5_fresh = {c["key"]: c for c in fresh["trends"]["channels"]}["h5"]
    assert h5_fresh["months"][-1] == h5_before["months"][-1] + 1
    assert sum(r["accepted"] for r in fresh["rankings"]["areas"]) == sum(
        r["accepted"] for r in before["rankings"]["areas"]
    )  # the new ticket is not accepted yet
    assert sum(c["count"] for c in fresh["categories"]) >= sum(c["count"] for c in before["categories"])
    assert fresh["rankings"]["at"] != before["rankings"]["at"]


def test_titles_lose_their_numbers() -> None:
    assert mask_title("3栋2单元501室漏水，电话13900001111") == "3栋2单元＊＊＊室漏水，电话＊＊＊"
    assert mask_title("7月以来噪音扰民") == "7月以来噪音扰民"


def test_periods_compare_like_with_like() -> None:
    spans = periods(dt.date(2026, 3, 31))
    assert spans["month"] == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert spans["last_month"] == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))  # no 31 February
    assert spans["last_year"] == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert periods(dt.date(2026, 1, 15))["last_month"] == (dt.date(2025, 12, 1), dt.date(2025, 12, 15))


def test_the_map_has_every_grid_with_a_label(db, client_for) -> None:  # type: ignore[no-untyped-def]
    data = client_for("street").get(f"/api/v1/areas/{DEMO_STREET}/map").json()
    grids = [f for f in data["features"] if f["properties"]["level"] == "grid"]
    assert (
        len(grids)
        == Area.objects.filter(code__startswith=DEMO_STREET, level="grid", boundary__isnull=False).count()
        > 0
    )
    assert all(f["properties"]["label"] and f["properties"]["name"] for f in grids)
    assert [f["properties"]["role"] for f in data["features"]].count("self") == 1
    assert client_for("street").get(f"/api/v1/areas/{OTHER_STREET}/map").status_code == 404
