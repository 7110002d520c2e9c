"""重复诉求 (X2) in the loop: likely duplicates at intake and on the ticket page, merged with one action,
and the clusters view, on real tickets in the test district."""

import datetime as dt

import pytest
from django.utils import timezone

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID
from wangge.routing.duplicates import duplicates_of, likely_duplicates, open_clusters
from wangge.tickets.models import Status, Ticket

LEAK = ("3号楼电梯停运", "3号楼电梯又坏了，住高层的老人下不了楼，已经两天了")
LEAK_AGAIN = ("3号楼电梯坏了没人修", "我们3号楼的电梯停运两天了，老人下不了楼，请尽快修电梯")
OTHER = ("广场舞音响太大", "每天晚上广场舞音响声音太大，影响孩子写作业")


@pytest.fixture
def neighbour_grid(db) -> str | None:  # type: ignore[no-untyped-def]
    return (
        Area.objects.filter(code__startswith=DEMO_COMMUNITY, level="grid")
        .exclude(code=DEMO_GRID)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


@pytest.fixture
def other_community_grid(db) -> str | None:  # type: ignore[no-untyped-def]
    return (
        Area.objects.filter(level="grid")
        .exclude(code__startswith=DEMO_COMMUNITY)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


@pytest.fixture
def reports(new_ticket, neighbour_grid, other_community_grid):  # type: ignore[no-untyped-def]
    first = new_ticket(*LEAK, by="gridworker", channel="grid")
    return {
        "first": first,
        "again": new_ticket(*LEAK_AGAIN, by="resident"),
        "other": new_ticket(*OTHER, by="resident"),
        "neighbour": new_ticket(*LEAK_AGAIN, area_code=neighbour_grid, by="community", channel="staff"),
        "elsewhere": new_ticket(*LEAK_AGAIN, area_code=other_community_grid, by="district", channel="staff"),
    }


def test_finds_the_same_problem_in_the_same_community_only(reports):
    found = [d.ticket for d in duplicates_of(reports["again"])]
    # the same words from the next grid of the same community come first, then the same problem in other words
    assert found[:2] == [reports["neighbour"], reports["first"]]
    assert reports["other"] not in found  # another problem
    assert reports["elsewhere"] not in found  # another community
    assert all(0 < d.score <= 1 for d in duplicates_of(reports["again"]))


def test_closed_and_old_tickets_are_not_candidates(reports):
    Ticket.objects.filter(pk=reports["first"].pk).update(status=Status.CLOSED)
    assert reports["first"] not in [d.ticket for d in duplicates_of(reports["again"])]
    Ticket.objects.filter(pk=reports["neighbour"].pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=90)
    )
    assert duplicates_of(reports["again"]) == []
    assert duplicates_of(Ticket.objects.get(pk=reports["first"].pk)) == []  # a finished ticket has none


def test_only_tickets_the_user_sees(reports, actor):
    seen = likely_duplicates(title=LEAK_AGAIN[0], description=LEAK_AGAIN[1], area_code=DEMO_GRID)
    assert reports["first"] in [d.ticket for d in seen]
    as_resident = likely_duplicates(
        title=LEAK_AGAIN[0], description=LEAK_AGAIN[1], area_code=DEMO_GRID, user=actor("resident")
    )
    assert reports["first"] not in [d.ticket for d in as_resident]  # the grid worker's report is not theirs


def test_ticket_page_offers_the_merge_and_one_click_merges(reports, client_for):
    community = client_for("community")
    again = reports["again"]
    page = community.get(f"/tickets/{again.pk}/").content.decode()
    assert 'data-testid="duplicates"' in page and reports["first"].number in page and "并入此诉求" in page
    response = community.post(
        f"/tickets/{again.pk}/act/merge/", {"target": reports["first"].pk, "note": "同一部电梯"}
    )
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.status == Status.MERGED and again.merged_into == reports["first"]
    first_page = community.get(f"/tickets/{reports['first'].pk}/").content.decode()
    assert again.number in first_page  # the target's timeline says what was merged in
    # the resident who reported it has no merge action, so no suggestions either
    resident_page = client_for("resident").get(f"/tickets/{reports['other'].pk}/").content.decode()
    assert 'data-testid="duplicates"' not in resident_page


def test_intake_form_warns_of_an_open_report(reports, client_for, other_community_grid):
    community = client_for("community")
    query = {"title": LEAK_AGAIN[0], "description": LEAK_AGAIN[1], "area": DEMO_GRID}
    shown = community.get("/tickets/similar/", query).content.decode()
    assert 'data-testid="similar-open"' in shown and reports["first"].number in shown
    assert (
        community.get("/tickets/similar/", {**query, "title": "路灯", "description": "坏了"})
        .content.decode()
        .strip()
        == ""
    )
    # an area outside the user's scope shows nothing rather than tickets they may not see
    assert community.get("/tickets/similar/", {**query, "area": other_community_grid}).content.strip() == b""
    assert 'hx-get="/tickets/similar/"' in community.get("/tickets/new/").content.decode()


def test_api_similar_duplicates_and_clusters(reports, client_for):
    api = client_for("community")
    response = api.post(
        "/api/v1/tickets/similar",
        {"title": LEAK_AGAIN[0], "description": LEAK_AGAIN[1], "area": DEMO_GRID},
        content_type="application/json",
    )
    assert response.status_code == 200
    rows = response.json()
    assert {r["id"] for r in rows} == {reports[k].pk for k in ("first", "again", "neighbour")}
    assert all(0 < r["similarity"] <= 1 for r in rows)
    bad = api.post(
        "/api/v1/tickets/similar", {"title": "x", "area": "nowhere"}, content_type="application/json"
    )
    assert bad.status_code == 422 and "area" in bad.content.decode()
    ids = [r["id"] for r in api.get(f"/api/v1/tickets/{reports['again'].pk}/duplicates").json()]
    assert ids[:2] == [reports["neighbour"].pk, reports["first"].pk] and reports["other"].pk not in ids
    groups = api.get("/api/v1/clusters").json()
    lift = next(g for g in groups if reports["first"].pk in g["tickets"])
    assert reports["again"].pk in lift["tickets"] and reports["other"].pk not in lift["tickets"]
    assert lift["heat"] > 0 and lift["start"] <= lift["end"]
    assert api.get("/api/v1/clusters", {"area": "999999"}).status_code == 404
    assert api.get(f"/api/v1/tickets/{reports['elsewhere'].pk}/duplicates").status_code == 404


def test_clusters_view_lists_groups_of_one_problem(reports, client_for, actor):
    groups = open_clusters(actor("district"))
    lift = next(c for c in groups if reports["first"] in c.tickets)
    assert reports["again"] in lift.tickets and reports["other"] not in lift.tickets
    page = client_for("community").get("/tickets/clusters/").content.decode()
    assert 'data-testid="cluster"' in page and reports["first"].number in page
    assert reports["elsewhere"].number not in page  # outside the community's scope
    assert client_for("resident").get("/tickets/clusters/").status_code == 404
    assert client_for("community").get("/tickets/clusters/", {"area": "210104002"}).status_code == 404
