"""Small things the ledgers said wrong: a resident's own household page with a visit date and "no
visits"; 四项清单 naming six buildings "1号楼"; door numbers repeated across 单元 on the map; a directive's
message giving another deadline than the directive."""

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID
from wangge.directives.actions import when_text
from wangge.directives.models import Directive
from wangge.notify.models import Notification
from wangge.people.models import Household, Resident


def test_a_residents_own_household_page_shows_no_visit_ledger(client_for) -> None:  # type: ignore[no-untyped-def]
    household = Resident.objects.get(user__username="resident").household
    Household.objects.filter(pk=household.pk).update(last_visited_at=household.created_at)
    mine = client_for("resident").get(f"/households/{household.pk}/").content.decode()
    assert 'data-testid="visits"' not in mine and "最近走访" not in mine and "还没有走访记录" not in mine
    staff = client_for("gridworker").get(f"/households/{household.pk}/").content.decode()
    assert 'data-testid="visits"' in staff and "最近走访" in staff


def test_the_four_lists_name_each_building_with_its_grid(client_for) -> None:  # type: ignore[no-untyped-def]
    body = client_for("community").get(f"/areas/{DEMO_COMMUNITY}/lists/").content.decode()
    grid = Area.objects.get(code=DEMO_GRID)
    assert f"{grid.name} · 1号楼" in body
    assert ">1号楼<" not in body


def test_households_on_a_building_say_which_unit_they_are_in(client_for) -> None:  # type: ignore[no-untyped-def]
    building = Area.objects.filter(code__startswith=DEMO_GRID, level="building", children__isnull=False)[0]
    url = f"/api/v1/households?area={building.code}&page_size=200"
    items = client_for("gridworker").get(url).json()["items"]
    assert items and all(i["area_name"].endswith("单元") for i in items)
    doors = [(i["area_name"], i["door_no"]) for i in items]
    assert len(set(doors)) == len(doors)


def test_a_directives_message_gives_the_directives_own_deadline(db) -> None:  # type: ignore[no-untyped-def]
    for directive in Directive.objects.all():
        texts = Notification.objects.filter(text__startswith=f"工作指令「{directive.title}」").values_list(
            "text", flat=True
        )
        assert texts
        assert all(f"于{when_text(directive.deadline)}前反馈" in t for t in texts), directive.title
