"""The ticket API contract: create, read, list, actions, stats."""

import json
import threading

from django.db import connections
from django.test import Client

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, OTHER_STREET
from wangge.tickets import actions as a
from wangge.tickets.models import Ticket


def post(client, url: str, body: dict):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


def grid_point(code: str = DEMO_GRID) -> tuple[float, float]:
    grid = Area.objects.get(code=code)
    return grid.lat, grid.lng  # type: ignore[return-value]


def test_create_finds_the_grid_and_sets_deadlines(client_for) -> None:  # type: ignore[no-untyped-def]
    lat, lng = grid_point()
    body = {
        "title": "楼道灯不亮",
        "description": "3号楼2单元楼道照明坏了一周",
        "lat": lat,
        "lng": lng,
        "urgency": "urgent",
        "contact_name": "王阿姨",
        "contact_phone": "13912345678",
    }
    response = post(client_for("community"), "/api/v1/tickets", body)
    assert response.status_code == 201, response.content
    data = response.json()
    # The demo grid's centre lies in its nested 专属网格: the most specific grid wins.
    assert data["status"] == "new" and data["grid"]["code"].startswith(DEMO_GRID) and data["grid"]["name"]
    assert data["claim_deadline"] and data["resolve_deadline"] and data["urgency"] == "urgent"
    assert data["category"] is None  # no router trained yet (routing/tests cover the suggestion)
    detail = client_for("community").get(f"/api/v1/tickets/{data['id']}").json()
    assert detail["contact_phone"] == "139****5678"
    assert [e["action"] for e in detail["timeline"]] == ["submit"]
    assert "accept" in detail["allowed_actions"]


def test_create_by_area_code_and_by_address(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("district")
    by_code = post(client, "/api/v1/tickets", {"title": "t", "description": "d", "area": DEMO_COMMUNITY})
    assert by_code.status_code == 201 and by_code.json()["level"] == "community"
    community = Area.objects.get(code=DEMO_COMMUNITY)
    street = community.parent
    address = f"大东区{street.name}{community.name}社区附近"
    by_address = post(client, "/api/v1/tickets", {"title": "t", "description": "d", "address": address})
    assert by_address.status_code == 201 and by_address.json()["grid"]["code"] == DEMO_COMMUNITY


def test_bad_input_is_422_naming_the_field(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    cases: list[tuple[dict, str]] = [
        ({"title": "", "description": "d", "area": DEMO_GRID}, "title"),
        ({"title": "t", "description": "d"}, "location"),
        ({"title": "t", "description": "d", "lat": 41.8}, "lng"),
        ({"title": "t", "description": "d", "lat": 10.0, "lng": 10.0}, "lat"),
        ({"title": "t", "description": "d", "area": "999"}, "area"),
        ({"title": "t", "description": "d", "area": DEMO_GRID, "urgency": "soon"}, "urgency"),
        ({"title": "t", "description": "d", "area": DEMO_GRID, "category": "不存在的分类"}, "category"),
        ({"title": "t", "description": "d", "address": "火星基地"}, "address"),
    ]
    for body, field in cases:
        response = post(client, "/api/v1/tickets", body)
        assert response.status_code == 422, (body, response.content)
        assert field in json.dumps(response.json()["detail"], ensure_ascii=False), (field, response.json())
    assert not Ticket.objects.exists()


def test_same_external_id_creates_nothing_twice(client_for) -> None:  # type: ignore[no-untyped-def]
    body = {
        "title": "t",
        "description": "d",
        "area": DEMO_GRID,
        "channel": "12345",
        "external_id": "GD2026-1",
    }
    first = post(client_for("district"), "/api/v1/tickets", body)
    second = post(client_for("district"), "/api/v1/tickets", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and Ticket.objects.count() == 1


def test_the_same_external_id_sent_at_once_makes_one_ticket(committed_city) -> None:  # type: ignore[no-untyped-def]
    """A hotline system retrying on a timeout can send one request twice at the same moment."""
    body = {"title": "t", "description": "d", "area": DEMO_GRID, "channel": "12345", "external_id": "GD-RACE"}
    user = User.objects.get(username="district")
    senders = 4
    barrier = threading.Barrier(senders)
    answers: list[tuple[int, int]] = []

    def send() -> None:
        client = Client()
        client.force_login(user)
        try:
            barrier.wait()
            response = post(client, "/api/v1/tickets", body)
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(status for status, _ in answers) == [200] * (senders - 1) + [201], answers
    created = Ticket.objects.get(channel="12345", external_id="GD-RACE")
    assert {pk for _, pk in answers} == {created.pk}


def test_actions_200_409_404_422(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    community, worker = client_for("community"), client_for("gridworker")
    url = f"/api/v1/tickets/{ticket.pk}/actions"
    assert post(worker, f"{url}/accept", {"kind": "small"}).status_code == 409  # not a dispatcher
    assert post(community, f"{url}/accept", {}).status_code == 422  # kind missing
    assert post(community, f"{url}/accept", {"kind": "huge"}).status_code == 422
    assert post(community, f"{url}/fly", {}).status_code == 422  # no such action
    accepted = post(community, f"{url}/accept", {"kind": "small"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = post(community, f"{url}/accept", {"kind": "small"})
    assert again.status_code == 409 and "待派单" in again.json()["detail"]
    assert post(community, f"{url}/assign", {"assignee": "nobody"}).status_code == 422
    assert post(community, f"{url}/assign", {"units": ["210104-XX"]}).status_code == 422
    assigned = post(community, f"{url}/assign", {"assignee": "gridworker", "units": ["210104-WY1"]})
    assert assigned.status_code == 200 and assigned.json()["assignee"]
    summoned = post(
        community, f"{url}/summon", {"units": ["210104-ZJ"], "deadline": "2099-01-01T10:00:00+08:00"}
    )
    assert summoned.status_code == 200 and summoned.json()["summons"][0]["units"][0]["state"] == "waiting"
    assert post(worker, f"{url}/claim", {}).json()["status"] == "in_progress"
    assert post(worker, f"{url}/resolve", {"note": "修好了"}).json()["status"] == "resolved"
    assert post(community, f"{url}/callback", {"reached": True}).status_code == 422  # verdict missing
    closed = post(community, f"{url}/callback", {"reached": True, "verdict": "satisfied"}).json()
    assert closed["status"] == "closed"
    assert [e["action"] for e in closed["timeline"]] == [
        "submit",
        "accept",
        "assign",
        "summon",
        "claim",
        "resolve",
        "callback",
    ]
    rated = post(client_for("resident"), f"{url}/rate", {"rating": 5})
    assert rated.status_code == 200 and rated.json()["rating"] == 5


def test_out_of_scope_tickets_are_404(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    other_grid = Area.objects.filter(code__startswith=OTHER_STREET, level="grid")[0]
    outside = new_ticket(area_code=other_grid.code, by=None)
    for username in ["street", "community", "gridworker", "unit", "resident", "party"]:
        client = client_for(username)
        assert client.get(f"/api/v1/tickets/{outside.pk}").status_code == 404
        assert post(client, f"/api/v1/tickets/{outside.pk}/actions/note", {"note": "x"}).status_code == 404
    assert client_for("district").get(f"/api/v1/tickets/{outside.pk}").status_code == 200
    assert client_for("gridworker").get("/api/v1/tickets/999999").status_code == 404


def test_list_is_scoped_filtered_and_query_count_is_flat(  # type: ignore[no-untyped-def]
    client_for, new_ticket, django_assert_max_num_queries
) -> None:
    mine = [new_ticket(title=f"诉求{i}") for i in range(5)]
    other_grid = Area.objects.filter(code__startswith=OTHER_STREET, level="grid")[0]
    new_ticket(area_code=other_grid.code, by=None)
    client = client_for("gridworker")
    data = client.get("/api/v1/tickets").json()
    assert data["count"] == 5 and {t["id"] for t in data["items"]} == {t.pk for t in mine}
    assert client.get("/api/v1/tickets?status=closed").json()["count"] == 0
    assert client.get("/api/v1/tickets?overdue=false").json()["count"] == 5
    assert client_for("district").get(f"/api/v1/tickets?area={OTHER_STREET}").json()["count"] == 1
    assert client_for("resident").get("/api/v1/tickets").json()["count"] == 5  # she raised them
    with django_assert_max_num_queries(8):
        client.get("/api/v1/tickets?page_size=50")


def test_stats_by_section_5_names(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    new_ticket()
    response = client_for("community").get(
        f"/api/v1/stats?area={DEMO_COMMUNITY}&from=2020-01-01&to=2099-12-31"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["submitted"] == 1 and data["accepted"] == 0 and data["closure_rate"] is None
    for name in [
        "closure_rate",
        "on_time_rate",
        "response_minutes",
        "handling_minutes",
        "callback_rate",
        "satisfaction_rate",
        "return_rate",
        "summons_rate",
        "solved_in_grid_rate",
    ]:
        assert name in data
    assert client_for("community").get(f"/api/v1/stats?area={OTHER_STREET}").status_code == 404
    assert (
        client_for("community").get(f"/api/v1/stats?area={DEMO_COMMUNITY}&from=notadate").status_code == 422
    )


def test_stats_by_channel_category_unit_and_area(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    """`by` groups the same figures, named, largest first; the groups add up to the whole."""
    for _ in range(2):
        new_ticket(channel="h5")
    hotline = new_ticket(title="路灯不亮", channel="phone", by="community")
    a.do_accept(hotline.pk, actor=actor("community"), kind="small")
    url = f"/api/v1/stats?area={DEMO_STREET}&from=2020-01-01&to=2099-12-31&by="
    client = client_for("street")
    channel = client.get(url + "channel").json()
    assert channel["by"] == "channel" and channel["submitted"] == 3
    assert [(g["key"], g["name"], g["submitted"]) for g in channel["groups"]] == [
        ("h5", "指尖办(H5)", 2),
        ("phone", "电话", 1),
    ]
    assert channel["groups"][1]["accepted"] == 1 and channel["groups"][1]["closure_rate"] == 0.0
    category = client.get(url + "category").json()
    assert sum(g["submitted"] for g in category["groups"]) == sum(
        1 for t in Ticket.objects.filter(area_code__startswith=DEMO_STREET) if t.category_id
    )
    assert all(g["name"] and not g["name"].isdigit() for g in category["groups"])
    area = client.get(url + "area").json()
    assert [g["key"] for g in area["groups"]] == [DEMO_COMMUNITY] and area["groups"][0]["submitted"] == 3
    assert client.get(url + "unit").json()["groups"] == []  # no unit leads any of them yet
    assert client.get(url + "colour").status_code == 422


def test_nul_characters_are_refused_before_the_database(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    assert client.get("/api/v1/residents?q=%00").status_code == 400
    assert client.get("/api/v1/tickets?area=21%000").status_code == 400
    body = {"title": "a\u0000b", "description": "d", "area": DEMO_GRID}
    assert post(client, "/api/v1/tickets", body).status_code == 400
    assert client.post("/tickets/new/", {"title": "a\x00", "description": "d"}).status_code == 400
    assert not Ticket.objects.exists()
