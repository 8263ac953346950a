"""An article's photo resized on upload (Pillow): each width of WIDTHS not wider than the
original, as JPEG, stored under generated names; the page offers them as `srcset`, lazily
loaded."""

import secrets
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from dangvu.core.errors import ValidationError

__all__ = ["WIDTHS", "MAX_PIXELS", "resize_upload"]

WIDTHS = (480, 960, 1440)
MAX_PIXELS = 40_000_000
MAX_BYTES = 15 * 1024 * 1024


def resize_upload(upload, prefix: str) -> tuple[int, int, dict[str, str]]:
    """(width, height, {width: stored name}) of the resized copies; a ValidationError on
    `image` for what is not a photo."""
    if upload is None:
        raise ValidationError({"image": _("Choose a photo.")})
    if upload.size > MAX_BYTES:
        raise ValidationError({"image": _("The photo is larger than 15 MB.")})
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(upload) as im:
            if im.format not in ("JPEG", "PNG", "WEBP"):
                raise ValidationError({"image": _("The photo must be JPEG, PNG or WebP.")})
            im = ImageOps.exif_transpose(im).convert("RGB")
            width, height = im.size
            names = {}
            key = secrets.token_hex(8)
            for w in WIDTHS:
                if names and w > width:
                    break
                copy = im if w >= width else im.resize((w, round(height * w / width)))
                out = BytesIO()
                copy.save(out, "JPEG", quality=80, optimize=True, progressive=True)
                names[str(min(w, width))] = default_storage.save(
                    f"{prefix}/{key}-{min(w, width)}.jpg", ContentFile(out.getvalue())
                )
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError):
        raise ValidationError({"image": _("This file is not a photo Dangvu can read.")}) from None
    return width, height, names
