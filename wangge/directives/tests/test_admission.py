"""社区事务准入 (F17): a directive or ticket given to a community outside its lists is flagged to the
sender before it goes, and goes only once they confirm; the flags stay on record."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from wangge.areas.models import Area, Role
from wangge.conftest import DEMO_COMMUNITY, DEMO_STREET, OTHER_STREET
from wangge.directives.actions import NewDirective, check_directive, do_send_directive
from wangge.directives.admission import AdmissionFlagged, check_admission, load_duty_lists
from wangge.directives.models import Directive, DutyItem, DutyKind
from wangge.tickets import actions as a
from wangge.tickets.models import Category, TicketEvent


@pytest.fixture
def lists(db) -> int:  # type: ignore[no-untyped-def]
    """The shipped three lists on the demo street only (so street 002 has none and is not checked)."""
    DutyItem.objects.all().delete()
    return load_duty_lists(Area.objects.get(code=DEMO_STREET))


def _directive(title: str, body: str, codes: list[str], roles: list[str] | None = None) -> NewDirective:
    return NewDirective(
        title=title,
        body=body,
        area_codes=codes,
        roles=roles or [Role.COMMUNITY_STAFF],
        deadline=timezone.now() + dt.timedelta(days=2),
    )


def test_the_shipped_lists_load_with_their_ticket_categories(lists: int) -> None:
    items = DutyItem.objects.filter(area__code=DEMO_STREET)
    assert lists == items.count() == 28
    assert items.filter(kind=DutyKind.FORBIDDEN).count() == 7  # seed 000: 负面事项清单 7 项
    demolition = items.get(name="征地拆迁")
    paths = set(Category.objects.filter(code__in=demolition.categories).values_list("path", flat=True))
    assert paths == {"城乡建设/国有土地上房屋征收与补偿", "城乡建设/集体土地上房屋拆迁与补偿"}


def test_a_forbidden_task_is_flagged_and_sent_only_when_confirmed(lists: int, actor) -> None:  # type: ignore[no-untyped-def]
    district = actor("district")
    community = Area.objects.get(code=DEMO_COMMUNITY)
    task = _directive("招商引资任务分解", "请各社区本月完成招商引资线索两条。", [DEMO_STREET])

    before = Directive.objects.count()
    checked = check_directive(task, actor=district)
    assert [(f.kind, f.item) for f in checked.flags] == [(DutyKind.FORBIDDEN, "招商引资")]
    assert community.name in checked.flags[0].communities
    with pytest.raises(AdmissionFlagged) as flagged:
        do_send_directive(task, actor=district)
    assert "负面清单" in str(flagged.value) and "招商引资" in str(flagged.value)
    assert Directive.objects.count() == before  # nothing sent before the sender confirms

    sent = do_send_directive(task, actor=district, confirm_admission=True)
    assert sent.admission_flags[0]["item"] == "招商引资" and sent.receipts.exists()


def test_duties_pass_and_tasks_on_no_list_are_flagged(lists: int, actor) -> None:  # type: ignore[no-untyped-def]
    street = actor("street")
    duty = _directive("独居老人走访", "寒潮期间请入户走访独居老人，确认取暖。", [DEMO_STREET])
    assert check_directive(duty, actor=street).flags == []
    assisted = _directive("人口抽样调查", "协助统计局完成本月人口抽样调查。", [DEMO_STREET])
    assert check_directive(assisted, actor=street).flags == []
    odd = _directive("代收有线电视费", "请社区代为收取辖区有线电视费。", [DEMO_STREET])
    flags = check_directive(odd, actor=street).flags
    assert [f.kind for f in flags] == ["outside"] and "清单内" in flags[0].message
    # A community without any list is not checked; one above community level has no community at all.
    assert check_admission(community_codes=[f"{OTHER_STREET}001"], text="代收有线电视费") == []
    assert check_admission(community_codes=[DEMO_STREET], text="招商引资") == []


def test_a_ticket_given_to_community_staff_outside_the_lists_needs_confirming(
    lists: int,
    actor,
    new_ticket,  # type: ignore[no-untyped-def]
) -> None:
    community = actor("community")
    demolition = Category.objects.get(path="城乡建设/国有土地上房屋征收与补偿")
    ticket = new_ticket("拆迁补偿款迟迟不到位", "老楼征收补偿一直没有兑现", category=demolition)
    a.do_accept(ticket.pk, actor=community, kind="small")
    with pytest.raises(AdmissionFlagged) as flagged:
        a.do_assign(ticket.pk, actor=community, assignee=community)
    assert "征地拆迁" in str(flagged.value)
    ticket.refresh_from_db()
    assert ticket.status == "accepted"  # not assigned
    # To a grid worker (not the community's staff) it is not a community task: no flag.
    a.do_assign(ticket.pk, actor=community, assignee=actor("gridworker"))
    # Confirmed, it goes, and the event keeps what was flagged.
    a.do_assign(ticket.pk, actor=community, assignee=community, confirm_admission=True)
    event = TicketEvent.objects.filter(ticket=ticket, action="assign").order_by("-id").first()
    assert event is not None and "征地拆迁" in event.data["admission"][0]

    leak = new_ticket("楼顶漏水", "下雨后顶楼卧室屋顶渗水")
    a.do_accept(leak.pk, actor=community, kind="small")
    a.do_assign(leak.pk, actor=community, assignee=community)  # 房屋设施协调 is a duty: no flag


def test_the_load_command(db, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("load_duty_lists", DEMO_COMMUNITY)
    assert "28 项" in capsys.readouterr().out
    assert DutyItem.objects.filter(area__code=DEMO_COMMUNITY).count() == 28
    call_command("load_duty_lists", DEMO_COMMUNITY)  # replaces, does not add
    assert DutyItem.objects.filter(area__code=DEMO_COMMUNITY).count() == 28
    with pytest.raises(Exception, match="没有编码"):
        call_command("load_duty_lists", "999")
