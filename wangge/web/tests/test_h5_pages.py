"""The resident's H5 pages through the test client: the ticket page as tickets.public shows it, one rating,
我的诉求's cards and query count, the H5 frame on every resident page, and the intake map's grids."""

import json
import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, OTHER_STREET
from wangge.tickets import actions as a
from wangge.tickets.models import Status, Ticket, TicketEvent
from wangge.web.tests.test_ticket_pages import photo

DISPATCH_NOTE = "请先联系楼长王主任再上门"
REVIEW_NOTE = "完工照片不清楚，重拍"


def _resolved(new_ticket, actor):  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    community, worker = actor("community"), actor("gridworker")
    a.do_accept(ticket.pk, actor=community, kind="small")
    a.do_assign(ticket.pk, actor=community, assignee=worker, note=DISPATCH_NOTE)
    a.do_claim(ticket.pk, actor=worker)
    a.do_resolve(ticket.pk, actor=worker, note="已修补屋面", photos=[photo()])
    a.do_review(ticket.pk, actor=community, approve=False, note=REVIEW_NOTE)
    a.do_resolve(ticket.pk, actor=worker, note="已修补屋面并补拍照片", photos=[photo()])
    return ticket


def test_the_ticket_page_shows_number_expected_time_and_no_internal_note(
    client_for, new_ticket, actor
) -> None:  # type: ignore[no-untyped-def]
    client = client_for("resident")
    fresh = new_ticket()
    page = client.get(f"/h5/mine/{fresh.pk}/").content.decode()
    assert fresh.number in page and "受理后确定" in page and "等待受理" in page

    ticket = _resolved(new_ticket, actor)
    page = client.get(f"/h5/mine/{ticket.pk}/").content.decode()
    assert ticket.number in page and "已派给 网格员" in page and "已修补屋面并补拍照片" in page
    assert "办结照片" in page and "办结时间" in page and 'data-testid="rate-form"' in page
    for secret in (DISPATCH_NOTE, REVIEW_NOTE, actor("gridworker").shown_name, actor("community").shown_name):
        assert secret not in page, secret
    assert 'aria-current="page"' in page and "h5-nav" in page and 'class="topbar"' not in page

    api = client.get(f"/api/v1/tickets/{ticket.pk}")
    body = json.dumps(api.json(), ensure_ascii=False)
    assert api.status_code == 200 and api.json()["number"] == ticket.number
    assert api.json()["allowed_actions"] == ["rate"] and "expected_text" in api.json()
    assert DISPATCH_NOTE not in body and REVIEW_NOTE not in body and "董银成" not in body
    staff = client_for("community").get(f"/api/v1/tickets/{ticket.pk}").json()
    assert DISPATCH_NOTE in json.dumps(staff, ensure_ascii=False)  # staff still read the whole timeline


def test_one_rating_per_ticket_on_the_page_and_the_api(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = _resolved(new_ticket, actor)
    client = client_for("resident")
    missing = client.post(f"/h5/mine/{ticket.pk}/rate/", {"note": "还行"})
    assert missing.status_code == 422 and "请选择满意程度" in missing.content.decode()
    rated = client.post(f"/h5/mine/{ticket.pk}/rate/", {"rating": "5", "note": "很及时"})
    assert rated.status_code == 302 and rated["Location"] == f"/h5/mine/{ticket.pk}/"
    page = client.get(rated["Location"]).content.decode()
    assert "谢谢您的评价" in page and "5分 非常满意" in page and 'data-testid="rate-form"' not in page
    events = TicketEvent.objects.filter(ticket=ticket).count()

    again = client.post(f"/h5/mine/{ticket.pk}/rate/", {"rating": "1"})
    assert again.status_code == 409 and "这条诉求已评价过" in again.content.decode()
    api = client.post(
        f"/api/v1/tickets/{ticket.pk}/actions/rate",
        json.dumps({"rating": 1}),
        content_type="application/json",
    )
    assert api.status_code == 409 and api.json()["detail"] == "这条诉求已评价过"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.reopen_count) == (Status.CLOSED, 5, 0)
    assert TicketEvent.objects.filter(ticket=ticket).count() == events
    assert client.post(f"/h5/mine/{ticket.pk}/close/", {}).status_code == 404  # only rate and withdraw
    assert client.get(f"/h5/mine/{ticket.pk}/rate/").status_code == 405


def test_a_resident_withdraws_an_open_request(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    client = client_for("resident")
    assert "确定撤回" in client.get(f"/h5/mine/{ticket.pk}/").content.decode()
    assert client.post(f"/h5/mine/{ticket.pk}/withdraw/").status_code == 302
    page = client.get(f"/h5/mine/{ticket.pk}/").content.decode()
    assert "已撤回" in page and "确定撤回" not in page
    assert client.post(f"/h5/mine/{ticket.pk}/withdraw/").status_code == 409


def test_other_peoples_tickets_answer_404(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    other_grid = Area.objects.filter(code__startswith=OTHER_STREET, level="grid")[0]
    outside = new_ticket(area_code=other_grid.code, by=None)
    neighbour = new_ticket(by="gridworker", channel="grid")  # in the resident's grid, not theirs
    resident = client_for("resident")
    for ticket in (outside, neighbour):
        assert resident.get(f"/h5/mine/{ticket.pk}/").status_code == 404
        assert resident.post(f"/h5/mine/{ticket.pk}/rate/", {"rating": "5"}).status_code == 404
        assert resident.get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
    # Staff see the neighbour's ticket on their own pages, not as "my" request.
    assert client_for("community").get(f"/h5/mine/{neighbour.pk}/").status_code == 404


def test_my_requests_are_cards_and_their_query_count_does_not_grow(  # type: ignore[no-untyped-def]
    client_for, new_ticket, django_assert_max_num_queries
) -> None:
    client = client_for("resident")
    first = new_ticket(title="路灯不亮")
    client.get("/h5/mine/")  # caches warm
    with CaptureQueriesContext(connection) as one:
        page = client.get("/h5/mine/").content.decode()
    local = timezone.localtime(first.submitted_at)
    assert "路灯不亮" in page and first.number in page and "受理后确定" in page
    assert f"提交：{local.month}月{local.day}日 {local:%H:%M}" in page
    for i in range(20):
        new_ticket(title=f"楼道堆物{i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/h5/mine/").content.decode()
    assert page.count('data-testid="ticket-card"') == 21


def test_every_resident_page_is_in_the_h5_frame(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    a.do_accept(ticket.pk, actor=actor("community"), kind="small")  # the resident hears of it
    client = client_for("resident")
    assert client.get("/inbox/")["Location"] == "/h5/inbox/"
    tabs = {
        "/h5/": "我要反映",
        "/h5/mine/": "我的诉求",
        f"/h5/mine/{ticket.pk}/": "我的诉求",
        "/h5/services/": "便民服务",
        "/h5/inbox/": "消息",
    }
    for url, tab in tabs.items():
        page = client.get(url).content.decode()
        assert 'class="h5-nav"' in page and 'class="topbar"' not in page, url
        current = re.findall(r'<a [^>]*aria-current="page"[^>]*>(.*?)</a>', page, re.S)
        assert len(current) == 1 and tab in current[0], (url, current)
    inbox = client.get("/h5/inbox/").content.decode()
    assert f'href="/h5/mine/{ticket.pk}/"' in inbox and "已受理" in inbox and "条未读" in inbox
    client.post("/h5/inbox/")
    assert "条未读" not in client.get("/h5/inbox/").content.decode()
    assert client_for("community").get("/inbox/").status_code == 200  # staff keep their frame


def test_the_intake_map_holds_the_residents_community_and_nothing_else(client_for) -> None:  # type: ignore[no-untyped-def]
    resident = client_for("resident")
    grids = resident.get("/api/v1/intake/grids")
    features = grids.json()["features"]
    codes = {f["properties"]["code"] for f in features}
    assert grids.status_code == 200 and DEMO_GRID in codes and len(codes) > 1
    assert all(code.startswith(DEMO_COMMUNITY) for code in codes)
    assert not any(code.startswith(OTHER_STREET) for code in codes)
    assert [f["properties"]["code"] for f in features if f["properties"]["home"]] == [DEMO_GRID]
    assert all(set(f["properties"]) == {"code", "name", "home"} for f in features)
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)
    # The area tree stays closed to residents; the point lookup answers them.
    assert resident.get(f"/api/v1/areas/{DEMO_COMMUNITY}/geojson").status_code == 404
    home = Area.objects.get(code=DEMO_GRID)
    located = resident.get(f"/api/v1/locate?lat={home.lat}&lng={home.lng}").json()
    assert located["found"] and located["grid"]["code"].startswith(DEMO_GRID)
    assert resident.get("/api/v1/locate?lat=abc&lng=1").status_code == 422
    # Staff get their areas' grids; nobody signed in gets 401.
    staff = {
        f["properties"]["code"]
        for f in client_for("gridworker").get("/api/v1/intake/grids").json()["features"]
    }
    assert DEMO_GRID in staff and not any(c.startswith(OTHER_STREET) for c in staff)
    assert Client().get("/api/v1/intake/grids").status_code == 401


def test_the_form_comes_back_with_the_field_named(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("resident")
    far = client.post("/h5/", {"title": "井盖丢失", "description": "路口井盖没了", "lat": "10", "lng": "10"})
    assert far.status_code == 422 and "不在任何网格内" in far.content.decode()
    bad = client.post("/h5/", {"title": "井盖丢失", "description": "路口", "lat": "北纬", "lng": "1"})
    assert bad.status_code == 422 and "位置坐标格式不对" in bad.content.decode()
    assert not Ticket.objects.exists()
