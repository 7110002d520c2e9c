"""Uploaded photos (issue 19, finding 6): decoded and written again, without EXIF, named by their content
with the extension of what they are; what only starts like an image is refused; an oversized request is
refused before it is read."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from wangge.conftest import png_bytes
from wangge.lib.images import NotAnImage, clean_image, content_type_of
from wangge.tickets.models import Ticket, TicketPhoto

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    """A phone photo: EXIF with the camera, the GPS position of the home, and an orientation."""
    image = Image.new("RGB", (64, 32), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = 6  # Orientation: rotated 90° clockwise
    exif[GPS_IFD] = {1: "N", 2: (41.0, 48.0, 30.0), 3: "E", 4: (123.0, 27.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_loses_its_exif_and_stands_upright() -> None:
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    clean = clean_image(original)
    kept = Image.open(io.BytesIO(clean.content))
    assert kept.format == "JPEG" and not kept.getexif() and "exif" not in kept.info
    assert kept.size == (32, 64)  # turned by its orientation before the EXIF went
    assert clean.name.endswith(".jpg") and len(clean.name) == 32 + 4
    assert clean_image(original).name == clean.name  # the same content, the same name


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a<script>alert(document.cookie)</script>",
        b"RIFF\x00\x00\x00\x00WAVEfmt anything",
        b"RIFF\x10\x00\x00\x00WEBPVP8 broken",
        png_bytes()[:60],  # cut short
        b"%PDF-1.7",
    ],
)
def test_what_only_starts_like_an_image_is_refused(data: bytes) -> None:
    with pytest.raises(NotAnImage):
        clean_image(data)


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 million pixels in a few kilobytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(NotAnImage):
        clean_image(out.getvalue())


def test_gif_and_webp_are_kept_as_images() -> None:
    for kind, expected in (("GIF", ".png"), ("WEBP", ".webp"), ("PNG", ".png")):
        out = io.BytesIO()
        Image.new("RGB", (20, 20), (10, 200, 10)).save(out, kind)
        clean = clean_image(out.getvalue())
        assert clean.name.endswith(expected) and content_type_of(clean.content[:12]), kind


@pytest.mark.django_db
def test_the_h5_stores_the_cleaned_photo_under_its_hash(client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for("resident")
    photo = SimpleUploadedFile("家门口.html", jpeg_with_gps(), content_type="text/html")
    sent = client.post("/h5/", {"title": "楼道灯不亮", "description": "三单元", "photos": [photo]})
    assert sent.status_code in (200, 302)
    stored = TicketPhoto.objects.get()
    assert stored.image.name.endswith(".jpg") and "家门口" not in stored.image.name
    with stored.image.open("rb") as f:
        assert not Image.open(f).getexif()
    forged = SimpleUploadedFile("x.html", b"GIF89a<script>alert(1)</script>", content_type="image/gif")
    refused = client.post("/h5/", {"title": "t", "description": "d", "photos": [forged]})
    assert refused.status_code == 422 and "不是图片" in refused.content.decode()
    assert Ticket.objects.count() == 1


@pytest.mark.django_db
def test_an_oversized_body_is_refused_before_it_is_read(client_for, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MAX_REQUEST_BYTES = 1024 * 1024
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"\x00" * (2 * 1024 * 1024), content_type="image/png")
    page = client_for("resident").post("/h5/", {"title": "t", "description": "d", "photos": [big]})
    assert page.status_code == 413 and "超过1MB" in page.content.decode()
    big.seek(0)
    api = client_for("gridworker").post("/api/v1/visits/1/photos", {"photos": [big]})
    assert api.status_code == 413 and "超过1MB" in api.json()["detail"]
    assert not Ticket.objects.exists()
