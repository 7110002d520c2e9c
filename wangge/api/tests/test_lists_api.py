"""The three lists API (issue 21): a community posts a need, a unit offers, the suggestions name their
reasons, the unit claims the need once, a project is started and finished; out of scope is 404."""

from wangge.areas.models import Area, Level
from wangge.conftest import DEMO_COMMUNITY, OTHER_STREET
from wangge.lists.models import Need


def test_need_offer_suggestion_claim_and_project(db, client_for) -> None:  # type: ignore[no-untyped-def]
    staff, unit = client_for("community"), client_for("unit")
    bad = staff.post(
        "/api/v1/lists/needs",
        {"area": DEMO_COMMUNITY, "topic": "nothing", "title": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "topic" in str(bad.json())
    need = staff.post(
        "/api/v1/lists/needs",
        {"area": DEMO_COMMUNITY, "topic": "repair", "title": "老旧楼道灯更换", "people": 40},
        content_type="application/json",
    ).json()
    offer = unit.post(
        "/api/v1/lists/offers",
        {
            "area": DEMO_COMMUNITY,
            "topic": "repair",
            "kind": "skill",
            "title": "电工师傅每周六义务维修",
            "capacity": 4,
        },
        content_type="application/json",
    )
    assert offer.status_code == 201 and offer.json()["provider"]
    suggested = staff.get(f"/api/v1/lists/needs/{need['id']}/suggestions").json()
    assert suggested[0]["offer"]["id"] == offer.json()["id"]
    assert suggested[0]["reasons"][:2] == ["同为维修", "同一社区"]
    assert unit.post(f"/api/v1/lists/needs/{need['id']}/claim").json()["state"] == "claimed"
    assert unit.post(f"/api/v1/lists/needs/{need['id']}/claim").status_code == 409
    project = staff.post(
        "/api/v1/lists/projects",
        {
            "need": need["id"],
            "offers": [offer.json()["id"]],
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
        },
        content_type="application/json",
    )
    assert project.status_code == 201
    done = staff.post(
        f"/api/v1/lists/projects/{project.json()['id']}/progress",
        {"progress": 100, "result": "更换楼道灯56盏"},
        content_type="application/json",
    )
    assert done.json()["state"] == "done"
    figures = staff.get(f"/api/v1/lists/counts?area={DEMO_COMMUNITY}").json()
    assert (
        figures["needs"]["done"] == 1
        and figures["offers"]["total"] == 1
        and figures["projects"]["total"] == 1
    )


def test_lists_elsewhere_are_404(db, client_for, actor) -> None:  # type: ignore[no-untyped-def]
    elsewhere = Area.objects.filter(code__startswith=OTHER_STREET, level=Level.COMMUNITY).earliest("code")
    need = Need.objects.create(
        area=elsewhere,
        area_code=elsewhere.code,
        topic="repair",
        title="别处的需求",
        posted_by=actor("district"),
    )
    staff = client_for("community")
    assert staff.get(f"/api/v1/lists/needs/{need.pk}/suggestions").status_code == 404
    assert client_for("unit").post(f"/api/v1/lists/needs/{need.pk}/claim").status_code == 404
    assert staff.get(f"/api/v1/lists/needs?area={elsewhere.code}").status_code == 404
