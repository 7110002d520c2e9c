"""The admin writes nothing that has a change history or is one (issue 19, finding 10): a superuser reads
residents, households, tickets and the audit trails there, and changes them on the pages, whose actions
record who did what."""

import pytest
from django.test import Client

from wangge.accounts.models import User
from wangge.conftest import DEMO_GRID
from wangge.people.models import Household, RegistryChange, Resident
from wangge.tickets.models import Ticket


@pytest.fixture
def admin_client(db) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x-very-long-password"))
    return client


def test_a_superuser_cannot_edit_residents_outside_their_history(admin_client, new_ticket) -> None:  # type: ignore[no-untyped-def]
    resident = Resident.objects.filter(household__area__code__startswith=DEMO_GRID).order_by("id").first()
    household = resident.household
    ticket = new_ticket()
    page = admin_client.get(f"/admin/people/resident/{resident.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # view only
    edited = admin_client.post(f"/admin/people/resident/{resident.pk}/change/", {"name": "改过的名字"})
    assert edited.status_code == 403
    trail = RegistryChange.objects.order_by("id").first()  # the demo's history of its records
    assert trail is not None
    changes = RegistryChange.objects.count()
    rows = [
        ("people/resident", resident.pk),
        ("people/household", household.pk),
        ("tickets/ticket", ticket.pk),
        ("people/registrychange", trail.pk),
    ]
    for model, pk in rows:
        deleted = admin_client.post(f"/admin/{model}/{pk}/delete/", {"post": "yes"})
        assert deleted.status_code == 403, model
        assert admin_client.get(f"/admin/{model}/add/").status_code == 403, model
    resident.refresh_from_db()
    assert resident.name != "改过的名字" and Household.objects.filter(pk=household.pk).exists()
    assert Ticket.objects.filter(pk=ticket.pk).exists() and RegistryChange.objects.count() == changes
