"""Checking uploaded images by their content, for the force's logo (and any later public image field).

As with report evidence (reports.evidence.sniff), the type is decided from the file's first bytes, never from
its name or the browser's content type. Only raster PNG and JPEG are accepted: no SVG (a browser can run
script in one), GIF, WEBP or anything else. The name's extension must agree with the content, so the file is
served with the type it really has.
"""

from __future__ import annotations

from typing import Any

import filetype
from django.core.exceptions import ValidationError

LOGO_MAX_BYTES = 2 * 1024 * 1024
_HEAD_BYTES = 8 * 1024
# Content type -> the extensions a file of that type may be named with.
RASTER_IMAGE_TYPES: dict[str, tuple[str, ...]] = {"image/png": ("png",), "image/jpeg": ("jpg", "jpeg")}


def raster_image_type(head: bytes) -> str | None:
    """ "image/png" or "image/jpeg" when the bytes start like one, else None."""
    kind = filetype.guess(head) if head else None
    return kind.mime if kind is not None and kind.mime in RASTER_IMAGE_TYPES else None


def validate_logo_image(upload: Any) -> None:
    """A model field validator: a PNG or JPEG of at most LOGO_MAX_BYTES, named for what it is."""
    if getattr(upload, "_committed", False):
        return  # already stored, so already checked: saving the form again need not read it back
    size = getattr(upload, "size", None) or 0
    if not size:
        raise ValidationError("The selected file is empty", code="empty")
    if size > LOGO_MAX_BYTES:
        raise ValidationError("The logo must be smaller than 2MB", code="too_big")
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    upload.seek(0)
    mime = raster_image_type(head)
    if mime is None:
        raise ValidationError("The logo must be a PNG or JPG image", code="invalid_type")
    ext = str(getattr(upload, "name", "") or "").rsplit(".", 1)[-1].lower()
    if ext not in RASTER_IMAGE_TYPES[mime]:
        raise ValidationError(
            f"The file is a {mime.split('/')[1].upper()} image: name it .{RASTER_IMAGE_TYPES[mime][0]}",
            code="wrong_extension",
        )
