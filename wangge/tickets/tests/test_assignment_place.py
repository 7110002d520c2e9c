"""Every assignment carries its ticket's place (the statistics' unit table reads it without the
tickets): dispatched by a person, by 秒认领, or by 批量派单."""

from wangge.areas.models import Unit
from wangge.tickets.actions import do_accept, do_assign, do_claim, do_dispatch_many
from wangge.tickets.models import Assignment


def test_assignments_carry_their_tickets_place(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    community = actor("community")
    wy = Unit.objects.get(memberships__user__username="unit")
    first, second, third = new_ticket(), new_ticket(title="路灯不亮"), new_ticket(title="井盖缺失")
    do_accept(first.pk, actor=community, kind="small")
    do_assign(first.pk, actor=community, assignee=actor("gridworker"), units=[wy])
    do_accept(second.pk, actor=community, kind="small")
    do_claim(second.pk, actor=actor("gridworker"))  # 秒认领
    do_dispatch_many([third.pk], actor=community, kind="small", units=[wy])
    rows = Assignment.objects.filter(ticket__in=[first, second, third]).select_related("ticket")
    assert rows.count() == 4
    assert all(a.area_code == a.ticket.area_code != "" for a in rows)
