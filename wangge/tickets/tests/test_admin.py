import datetime as dt

from django.test import Client

from wangge.accounts.models import User
from wangge.tickets.sla import work_calendar


def test_setup_screens_open_and_tickets_are_read_only(db, new_ticket) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(contact_phone="13912345678")
    client = Client()
    client.force_login(User.objects.create_superuser("setup", password="x"))
    for url in (
        "/admin/tickets/category/",
        "/admin/tickets/slarule/",
        "/admin/tickets/calendarday/",
        "/admin/tickets/unitassessment/",
        "/admin/tickets/ticket/",
        "/admin/notify/notification/",
        "/admin/notify/outboundmessage/",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/change/").content.decode()
    assert ("13912345678" not in page and "提交诉求" not in page) or "submit" in page
    assert client.post("/admin/tickets/ticket/add/", {}).status_code == 403
    # A holiday added on the set-up screen moves deadlines at once.
    day = dt.date(2030, 1, 2)
    client.post(
        "/admin/tickets/calendarday/add/", {"date": day.isoformat(), "workday": "", "name": "测试假日"}
    )
    assert not work_calendar().is_workday(day)
