import pytest
from django.test import Client

from wangge.areas.models import Area, Level
from wangge.conftest import DEMO_GRID, LOGINS, OTHER_STREET, full_numbers, shows_any
from wangge.people.models import Household, PersonalDataAccess, Resident


def test_login_page_is_chinese_and_rejects_bad_password(db) -> None:  # type: ignore[no-untyped-def]
    page = Client().get("/login/").content.decode()
    assert "登录网格平台" in page and "用户名" in page
    response = Client().post("/login/", {"username": "gridworker", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()
    ok = Client().post("/login/", {"username": "gridworker", "password": "wangge-demo"})
    assert ok.status_code == 302


def test_pages_require_login(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("username", LOGINS)
def test_home_and_pages_never_show_full_numbers(client_for, username: str) -> None:  # type: ignore[no-untyped-def]
    """Walk every page a login can reach from home and its own records: no full ID or phone number."""
    client = client_for(username)
    urls = ["/", "/me/", "/residents/", f"/areas/{DEMO_GRID}/"]
    building = Area.objects.filter(code__startswith=DEMO_GRID, level=Level.BUILDING).first()
    urls.append(f"/areas/{building.code}/")  # type: ignore[union-attr]
    residents = Resident.objects.filter(household__area__code__startswith=DEMO_GRID)[:5]
    urls += [f"/residents/{r.pk}/" for r in residents] + [f"/households/{r.household_id}/" for r in residents]
    secrets = full_numbers(DEMO_GRID)
    own = Resident.objects.filter(user__username=username).first()
    secrets -= {own.phone, own.id_number} if own else set()  # a resident's own number on their own form
    assert len(secrets) > 10
    seen = 0
    for url in urls:
        response = client.get(url, follow=True)  # "/" leads each persona to its own home
        assert response.status_code in (200, 404), url
        body = response.content.decode()
        assert not shows_any(body, secrets), url
        seen += response.status_code == 200
    assert seen >= 2


def test_out_of_scope_pages_answer_404(client_for, outside_household, outside_resident) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    for url in (
        f"/areas/{OTHER_STREET}/",
        "/areas/000000/",
        f"/households/{outside_household.pk}/",
        f"/residents/{outside_resident.pk}/",
        f"/registry/export/?area={OTHER_STREET}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/residents/{outside_resident.pk}/reveal/").status_code == 404
    assert client_for("volunteer").get("/registry/import/").status_code == 404


def test_in_scope_pages_render(client_for, grid_resident) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    area = client.get(f"/areas/{DEMO_GRID}/").content.decode()
    assert 'id="map"' in area and "多网合一职责" in area
    households = Household.objects.filter(area__code__startswith=DEMO_GRID).count()  # vacant ones too
    assert f"<b>{households}</b><span>户</span>" in area
    resident = client.get(f"/residents/{grid_resident.pk}/").content.decode()
    assert grid_resident.name in resident and grid_resident.masked_id_number in resident
    assert "显示完整号码" in resident
    assert "显示完整号码" not in client_for("street").get(f"/residents/{grid_resident.pk}/").content.decode()
    household = client.get(f"/households/{grid_resident.household_id}/").content.decode()
    assert "变更记录" in household


def test_reveal_button_logs_the_access(client_for, grid_resident) -> None:  # type: ignore[no-untyped-def]
    before = PersonalDataAccess.objects.filter(resident=grid_resident).count()
    response = client_for("gridhead").post(f"/residents/{grid_resident.pk}/reveal/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert grid_resident.id_number in response.content.decode()
    assert PersonalDataAccess.objects.filter(resident=grid_resident, channel="web").count() == before + 1
    forbidden = client_for("street").post(f"/residents/{grid_resident.pk}/reveal/", HTTP_HX_REQUEST="true")
    assert forbidden.status_code == 403


def test_resident_list_filters_and_query_count(client_for, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for("street")
    with django_assert_max_num_queries(12):
        page = client.get("/residents/").content.decode()
    assert "共" in page
    red = client.get("/residents/?care_level=red", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in red  # htmx gets the rows partial
    assert client.get("/residents/?care_level=nonsense&page=abc").status_code == 200


def test_import_link_only_for_roles_that_may_import(client_for) -> None:  # type: ignore[no-untyped-def]
    assert "/registry/import/" in client_for("community").get("/me/").content.decode()
    assert "/registry/import/" not in client_for("street").get("/me/").content.decode()
    assert client_for("street").get("/registry/import/").status_code == 404


def test_party_member_home_lists_assigned_households(client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for("party").get("/me/").content.decode()
    assert "我的包户" in page
