"""The 议事 and 公示 API: a matter through the six steps with `can` telling each caller what is next;
out-of-scope 404; votes once per household with 409; a notice with masked names, an objection that
becomes a ticket on the office's queue; a survey answered once, with its results for staff only."""

import datetime as dt

from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Unit, UnitKind
from wangge.conftest import DEMO_COMMUNITY, OTHER_STREET
from wangge.notices.models import Invite, Survey
from wangge.tickets.models import Channel, Ticket

JSON = "application/json"


def post(client, url: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(url, body or {}, content_type=JSON)


def test_a_matter_through_the_api(client_for, actor):
    resident, host, owner = client_for("resident"), client_for("community"), client_for("gridworker")
    raised = post(resident, "/api/v1/deliberation/proposals", {"title": "楼道灯", "text": "不亮"})
    assert raised.status_code == 201, raised.content
    pid = raised.json()["id"]
    assert raised.json()["raised_by"] == "居民" and raised.json()["can"] == []
    assert "schedule" in host.get(f"/api/v1/deliberation/proposals/{pid}").json()["can"]
    today = timezone.localdate()
    meeting = post(
        host,
        "/api/v1/deliberation/meetings",
        {
            "area": DEMO_COMMUNITY,
            "title": "说事会",
            "date": today.isoformat(),
            "starts_at": "19:00",
            "place": "二楼",
        },
    ).json()
    assert (
        post(
            resident, f"/api/v1/deliberation/proposals/{pid}/schedule", {"meeting": meeting["id"]}
        ).status_code
        == 409
    )
    assert (
        post(host, f"/api/v1/deliberation/proposals/{pid}/schedule", {"meeting": meeting["id"]}).json()[
            "step"
        ]
        == "agenda"
    )
    bad = post(
        host,
        f"/api/v1/deliberation/proposals/{pid}/decision",
        {
            "discussion": "商议",
            "decision": "换灯",
            "owner": actor("gridworker").pk,
            "due_on": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "due_on"
    decided = post(
        host,
        f"/api/v1/deliberation/proposals/{pid}/decision",
        {
            "discussion": "商议",
            "decision": "换灯",
            "owner": actor("gridworker").pk,
            "due_on": today.isoformat(),
        },
    )
    assert decided.json()["step"] == "decided" and decided.json()["owner"] == actor("gridworker").shown_name
    assert post(owner, f"/api/v1/deliberation/proposals/{pid}/take").json()["step"] == "following"
    assert (
        post(owner, f"/api/v1/deliberation/proposals/{pid}/completion", {"note": "换好了"}).json()["step"]
        == "rating"
    )
    assert post(resident, f"/api/v1/deliberation/proposals/{pid}/rating", {"score": 5}).json()["ratings"] == 1
    assert post(resident, f"/api/v1/deliberation/proposals/{pid}/rating", {"score": 5}).status_code == 409
    archived = post(host, f"/api/v1/deliberation/proposals/{pid}/archive").json()
    assert archived["step"] == "archived"
    assert [e["step"] for e in archived["timeline"]][-1] == "archived"
    listed = host.get(f"/api/v1/deliberation/areas/{DEMO_COMMUNITY}/proposals?step=archived").json()
    assert pid in [p["id"] for p in listed]
    assert host.get(f"/api/v1/deliberation/areas/{OTHER_STREET}/proposals").status_code == 404


def test_outsiders_get_404(client_for, outside_resident):
    pid = post(client_for("resident"), "/api/v1/deliberation/proposals", {"title": "x", "text": "y"}).json()[
        "id"
    ]
    far = User.objects.create_user(username="far", display_name="外人")
    outside_resident.user = far
    outside_resident.save(update_fields=["user"])
    assert client_for("far").get(f"/api/v1/deliberation/proposals/{pid}").status_code == 404
    assert post(client_for("far"), f"/api/v1/deliberation/proposals/{pid}/second").status_code == 404
    assert client_for("resident").get(f"/api/v1/deliberation/proposals/{pid}").status_code == 200


def test_votes_over_the_api(client_for):
    host = client_for("community")
    today = timezone.localdate()
    meeting = post(
        host,
        "/api/v1/deliberation/meetings",
        {
            "area": DEMO_COMMUNITY,
            "title": "说事会",
            "date": today.isoformat(),
            "starts_at": "19:00",
            "place": "二楼",
        },
    ).json()
    now = timezone.now()
    motion = post(
        host,
        f"/api/v1/deliberation/meetings/{meeting['id']}/motions",
        {
            "text": "同意",
            "opens_at": (now - dt.timedelta(minutes=1)).isoformat(),
            "closes_at": (now + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert motion.status_code == 201, motion.content
    mid = motion.json()["id"]
    resident = client_for("resident")
    assert post(resident, f"/api/v1/deliberation/motions/{mid}/votes", {"choice": "yes"}).status_code == 201
    assert post(resident, f"/api/v1/deliberation/motions/{mid}/votes", {"choice": "no"}).status_code == 409
    early = post(host, f"/api/v1/deliberation/motions/{mid}/count")
    assert early.status_code == 409 and "不能提前计票" in early.json()["detail"]
    (live,) = host.get(f"/api/v1/deliberation/meetings/{meeting['id']}").json()["motions"]
    assert live["yes"] == 1 and live["counted_at"] is None


def test_notices_and_surveys_over_the_api(client_for, actor):
    host, resident = client_for("community"), client_for("resident")
    unit = Unit.objects.get(
        kind=UnitKind.PROPERTY, area__code=DEMO_COMMUNITY, memberships__user__username="unit"
    )
    today = timezone.localdate()
    body = {
        "area": DEMO_COMMUNITY,
        "kind": "benefit",
        "title": "低保公示",
        "unit": unit.code,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=5)).isoformat(),
        "lines": [{"name": "张建国", "detail": "2人"}, {"name": "李四", "detail": "13912345678"}],
    }
    refused = post(host, "/api/v1/notices", body)
    assert refused.status_code == 422 and "第2行" in refused.json()["detail"][0]["msg"]
    body["lines"] = body["lines"][:1]
    made = post(host, "/api/v1/notices", body).json()
    shown = resident.get(f"/api/v1/notices/{made['id']}").json()
    assert shown["entries"][0]["name"] == "张**"
    entry = shown["entries"][0]["id"]
    objected = post(resident, f"/api/v1/notices/{made['id']}/objections", {"text": "有收入", "entry": entry})
    assert objected.status_code == 201
    ticket = Ticket.objects.get(pk=objected.json()["ticket_id"])
    assert ticket.channel == Channel.OBJECTION and ticket.lead_unit == unit
    assert (
        post(client_for("gridworker"), f"/api/v1/notices/{made['id']}/objections", {"text": "x"}).status_code
        == 409
    )

    survey = post(
        host,
        "/api/v1/surveys",
        {
            "area": DEMO_COMMUNITY,
            "title": "测评",
            "starts_on": today.isoformat(),
            "ends_on": today.isoformat(),
            "questions": [{"text": "满意吗"}, {"text": "物业满意吗", "unit": unit.code}],
        },
    ).json()
    me = actor("resident").resident
    Invite.objects.create(survey_id=survey["id"], resident=me, area_code=me.household.area.code)
    q1, q2 = (q["id"] for q in survey["questions"])
    answers = {"answers": [{"question": q1, "score": 5}, {"question": q2, "score": 3}]}
    assert post(resident, f"/api/v1/surveys/{survey['id']}/answers", answers).status_code == 201
    assert post(resident, f"/api/v1/surveys/{survey['id']}/answers", answers).status_code == 409
    results = host.get(f"/api/v1/surveys/{survey['id']}").json()["results"]
    assert results["overall"]["answered"] == 2 and results["overall"]["satisfied"] == 0.5
    assert results["units"][0]["unit"] == unit.code
    assert "results" not in resident.get(f"/api/v1/surveys/{survey['id']}").json()
    assert Survey.objects.get(pk=survey["id"]).answered == 1
