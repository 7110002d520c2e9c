"""The directive and emergency pages and API: sending with a preview and the admission flags, following
up, answering on the phone, the emergency switch and its roster for everyone in the area, and 404 for
anything out of scope."""

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Role
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, DEMO_STREET, OTHER_STREET
from wangge.directives.actions import NewDirective, do_send_directive, do_start_emergency
from wangge.directives.admission import load_duty_lists
from wangge.directives.models import Directive, Emergency, Post, Receipt
from wangge.lib.errors import NotAllowed


def _send(actor, **changes) -> Directive:  # type: ignore[no-untyped-def]
    fields: dict[str, Any] = {
        "title": "排查独居老人取暖",
        "body": "今晚前入户走访独居老人。",
        "area_codes": [DEMO_STREET],
        "roles": [Role.GRID_WORKER],
        "deadline": timezone.now() + dt.timedelta(hours=6),
        "figures": ["走访户数"],
    }
    return do_send_directive(NewDirective(**(fields | changes)), actor=actor("street"))


def _form(**changes) -> dict:  # type: ignore[no-untyped-def]
    deadline = timezone.localtime() + dt.timedelta(days=1)
    return {
        "title": "招商引资线索摸排",
        "body": "请各社区本周上报招商引资线索。",
        "areas": [DEMO_STREET],
        "roles": [Role.COMMUNITY_STAFF],
        "deadline": f"{deadline:%Y-%m-%dT%H:%M}",
        "figures": "线索数",
        "step": "send",
    } | changes


@pytest.mark.django_db
def test_sending_from_the_page_shows_receivers_and_flags_before_it_goes(client_for) -> None:  # type: ignore[no-untyped-def]
    load_duty_lists(Area.objects.get(code=DEMO_STREET))
    before = Directive.objects.count()
    page = client_for("street")
    assert page.get("/directives/new/").status_code == 200
    preview = page.post("/directives/new/", _form(step="preview"))
    body = preview.content.decode()
    assert preview.status_code == 200 and "将下达给" in body and "社区工作者" in body and "负面清单" in body
    assert Directive.objects.count() == before

    flagged = page.post("/directives/new/", _form())
    assert flagged.status_code == 409 and "招商引资" in flagged.content.decode()
    assert Directive.objects.count() == before

    sent = page.post("/directives/new/", _form(confirm_admission="1"))
    directive = Directive.objects.get(title="招商引资线索摸排")
    assert sent.status_code == 302 and sent["Location"] == f"/directives/{directive.pk}/"
    shown = page.get(sent["Location"]).content.decode()
    assert "完成率" in shown and "0%" in shown and "下达时的准入提示" in shown

    bad = page.post("/directives/new/", _form(title="", confirm_admission="1"))
    assert bad.status_code == 422 and "请填写标题" in bad.content.decode()
    late = page.post("/directives/new/", _form(deadline="明天"))
    assert late.status_code == 422 and "反馈时限" in late.content.decode()
    assert client_for("gridworker").get("/directives/new/").status_code == 403


@pytest.mark.django_db
def test_a_grid_worker_answers_on_the_phone_and_the_sender_sees_it(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    directive = _send(actor)
    phone = client_for("gridworker")
    listing = phone.get("/field/directives/").content.decode()
    assert "排查独居老人取暖" in listing
    receipt = Receipt.objects.get(directive=directive, user__username="gridworker")
    url = f"/field/receipts/{receipt.pk}/"
    assert phone.post(url, {"step": "ack"}).status_code == 302
    bad = phone.post(url, {"report": "已走访", "figure-走访户数": "很多"})
    assert bad.status_code == 422 and "走访户数" in bad.content.decode()
    assert phone.post(url, {"report": "已走访9户，均正常", "figure-走访户数": "9"}).status_code == 302
    receipt.refresh_from_db()
    assert receipt.status == "已反馈" and receipt.figures == {"走访户数": 9}

    desk = client_for("street").get(f"/directives/{directive.pk}/").content.decode()
    assert "已走访9户" in desk and "走访户数（合计）" in desk
    receipts = desk[desk.index('data-testid="receipts"') :]
    assert receipts.index("未签收") < receipts.index(
        "已走访9户"
    )  # those still owing first, on both databases
    street = client_for("street")
    reminded = street.post(f"/directives/{directive.pk}/remind/", follow=True)
    assert "已提醒" in reminded.content.decode()
    again = street.post(f"/directives/{directive.pk}/remind/", follow=True)
    assert "提醒过" in again.content.decode()

    # Someone else's receipt, and a directive not sent to them, answer 404.
    other = Receipt.objects.filter(directive=directive).exclude(user__username="gridworker").first()
    assert other is not None
    assert phone.get(f"/field/receipts/{other.pk}/").status_code == 404
    assert client_for("unit").get(f"/directives/{directive.pk}/").status_code == 404
    assert client_for("resident").get(f"/directives/{directive.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_directive_api(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    load_duty_lists(Area.objects.get(code=DEMO_STREET))
    api = client_for("street")
    payload = {
        "title": "招商引资线索摸排",
        "body": "请上报线索",
        "areas": [DEMO_STREET],
        "roles": ["community_staff"],
        "deadline": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "figures": ["线索数"],
    }
    post = lambda url, data: api.post(url, json.dumps(data), content_type="application/json")  # noqa: E731
    dry = post("/api/v1/directives", payload | {"dry_run": True})
    assert (
        dry.status_code == 200
        and dry.json()["receivers"] > 0
        and dry.json()["flags"][0]["kind"] == "forbidden"
    )
    flagged = post("/api/v1/directives", payload)
    assert flagged.status_code == 409 and flagged.json()["flags"][0]["item"] == "招商引资"
    created = post("/api/v1/directives", payload | {"confirm_admission": True})
    assert created.status_code == 201
    row = created.json()
    assert row["progress"]["completion_rate"] == 0 and row["progress"]["total"] > 0
    assert post("/api/v1/directives", payload | {"areas": [OTHER_STREET]}).status_code == 422
    assert post("/api/v1/directives", payload | {"roles": ["mayor"]}).status_code == 422

    mine = client_for("community").get("/api/v1/receipts").json()
    assert [r["directive"] for r in mine] == [row["id"]]
    community = client_for("community")
    receipt_id = mine[0]["id"]
    assert community.post(f"/api/v1/receipts/{receipt_id}/acknowledge").json()["status"] == "已签收"
    missing = community.post(
        f"/api/v1/receipts/{receipt_id}/report", json.dumps({"report": "无"}), content_type="application/json"
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "figures.线索数"]
    done = community.post(
        f"/api/v1/receipts/{receipt_id}/report",
        json.dumps({"report": "社区不承担招商任务，已说明", "figures": {"线索数": 0}}),
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "已反馈"
    detail = api.get(f"/api/v1/directives/{row['id']}").json()
    assert detail["progress"]["reported"] == 1
    assert detail["progress"]["completion_rate"] == round(1 / detail["progress"]["total"], 4)
    pending = api.get(f"/api/v1/directives/{row['id']}/receipts?pending=true").json()
    assert pending["count"] == detail["progress"]["total"] - 1
    assert api.post(f"/api/v1/directives/{row['id']}/remind").status_code in (200, 409)
    assert client_for("unit").get(f"/api/v1/directives/{row['id']}").status_code == 404
    assert client_for("gridworker").post(f"/api/v1/receipts/{receipt_id}/acknowledge").status_code == 404


@pytest.mark.django_db
def test_the_emergency_switch_and_the_roster_everyone_in_the_area_sees(client_for, actor) -> None:  # type: ignore[no-untyped-def]
    street = actor("street")
    leader = User.objects.filter(memberships__role=Role.LEADER, memberships__area__code=DEMO_STREET).first()
    assert leader is not None
    User.objects.filter(pk=leader.pk).update(work_phone="024-88990011")
    leader.refresh_from_db()
    community = Area.objects.get(code=DEMO_COMMUNITY)
    with pytest.raises(NotAllowed):
        do_start_emergency(community, reason="暴雪", leader=leader, actor=actor("community"))

    page = client_for("street")
    started = page.post(
        f"/areas/{DEMO_COMMUNITY}/emergency/",
        {"reason": "暴雪红色预警", "leader": leader.username, "cadres": "district"},
    )
    assert started.status_code == 302
    emergency = Emergency.objects.get(area=community, ended_at=None)
    posts = set(emergency.roster.values_list("post", flat=True))
    assert posts == set(Post.values)  # 1 + 4 + N, every post filled
    assert emergency.roster.get(post=Post.LEADER).user == leader
    assert emergency.roster.filter(post=Post.CADRE, user__username="district").exists()
    assert emergency.roster.filter(post=Post.COMMUNITY_WORKER, user__username="community").exists()
    assert emergency.roster.filter(post=Post.GRID_HEAD, user__username="gridhead").exists()
    assert not emergency.roster.filter(area__code__startswith=OTHER_STREET).exists()
    # Nothing outside the community, and no second switch over it.
    with pytest.raises(NotAllowed):
        do_start_emergency(Area.objects.get(code=DEMO_GRID), reason="再次", leader=leader, actor=street)

    # Everyone in the area sees it: the staff page, the grid worker's phone, the resident's H5 page.
    assert "024-88990011" in page.get(f"/areas/{DEMO_COMMUNITY}/emergency/").content.decode()
    assert "应急状态" in client_for("gridworker").get("/field/").content.decode()
    h5 = client_for("resident").get("/h5/").content.decode()
    assert "暴雪红色预警" in h5 and "024-88990011" in h5
    api = client_for("gridhead").get(f"/api/v1/emergency?area={DEMO_GRID}").json()
    assert api["emergency"] is True and api["emergency_area"] == DEMO_COMMUNITY
    assert client_for("gridworker").get(f"/areas/{OTHER_STREET}/emergency/").status_code == 404

    # Back to everyday staffing; the roster stays on record.
    assert "暴雪红色预警" in client_for("gridworker").get(f"/areas/{DEMO_GRID}/emergency/").content.decode()
    refused = client_for("community").post(f"/areas/{DEMO_COMMUNITY}/emergency/", {"step": "end"})
    assert refused.status_code == 422 and "解除" in refused.content.decode()
    assert page.post(f"/areas/{DEMO_COMMUNITY}/emergency/", {"step": "end"}).status_code == 302
    emergency.refresh_from_db()
    assert emergency.ended_at is not None and emergency.roster.exists()
    assert "暴雪红色预警" not in client_for("resident").get("/h5/").content.decode()
    bad = page.post(f"/areas/{DEMO_COMMUNITY}/emergency/", {"reason": "", "leader": leader.username})
    assert bad.status_code == 422 and "事由" in bad.content.decode()
    unknown = page.post(f"/areas/{DEMO_COMMUNITY}/emergency/", {"reason": "x", "leader": "nobody"})
    assert unknown.status_code == 422 and "包抓领导" in unknown.content.decode()
