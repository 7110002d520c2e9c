"""四项清单 (F3) and 看图知户况: the counts add up to the registry and tickets they come from, the Excel
workbook carries the same lists with phones masked, and each building on the map has the colour of its
most urgent household and its open requests."""

import io

import openpyxl
import pytest
from django.utils import timezone

from wangge.areas.models import Area, Level
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, OTHER_STREET, full_numbers, shows_any
from wangge.people.ledgers import base_counts, building_states, open_tickets, special_groups
from wangge.people.models import LEVEL_URGENCY, CareLevel, Household, Resident
from wangge.tickets import workflow
from wangge.tickets.models import Ticket


@pytest.mark.django_db
def test_the_base_counts_add_up_to_the_registry(actor) -> None:  # type: ignore[no-untyped-def]
    community = Area.objects.get(code=DEMO_COMMUNITY)
    today = timezone.localdate()
    rows = base_counts(community, Household.objects.all(), today)
    assert rows and all(r.area.level == Level.BUILDING for r in rows)
    households = Household.objects.filter(area__code__startswith=DEMO_COMMUNITY)
    people = list(Resident.objects.filter(household__area__code__startswith=DEMO_COMMUNITY))
    assert sum(r.households for r in rows) == households.count()
    assert sum(r.occupied for r in rows) == households.filter(residents__isnull=False).distinct().count()
    assert sum(r.residents for r in rows) == len(people)
    assert sum(r.aged_80 for r in rows) == sum(1 for p in people if p.age(today) >= 80)
    assert sum(r.aged_60 for r in rows) == sum(1 for p in people if p.age(today) >= 60)
    # Above community level: one row per child area, adding up the same way.
    street = base_counts(Area.objects.get(code=DEMO_STREET), Household.objects.all(), today)
    assert all(r.area.level == Level.COMMUNITY for r in street)
    assert (
        sum(r.households for r in street)
        == Household.objects.filter(area__code__startswith=DEMO_STREET).count()
    )


@pytest.mark.django_db
def test_special_groups_count_each_tag_and_colour(actor) -> None:  # type: ignore[no-untyped-def]
    community = Area.objects.get(code=DEMO_COMMUNITY)
    groups = special_groups(community, Resident.objects.all())
    expected: dict[tuple[str, str], int] = {}
    for r in Resident.objects.filter(household__area__code__startswith=DEMO_COMMUNITY).prefetch_related(
        "care_tags"
    ):
        for tag in r.care_tags.all():
            expected[(tag.code, r.care_level)] = expected.get((tag.code, r.care_level), 0) + 1
    got = {
        (code, level): n
        for code, _name, counts, _total in groups.rows
        for (level, _label), n in zip(groups.levels, counts, strict=True)
        if n
    }
    assert got == expected and got


@pytest.mark.django_db
def test_the_page_and_the_workbook(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    new_ticket("楼道灯不亮", "三单元楼道灯坏了")
    page = client_for("community").get(f"/areas/{DEMO_COMMUNITY}/lists/")
    assert page.status_code == 200
    body = page.content.decode()
    for title in ("基础底数", "居民诉求", "紧缺物资", "特殊群体", "楼道灯不亮"):
        assert title in body
    opened = open_tickets(Area.objects.get(code=DEMO_COMMUNITY), Ticket.objects.all())
    assert not opened.filter(status__in=workflow.TERMINAL).exists()
    assert f"未办结 {opened.count()} 件" in body

    export = client_for("community").get(f"/areas/{DEMO_COMMUNITY}/lists.xlsx")
    assert export.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(export.content), read_only=True)
    assert book.sheetnames == ["基础底数", "居民诉求", "紧缺物资", "特殊群体"]
    tickets = list(book["居民诉求"].iter_rows(values_only=True))
    assert len(tickets) == opened.count() + 1
    special = list(book["特殊群体"].iter_rows(values_only=True))
    assert len(special) > 1 and special[0][0] == "姓名"
    cells = " ".join(str(c) for row in special for c in row)
    assert not shows_any(cells, full_numbers(DEMO_COMMUNITY))  # phones masked

    # Out of scope, or without the registry: 404.
    assert client_for("gridworker").get(f"/areas/{OTHER_STREET}/lists/").status_code == 404
    assert client_for("unit").get(f"/areas/{DEMO_COMMUNITY}/lists/").status_code == 404
    assert client_for("volunteer").get(f"/areas/{DEMO_COMMUNITY}/lists.xlsx").status_code == 404


@pytest.mark.django_db
def test_each_building_has_the_colour_of_its_most_urgent_household(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    grid = Area.objects.get(code=DEMO_GRID)
    resident = Resident.objects.filter(household__area__code__startswith=DEMO_GRID).order_by("id").last()
    assert resident is not None
    building = Area.objects.get(code=resident.household.area.code[: len(DEMO_GRID) + 3])
    new_ticket("单元门坏了", "门禁打不开", resident_id=resident.pk)
    rows = client_for("gridworker").get(f"/api/v1/areas/{DEMO_GRID}/buildings").json()
    assert rows
    for row in rows:
        levels = list(
            Household.objects.filter(area__code__startswith=row["code"]).values_list("care_level", flat=True)
        )
        assert row["households"] == len(levels)
        assert row["care_level"] == min(levels, key=lambda level: LEVEL_URGENCY.index(CareLevel(level)))
        raised_here = open_tickets(grid, Ticket.objects.all()).filter(
            resident__household__area__code__startswith=row["code"]
        )
        assert row["open_tickets"] == raised_here.count()
    assert next(r for r in rows if r["code"] == building.code)["open_tickets"] >= 1
    assert len(building_states(grid, Household.objects.all(), Ticket.objects.all())) == len(rows)
    # The households of a building, for the map's click.
    listed = client_for("gridworker").get(f"/api/v1/households?area={building.code}&page_size=200").json()
    assert {h["care_level"] for h in listed["items"]} <= {r["care_level"] for r in rows} | set(LEVEL_URGENCY)
    assert client_for("gridworker").get(f"/api/v1/areas/{OTHER_STREET}/buildings").status_code == 404
    assert client_for("unit").get(f"/api/v1/areas/{DEMO_GRID}/buildings").status_code == 404
    assert "看图知户况" in client_for("gridworker").get(f"/areas/{DEMO_GRID}/").content.decode()
