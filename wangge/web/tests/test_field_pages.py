"""The field frame's pages through the test client: 上报问题 (网格发现) through the staff form's intake,
我的工单 over the workbench's queues with one-tap 接单, the phone ticket page and its actions, the party
member's 包户 page, the volunteer's, the grid head's way to 待受理/派单, the tabs each persona gets, scope
and query counts that do not grow with the rows."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.areas.lookup import locate
from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, OTHER_STREET
from wangge.directives.actions import NewDirective, do_send_directive
from wangge.people.models import Household, Housing
from wangge.tickets.actions import do_accept, do_assign, do_claim
from wangge.tickets.models import Channel, PhotoStage, Status, Ticket
from wangge.tickets.worklists import counts, queue, queues_for
from wangge.web.tests.test_ticket_story import png

pytestmark = pytest.mark.django_db

SCHOOL_GRID = DEMO_GRID + "001"  # 东塔小学专属网格, nested in the demo grid


def listed(body: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-ticket="(\d+)"', body)]


def segment_counts(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-queue="(\w+)"[^>]*><b>([^<]*)</b>', body))


def tabs(body: str) -> list[str]:
    bar = body[body.index('class="field-tabs"') :]
    return re.findall(r'data-tab="(\w+)"', bar[: bar.index("</nav>")])


def photo(tmp_path: Path, name: str = "well.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png(tmp_path / name, (90, 90, 90)).read_bytes(), content_type="image/png")


def point_in_demo_grid() -> tuple[float, float]:
    """A building's point that lies in the demo grid itself (not in the school grid nested in it)."""
    for b in Area.objects.filter(code__startswith=DEMO_GRID, level="building", lat__isnull=False):
        found = locate(b.lat, b.lng)  # type: ignore[arg-type]
        if found is not None and found.grid.code == DEMO_GRID:
            return b.lat, b.lng  # type: ignore[return-value]
    raise AssertionError("no building of the demo grid outside the school grid")


def report(client, **fields: object):  # type: ignore[no-untyped-def]
    data = {
        "title": "井盖破损",
        "description": "3号楼北侧下水井盖碎了一半，晚上有人踩空",
        "urgency": "urgent",
    }
    data.update(fields)  # type: ignore[arg-type]
    return client.post("/field/report/", {k: v for k, v in data.items() if v is not None})


# --- 上报问题 ----------------------------------------------------------------------------------------


def test_a_finding_is_a_grid_ticket_at_the_tapped_point(client_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    form = client.get("/field/report/").content.decode()
    assert 'capture="environment"' in form and 'accept="image/*"' in form and "使用当前位置" in form
    assert "来电人" not in form and 'name="contact_name"' not in form
    assert f'value="{DEMO_GRID}"' in form and f'value="{SCHOOL_GRID}"' in form  # her grids, the map's too
    assert '"features"' in form and "幸福第1网格" in form
    lat, lng = point_in_demo_grid()
    response = report(client, lat=f"{lat:.6f}", lng=f"{lng:.6f}", area=SCHOOL_GRID, photos=photo(tmp_path))
    ticket = Ticket.objects.get(title="井盖破损")
    assert response.status_code == 302 and response["Location"] == f"/field/tickets/{ticket.pk}/"
    # the point wins over the grid chosen below it, as at the staff form
    assert (ticket.channel, ticket.area.code, ticket.urgency) == (Channel.GRID, DEMO_GRID, "urgent")
    assert ticket.lat == pytest.approx(lat, abs=1e-6) and ticket.submitted_by.username == "gridworker"
    assert ticket.contact_name == "" and ticket.photos.filter(stage=PhotoStage.SUBMIT).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert f"已上报，工单编号 {ticket.number}" in page and "井盖破损" in page


def test_without_a_point_the_chosen_grid_takes_it(client_for) -> None:  # type: ignore[no-untyped-def]
    response = report(client_for("gridhead"), area=SCHOOL_GRID, address="东塔小学南门")
    ticket = Ticket.objects.get(title="井盖破损")
    assert response.status_code == 302
    assert (ticket.area.code, ticket.lat, ticket.address) == (SCHOOL_GRID, None, "东塔小学南门")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"title": ""}, "请填写标题"),
        ({"description": "  "}, "请填写诉求内容"),
        ({"urgency": "soon"}, "紧急程度只能是一般、紧急或特急"),
        ({"lat": "abc", "lng": "123.4"}, "位置："),
        ({"lat": "nan", "lng": "nan"}, "位置：坐标超出范围"),
        ({"lat": "1e400", "lng": "123.4"}, "位置：坐标超出范围"),
        ({"lat": "41.84"}, "位置："),
        ({"area": OTHER_STREET + "001001"}, "网格：请从您负责的网格中选择"),
        ({"area": ""}, "网格：请在地图上点选位置"),
    ],
)
def test_bad_findings_name_the_field_and_write_nothing(client_for, fields: dict, named: str) -> None:  # type: ignore[no-untyped-def]
    response = report(client_for("gridworker"), **{"area": DEMO_GRID, **fields})
    assert response.status_code == 422
    assert named in response.content.decode()
    assert not Ticket.objects.exists()


def test_bad_photos_are_refused_by_the_photo_check(client_for, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    untitled = report(client, title="", area=DEMO_GRID, photos=photo(tmp_path))
    assert untitled.status_code == 422 and "照片没有保存，改好后请重新拍" in untitled.content.decode()
    seven = [photo(tmp_path, f"p{i}.png") for i in range(7)]
    response = report(client, area=DEMO_GRID, photos=seven)
    assert response.status_code == 422 and "最多上传6张照片" in response.content.decode()
    text = SimpleUploadedFile("well.png", b"not an image at all", content_type="image/png")
    response = report(client, area=DEMO_GRID, photos=text)
    assert response.status_code == 422 and "不是图片" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("username", ["party", "volunteer", "community"])
def test_only_the_grid_staff_report_findings_here(client_for, username: str) -> None:  # type: ignore[no-untyped-def]
    assert client_for(username).get("/field/report/").status_code == 404


# --- 我的工单 ----------------------------------------------------------------------------------------


@pytest.fixture
def grid_work(new_ticket, actor):  # type: ignore[no-untyped-def]
    """In the demo grid: two new tickets, two accepted ones, one assigned to the grid worker and one she
    has claimed; and one in the other street."""
    head, worker = actor("gridhead"), actor("gridworker")
    made = {"new": [new_ticket(title=f"新诉求{i}") for i in range(2)]}
    made["accepted"] = [new_ticket(title=f"已受理{i}") for i in range(2)]
    for t in made["accepted"]:
        do_accept(t.pk, actor=head, kind="small")
    assigned, claimed = new_ticket(title="派给网格员"), new_ticket(title="网格员在办")
    for t in (assigned, claimed):
        do_accept(t.pk, actor=head, kind="small")
        do_assign(t.pk, actor=head, assignee=worker)
    do_claim(claimed.pk, actor=worker)
    made["assigned"], made["claimed"] = [assigned], [claimed]
    other = Area.objects.filter(code__startswith=OTHER_STREET, level="grid").order_by("code")[0]
    made["outside"] = [new_ticket(title="别处的诉求", area_code=other.code, by=None)]
    return made


@pytest.mark.parametrize("username", ["gridworker", "gridhead", "party", "volunteer"])
def test_each_segment_lists_exactly_its_queue(client_for, actor, grid_work, username: str) -> None:  # type: ignore[no-untyped-def]
    user, client = actor(username), client_for(username)
    queues = queues_for(user)
    sizes = counts(user, queues)
    expected_keys = {
        "gridworker": ["mine", "grid", "overdue", "all"],
        "gridhead": ["dispatch", "mine", "overdue", "all"],
    }.get(username, ["mine", "all"])
    assert [q.key for q in queues] == expected_keys
    for q in queues:
        body = client.get(f"/field/tickets/?queue={q.key}").content.decode()
        assert sorted(listed(body)) == sorted(queue(user, q.key).values_list("pk", flat=True))
        shown = segment_counts(body)
        assert shown == {k.key: str(sizes[k.key]) if k.counted else "☰" for k in queues}


def test_the_list_opens_on_the_first_queue_with_work_and_claims_in_one_tap(client_for, grid_work) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    body = client.get("/field/tickets/").content.decode()
    assert 'data-queue="mine" class="on" aria-current="page"><b>2</b><span>我的待办' in body
    grid = client.get("/field/tickets/?queue=grid").content.decode()
    cards = dict(re.findall(r'data-ticket="(\d+)">(.*?)</li>', grid, re.S))
    accepted, new = grid_work["accepted"][0], grid_work["new"][0]
    assert 'data-testid="claim"' in cards[str(accepted.pk)]  # 秒认领: the grid takes it directly
    assert 'data-testid="claim"' not in cards[str(new.pk)]  # waits for the grid head's 受理
    mine = client.get("/field/tickets/?queue=mine").content.decode()
    mine_cards = dict(re.findall(r'data-ticket="(\d+)">(.*?)</li>', mine, re.S))
    assert 'data-testid="claim"' in mine_cards[str(grid_work["assigned"][0].pk)]
    assert 'data-testid="claim"' not in mine_cards[str(grid_work["claimed"][0].pk)]
    response = client.post(f"/field/tickets/{accepted.pk}/act/claim/", {"next": "/field/tickets/?queue=grid"})
    assert response.status_code == 302 and response["Location"] == "/field/tickets/?queue=grid"
    accepted.refresh_from_db()
    assert accepted.status == Status.IN_PROGRESS and accepted.assignee.username == "gridworker"
    after = client.get(response["Location"]).content.decode()
    assert f"{accepted.number} 已接单" in after and accepted.pk not in listed(after)


def test_a_one_tap_action_never_returns_off_the_field_pages(client_for, grid_work) -> None:  # type: ignore[no-untyped-def]
    ticket = grid_work["accepted"][0]
    response = client_for("gridworker").post(
        f"/field/tickets/{ticket.pk}/act/claim/", {"next": "https://evil.example/field/"}
    )
    assert response["Location"] == f"/field/tickets/{ticket.pk}/"


@pytest.mark.parametrize(
    ("username", "key"), [("gridworker", "all"), ("gridhead", "dispatch"), ("party", "all")]
)
def test_list_queries_do_not_grow_with_the_cards(
    client_for, new_ticket, actor, username: str, key: str
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(username)
    party_home = Household.objects.filter(party_contacts__membership__user__username="party").first()
    resident = party_home.residents.first()

    def add(n: int) -> None:
        for i in range(n):
            t = new_ticket(title=f"第{i}件", resident_id=resident.pk)
            if i % 3 == 1:
                do_accept(t.pk, actor=actor("gridhead"), kind="small")
            if i % 3 == 2:
                do_accept(t.pk, actor=actor("gridhead"), kind="small")
                do_assign(t.pk, actor=actor("gridhead"), assignee=actor("gridworker"))

    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/field/tickets/?queue={key}")
    add(9)
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"/field/tickets/?queue={key}").content.decode()
    assert len(listed(body)) >= 8
    assert len(many) == len(few)


# --- one ticket on the phone -----------------------------------------------------------------------


def test_the_result_photo_and_note_are_open_when_resolving_is_next(client_for, grid_work, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    ticket = grid_work["claimed"][0]
    page = client.get(f"/field/tickets/{ticket.pk}/").content.decode()
    assert re.search(r'<details class="act card lead" data-act="resolve" open>', page)
    assert "拍结果照片" in page and 'capture="environment"' in page and "电脑版工单页" in page
    empty = client.post(f"/field/tickets/{ticket.pk}/act/resolve/", {"note": " "})
    assert empty.status_code == 422 and "请填写办理结果" in empty.content.decode()
    done = client.post(
        f"/field/tickets/{ticket.pk}/act/resolve/", {"note": "已更换井盖", "photos": photo(tmp_path)}
    )
    assert done.status_code == 302 and done["Location"] == f"/field/tickets/{ticket.pk}/"
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.photos.filter(stage=PhotoStage.RESULT).count() == 1
    assert "已提交办结反馈" in client.get(done["Location"]).content.decode()


def test_the_grid_head_accepts_and_dispatches_on_the_phone(client_for, grid_work) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridhead")
    ticket = grid_work["new"][0]
    page = client.get(f"/field/tickets/{ticket.pk}/").content.decode()
    assert 'data-act="accept" open' in page and 'data-act="reject"' in page
    assert client.post(f"/field/tickets/{ticket.pk}/act/accept/", {"kind": "small"}).status_code == 302
    page = client.get(f"/field/tickets/{ticket.pk}/").content.decode()
    assert 'data-act="assign"' in page and 'value="gridworker"' in page
    response = client.post(f"/field/tickets/{ticket.pk}/act/assign/", {"assignee": "gridworker"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ASSIGNED and ticket.assignee.username == "gridworker"


def test_refused_and_out_of_scope_actions(client_for, grid_work) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    waiting = grid_work["new"][0]
    refused = client.post(f"/field/tickets/{waiting.pk}/act/claim/")
    assert refused.status_code == 409 and "不能接单" in refused.content.decode()
    assert client.post(f"/field/tickets/{waiting.pk}/act/fly/").status_code == 409
    outside = grid_work["outside"][0]
    assert client.get(f"/field/tickets/{outside.pk}/").status_code == 404
    assert client.post(f"/field/tickets/{outside.pk}/act/note/", {"note": "x"}).status_code == 404
    assert client.get("/field/tickets/999999/").status_code == 404


# --- the home pages --------------------------------------------------------------------------------


@pytest.fixture
def party_households() -> list[Household]:
    """The party member's six 包户 households, the first of them left empty (空置)."""
    found = list(Household.objects.filter(party_contacts__membership__user__username="party").order_by("pk"))
    # no action moves a family out; the registry import would set the same two fields
    Household.objects.filter(pk=found[0].pk).update(housing=Housing.VACANT, next_visit_on=None)
    return found


def test_the_party_member_sees_their_households_and_their_requests(  # type: ignore[no-untyped-def]
    client_for, new_ticket, party_households
) -> None:
    vacant, *occupied = party_households
    resident = occupied[0].residents.order_by("pk").first()
    theirs = new_ticket(title="楼道灯不亮", resident_id=resident.pk)
    neighbour = (
        Household.objects.filter(area__code__startswith=DEMO_GRID)
        .exclude(pk__in=[h.pk for h in party_households])
        .exclude(residents=None)
        .first()
    )
    not_theirs = new_ticket(title="邻居的诉求", resident_id=neighbour.residents.first().pk)
    late = timezone.localdate() - dt.timedelta(days=30)
    Household.objects.filter(pk=occupied[1].pk).update(next_visit_on=late)
    client = client_for("party")
    response = client_for("party").get("/field/")
    body = response.content.decode()
    assert response.status_code == 200
    shown = [int(pk) for pk in re.findall(r'data-household="(\d+)"', body)]
    assert sorted(shown) == sorted(h.pk for h in party_households)
    assert shown[0] == occupied[1].pk  # the most overdue first, the vacant one last
    assert shown[-1] == vacant.pk and "逾期30天" in body
    vacant_row = body[body.index(f'data-household="{vacant.pk}"') :]
    assert "空置户" in vacant_row[: vacant_row.index("</li>")]
    assert 'data-testid="households"><b>6</b>' in body
    assert "楼道灯不亮" in body and f"/field/tickets/{theirs.pk}/" in body and "邻居的诉求" not in body
    assert f"/field/households/{occupied[0].pk}/" in body
    # they may open their household's request (read only) and the household, nothing beyond
    assert client.get(f"/field/tickets/{theirs.pk}/").status_code == 200
    assert client.get(f"/field/tickets/{not_theirs.pk}/").status_code == 404
    assert client.get(f"/field/households/{occupied[0].pk}/").status_code == 200
    assert client.get(f"/field/households/{neighbour.pk}/").status_code == 404
    assert tabs(body) == ["today", "neighbours", "party", "tickets", "inbox"] and "我的包户" in body


def test_the_party_page_queries_do_not_grow_with_requests(client_for, new_ticket, party_households) -> None:  # type: ignore[no-untyped-def]
    client = client_for("party")
    residents = [h.residents.order_by("pk").first() for h in party_households[1:]]
    new_ticket(title="第一件", resident_id=residents[0].pk)
    with CaptureQueriesContext(connection) as few:
        client.get("/field/")
    for i, r in enumerate(residents * 2):
        new_ticket(title=f"又一件{i}", resident_id=r.pk)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/field/").content.decode()
    assert body.count("又一件") == 2 * len(residents)
    assert len(many) == len(few)


def test_a_volunteer_without_households_is_told_what_they_can_do(client_for) -> None:  # type: ignore[no-untyped-def]
    body = client_for("volunteer").get("/field/").content.decode()
    assert "您目前没有分配包户" in body and "/field/tickets/" in body and "/inbox/" in body
    assert 'data-testid="households"' not in body
    assert tabs(body) == ["today", "neighbours", "tickets", "inbox"] and ">首页<" in body


def test_a_directive_waiting_for_a_party_member_brings_the_tab(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    do_send_directive(
        NewDirective(
            title="入户宣传防火",
            body="请向包户宣传冬季用火安全",
            area_codes=[DEMO_COMMUNITY],
            roles=["party_member"],
            deadline=timezone.now() + dt.timedelta(days=1),
        ),
        actor=actor("community"),
        confirm_admission=True,
    )
    assert tabs(client_for("party").get("/field/").content.decode()) == [
        "today",
        "neighbours",
        "party",
        "tickets",
        "directives",
        "inbox",
    ]


def test_the_grid_staff_tabs_and_their_work_one_tap_away(client_for, actor, grid_work) -> None:  # type: ignore[no-untyped-def]
    worker = client_for("gridworker").get("/field/").content.decode()
    assert tabs(worker) == ["today", "report", "tickets", "directives", "inbox"]
    head = client_for("gridhead").get("/field/").content.decode()
    assert tabs(head) == ["today", "report", "tickets", "directives", "inbox"]
    dispatch = len(queue(actor("gridhead"), "dispatch"))
    assert dispatch == 4  # two new, two accepted and not yet assigned
    assert re.search(
        rf'href="/field/tickets/\?queue=dispatch" data-queue="dispatch"[^>]*><b>{dispatch}</b>', head
    )
