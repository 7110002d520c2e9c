"""Who sees which tickets beyond their area (a party member's 包户), and the actions of a page of tickets
worked out at once agreeing with allowed_actions one ticket at a time."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from wangge.areas.models import Area, Level, Unit
from wangge.areas.scoping import scope_of
from wangge.conftest import DEMO_GRID, OTHER_STREET
from wangge.people.models import Household
from wangge.tickets import queries
from wangge.tickets.actions import do_accept, do_assign, do_claim, do_resolve, do_return, do_summon
from wangge.tickets.models import Ticket
from wangge.tickets.queries import allowed_actions, allowed_actions_many, tickets_for

pytestmark = pytest.mark.django_db


def test_a_party_member_sees_the_requests_of_their_households_only(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    party = actor("party")
    theirs = Household.objects.filter(party_contacts__membership__user=party).order_by("pk").first()
    neighbour = (
        Household.objects.filter(area__code__startswith=DEMO_GRID)
        .exclude(party_contacts__membership__user=party)
        .exclude(residents=None)
        .order_by("pk")
        .first()
    )
    mine = new_ticket(title="包户的诉求", resident_id=theirs.residents.first().pk)
    new_ticket(title="邻居的诉求", resident_id=neighbour.residents.first().pk)
    new_ticket(title="没有居民的诉求")
    assert list(tickets_for(party)) == [mine]
    assert not tickets_for(actor("volunteer")).exists()
    # one row per ticket, however many residents of the household raised requests
    new_ticket(title="又一件", resident_id=theirs.residents.last().pk)
    assert tickets_for(party).count() == 2


@pytest.mark.parametrize("username", ["gridworker", "gridhead", "community", "unit", "party", "resident"])
def test_a_page_of_actions_agrees_with_one_ticket_at_a_time(new_ticket, actor, username: str) -> None:  # type: ignore[no-untyped-def]
    head, worker, community = actor("gridhead"), actor("gridworker"), actor("community")
    wy = Unit.objects.get(memberships__user__username="unit")
    zj = Unit.objects.get(code="210104-ZJ")
    new_ticket(title="待受理")
    accepted = new_ticket(title="已受理")
    do_accept(accepted.pk, actor=head, kind="small")
    to_worker = new_ticket(title="派给网格员")
    do_accept(to_worker.pk, actor=head, kind="small")
    do_assign(to_worker.pk, actor=head, assignee=worker)
    to_units = new_ticket(title="派给单位")
    do_accept(to_units.pk, actor=community, kind="major")
    do_assign(to_units.pk, actor=community, units=[wy, zj])
    do_claim(to_units.pk, actor=actor("unit"))
    do_summon(to_units.pk, actor=community, units=[zj], deadline=None)
    done = new_ticket(title="已办结")
    do_accept(done.pk, actor=head, kind="small")
    do_assign(done.pk, actor=head, assignee=worker)
    do_claim(done.pk, actor=worker)
    do_resolve(done.pk, actor=worker, note="已处理")
    user = actor(username)
    scope_of(user)  # read once per request in the pages; not what is counted here
    tickets = list(Ticket.objects.order_by("pk"))
    with CaptureQueriesContext(connection) as queries:
        many = allowed_actions_many(user, tickets)
    assert len(queries) <= 2
    for t in tickets:
        assert many[t.pk] == allowed_actions(user, t), t.title


def test_the_staff_of_the_only_district_see_all_and_not_a_second_districts(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    """A district's staff read no area test while theirs is the only district (the newest-first list
    then walks the time index), and the test comes back with a second district."""
    ours = new_ticket(title="本区的诉求")
    district = actor("district")
    assert " WHERE " not in str(tickets_for(district).query)
    assert ours in tickets_for(district)
    other = Area.objects.create(code="210105", name="邻区", level=Level.DISTRICT)
    grid = Area.objects.create(code="210105001001001", name="邻区网格", level=Level.GRID, parent=other)
    theirs = new_ticket(title="邻区的诉求", area_code=grid.code, by=None)
    district = actor("district")  # a new request: what a user sees is worked out once per request
    assert ours in tickets_for(district)
    assert theirs not in tickets_for(district)
    assert theirs not in tickets_for(actor("community"))


def test_a_grid_workers_own_ticket_outside_the_grid_stays_in_view(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    """Assigned to or typed in by a person, a ticket outside their areas is theirs to see (read by the
    person's indexes, not a test of every row)."""
    worker, head = actor("gridworker"), actor("gridhead")
    elsewhere = Area.objects.filter(code__startswith=OTHER_STREET, level=Level.GRID).order_by("code").first()
    typed = new_ticket(title="路过别的街道看到的", area_code=elsewhere.code, by="gridworker", channel="grid")
    unrelated = new_ticket(title="别人的诉求", area_code=elsewhere.code, by=None)
    assert typed in tickets_for(worker)
    assert '"submitted_by_id" = ' not in str(tickets_for(worker).query)  # listed by id, not an OR per row
    assert unrelated not in tickets_for(worker)
    assert unrelated not in tickets_for(head)


def test_an_account_that_files_many_tickets_elsewhere_is_tested_not_listed(
    new_ticket, actor, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Past OWN_LISTED a person's own tickets outside their areas are found by the person's columns,
    not a list of ids (an account filing for a channel would put thousands into every query)."""
    monkeypatch.setattr(queries, "OWN_LISTED", 1)
    elsewhere = Area.objects.filter(code__startswith=OTHER_STREET, level=Level.GRID).order_by("code").first()
    mine = [new_ticket(title=f"代报{i}", area_code=elsewhere.code, by="gridworker") for i in range(3)]
    stranger = new_ticket(title="别人的", area_code=elsewhere.code, by=None)
    worker = actor("gridworker")
    seen = tickets_for(worker)
    assert '"submitted_by_id" = ' in str(seen.query)  # the column tested, no ids listed
    assert set(mine) <= set(seen)
    assert stranger not in seen


def test_a_unit_reads_a_ticket_while_it_holds_it_and_after_finishing_it_not_after_returning_it(
    new_ticket, actor, client_for
) -> None:  # type: ignore[no-untyped-def]
    """Issue 19, finding 8: the unit that returned a ticket (退单) loses it — page, API and lists answer 404 —
    while the unit that finished it keeps it (its record and rating)."""
    ticket = new_ticket()
    community = actor("community")
    do_accept(ticket.pk, actor=community, kind="major")
    wy = Unit.objects.get(memberships__user__username="unit")
    zj = Unit.objects.get(code="210104-ZJ")
    do_assign(ticket.pk, actor=community, units=[wy, zj])
    zj_staff = zj.memberships.all()[0].user
    assert tickets_for(zj_staff).filter(pk=ticket.pk).exists()
    do_claim(ticket.pk, actor=zj_staff)
    do_return(ticket.pk, actor=zj_staff, note="非本部门职责")
    assert not tickets_for(zj_staff).filter(pk=ticket.pk).exists()
    client = Client()
    client.force_login(zj_staff)
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
    assert str(ticket.number) not in client.get("/tickets/?queue=all").content.decode()
    # The lead unit finishes it and keeps it after it closes.
    wy_staff = actor("unit")
    do_claim(ticket.pk, actor=wy_staff)
    do_resolve(ticket.pk, actor=wy_staff, note="已修好")
    assert client_for("unit").get(f"/tickets/{ticket.pk}/").status_code == 200
    assert tickets_for(wy_staff).filter(pk=ticket.pk, status="resolved").exists()
