"""A post's image at a public address that expires, for networks that fetch the image rather than take an upload
(Instagram's image_url).

Post images are kept in private storage (core.uploads) and have no public address (they are not Wagtail images),
so the posting worker makes one for each attempt: the image's stored name (already 32 random hex digits) signed
with a purpose of its own and a timestamp (core.tokens). The link cannot be guessed or altered, reaches that one
image only, lists nothing, and stops working after IMAGE_LINK_LIFETIME (Instagram fetches the image while it makes
the media container, within seconds). The view serves it as JPEG, the only type Instagram takes for an image post:
an image kept as PNG (it had transparency) is flattened onto white.
"""

from __future__ import annotations

import io
from datetime import timedelta

from openbeat.core.paths import absolute_url, path_for
from openbeat.core.tokens import LinkInvalid, signed_token_make, signed_token_read
from openbeat.core.uploads import private_file

PURPOSE = "social.image"
IMAGE_LINK_LIFETIME = timedelta(hours=24)


def image_link(image_file: str) -> str:
    """The full public address of a post's kept image (`Post.image_file`), valid for IMAGE_LINK_LIFETIME."""
    return absolute_url(path_for("social:image", token=signed_token_make(PURPOSE, image_file)))


def image_file_for(token: str) -> str | None:
    """The stored name a link's token was signed for; None when it was altered, made for another purpose or has
    expired."""
    try:
        return signed_token_read(PURPOSE, token, max_age=IMAGE_LINK_LIFETIME)
    except LinkInvalid:
        return None


def image_as_jpeg(image_file: str, mime: str) -> bytes:
    """The kept image's bytes as JPEG (as kept when it is one). Raises OSError when the file is missing."""
    from openbeat.social.services import IMAGE_FOLDER

    content = private_file(IMAGE_FOLDER, image_file).read_bytes()
    if mime == "image/jpeg":
        return content
    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        image.load()
        rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    buffer = io.BytesIO()
    flat.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()
