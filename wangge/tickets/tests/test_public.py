"""tickets.public: what a resident sees of their ticket, through the actions of a whole loop with every
kind of internal note on it."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wangge.areas.models import Unit
from wangge.conftest import png_bytes
from wangge.lib.images import clean_image
from wangge.lib.zhtime import datetime_zh, duration_zh
from wangge.notify.models import Notification
from wangge.tickets import actions as a
from wangge.tickets import public

INTERNAL = [
    "受理备注甲",
    "派单说明乙",
    "吹哨事由丙",
    "报到说明丁",
    "进展内部戊",
    "照片不清楚己",
    "上报说明庚",
    "退单理由辛",
]


COLOURS = {"leak.png": (200, 80, 60), "progress.png": (90, 90, 90), "done.png": (40, 150, 60)}


def photo(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(COLOURS.get(name, (10, 10, 200))), content_type="image/png")


def stored_as(name: str) -> str:
    """The name a photo is kept under: the hash of its cleaned content."""
    return clean_image(photo(name).read()).name


def test_the_resident_sees_the_public_steps_and_no_internal_note(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(photos=[photo("leak.png")])
    resident, community, worker = actor("resident"), actor("community"), actor("gridworker")
    before = public.present(ticket, resident)
    assert before.expected.text == "受理后确定" and before.status.text == "等待受理"
    assert [s.title for s in before.steps] == ["提交诉求"] and len(before.submit_photos) == 1

    wy = Unit.objects.get(memberships__user=actor("unit"))
    zj = Unit.objects.get(code="210104-ZJ")
    a.do_accept(ticket.pk, actor=community, kind="major", note=INTERNAL[0])
    a.do_assign(ticket.pk, actor=community, units=[wy, zj], note=INTERNAL[1])
    zj_staff = zj.memberships.all()[0].user
    a.do_claim(ticket.pk, actor=zj_staff)
    a.do_return(ticket.pk, actor=zj_staff, note=INTERNAL[7])  # a co-unit's return: its own part only
    a.do_summon(ticket.pk, actor=community, units=[wy], note=INTERNAL[2])
    a.do_report(ticket.pk, actor=actor("unit"), note=INTERNAL[3])
    a.do_claim(ticket.pk, actor=actor("unit"))
    a.do_escalate(ticket.pk, actor=community, note=INTERNAL[6])
    a.do_note(ticket.pk, actor=actor("unit"), note=INTERNAL[4], photos=[photo("progress.png")])
    a.do_resolve(ticket.pk, actor=actor("unit"), note="已更换楼顶防水卷材", photos=[photo("done.png")])
    a.do_review(ticket.pk, actor=actor("street"), approve=False, note=INTERNAL[5])
    a.do_resolve(ticket.pk, actor=actor("unit"), note="已补拍完工照片", photos=[photo("done2.png")])
    a.do_rate(ticket.pk, actor=resident, rating=5, note="师傅很负责")

    ticket.refresh_from_db()
    seen = public.present(ticket, resident)
    titles = [s.title for s in seen.steps]
    assert titles == [
        "提交诉求",
        "已受理",
        "已派给 安居物业服务有限公司、" + zj.name,
        f"{zj.name}已接单，开始办理",
        "已办结",
        "办理结果需完善，继续办理",
        "已办结",
        "您的评价：5分 非常满意",
    ], titles
    assert wy.name.startswith("安居物业")
    shown = repr(seen)
    for note in INTERNAL:
        assert note not in shown, note
    for person in (community, worker, actor("unit"), zj_staff, actor("street")):
        assert person.shown_name not in shown, person.shown_name
    first, second = (s for s in seen.steps if s.title == "已办结")
    assert first.text == "已更换楼顶防水卷材"
    assert [p.image.name.rsplit("-", 1)[-1] for p in first.photos] == [stored_as("done.png")]
    assert first.photos_label == "办结照片" and len(second.photos) == 1
    assert stored_as("progress.png") not in shown  # a progress note's photo is not a result
    assert seen.status.text == "已办结" and seen.rating_text == "5分 非常满意" and not seen.may_rate
    assert seen.expected.label == "办结时间" and seen.number == ticket.number
    # Her inbox follows the same rule: a unit by name, no person, no internal note.
    told = " ".join(Notification.objects.filter(user=resident, ticket=ticket).values_list("text", flat=True))
    assert f"已由{zj.name}接单办理" in told and "已更换楼顶防水卷材" in told
    for secret in [*INTERNAL, *(p.shown_name for p in (community, worker, actor("unit"), zj_staff))]:
        assert secret not in told, secret


def test_a_person_is_named_by_role_and_the_deadline_is_expected(new_ticket, actor) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    community = actor("community")
    a.do_accept(ticket.pk, actor=community, kind="small")
    a.do_assign(ticket.pk, actor=community, assignee=actor("gridworker"))
    a.do_claim(ticket.pk, actor=actor("gridworker"))
    ticket.refresh_from_db()
    seen = public.present(ticket, actor("resident"))
    assert [s.title for s in seen.steps][-2:] == ["已派给 网格员", "网格员已接单，开始办理"]
    deadline = timezone.localtime(ticket.resolve_deadline)
    assert seen.expected.by == ticket.resolve_deadline and seen.expected.text.startswith(
        f"{deadline.month}月{deadline.day}日 {deadline:%H:%M}"
    )
    assert seen.status.text == "正在办理" and not seen.may_rate and seen.may_withdraw


def test_times_and_durations_in_chinese() -> None:
    today = dt.date(2025, 11, 28)
    assert datetime_zh(dt.datetime(2025, 11, 27, 14, 5), today=today) == "11月27日 14:05"
    assert datetime_zh(dt.datetime(2024, 1, 3, 9, 0), today=today) == "2024年1月3日 09:00"
    assert [duration_zh(s) for s in (10, 40 * 60, 2 * 3600 + 55 * 60, 7200, 26 * 3600 + 5, 3 * 86400)] == [
        "不到1分钟",
        "40分钟",
        "2小时55分",
        "2小时",
        "1天2小时",
        "3天",
    ]
