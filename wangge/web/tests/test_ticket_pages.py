"""Ticket pages through the test client: workbench, ticket page, actions, H5 intake, my requests, stats."""

from django.core.files.uploadedfile import SimpleUploadedFile

from wangge.areas.models import Area
from wangge.conftest import DEMO_COMMUNITY, DEMO_GRID, OTHER_STREET, png_bytes
from wangge.tickets.models import Ticket, TicketPhoto

PNG = png_bytes((200, 80, 60))


def photo(name: str = "leak.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def test_h5_submit_with_photo_lands_on_the_residents_grid(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("resident")
    page = client.get("/h5/")
    assert page.status_code == 200 and "我要反映" in page.content.decode()
    response = client.post("/h5/", {"title": "楼顶漏水", "description": "卧室屋顶渗水", "photos": [photo()]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/h5/mine/{ticket.pk}/"
    assert ticket.area.code.startswith(DEMO_GRID) and ticket.channel == "h5" and ticket.resident is not None
    assert TicketPhoto.objects.filter(ticket=ticket, stage="submit").count() == 1
    mine = client.get(f"/h5/mine/{ticket.pk}/").content.decode()
    assert "待受理" in mine and "提交诉求" in mine
    served = client.get(f"/tickets/{ticket.pk}/photos/{ticket.photos.get().pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_a_photo_named_html_is_served_as_an_image(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("resident")
    client.post("/h5/", {"title": "t", "description": "d", "photos": [photo("evil.html")]})
    ticket = Ticket.objects.get()
    served = client.get(f"/tickets/{ticket.pk}/photos/{ticket.photos.get().pk}/")
    assert served["Content-Type"] == "image/png"


def test_h5_refuses_what_is_not_a_photo_and_names_the_field(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("resident")
    bad = SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png")
    response = client.post("/h5/", {"title": "t", "description": "d", "photos": [bad]})
    assert response.status_code == 422 and "不是图片" in response.content.decode()
    too_many = client.post(
        "/h5/", {"title": "t", "description": "d", "photos": [photo(f"{i}.png") for i in range(7)]}
    )
    assert too_many.status_code == 422 and "最多上传6张" in too_many.content.decode()
    empty = client.post("/h5/", {"title": "", "description": "d"})
    assert empty.status_code == 422 and "请填写标题" in empty.content.decode()
    assert not Ticket.objects.exists()


def test_ticket_page_offers_only_allowed_actions_and_acts(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    community = client_for("community")
    page = community.get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-action="accept"' in page and 'data-action="claim"' not in page
    worker_page = client_for("gridworker").get(f"/tickets/{ticket.pk}/").content.decode()
    assert 'data-action="accept"' not in worker_page and 'data-action="escalate"' in worker_page
    response = community.post(f"/tickets/{ticket.pk}/act/accept/", {"kind": "small"})
    assert response.status_code == 302
    refused = community.post(f"/tickets/{ticket.pk}/act/accept/", {"kind": "small"})
    assert refused.status_code == 409 and "不能受理" in refused.content.decode()
    missing = community.post(f"/tickets/{ticket.pk}/act/assign/", {})
    assert missing.status_code == 422 and "请选择承办人或承办单位" in missing.content.decode()
    community.post(f"/tickets/{ticket.pk}/act/assign/", {"assignee": "gridworker"})
    worker = client_for("gridworker")
    worker.post(f"/tickets/{ticket.pk}/act/claim/", {})
    done = worker.post(f"/tickets/{ticket.pk}/act/resolve/", {"note": "已修好", "photos": [photo()]})
    assert done.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).status == "resolved"
    assert TicketPhoto.objects.filter(ticket=ticket, stage="result").count() == 1
    rated = client_for("resident").post(f"/tickets/{ticket.pk}/act/rate/", {"rating": "5", "from": "h5"})
    assert rated.status_code == 302 and rated["Location"] == f"/h5/mine/{ticket.pk}/"
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"


def test_workbench_queues(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket(title="垃圾清运不及时")
    body = client_for("community").get("/tickets/?queue=dispatch").content.decode()
    assert "垃圾清运不及时" in body
    assert "垃圾清运不及时" not in client_for("gridworker").get("/tickets/?queue=mine").content.decode()
    search = client_for("community").get("/tickets/?queue=all&q=垃圾", HTTP_HX_REQUEST="true")
    assert (
        search.status_code == 200
        and "垃圾清运不及时" in search.content.decode()
        and "<html" not in search.content.decode()
    )
    assert ticket.number in client_for("gridworker").get("/tickets/?queue=all").content.decode()


def test_out_of_scope_ticket_pages_are_404(client_for, new_ticket) -> None:  # type: ignore[no-untyped-def]
    other_grid = Area.objects.filter(code__startswith=OTHER_STREET, level="grid")[0]
    outside = new_ticket(area_code=other_grid.code, by=None)
    for username in ["community", "gridworker", "resident", "unit"]:
        client = client_for(username)
        assert client.get(f"/tickets/{outside.pk}/").status_code == 404
        assert client.post(f"/tickets/{outside.pk}/act/note/", {"note": "x"}).status_code == 404
        assert client.get(f"/h5/mine/{outside.pk}/").status_code == 404
    assert client_for("community").get(f"/stats/{OTHER_STREET}/").status_code == 404


def test_staff_entry_and_stats_and_inbox(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("community")
    response = client.post(
        "/tickets/new/",
        {
            "channel": "phone",
            "title": "路灯不亮",
            "description": "小区东门路灯",
            "area": DEMO_GRID,
            "contact_name": "李先生",
            "contact_phone": "13700001234",
        },
    )
    ticket = Ticket.objects.get()
    assert (
        response.status_code == 302
        and ticket.channel == "phone"
        and ticket.submitted_by.username == "community"
    )
    bad = client.post("/tickets/new/", {"title": "t", "description": "d", "contact_phone": "abc"})
    assert bad.status_code == 422 and "请提供位置" in bad.content.decode()
    stats = client.get(f"/stats/{DEMO_COMMUNITY}/").content.decode()
    assert "办结率" in stats and "下级排名" in stats
    inbox = client_for("gridhead").get("/inbox/").content.decode()
    assert "路灯不亮" in inbox


def test_ticket_page_query_count_is_bounded(client_for, new_ticket, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    ticket = new_ticket()
    client = client_for("community")
    with django_assert_max_num_queries(40):
        client.get(f"/tickets/{ticket.pk}/")


def test_staff_entry_refuses_a_place_outside_scope_and_impossible_coordinates(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("gridworker")
    form = {"channel": "phone", "title": "井盖缺失", "description": "路口井盖缺失"}
    outside = Area.objects.filter(code__startswith=OTHER_STREET, level="grid")[0]
    refused = client.post("/tickets/new/", {**form, "area": outside.code})
    assert refused.status_code == 422 and "只能选择您负责的区域" in refused.content.decode()
    for lat, lng in (("nan", "123.4"), ("41.8", "inf"), ("95", "123.4")):
        bad = client.post("/tickets/new/", {**form, "lat": lat, "lng": lng})
        assert bad.status_code == 422 and "应在" in bad.content.decode(), (lat, lng)
    assert not Ticket.objects.exists()
