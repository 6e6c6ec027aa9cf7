"""Images and PDFs checked by their content (openbeat.core.uploads), with real files made here."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from openbeat.core.uploads import UploadRejected, check_pdf, clean_image

MB = 1024 * 1024


def photo(kind: str = "PNG", size: tuple[int, int] = (40, 30), *, gps: bool = False, mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, "#00205b")
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "PhoneCo"
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (51.0, 30.0, 12.0)}
        )
        image.save(out, kind, exif=exif)
    else:
        image.save(out, kind)
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def pdf(catalog_extra: bytes = b"", *, body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" + body + b"xref\n0 3\n"
        b"0000000000 65535 f \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n120\n%%EOF\n"
    )


# ------------------------------------------------------------------------------------------------ images


def test_a_png_with_gps_in_its_exif_is_kept_without_any_metadata():
    original = photo("PNG", gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test's file has GPS

    clean = clean_image(upload(original, "garden.png"), max_bytes=MB)

    stored = Image.open(io.BytesIO(clean.content))
    assert stored.format == "JPEG"
    assert clean.mime == "image/jpeg"
    assert clean.ext == "jpg"
    assert dict(stored.getexif()) == {}
    assert b"Exif" not in clean.content
    assert b"PhoneCo" not in clean.content


def test_a_jpeg_with_exif_loses_it_too_and_a_transparent_png_stays_a_png():
    clean = clean_image(upload(photo("JPEG", gps=True)), max_bytes=MB)
    assert b"Exif" not in clean.content
    transparent = clean_image(upload(photo("PNG", mode="RGBA"), "logo.png"), max_bytes=MB)
    assert transparent.ext == "png"
    assert Image.open(io.BytesIO(transparent.content)).mode == "RGBA"


def test_a_wide_image_is_shrunk_to_the_width_keeping_its_shape():
    clean = clean_image(upload(photo("WEBP", (2400, 1600)), "wide.webp"), max_bytes=MB, max_width=1200)
    assert (clean.width, clean.height) == (1200, 800)
    assert Image.open(io.BytesIO(clean.content)).size == (1200, 800)


@pytest.mark.parametrize(
    "content",
    [
        b"<!doctype html><html><script>alert(1)</script></html>",
        pdf(),
        photo("GIF"),
        b"GIF89a" + b"\0" * 40,
    ],
    ids=["html", "pdf", "gif", "gif-header"],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused_whatever_it_is_called(content):
    with pytest.raises(UploadRejected, match="must be a JPG, PNG or WebP"):
        clean_image(upload(content, "photo.jpg"), max_bytes=MB)


def test_a_damaged_image_is_refused():
    truncated = photo("PNG", (300, 300))[:200]
    with pytest.raises(UploadRejected, match="could not be read"):
        clean_image(upload(truncated, "photo.png"), max_bytes=MB)


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # A PNG header claiming 30,000 x 30,000 pixels, with almost nothing behind it.
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    bomb = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 30_000, 30_000, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )
    with pytest.raises(UploadRejected, match="too many pixels"):
        clean_image(upload(bomb, "bomb.png"), max_bytes=MB)


def test_an_image_over_the_size_limit_or_empty_is_refused():
    with pytest.raises(UploadRejected, match="smaller than 1KB"):
        clean_image(upload(photo("PNG", (300, 300)) + b"\0" * 2000, "big.png"), max_bytes=1024)
    with pytest.raises(UploadRejected, match="empty"):
        clean_image(upload(b"", "empty.png"), max_bytes=MB)


# ------------------------------------------------------------------------------------------------ PDFs


def test_a_plain_pdf_passes():
    check_pdf(upload(pdf(), "leaflet.pdf"), max_bytes=MB)


@pytest.mark.parametrize(
    "content",
    [
        pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        pdf(b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>"),  # the name spelt with an escape
        pdf(b"/OpenAction << /S /Launch /F (cmd.exe) >>"),
        pdf(
            body=b"3 0 obj\n<< /Type /ObjStm /Filter /FlateDecode >>\nstream\n"
            + zlib.compress(b"<< /S /JavaScript /JS (x) >>")
            + b"\nendstream\nendobj\n"
        ),
    ],
    ids=["javascript", "escaped-name", "launch", "in-a-compressed-stream"],
)
def test_a_pdf_with_script_or_launch_actions_is_refused(content):
    with pytest.raises(UploadRejected, match="scripts"):
        check_pdf(upload(content, "leaflet.pdf"), max_bytes=MB)


def test_what_is_not_a_whole_pdf_is_refused():
    with pytest.raises(UploadRejected, match="must be a PDF"):
        check_pdf(upload(b"<html>not a pdf</html>", "leaflet.pdf"), max_bytes=MB)
    with pytest.raises(UploadRejected, match="damaged or incomplete"):
        check_pdf(upload(pdf()[:-30], "leaflet.pdf"), max_bytes=MB)
    with pytest.raises(UploadRejected, match="smaller than 1KB"):
        check_pdf(upload(pdf() + b"%" * 2000, "leaflet.pdf"), max_bytes=1024)
