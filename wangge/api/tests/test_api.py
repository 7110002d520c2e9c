import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from wangge.accounts.models import ApiToken, User
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, LOGINS, OTHER_STREET, full_numbers, shows_any
from wangge.people.models import PersonalDataAccess, Resident


def test_requires_authentication(db) -> None:  # type: ignore[no-untyped-def]
    assert Client().get("/api/v1/me").status_code == 401
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wg_not-a-token")
    assert response.status_code == 401


def test_bearer_token_from_issue_token(db, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("issue_token", "gridhead")
    token = capsys.readouterr().out.strip()
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response.json()["username"] == "gridhead"


def test_a_revoked_token_or_a_deactivated_user_stops_at_once(db, capsys) -> None:  # type: ignore[no-untyped-def]
    """Tokens are remembered for a few seconds per process; saving the token or the user forgets them."""
    call_command("issue_token", "gridhead")
    token = capsys.readouterr().out.strip()
    me = lambda: Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")  # noqa: E731
    assert me().status_code == 200 and me().status_code == 200  # the second from memory
    saved = ApiToken.objects.get(user__username="gridhead")
    saved.revoked_at = timezone.now()
    saved.save()
    assert me().status_code == 401
    call_command("issue_token", "gridhead")
    token = capsys.readouterr().out.strip()
    assert me().status_code == 200
    user = User.objects.get(username="gridhead")
    user.is_active = False
    user.save()
    assert me().status_code == 401


@pytest.mark.parametrize("username", LOGINS)
def test_me_names_roles_and_areas(client_for, username: str) -> None:  # type: ignore[no-untyped-def]
    me = client_for(username).get("/api/v1/me").json()
    assert me["username"] == username and me["display_name"]
    if username == "resident":
        assert me["roles"] == ["resident"]
        assert me["resident"]["grid"]["code"] == DEMO_GRID
    elif username == "unit":
        assert me["roles"] == ["unit_staff"] and me["units"][0]["area"] == DEMO_COMMUNITY
    else:
        assert me["areas"] and all(DEMO_GRID.startswith(a["code"]) for a in me["areas"])


def test_area_detail_children_and_geojson(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    area = client.get(f"/api/v1/areas/{DEMO_COMMUNITY}").json()
    assert area["level"] == "community" and [a["level"] for a in area["ancestors"]] == ["district", "street"]
    children = client.get(f"/api/v1/areas/{DEMO_COMMUNITY}/children").json()
    assert len(children) == 6 and all(c["level"] == "grid" for c in children)
    geo = client.get(f"/api/v1/areas/{DEMO_COMMUNITY}/geojson").json()
    assert geo["type"] == "FeatureCollection" and len(geo["features"]) == 7


def test_locate(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    plain = client.get(f"/api/v1/areas/{DEMO_COMMUNITY}002").json()
    found = client.get(f"/api/v1/locate?lat={plain['lat']}&lng={plain['lng']}").json()
    assert found["found"] is True and found["grid"]["code"] == plain["code"]
    assert [a["level"] for a in found["ancestors"]] == ["district", "street", "community"]
    # The demo grid's centre lies in the school's 专属网格 nested inside it: the most specific grid wins.
    school = client.get(f"/api/v1/areas/{DEMO_GRID}001").json()
    found = client.get(f"/api/v1/locate?lat={school['lat']}&lng={school['lng']}").json()
    assert found["grid"]["code"] == school["code"] and found["ancestors"][-1]["code"] == DEMO_GRID
    nowhere = client.get("/api/v1/locate?lat=10&lng=10").json()
    assert nowhere == {"found": False, "grid": None, "ancestors": [], "detail": "该位置不在任何网格内"}
    for bad in ("lat=abc&lng=1", "lat=91&lng=1", "lng=1"):
        response = client.get(f"/api/v1/locate?{bad}")
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "lat"


def test_lists_are_scoped_paginated_and_masked(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    page = client.get("/api/v1/residents?page_size=500").json()
    assert page["count"] == Resident.objects.filter(household__area__code__startswith=DEMO_GRID).count()
    body = client.get("/api/v1/residents?page_size=500").content.decode()
    assert not shows_any(body, full_numbers(DEMO_GRID))
    assert all("*" in r["id_number"] for r in page["items"])
    households = client.get("/api/v1/households?page_size=2&page=2").json()
    assert households["page"] == 2 and len(households["items"]) == 2
    assert client.get(f"/api/v1/residents?area={OTHER_STREET}").json()["count"] == 0
    assert client.get("/api/v1/residents?page_size=0").status_code == 422
    assert client.get("/api/v1/residents?care_level=purple").status_code == 422


def test_list_query_count_does_not_grow_with_rows(client_for, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    with django_assert_max_num_queries(8):
        client.get("/api/v1/residents?page_size=200")
    with django_assert_max_num_queries(8):
        client.get("/api/v1/households?page_size=200")


def test_out_of_scope_is_404_for_every_handler_with_an_id(  # type: ignore[no-untyped-def]
    client_for, outside_household, outside_resident
) -> None:
    client = client_for("gridworker")
    for url in (
        f"/api/v1/areas/{OTHER_STREET}",
        f"/api/v1/areas/{OTHER_STREET}/children",
        f"/api/v1/areas/{OTHER_STREET}/geojson",
        "/api/v1/areas/999999",
        f"/api/v1/households/{outside_household.pk}",
        f"/api/v1/residents/{outside_resident.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/residents/{outside_resident.pk}/reveal").status_code == 404
    assert client_for("district").get(f"/api/v1/residents/{outside_resident.pk}").status_code == 200


def test_reveal_is_logged_and_limited_to_unmasking_roles(client_for, grid_resident) -> None:  # type: ignore[no-untyped-def]
    before = PersonalDataAccess.objects.count()
    response = client_for("gridworker").post(f"/api/v1/residents/{grid_resident.pk}/reveal")
    assert response.status_code == 200
    assert response.json()["id_number"] == grid_resident.id_number
    assert PersonalDataAccess.objects.count() == before + 1
    log = PersonalDataAccess.objects.latest("at")
    assert log.user.username == "gridworker" and log.resident == grid_resident and log.channel == "api"
    assert client_for("street").post(f"/api/v1/residents/{grid_resident.pk}/reveal").status_code == 403
    assert PersonalDataAccess.objects.count() == before + 1


def test_openapi_lists_the_endpoints(db) -> None:  # type: ignore[no-untyped-def]
    spec = Client().get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/me",
        "/api/v1/areas/{code}",
        "/api/v1/areas/{code}/children",
        "/api/v1/locate",
        "/api/v1/households",
        "/api/v1/residents",
        "/api/v1/residents/{resident_id}/reveal",
    ):
        assert path in spec["paths"], path
