"""Logging visits on the phone pages and the API: who may, what a finding becomes, bad input, scope."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from wangge.conftest import DEMO_GRID, OTHER_STREET
from wangge.people.models import CareLevel, Household, PartyMemberHousehold, RegistryChange
from wangge.tickets.models import Channel, Ticket
from wangge.visits.models import Visit

pytestmark = pytest.mark.django_db


def post_json(client, url: str, body: dict):  # type: ignore[no-untyped-def]
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def couple() -> Household:
    """宋玉兰's household, planted by the demo on the demo grid worker's round."""
    return Household.objects.get(residents__name="宋玉兰")


def test_a_visit_with_a_finding_opens_a_ticket_for_the_household(client_for, couple) -> None:  # type: ignore[no-untyped-def]
    she = couple.residents.get(name="宋玉兰")
    response = client_for("gridworker").post(
        f"/field/households/{couple.pk}/",
        {
            "kind": "care",
            "resident": she.pk,
            "findings": "老两口都患病，每月医疗费开支大",
            "title": "老人医疗费用负担重",
            "description": "宋玉兰和老伴都有慢性病，医疗费负担重，希望了解低保政策",
            "urgency": "normal",
            "point": f"{couple.area.lat},{couple.area.lng}",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get(household=couple, findings__startswith="老两口都患病")
    ticket = visit.tickets.get()
    assert (ticket.channel, ticket.resident, ticket.address) == (Channel.VISIT, she, couple.address)
    assert ticket.contact_name == "宋玉兰" and ticket.contact_phone == she.phone
    assert ticket.area.code.startswith(DEMO_GRID) and ticket.submitted_by.username == "gridworker"
    assert visit.visitor_name == "董银成" and visit.lat == couple.area.lat
    couple.refresh_from_db()
    assert couple.next_visit_on == timezone.localdate() + dt.timedelta(days=14)
    page = client_for("gridworker").get(response["Location"]).content.decode()
    assert ticket.number in page and "已记录走访" in page


def test_the_due_list_shows_the_round_most_overdue_first(
    client_for, couple, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    # 3 of them count her queues (我的待办, 网格待办, 超时), one the 议事 decisions she carries out; one more
    # reads the tickets of the visits she made today when there are any (the demo's visits fall at random
    # times of the day)
    with django_assert_max_num_queries(19):
        page = client.get("/field/").content.decode()
    assert "宋玉兰" in page and "今天到期" in page
    overdue = Household.objects.filter(
        area__code__startswith=DEMO_GRID, next_visit_on__lt=timezone.localdate()
    )
    assert f"<b>{overdue.count()}</b>已逾期" in page
    rows = client.get("/api/v1/visits/due").json()
    assert [r["due"] for r in rows] == sorted(r["due"] for r in rows)
    assert any(r["household_id"] == couple.pk and r["days_late"] == 0 for r in rows)
    assert {r["area"][: len(DEMO_GRID)] for r in rows} == {DEMO_GRID}
    lat, lng = couple.area.lat, couple.area.lng
    near = client.get(f"/api/v1/visits/due?near_lat={lat}&near_lng={lng}&ahead=60").json()
    assert near[0]["distance_m"] == 0 and near[0]["area"] == couple.area.code


def test_bad_visits_name_the_field_and_write_nothing(client_for, couple) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    before = Visit.objects.count(), Ticket.objects.count()
    other = Household.objects.exclude(pk=couple.pk).filter(area__code__startswith=DEMO_GRID).first()
    cases = [
        ({"kind": "routine", "findings": " "}, "请填写走访情况"),
        ({"kind": "tea", "findings": "x"}, "走访类型只能是"),
        ({"kind": "routine", "findings": "x", "resident": other.residents.first().pk}, "不是这户的成员"),  # type: ignore[union-attr]
        ({"kind": "routine", "findings": "x", "point": "north"}, "位置格式不对"),
        ({"kind": "routine", "findings": "x", "title": "漏水"}, "请填写问题描述"),
        (
            {"kind": "routine", "findings": "x", "title": "漏水", "description": "d", "urgency": "now"},
            "紧急程度",
        ),
    ]
    for form, message in cases:
        response = client.post(f"/field/households/{couple.pk}/", form)
        assert response.status_code == 422 and message in response.content.decode(), form
    api = [
        ({"household": couple.pk, "findings": ""}, "findings"),
        ({"household": couple.pk, "findings": "x", "visited_at": "2020-01-01T09:00:00+08:00"}, "visited_at"),
        ({"household": couple.pk, "findings": "x", "visited_at": "2099-01-01T09:00:00+08:00"}, "visited_at"),
        ({"household": couple.pk, "findings": "x", "visited_at": "2026-01-01T09:00:00"}, "visited_at"),
        ({"household": couple.pk, "findings": "x", "lat": 41.8}, "lat"),
        (
            {"household": couple.pk, "findings": "x", "problem": {"title": "t", "description": ""}},
            "description",
        ),
    ]
    for body, field in api:
        response = post_json(client, "/api/v1/visits", body)
        assert response.status_code == 422, body
        assert field in json.dumps(response.json()["detail"], ensure_ascii=False), body
    assert (Visit.objects.count(), Ticket.objects.count()) == before


def test_who_logs_visits(client_for, couple, actor) -> None:  # type: ignore[no-untyped-def]
    outside = Household.objects.filter(area__code__startswith=OTHER_STREET).first()
    body = {"household": outside.pk, "findings": "x"}  # type: ignore[union-attr]
    for login in ("gridworker", "community", "unit", "volunteer", "resident"):
        assert post_json(client_for(login), "/api/v1/visits", body).status_code == 404, login
        assert client_for(login).get(f"/field/households/{outside.pk}/").status_code == 404, login  # type: ignore[union-attr]
    mine = {"household": couple.pk, "findings": "了解近况"}
    assert post_json(client_for("community"), "/api/v1/visits", mine).status_code == 201
    # The street sees the household but does not go door to door.
    response = post_json(client_for("street"), "/api/v1/visits", mine)
    assert response.status_code == 403 and "不负责走访" in response.json()["detail"]
    assert "不负责走访" in client_for("street").get(f"/field/households/{couple.pk}/").content.decode()
    # A party member visits the households assigned to them (包户) and no others.
    assigned = PartyMemberHousehold.objects.filter(membership__user__username="party").first()
    assert assigned is not None
    ok = post_json(
        client_for("party"), "/api/v1/visits", {"household": assigned.household_id, "findings": "包户走访"}
    )
    assert ok.status_code == 201
    not_theirs = (
        Household.objects.filter(area__code__startswith=DEMO_GRID)
        .exclude(party_contacts__membership__user__username="party")
        .first()
    )
    body = {"household": not_theirs.pk, "findings": "x"}  # type: ignore[union-attr]
    assert post_json(client_for("party"), "/api/v1/visits", body).status_code == 404
    # Residents never see visit notes, not even of their own household.
    assert client_for("resident").get("/api/v1/visits").json()["count"] == 0


def test_the_resident_record_shows_visits_tickets_and_level_changes(client_for, couple) -> None:  # type: ignore[no-untyped-def]
    she = couple.residents.get(name="宋玉兰")
    client = client_for("gridworker")
    post_json(
        client,
        "/api/v1/visits",
        {
            "household": couple.pk,
            "resident": she.pk,
            "kind": "care",
            "findings": "医疗费负担重",
            "problem": {"title": "申请低保", "description": "老两口医疗费负担重"},
        },
    )
    response = client.post(f"/residents/{she.pk}/level/", {"care_level": "red", "reason": "病情加重"})
    assert response.status_code == 302
    page = client.get(f"/residents/{she.pk}/").content.decode()
    assert "医疗费负担重" in page and "申请低保" in page and "病情加重" in page
    assert "关爱等级：橙色 → 红色" in page and "每7天走访一次" in page
    bad = client.post(f"/residents/{she.pk}/level/", {"care_level": "red", "reason": ""})
    assert bad.status_code == 422 and "请填写调整原因" in bad.content.decode()
    api = post_json(
        client, f"/api/v1/residents/{she.pk}/care-level", {"care_level": "orange", "reason": "好转"}
    )
    assert (
        api.status_code == 200
        and api.json()["next_visit_on"] == (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    )
    assert RegistryChange.objects.filter(object_id=she.pk, changes__has_key="care_level").count() == 2
    # A building head sees the record but does not set colours.
    head = client_for(
        couple.area.parent.memberships.filter(role="building_head").first().user.username  # type: ignore[union-attr]
    )
    denied = post_json(head, f"/api/v1/residents/{she.pk}/care-level", {"care_level": "red", "reason": "x"})
    assert denied.status_code == 403
    she.refresh_from_db()
    assert she.care_level == CareLevel.ORANGE


def test_grid_counts_for_the_community_and_scope(client_for) -> None:  # type: ignore[no-untyped-def]
    rows = client_for("community").get("/api/v1/visits/by-grid?area=210104001001").json()
    assert rows and all(r["grid"].startswith("210104001001") for r in rows)
    assert client_for("community").get(f"/api/v1/visits/by-grid?area={OTHER_STREET}").status_code == 404
    assert client_for("unit").get("/api/v1/visits/by-grid?area=210104001001").status_code == 404
    assert client_for("gridworker").get("/api/v1/visits/intervals").json()["red"] == 7
