"""The micro-wish API (issue 21): the wall masks the wisher, the loop runs through it, a second claim is
409, a wish outside one's communities is 404, bad input names the field."""

from django.core.files.uploadedfile import SimpleUploadedFile

from wangge.conftest import OTHER_STREET, png_bytes
from wangge.lists.actions import do_post_wish
from wangge.lists.models import Wish
from wangge.people.models import Resident


def test_the_wall_and_the_loop(db, client_for) -> None:  # type: ignore[no-untyped-def]
    resident, party, volunteer = client_for("resident"), client_for("party"), client_for("volunteer")
    too_much = resident.post("/api/v1/wishes", {"text": "想要一台电视", "value": 3000})
    assert too_much.status_code == 422 and "value" in str(too_much.json())
    posted = resident.post("/api/v1/wishes", {"text": "想要一台收音机", "value": 80})
    assert posted.status_code == 201
    wish = posted.json()
    name = Resident.objects.get(user__username="resident").name
    shown = volunteer.get("/api/v1/wishes").json()
    assert shown[0]["wisher"] == name[0] + "*" * (len(name) - 1) and name not in str(shown)
    assert party.post(f"/api/v1/wishes/{wish['id']}/claim").json()["claimed_by_me"] is True
    assert volunteer.post(f"/api/v1/wishes/{wish['id']}/claim").status_code == 409
    no_photo = party.post(f"/api/v1/wishes/{wish['id']}/fulfilment", {"note": "送到了"})
    assert no_photo.status_code == 422
    done = party.post(
        f"/api/v1/wishes/{wish['id']}/fulfilment",
        {"note": "送到了", "proof": SimpleUploadedFile("p.png", png_bytes(), content_type="image/png")},
    )
    assert done.status_code == 200 and done.json()["proof"] is True
    assert resident.post(f"/api/v1/wishes/{wish['id']}/confirmation").json()["state"] == "confirmed"


def test_a_wish_of_another_street_is_404(db, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    outsider = (
        Resident.objects.filter(household__area__code__startswith=OTHER_STREET)
        .select_related("household__area")
        .first()
    )
    assert outsider is not None
    wish = Wish.objects.create(  # posted there by someone of that street
        resident=outsider,
        area=outsider.household.area,
        area_code=outsider.household.area.code,
        text="想要书",
        value=20,
        posted_by=actor("district"),
    )
    for user in ("party", "volunteer", "resident", "gridworker"):
        assert client_for(user).post(f"/api/v1/wishes/{wish.pk}/claim").status_code == 404
    assert wish.pk not in [w["id"] for w in client_for("volunteer").get("/api/v1/wishes").json()]
    staff = client_for("gridworker")
    assert staff.post("/api/v1/wishes", {"text": "x", "value": 5, "resident": outsider.pk}).status_code == 404


def test_the_wall_reads_a_fixed_number_of_queries(
    db, client_for, actor, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    resident = Resident.objects.select_related("household__area").get(user__username="resident")
    volunteer = client_for("volunteer")
    do_post_wish(resident=resident, text="第一个心愿", value=10, actor=actor("resident"))
    with django_assert_max_num_queries(20) as few:
        volunteer.get("/api/v1/wishes")
    for i in range(20):
        do_post_wish(resident=resident, text=f"心愿{i}", value=10, actor=actor("resident"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(volunteer.get("/api/v1/wishes").json()) == 21
