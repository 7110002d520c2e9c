"""Who sees which tickets beyond their area: a party member, the requests of their 包户 households."""

import pytest

from wangge.conftest import DEMO_GRID
from wangge.people.models import Household
from wangge.tickets.queries import tickets_for

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
