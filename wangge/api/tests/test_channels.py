"""渠道 and 来源编号 (issue 19, finding 1): a resident cannot say a ticket came from 12345, cannot read
another source's ticket by reusing its number, and cannot block the hotline's real complaint by claiming
its number first. Outside platforms' channels belong to their integration tokens and to the staff who
dispatch."""

import io
import json

import openpyxl
from django.core.management import call_command
from django.test import Client

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.conftest import DEMO_GRID
from wangge.tickets.hotline import import_hotline
from wangge.tickets.models import Ticket


def post(client: Client, body: dict, **headers: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/tickets", json.dumps(body), content_type="application/json", headers=headers)


def ticket(**extra: str) -> dict:
    return {"title": "楼道灯不亮", "description": "三单元楼道灯坏了", "area": DEMO_GRID, **extra}


def hotline_file(number: str) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["工单编号", "诉求内容", "地址"])
    book.active.append([number, "小区门口井盖松动", "大东区"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def token_for(username: str, channel: str = "") -> str:
    out = io.StringIO()
    call_command("issue_token", username, *(["--channel", channel] if channel else []), stdout=out)
    return out.getvalue().split()[-1]


def test_a_resident_sends_only_their_own_channels(client_for) -> None:  # type: ignore[no-untyped-def]
    resident = client_for("resident")
    for channel in ("12345", "provincial", "sensor", "phone", "grid"):
        refused = post(resident, ticket(channel=channel, external_id="GD0001"))
        assert refused.status_code == 422 and "channel" in refused.content.decode(), channel
    made = post(resident, ticket(channel="proactive"))
    assert made.status_code == 422 and "channel" in made.content.decode()
    assert not Ticket.objects.exists()
    assert post(resident, ticket(channel="h5")).status_code == 201
    # Staff entry on the web is not theirs either, whatever they post.
    assert resident.get("/tickets/new/").status_code == 404
    assert resident.post("/tickets/new/", {**ticket(), "channel": "12345"}).status_code == 404
    assert Ticket.objects.count() == 1


def test_a_number_claimed_first_neither_blocks_nor_reveals_the_real_one(client_for) -> None:  # type: ignore[no-untyped-def]
    resident = client_for("resident")
    claimed = post(resident, ticket(external_id="GD2026-0001"))
    assert claimed.status_code == 201
    # The hotline's export brings the real complaint with that number: it is imported, not skipped.
    district = User.objects.get(username="district")
    report = import_hotline(
        name="12345.xlsx",
        content=hotline_file("GD2026-0001"),
        actor=district,
        default_area=Area.objects.get(code=DEMO_GRID),
    )
    assert report.created == 1 and report.already_imported == 0
    real = Ticket.objects.get(source="12345", external_id="GD2026-0001")
    assert real.channel == "12345" and real.description == "小区门口井盖松动"
    # Reusing the real number tells the resident nothing about it: their own namespace answers.
    again = post(resident, ticket(external_id="GD2026-0001"))
    assert again.status_code == 200 and again.json()["id"] == claimed.json()["id"] != real.pk
    assert "井盖" not in again.content.decode()
    # Someone else's ids are their own: the same number makes a new ticket for them.
    other = post(client_for("gridworker"), ticket(external_id="GD2026-0001"))
    assert other.status_code == 201 and other.json()["id"] not in (claimed.json()["id"], real.pk)


def test_an_integration_token_sends_its_channel_and_a_repeat_answers_only_to_it(client_for) -> None:  # type: ignore[no-untyped-def]
    hotline = token_for("district", channel="12345")
    sent = post(Client(), ticket(channel="12345", external_id="GD-77"), Authorization=f"Bearer {hotline}")
    assert sent.status_code == 201 and Ticket.objects.get(pk=sent.json()["id"]).source == "12345"
    repeat = post(Client(), ticket(channel="12345", external_id="GD-77"), Authorization=f"Bearer {hotline}")
    assert repeat.status_code == 200 and repeat.json()["id"] == sent.json()["id"]
    # The same number from another account of the same platform: 409, and nothing about the ticket.
    staff = post(client_for("community"), ticket(channel="12345", external_id="GD-77"))
    assert staff.status_code == 409 and "楼道灯" not in staff.content.decode()
    assert staff.json()["field"] == "external_id"
    # A token granted another channel, or none, is refused the hotline's.
    provincial = token_for("resident", channel="provincial")
    crossed = post(
        Client(), ticket(channel="12345", external_id="GD-78"), Authorization=f"Bearer {provincial}"
    )
    assert crossed.status_code == 422
    plain = token_for("resident")
    assert post(Client(), ticket(channel="12345"), Authorization=f"Bearer {plain}").status_code == 422
    ok = post(
        Client(), ticket(channel="provincial", external_id="FZT-1"), Authorization=f"Bearer {provincial}"
    )
    assert ok.status_code == 201 and Ticket.objects.get(pk=ok.json()["id"]).source == "provincial"


def test_staff_send_what_their_role_allows(client_for) -> None:  # type: ignore[no-untyped-def]
    worker = client_for("gridworker")
    assert post(worker, ticket(channel="grid")).status_code == 201
    assert post(worker, ticket(channel="12345")).status_code == 422
    assert post(client_for("community"), ticket(channel="12345")).status_code == 201
    page = worker.get("/tickets/new/").content.decode()
    assert "网格发现" in page and "12345热线" not in page
    refused = worker.post("/tickets/new/", {**ticket(), "channel": "12345"})
    assert refused.status_code == 422 and "请从列表中选择渠道" in refused.content.decode()
