"""The contact phone stays masked; those who must call the resident can read it in full, and each read is
logged (PRODUCT.md: personal data is masked unless the role needs it; unmasking is logged)."""

from wangge.tickets import actions as a
from wangge.tickets.models import ContactAccess


def test_the_grid_worker_reveals_the_phone_and_it_is_logged(new_ticket, client_for) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(contact_phone="139 1234-5678", contact_name="王阿姨")  # stored as digits
    worker = client_for("gridworker")
    page = worker.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page and "查看完整号码" in page
    shown = worker.post(f"/tickets/{ticket.pk}/contact/", HTTP_HX_REQUEST="true")
    assert shown.status_code == 200 and 'href="tel:13912345678"' in shown.content.decode()
    api = worker.post(f"/api/v1/tickets/{ticket.pk}/contact")
    assert api.status_code == 200 and api.json()["contact_phone"] == "13912345678"
    log = list(ContactAccess.objects.values_list("user__username", "channel"))
    assert sorted(log) == [("gridworker", "api"), ("gridworker", "web")]


def test_others_and_closed_tickets_stay_masked(new_ticket, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(contact_phone="13912345678")
    resident = client_for("resident")  # sees their own request, masked like everyone
    assert "查看完整号码" not in resident.get(f"/h5/mine/{ticket.pk}/").content.decode()
    assert resident.post(f"/tickets/{ticket.pk}/contact/").status_code == 403
    assert resident.post(f"/api/v1/tickets/{ticket.pk}/contact").status_code == 403
    assert client_for("unit").post(f"/tickets/{ticket.pk}/contact/").status_code == 404  # not its ticket
    assert client_for("gridworker").get(f"/tickets/{ticket.pk}/contact/").status_code == 405
    a.do_withdraw(ticket.pk, actor=actor("resident"), note="已自行解决")
    assert client_for("gridworker").post(f"/tickets/{ticket.pk}/contact/").status_code == 403
    assert not ContactAccess.objects.exists()
