"""An alert as an SMS: its text, and how many characters and message parts it costs.

Networks bill by part. Text that fits the GSM 03.38 alphabet is sent 7-bit: 160 characters in one part,
153 per part when split (the rest carries the joining header); the extension characters ^ { } [ ] ~ | \\ €
take two. Any other character (curly quotes, emoji, most non-Latin scripts) sends the whole message as
UCS-2: 70 in one part, 67 per part, counted in UTF-16 units (an emoji is two). A two-unit character is
never split across parts, so a part can end one short.
"""

from __future__ import annotations

from typing import Literal

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

Encoding = Literal["GSM-7", "UCS-2"]


def _units(text: str) -> tuple[Encoding, list[int]]:
    """The encoding, and each character's size in that encoding's units."""
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        return "GSM-7", [2 if c in GSM_EXTENSION else 1 for c in text]
    return "UCS-2", [2 if ord(c) > 0xFFFF else 1 for c in text]


def _parts(sizes: list[int], per_part: int) -> int:
    parts, used = 1, 0
    for size in sizes:
        if used + size > per_part:
            parts, used = parts + 1, 0
        used += size
    return parts


def sms_segments(text: str) -> tuple[Encoding, int, int]:
    """(encoding, length in that encoding's units, number of message parts) for `text`."""
    encoding, sizes = _units(text)
    length = sum(sizes)
    if length == 0:
        return encoding, 0, 0
    single, multi = (160, 153) if encoding == "GSM-7" else (70, 67)
    return encoding, length, 1 if length <= single else _parts(sizes, multi)


def sms_text(*, title: str, body_text: str, link_url: str = "") -> str:
    """The SMS an alert becomes: its title, the body as plain text, and the link if any."""
    return "\n".join(part for part in (title.strip(), body_text.strip(), link_url.strip()) if part)
