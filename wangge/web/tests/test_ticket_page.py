"""The staff ticket page: number, status and time left in its header; actions as buttons with their
forms; people to hand it to by real name and post, grouped; the timeline in words; 接单 gone once
claimed."""

import datetime as dt
import re

from django.utils import timezone

from wangge.areas.models import Unit
from wangge.tickets.actions import do_accept, do_assign
from wangge.tickets.models import Ticket


def test_the_header_shows_the_number_status_and_time_left(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(title="楼道灯坏")
    body = client_for("community").get(f"/tickets/{ticket.pk}/").content.decode()
    assert f'data-testid="ticket-number">{ticket.number}<' in body
    assert re.search(r'data-testid="time-left">剩\S+<', body)
    Ticket.objects.filter(pk=ticket.pk).update(
        claim_deadline=timezone.now() - dt.timedelta(hours=3, minutes=5)
    )
    body = client_for("community").get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'class="late" data-testid="time-left">超时3小时5分<' in body
    assert '<span class="badge late">超时</span>' in body


def test_actions_are_buttons_and_people_are_named_with_their_posts(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    do_accept(ticket.pk, actor=actor("community"), kind="small")
    body = client_for("community").get(f"/tickets/{ticket.pk}/").content.decode()
    assert "<details" not in body and "<summary" not in body
    assert 'data-panel="act-assign"' in body and 'id="act-assign" hidden' in body
    worker = actor("gridworker")
    assert f'<option value="gridworker" >{worker.display_name} · 专职网格员 · ' in body
    assert '<optgroup label="网格力量">' in body and '<optgroup label="党员和志愿者">' in body
    assert "（gridworker）" not in body  # no login names


def test_claim_is_not_offered_once_claimed_and_the_timeline_names_who(client_for, new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    community = actor("community")
    do_accept(ticket.pk, actor=community, kind="small")
    wy = Unit.objects.get(memberships__user__username="unit")
    do_assign(ticket.pk, actor=community, units=[wy])
    unit = client_for("unit")
    assert 'data-action="claim"' in unit.get(f"/tickets/{ticket.pk}/").content.decode()
    assert unit.post(f"/tickets/{ticket.pk}/act/claim/", {}).status_code == 302
    body = unit.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-action="claim"' not in body and 'data-panel="act-resolve"' in body
    assert "派给 安居物业服务有限公司" in body and "三事分流：小事" in body
