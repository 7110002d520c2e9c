"""Every staff list page answers in a number of queries that does not grow with its rows: the page is
requested, rows are added, and it is requested again."""

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wangge.accounts.models import User
from wangge.conftest import DEMO_COMMUNITY
from wangge.notify.actions import do_notify_users
from wangge.tickets.actions import do_accept

PAGES = [
    ("community", f"/areas/{DEMO_COMMUNITY}/lists/"),
    ("community", f"/stats/{DEMO_COMMUNITY}/"),
    ("community", "/inbox/"),
    ("gridworker", "/inbox/"),
    ("unit", "/inbox/"),
]


def queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    client.get(url)  # the per-process tables load once
    with CaptureQueriesContext(connection) as seen:
        assert client.get(url).status_code == 200
    return len(seen)


@pytest.mark.parametrize(("username", "url"), PAGES)
def test_list_page_queries_do_not_grow(  # type: ignore[no-untyped-def]
    client_for, new_ticket, username: str, url: str
) -> None:
    client = client_for(username)
    community, user = User.objects.get(username="community"), User.objects.get(username=username)

    def add(n: int, make: Callable[[], object]) -> None:
        for _ in range(n):
            make()

    def one() -> None:
        ticket = new_ticket(title="路面坑洼")
        do_accept(ticket.pk, actor=community, kind="small")
        do_notify_users([user], "有一条新消息", ticket_id=ticket.pk)

    add(2, one)
    before = queries(client, url)
    add(10, one)
    assert queries(client, url) == before
