"""Rebuild the sample evidence files in this folder: `.venv/bin/python openbeat/reports/tests/files/make_samples.py`.

Photos and the PDF come from Pillow, the HEIC from pillow-heif (x265), the DOCX is a minimal WordprocessingML
package, the MP4 a minimal ISO BMFF file (ftyp + moov/mvhd + mdat, no tracks). The disguised files are what an
attacker might rename: an HTML page and a Windows program, both called .jpg, and an SVG called .png.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent


def _picture() -> Image.Image:
    image = Image.new("RGB", (48, 32), "#1d70b8")
    ImageDraw.Draw(image).rectangle((8, 8, 40, 24), fill="#ffdd00")
    return image


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack("!L", 8 + len(payload)) + kind + payload


def _mp4() -> bytes:
    ftyp = _box(b"ftyp", b"isom" + struct.pack("!L", 512) + b"isomiso2mp41")
    matrix = struct.pack("!9L", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(
        b"mvhd",
        struct.pack("!B3xLLLL", 0, 0, 0, 1000, 0)
        + struct.pack("!LH10x", 0x10000, 0x100)
        + matrix
        + bytes(24)
        + struct.pack("!L", 2),
    )
    return ftyp + _box(b"moov", mvhd) + _box(b"mdat", b"")


def _docx(path: Path) -> None:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>",
        )
        archive.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{w}"><w:body>'
            "<w:p><w:r><w:t>Witness statement: the blue van was parked on the verge.</w:t></w:r></w:p>"
            "</w:body></w:document>",
        )


def main() -> None:
    _picture().save(HERE / "photo.jpg", "JPEG", quality=85)
    _picture().save(HERE / "photo.png", "PNG")
    _picture().save(HERE / "photo.gif", "GIF")
    _picture().save(HERE / "photo.webp", "WEBP")
    _picture().save(HERE / "document.pdf", "PDF")
    from pillow_heif import register_heif_opener

    register_heif_opener()
    _picture().save(HERE / "photo.heic", "HEIF")
    (HERE / "clip.mp4").write_bytes(_mp4())
    _docx(HERE / "statement.docx")
    (HERE / "notes.txt").write_text("Seen at 10pm on Tuesday: two people by the bike shed.\nCar reg AB12 CDE.\n")
    (HERE / "disguised-page.jpg").write_bytes(b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script>")
    dos_stub = b"MZ" + bytes(58) + struct.pack("<L", 64) + b"PE\0\0" + bytes(60)
    (HERE / "disguised-program.jpg").write_bytes(dos_stub)
    (HERE / "disguised-drawing.png").write_bytes(
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )


if __name__ == "__main__":
    main()
