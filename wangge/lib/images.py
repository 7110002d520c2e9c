"""Photos as we keep them: decoded by Pillow and written again, so that what is stored is an image and
nothing else (a file that only starts like one is refused), without its EXIF (residents' photos carry the
GPS position of their home and the phone's serial), turned upright, at most 2,560 px on the long side, and
named by a hash of its content with the extension of what it is."""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 2560
# A decompression bomb (a small file that decodes to billions of pixels) is refused before decoding.
MAX_PIXELS = 50_000_000
# What we take, and what each is written as: GIFs become PNG (their first frame), JPEG stays JPEG.
# (A phone's multi-picture JPEG opens as MPO through the JPEG decoder.)
OPENED = ["JPEG", "PNG", "GIF", "WEBP"]
KEPT_AS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "GIF": "PNG", "WEBP": "WEBP"}
EXTENSION = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


# Photos stored before images were re-encoded are served by their first bytes too, never by their name.
SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def content_type_of(head: bytes) -> str | None:
    """The image type from a stored file's first 12 bytes, or None for a non-image."""
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for sig, kind in SIGNATURES.items() if head.startswith(sig)), None)


class NotAnImage(ValueError):
    pass


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    extension: str

    @property
    def name(self) -> str:
        return f"{hashlib.sha256(self.content).hexdigest()[:32]}.{self.extension}"

    def as_file(self) -> ContentFile:
        return ContentFile(self.content, name=self.name)


def clean_image(data: bytes) -> CleanImage:
    """The image re-encoded without metadata; NotAnImage when Pillow cannot decode it as one we take."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning (past 89 M pixels) is a refusal here, like MAX_PIXELS.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=OPENED)
        with opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise NotAnImage("图片像素过大")
            kind = KEPT_AS[opened.format or ""]
            opened.load()  # decodes every byte: a file cut short or with a forged body fails here
            image = ImageOps.exif_transpose(opened) or opened
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        KeyError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise NotAnImage(str(exc)) from exc
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if kind == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    # No exif=, no icc/xmp passed on: Pillow writes none of the original's metadata.
    if kind == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return CleanImage(out.getvalue(), EXTENSION[kind])
