"""Checking uploads by their content: the force's logo, images and PDFs (alerts), and what every capability
that keeps files needs (the head to sniff, private storage, a safe download response).

As with report evidence (reports.evidence.sniff), the type is decided from the file's first bytes, never from
its name or the browser's content type. The logo is raster PNG or JPEG only: no SVG (a browser can run script
in one), GIF, WEBP or anything else, and the name's extension must agree with the content, so the file is
served with the type it really has. Images shown to residents (`clean_image`) are decoded and written again
without metadata; PDFs (`check_pdf`) are checked for a PDF's frame and refused with scripts or launch actions.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import uuid
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from PIL import Image, ImageOps

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


# ------------------------------------------------------------------------------------------------ any upload
# What every capability that takes files needs (report evidence, alert images and attachments): the head of
# the file to judge its type by, sizes in words, files kept under PRIVATE_STORAGE_ROOT (never under MEDIA_ROOT
# or static, so no web server serves them) and a download response nothing in the file can run in.

HEAD_BYTES = 64 * 1024


class UploadRejected(Exception):
    """The file cannot be accepted; `message` is plain English for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_head(upload: Any, size: int = HEAD_BYTES) -> bytes:
    """The first `size` bytes of an upload, leaving it at the start."""
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return bytes(head)


def megabytes(size: int) -> str:
    """A limit in words: "20MB", "512KB"."""
    return f"{size / (1024 * 1024):.0f}MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)}KB"


def size_in_words(size: int) -> str:
    """A file's size as a reader sees it beside a link: "240 KB", "1.4 MB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(round(size / 1024), 1)} KB"


def private_root(folder: str) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / folder


def private_file(folder: str, relative: str) -> Path:
    """A kept file's path, refusing any stored path that would lead outside its folder (ValueError)."""
    root = private_root(folder).resolve()
    path = (root / relative).resolve()
    if not relative or not path.is_relative_to(root) or path == root:
        raise ValueError(f"{relative!r} is not a file in {folder}")
    return path


def random_name(ext: str) -> str:
    """A file name nobody can guess or collide with: 32 hex digits and the extension of the content."""
    return f"{uuid.uuid4().hex}.{ext}"


def store_upload(upload: Any, destination: Path) -> tuple[str, int]:
    """Write an upload exactly as sent (never over an existing file); (sha256, size)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    with open(destination, "xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def store_bytes(content: bytes, destination: Path) -> str:
    """Write bytes to a new file; their sha256."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with open(destination, "xb") as out:
        out.write(content)
    return hashlib.sha256(content).hexdigest()


def download_response(path: Path, *, filename: str, content_type: str) -> FileResponse:
    """A kept file sent as a download (never shown inline) with its checked type, `nosniff` and a sandboxing CSP,
    so that nothing in it can run in OpenBeat's origin. Raises Http404 when the file is missing."""
    try:
        handle = open(path, "rb")  # noqa: SIM115  (FileResponse closes it)
    except OSError as error:
        raise Http404("The file is missing") from error
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["Content-Type"] = content_type or "application/octet-stream"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# ------------------------------------------------------------------------------------------------ images

# Web images a resident's email client and browser show: decoded with Pillow, never served as uploaded.
WEB_IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_IMAGE_PIXELS = 40_000_000  # far more than any camera; a "decompression bomb" claims more


@dataclass(frozen=True)
class CleanImage:
    """An image decoded and written again: resized, every piece of metadata (EXIF, GPS, comments) left behind."""

    content: bytes
    mime: str
    ext: str
    width: int
    height: int


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def clean_image(upload: Any, *, max_bytes: int, max_width: int = 1200) -> CleanImage:
    """Check an uploaded JPEG, PNG or WebP by its content, decode it, turn it upright, shrink it to `max_width`
    (keeping its shape) and write it again as JPEG (PNG when it has transparency) with no metadata.
    Raises UploadRejected: not one of those types whatever its name (HTML or a PDF called .jpg), too big,
    more pixels than MAX_IMAGE_PIXELS, or not decodable."""
    size = getattr(upload, "size", None) or 0
    if not size:
        raise UploadRejected("The selected image is empty")
    if size > max_bytes:
        raise UploadRejected(f"The image must be smaller than {megabytes(max_bytes)}")
    kind = filetype.guess(read_head(upload))
    mime = kind.mime if kind is not None else ""
    if mime not in WEB_IMAGE_FORMATS:
        raise UploadRejected("The image must be a JPG, PNG or WebP file")
    unreadable = UploadRejected("The image could not be read: it may be damaged. Save it again and choose it")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload, formats=[WEB_IMAGE_FORMATS[mime]]) as image:
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise UploadRejected("The image has too many pixels: make it smaller and choose it again")
                image.verify()
            upload.seek(0)
            with Image.open(upload, formats=[WEB_IMAGE_FORMATS[mime]]) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected("The image has too many pixels: make it smaller and choose it again") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError) as error:
        raise unreadable from error
    finally:
        upload.seek(0)
    if upright.width > max_width:
        height = max(1, round(upright.height * max_width / upright.width))
        upright = upright.resize((max_width, height), Image.Resampling.LANCZOS)
    alpha = _has_alpha(upright)
    out = upright.convert("RGBA" if alpha else "RGB")
    out.info = {}  # nothing of the original's metadata goes with it
    buffer = io.BytesIO()
    if alpha:
        out.save(buffer, "PNG", optimize=True)
    else:
        out.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return CleanImage(
        content=buffer.getvalue(),
        mime="image/png" if alpha else "image/jpeg",
        ext="png" if alpha else "jpg",
        width=out.width,
        height=out.height,
    )


# ------------------------------------------------------------------------------------------------ PDFs

# PDF names that make a reader run something, open another program, or carry other files.
PDF_ACTIVE_NAMES = frozenset({"JavaScript", "JS", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia"})
_PDF_NAME = re.compile(rb"/([^\s()<>\[\]{}/%]+)")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_PDF_INFLATE_LIMIT = 64 * 1024 * 1024  # inflated bytes looked through, at most, per file


def _pdf_names(data: bytes) -> set[str]:
    """The names in PDF bytes, with #xx escapes decoded (a name can be spelt /J#61vaScript)."""
    names = set()
    for match in _PDF_NAME.finditer(data):
        raw = match.group(1)
        if b"#" in raw:
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        names.add(raw.decode("latin-1"))
    return names


def _pdf_streams(data: bytes) -> Any:
    """The inflated content of the file's Flate streams (object streams can hide names), up to a limit."""
    budget = _PDF_INFLATE_LIMIT
    for match in _PDF_STREAM.finditer(data):
        end = data.find(b"endstream", match.end())
        if end < 0 or budget <= 0:
            return
        inflater = zlib.decompressobj()
        try:
            inflated = inflater.decompress(data[match.end() : end], budget)
        except zlib.error:
            continue  # not Flate (an image, say): nothing to read in it
        budget -= len(inflated)
        yield inflated


def check_pdf(upload: Any, *, max_bytes: int) -> None:
    """Refuse anything that is not a plain PDF: it must start `%PDF-1.x` / `%PDF-2.x`, end with a cross-reference
    pointer and `%%EOF`, and use none of PDF_ACTIVE_NAMES (scripts, launch actions, embedded files), looked
    for in the file and in its compressed streams. Raises UploadRejected."""
    size = getattr(upload, "size", None) or 0
    if not size:
        raise UploadRejected("The selected file is empty")
    if size > max_bytes:
        raise UploadRejected(f"Each PDF must be smaller than {megabytes(max_bytes)}")
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    if len(data) > max_bytes:
        raise UploadRejected(f"Each PDF must be smaller than {megabytes(max_bytes)}")
    if not re.match(rb"%PDF-[12]\.\d", data):
        raise UploadRejected("The file must be a PDF")
    tail = data[-2048:]
    if b"%%EOF" not in tail or not re.search(rb"startxref\s+\d+\s+%%EOF", tail):
        raise UploadRejected("The PDF could not be read: it may be damaged or incomplete. Save it again as a PDF")
    names = _pdf_names(data)
    for inflated in _pdf_streams(data):
        names |= _pdf_names(inflated)
    if names & PDF_ACTIVE_NAMES:
        raise UploadRejected(
            "The PDF contains scripts, actions that open other programs, or embedded files: save it again without them"
        )
