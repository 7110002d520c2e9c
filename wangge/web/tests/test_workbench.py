"""The workbench and each persona's landing: tabs with counts equal to their lists, the opening queue,
filters, 批量派单, a unit's worklist holding exactly its tickets, navigation by role, and query counts
that do not grow with the rows."""

import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from wangge.areas.models import Area, Unit
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, LOGINS, OTHER_STREET
from wangge.demo.tickets import build_demo_tickets
from wangge.tickets.actions import do_accept, do_assign, do_summon
from wangge.tickets.models import Assignment, Status, SummonsCall, Ticket
from wangge.tickets.worklists import queue, queues_for

HOMES = {
    "district": "/stats/210104/",
    "street": "/tickets/",
    "community": "/tickets/",
    "gridhead": "/field/",
    "gridworker": "/field/",
    "unit": "/tickets/",
    "party": "/field/",
    "volunteer": "/field/",
    "resident": "/h5/",
}


def tickets_listed(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-ticket="(\d+)"', body)}


def tab_counts(body: str) -> dict[str, int]:
    return {
        k: int(n) for k, n in re.findall(r'data-queue="(\w+)">[^<]*<span class="count[^"]*">(\d+)<', body)
    }


@pytest.mark.parametrize("username", LOGINS)
def test_each_persona_lands_on_its_own_home(client_for, username: str) -> None:  # type: ignore[no-untyped-def]
    response = client_for(username).get("/")
    assert response.status_code == 302 and response["Location"] == HOMES[username]


def test_the_navigation_offers_only_what_the_role_uses(client_for) -> None:  # type: ignore[no-untyped-def]
    unit = client_for("unit").get("/tickets/").content.decode()
    nav = unit[unit.index('class="topnav"') : unit.index("</nav>")]
    assert "我的工单" in nav and "消息" in nav
    for other in ("走访", "指令", "居民档案", "统计"):
        assert other not in nav
    community = client_for("community").get("/tickets/").content.decode()
    nav = community[community.index('class="topnav"') : community.index("</nav>")]
    for item in ("工作台", "辖区", "统计", "居民档案", "指令", "消息"):
        assert item in nav
    assert 'aria-current="page">工作台' in nav
    resident = client_for("resident").get("/me/").content.decode()  # the one staff-framed page they reach
    nav = resident[resident.index('class="topnav"') : resident.index("</nav>")]
    assert "我要反映" in nav and "居民档案" not in nav and "工作台" not in nav


def test_the_workbench_opens_on_the_first_queue_that_holds_work(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    waiting = new_ticket(title="楼道堆物")
    body = client_for("community").get("/tickets/").content.decode()
    assert 'class="on" aria-current="page" data-queue="dispatch"' in body
    assert "楼道堆物" in body
    # nothing to dispatch or review: the case handed to the secretary herself opens first
    community = actor("community")
    do_accept(waiting.pk, actor=community, kind="small")
    do_assign(waiting.pk, actor=community, assignee=community)
    body = client_for("community").get("/tickets/").content.decode()
    assert 'class="on" aria-current="page" data-queue="mine"' in body and "楼道堆物" in body
    # and with nothing at all, the first tab, saying so
    Ticket.objects.filter(pk=waiting.pk).update(status=Status.CLOSED)
    body = client_for("community").get("/tickets/").content.decode()
    assert 'aria-current="page" data-queue="dispatch"' in body and "没有等待受理或派单的诉求" in body


def test_each_tab_counts_what_its_list_holds(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    community = actor("community")
    for n in range(3):
        ticket = new_ticket(title=f"路灯不亮{n}")
        if n:
            do_accept(ticket.pk, actor=community, kind="small")
    client = client_for("community")
    counts = tab_counts(client.get("/tickets/").content.decode())
    assert set(counts) == {"dispatch", "review", "mine", "overdue"}
    for key, n in counts.items():
        listed = tickets_listed(client.get(f"/tickets/?queue={key}").content.decode())
        assert len(listed) == n == queue(community, key).count(), key
    assert counts["dispatch"] == 3


def test_filters_narrow_the_list(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    grid2 = Area.objects.filter(code__startswith=DEMO_COMMUNITY, level="grid").exclude(code=DEMO_GRID)[0]
    urgent = new_ticket(title="燃气泄漏", urgency="critical")
    here = new_ticket(title="井盖缺失")
    there = new_ticket(title="井盖松动", area_code=grid2.code)
    client = client_for("community")

    def listed(query: str) -> set[int]:
        return tickets_listed(client.get(f"/tickets/?queue=dispatch&{query}").content.decode())

    assert listed("urgency=critical") == {urgent.pk}
    assert listed(f"area={grid2.code}") == {there.pk}
    assert listed("q=井盖") == {here.pk, there.pk}
    assert listed(f"q={here.number}") == {here.pk}
    assert listed("channel=12345") == set()
    assert listed(f"area={OTHER_STREET}001001") == {urgent.pk, here.pk, there.pk}  # not theirs: ignored
    assert listed("sort=deadline") == {urgent.pk, here.pk, there.pk}


def test_bulk_dispatch_sends_each_ticket_and_says_which_did_not_go(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    first, second = new_ticket(title="垃圾满溢"), new_ticket(title="绿地垃圾")
    outside = new_ticket(
        title="别处", area_code=Area.objects.filter(code__startswith=OTHER_STREET, level="grid")[0].code
    )
    taken = new_ticket(title="已被派走")
    do_accept(taken.pk, actor=actor("community"), kind="small")
    do_assign(taken.pk, actor=actor("community"), assignee=actor("gridworker"))
    Ticket.objects.filter(pk=taken.pk).update(status=Status.CLOSED)
    wy = Unit.objects.get(memberships__user__username="unit")
    response = client_for("community").post(
        "/tickets/bulk-assign/",
        {"ticket": [first.pk, second.pk, outside.pk, taken.pk], "unit": wy.code, "kind": "small"},
        follow=True,
    )
    body = response.content.decode()
    assert "已派单 2 件给安居物业服务有限公司" in body
    assert f"{taken.number} 未派单" in body and "找不到这件诉求" in body
    for ticket in (first, second):
        ticket.refresh_from_db()
        assert ticket.status == Status.ASSIGNED and ticket.lead_unit == wy and ticket.kind == "small"
    outside.refresh_from_db()
    assert outside.status == Status.NEW
    refused = client_for("community").post("/tickets/bulk-assign/", {"ticket": [first.pk]}, follow=True)
    assert "请选择承办人或承办单位" in refused.content.decode()


def test_a_unit_lists_exactly_the_tickets_assigned_to_or_summoning_it(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    community = actor("community")
    wy = Unit.objects.get(memberships__user__username="unit")
    zj = Unit.objects.get(code="210104-ZJ")
    mine = new_ticket(title="电梯停运")
    do_accept(mine.pk, actor=community, kind="small")
    do_assign(mine.pk, actor=community, units=[wy])
    called = new_ticket(title="管道破裂")
    do_accept(called.pk, actor=community, kind="major")
    do_assign(called.pk, actor=community, units=[zj])
    do_summon(called.pk, actor=community, units=[wy], deadline=None, note="联合处置")
    other = new_ticket(title="别人的事")
    do_accept(other.pk, actor=community, kind="small")
    do_assign(other.pk, actor=community, units=[zj])
    client = client_for("unit")
    everything = tickets_listed(client.get("/tickets/?queue=all").content.decode())
    expected = set(
        Ticket.objects.filter(Q(assignments__unit=wy) | Q(summonses__calls__unit=wy)).values_list(
            "pk", flat=True
        )
    )
    assert everything == expected == {mine.pk, called.pk}
    assert tickets_listed(client.get("/tickets/?queue=mine").content.decode()) == {mine.pk}
    assert tickets_listed(client.get("/tickets/?queue=summoned").content.decode()) == {called.pk}
    assert [q.key for q in queues_for(actor("unit"))] == ["mine", "summoned", "overdue", "all"]


def test_the_demo_units_serve_only_their_own_places(db) -> None:  # type: ignore[no-untyped-def]
    """The demo gave the first property company every community without one (a unit's list then held
    other communities' tickets): every assignment lies where its unit serves."""
    build_demo_tickets(count=2000, seed=3)
    rows = Assignment.objects.filter(unit__isnull=False).select_related("unit__area", "ticket")
    assert rows.exists()
    assert all(a.ticket.area_code.startswith(a.unit.area.code) for a in rows)


@pytest.mark.parametrize(("username", "queue_key"), [("community", "all"), ("unit", "all"), ("unit", "mine")])
def test_worklist_queries_do_not_grow_with_the_rows(
    client_for, new_ticket, actor, username: str, queue_key: str
) -> None:  # type: ignore[no-untyped-def]
    community = actor("community")
    wy = Unit.objects.get(memberships__user__username="unit")

    def add(n: int) -> None:
        for _ in range(n):
            ticket = new_ticket(title="占道经营")
            do_accept(ticket.pk, actor=community, kind="small")
            do_assign(ticket.pk, actor=community, units=[wy], assignee=actor("gridworker"))

    client = client_for(username)
    add(2)
    client.get(f"/tickets/?queue={queue_key}")  # loads the per-process tables (categories …) once
    with CaptureQueriesContext(connection) as few:
        client.get(f"/tickets/?queue={queue_key}")
    add(12)
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/tickets/?queue={queue_key}")
    assert len(tickets_listed(page.content.decode())) >= 14
    assert len(many) == len(few)


def test_the_unit_cannot_bulk_dispatch_or_see_the_bar(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    body = client_for("unit").get("/tickets/?queue=dispatch").content.decode()
    assert 'data-testid="bulk"' not in body
    ticket = new_ticket()
    client_for("unit").post("/tickets/bulk-assign/", {"ticket": [ticket.pk], "assignee": "gridworker"})
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW and not SummonsCall.objects.filter(summons__ticket=ticket).exists()


def test_a_units_ticket_is_found_by_one_probe_of_ticket_and_unit(actor) -> None:  # type: ignore[no-untyped-def]
    """The unit's worklist took 22 s at 50,000 tickets: whether a unit held a ticket was answered by
    reading every assignment of the unit for each ticket. Now each ticket is one probe of the
    (ticket, unit) index (SQLite's plan; PostgreSQL plans from its statistics)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plan")
    tickets = queue(actor("unit"), "all").order_by("-submitted_at")[:30]
    sql, params = tickets.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " / ".join(row[-1] for row in cursor.fetchall())
    assert "(ticket_id=? AND unit_id=?)" in plan, plan
