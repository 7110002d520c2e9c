"""The 党建 pages: the desk page's four tabs for those who keep the party records (404 for anyone else and
outside the scope), its forms with their refusals in Chinese, a fixed number of queries however many
members and households; the member's phone page (双报到, pledges, 亮电话) and the public board."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area, Level, Membership, Role, Unit
from wangge.conftest import DEMO_COMMUNITY, DEMO_STREET, OTHER_STREET
from wangge.lists.models import Offer
from wangge.party import actions
from wangge.party.models import CommitteeUnit, HardCase, PartyMember, Registration, RegistrationState
from wangge.people.models import Household, PartyMemberHousehold

PAGE = f"/areas/{DEMO_COMMUNITY}/party/"
TABS = ("overview", "members", "households", "pledges", "cobuilding", "cases", "service")


def act(client, action: str, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(f"{PAGE}{action}/", fields, follow=True)


def said(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def test_each_tab_for_community_and_street_staff(client_for):
    for username, code in (("community", DEMO_COMMUNITY), ("street", DEMO_STREET)):
        client = client_for(username)
        for tab in TABS:
            response = client.get(f"/areas/{code}/party/?t={tab}")
            assert response.status_code == 200, (username, tab)
    overview = client_for("street").get(f"/areas/{DEMO_STREET}/party/").content.decode()
    assert "各社区" in overview and "特殊群体包户覆盖" in overview


def test_nobody_else_and_nothing_outside(client_for):
    for username in ("gridworker", "gridhead", "party", "volunteer", "unit", "resident"):
        assert client_for(username).get(PAGE).status_code == 404, username
    other = Area.objects.filter(code__startswith=OTHER_STREET, level=Level.COMMUNITY).first()
    assert other is not None
    assert client_for("community").get(f"/areas/{other.code}/party/").status_code == 404
    assert client_for("community").post(f"/areas/{other.code}/party/enrol/", {}).status_code == 404
    assert client_for("community").post(f"{PAGE}nonsense/", {}).status_code == 404


def test_the_nav_offers_it_to_those_who_keep_the_records(client_for):
    assert 'href="/areas/210104001001/party/"' in client_for("community").get("/tickets/").content.decode()
    assert "/party/" not in client_for("gridworker").get("/field/").content.decode()
    assert "党员服务" in client_for("party").get("/field/").content.decode()


def test_enrol_at_the_desk_and_its_refusals(client_for):
    client = client_for("community")
    community = Area.objects.get(code=DEMO_COMMUNITY)
    bad = act(client, "enrol", name="王在职", phone="12345", community=str(community.pk), workplace="区医院")
    assert any("手机号" in m for m in said(bad))
    assert not User.objects.filter(display_name="王在职").exists()
    done = act(
        client, "enrol", name="王在职", phone="13955556666", community=str(community.pk), workplace="区医院"
    )
    assert any("初始密码" in m for m in said(done))
    assert Registration.objects.get(member__user__username="13955556666").state == RegistrationState.ACCEPTED
    assert "王在职" in done.content.decode()


def test_assign_and_the_quota_refusal_on_the_page(client_for, actor):
    client = client_for("community")
    registration = actions.do_register(
        user=User.objects.create_user(username="pm1", display_name="吴党员"),
        community=Area.objects.get(code=DEMO_COMMUNITY),
        actor=actor("community"),
        workplace="区医院",
    )
    actions.do_set_quota(
        Area.objects.get(code=DEMO_COMMUNITY), minimum=1, maximum=2, actor=actor("community")
    )
    free = list(
        Household.objects.filter(area__code__startswith=DEMO_COMMUNITY, party_contacts=None)
        .exclude(housing="vacant")
        .order_by("id")[:3]
    )
    for h in free[:2]:
        response = act(client, "assign", registration=str(registration.pk), household=str(h.pk))
        assert any("吴党员" in m for m in said(response))
    refused = act(client, "assign", registration=str(registration.pk), household=str(free[2].pk))
    assert any("至多包2户，吴党员已包2户" in m for m in said(refused))
    assert PartyMemberHousehold.objects.filter(membership=registration.membership).count() == 2
    empty = act(client, "release", household=str(free[0].pk), reason="")
    assert any("解除原因" in m for m in said(empty))
    released = act(client, "release", household=str(free[0].pk), reason="搬走了")
    assert any("已解除" in m for m in said(released))


def test_decline_needs_a_reason_on_the_page(client_for):
    client = client_for("community")
    waiting = Registration.objects.filter(
        community_code=DEMO_COMMUNITY, state=RegistrationState.PENDING
    ).first()
    assert waiting is not None
    assert any("原因" in m for m in said(act(client, "decline", registration=str(waiting.pk), reason=" ")))
    act(client, "decline", registration=str(waiting.pk), reason="不在本社区居住")
    waiting.refresh_from_db()
    assert waiting.state == RegistrationState.DECLINED


def test_tabs_take_a_fixed_number_of_queries(client_for, actor):
    client = client_for("community")
    community = Area.objects.get(code=DEMO_COMMUNITY)

    def count(tab: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(f"{PAGE}?t={tab}").status_code == 200
        return len(seen)

    before = {tab: count(tab) for tab in TABS}
    free = iter(
        Household.objects.filter(area__code__startswith=DEMO_COMMUNITY, party_contacts=None)
        .exclude(housing="vacant")
        .order_by("id")
    )
    for i in range(3):
        registration = actions.do_register(
            user=User.objects.create_user(username=f"more{i}", display_name=f"党员{i}"),
            community=community,
            actor=actor("community"),
            workplace="区医院",
        )
        for _ in range(2):
            actions.do_assign_household(registration, next(free), actor=actor("community"))
        actions.do_make_pledge(
            member=registration.member, text="走访", due_on=timezone.localdate(), actor=actor("community")
        )
    after = {tab: count(tab) for tab in TABS}
    assert after == before


def test_a_volunteer_registers_on_the_phone(client_for):
    client = client_for("volunteer")
    page = client.get("/h5/party/").content.decode()
    assert "双报到" in page and "提交报到" in page
    bad = client.post("/h5/party/", {"action": "register", "community": DEMO_COMMUNITY, "workplace": ""})
    assert bad.status_code == 422 and "请填写工作单位" in bad.content.decode()
    done = client.post(
        "/h5/party/",
        {"action": "register", "community": DEMO_COMMUNITY, "workplace": "区税务局"},
        follow=True,
    )
    assert "等社区确认" in done.content.decode()
    assert Registration.objects.get(member__user__username="volunteer").state == RegistrationState.PENDING


def test_the_members_phone_page(client_for):
    client = client_for("party")
    page = client.get("/h5/party/").content.decode()
    mine = PartyMemberHousehold.objects.filter(membership__user__username="party").select_related("household")
    assert "我的包户 6户" in page
    for link in mine:
        assert (link.household.address.split("社区")[-1]) in page
    due = str(timezone.localdate() + dt.timedelta(days=10))
    made = client.post(
        "/h5/party/", {"action": "pledge", "text": "帮老人代缴水费", "due_on": due}, follow=True
    )
    assert "帮老人代缴水费" in made.content.decode()
    late = client.post("/h5/party/", {"action": "pledge", "text": "x", "due_on": "2020-01-01"})
    assert late.status_code == 422 and "不能早于今天" in late.content.decode()
    member = PartyMember.objects.get(user__username="party")
    pledge = member.pledges.get(text="帮老人代缴水费")
    client.post("/h5/party/", {"action": "kept", "pledge": str(pledge.pk), "result": "缴了3户"})
    pledge.refresh_from_db()
    assert pledge.state == "kept"
    client.post("/h5/party/", {"action": "phone", "show": "0"})
    member.refresh_from_db()
    assert not member.show_phone


@pytest.mark.parametrize("username", ["resident", "volunteer"])
def test_the_board_masks_phones_not_shown(client_for, username):
    page = client_for(username).get("/h5/party/board/").content.decode()
    assert "承诺事项" in page
    for member in PartyMember.objects.filter(pledges__area_code=DEMO_COMMUNITY).distinct():
        if not member.phone:
            continue
        if member.show_phone:
            assert member.phone in page
        else:
            assert member.phone not in page
    assert "正式党员" not in page and "预备党员" not in page


def _street_leader() -> User:
    found = Membership.objects.filter(role=Role.LEADER, area__code=DEMO_STREET).select_related("user").first()
    assert found is not None
    return found.user


def test_a_hard_case_on_the_pages(client_for):
    staff = client_for("community")
    leader = _street_leader()
    community = Area.objects.get(code=DEMO_COMMUNITY)
    made = act(
        staff, "case", area=str(community.pk), title="菜市场门前占道经营", leader=str(leader.pk), ticket=""
    )
    case = HardCase.objects.get(title="菜市场门前占道经营")
    assert made.redirect_chain[-1][0] == f"/party/cases/{case.pk}/"
    nobody = act(staff, "case", area=str(community.pk), title="x", leader="", ticket="")
    assert any("包联领导" in m for m in said(nobody))
    unknown = act(
        staff, "case", area=str(community.pk), title="y", leader=str(leader.pk), ticket="WG20200101-999999"
    )
    assert any("没有找到诉求" in m for m in said(unknown))

    page = f"/party/cases/{case.pk}/"
    worker = User.objects.get(username="gridworker")
    staff.post(
        f"{page}step/", {"text": "联合城管疏导", "owner": str(worker.pk), "due_on": str(timezone.localdate())}
    )
    step = case.steps.get()
    assert step.owner == worker
    # the leader's list and nav
    lead = Client()
    lead.force_login(leader)
    assert (
        "攻坚" in lead.get("/party/cases/").content.decode()
        and case.title in lead.get("/party/cases/").content.decode()
    )
    assert 'href="/party/cases/"' in lead.get(page).content.decode()
    refused = lead.post(f"{page}solve/", {"result": "好了"}, follow=True)
    assert any("1项措施未完成" in m for m in said(refused))
    client_for("gridworker").post(f"{page}done/", {"step": str(step.pk), "note": "已疏导"})
    lead.post(f"{page}solve/", {"result": "占道经营已规范"})
    case.refresh_from_db()
    assert case.state == "solved"
    assert client_for("resident").get(page).status_code == 404
    other = Area.objects.filter(code__startswith=OTHER_STREET, level=Level.COMMUNITY).first()
    assert other is not None
    stranger = Membership.objects.filter(area=other, role=Role.COMMUNITY_STAFF).first()
    assert stranger is not None
    outside = Client()
    outside.force_login(stranger.user)
    assert outside.get(page).status_code == 404


def test_cobuilding_tab_forms(client_for):
    staff = client_for("community")
    unit = (
        Unit.objects.filter(area__code=DEMO_COMMUNITY[:6])
        .exclude(pk__in=CommitteeUnit.objects.values("unit_id"))
        .order_by("code")
        .first()
    )
    assert unit is not None
    joined = act(staff, "committee-unit", unit=str(unit.pk))
    assert any("已加入" in m for m in said(joined))
    empty = act(
        staff,
        "agreement",
        unit=str(unit.pk),
        title="协议",
        ends_on="2099-01-01",
        promise="",
        topic="health",
        kind="skill",
    )
    assert any("至少写一项" in m for m in said(empty))
    signed = act(
        staff,
        "agreement",
        unit=str(unit.pk),
        title="新协议",
        ends_on=str(timezone.localdate() + dt.timedelta(days=200)),
        promise="周末开放篮球场",
        topic="venue",
        kind="venue",
    )
    assert any("列入资源清单" in m for m in said(signed))
    assert Offer.objects.filter(title="周末开放篮球场", provider_unit=unit).exists()
    met = act(staff, "meeting", held_on=str(timezone.localdate()), topic="冬季供暖", units=str(unit.pk))
    assert any("联席会议已登记" in m for m in said(met))
    assert "冬季供暖" in staff.get(f"{PAGE}?t=cobuilding").content.decode()
