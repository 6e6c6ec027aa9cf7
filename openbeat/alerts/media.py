"""An alert's image and its PDF attachments: kept, replaced and removed with the draft, served by OpenBeat, and
what the email (alerts.emails, the one renderer) and the public archive show of them.

- The image: one per alert, with alt text (required, at most 250 characters). `openbeat.core.uploads.clean_image`
  checks it by content (JPEG, PNG or WebP, decoded by Pillow), turns it upright, shrinks it to IMAGE_MAX_WIDTH
  and writes it again with no metadata (EXIF, GPS); it is kept under a random name and served at
  `/alerts/image/<public id>/<digest>.<ext>` (views.media): to anyone, with long cache headers, once the alert
  is public (sending or sent); before that only to staff who can see the alert. A new image gets a new digest,
  so a cached copy is never stale. Translations use the same image; SMS never has one.
- Attachments: up to MAX_ATTACHMENTS PDFs of at most ATTACHMENT_MAX_BYTES each, checked by `check_pdf` (a PDF's
  frame, no scripts or launch actions), kept as sent, listed as links "Title (PDF, 240 KB)" and downloaded as
  attachments from `/alerts/attachment/<public id>/<id>/` under the same rule as the image.

Files live under PRIVATE_STORAGE_ROOT/alerts/ (never MEDIA_ROOT). Only a draft's media can change, by whoever may
edit it; each change is audit-logged as `alerts.alert.media`. A replaced or removed file is deleted once the
change commits; a new file is deleted again if the change fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from openbeat.alerts.models import Alert, AlertAttachment
from openbeat.audit.services import log_action
from openbeat.core.paths import absolute_url
from openbeat.core.uploads import (
    CleanImage,
    UploadRejected,
    check_pdf,
    clean_image,
    private_file,
    private_root,
    random_name,
    size_in_words,
    store_bytes,
    store_upload,
)
from openbeat.core.users import RequestUser, StaffUser

FOLDER = "alerts"
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MAX_WIDTH = 1200
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 3
ALT_MAX = 250
IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


# ------------------------------------------------------------------------------------------------ reading


def is_public(alert: Alert) -> bool:
    return alert.state in (Alert.State.SENDING, Alert.State.SENT)


def may_see(user: RequestUser, alert: Alert) -> bool:
    """Anyone once the alert is public; before that staff who can see the alert (its division's)."""
    from openbeat.alerts.selectors import alert_problem

    return is_public(alert) or (user is not None and alert_problem(user, alert, "view") is None)


def image_file(alert: Alert) -> Path:
    return private_file(FOLDER, alert.image_path)


def attachment_file(attachment: AlertAttachment) -> Path:
    return private_file(FOLDER, attachment.path)


def image_ext(alert: Alert) -> str:
    return alert.image_path.rsplit(".", 1)[-1] if "." in alert.image_path else "jpg"


def image_url(alert: Alert) -> str:
    """The image's address on OpenBeat (relative), or "" when the alert has none."""
    if not alert.image_path:
        return ""
    return reverse(
        "alerts:image", kwargs={"public_id": alert.public_id, "digest": alert.image_digest, "ext": image_ext(alert)}
    )


def attachment_url(attachment: AlertAttachment, alert: Alert) -> str:
    return reverse("alerts:attachment", kwargs={"public_id": alert.public_id, "pk": attachment.pk})


def attachment_title(name: str | None) -> str:
    """A title from the file's name: "Leaflet_about-scams.pdf" -> "Leaflet about scams"."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    words = " ".join(re.sub(r"[_\-]+", " ", "".join(c for c in stem if c.isprintable())).split())
    return words[:150] or "Document"


@dataclass(frozen=True)
class EmailImage:
    src: str  # absolute
    alt: str
    width: int | None
    height: int | None


@dataclass(frozen=True)
class EmailAttachment:
    title: str
    href: str  # absolute
    size: str  # "240 KB"


def email_media(alert: Alert, attachments: Iterable[AlertAttachment] | None = None) -> dict[str, Any]:
    """The image and attachment links of an alert as `alerts.emails.alert_email` takes them (absolute URLs)."""
    if attachments is None:
        attachments = alert.attachments.all() if alert.pk else []
    image = (
        EmailImage(
            src=absolute_url(image_url(alert)), alt=alert.image_alt, width=alert.image_width, height=alert.image_height
        )
        if alert.image_path
        else None
    )
    return {
        "image": image,
        "attachments": [
            EmailAttachment(title=a.title, href=absolute_url(attachment_url(a, alert)), size=size_in_words(a.size))
            for a in attachments
        ],
    }


def email_media_for(alerts: Iterable[Alert]) -> dict[int, dict[str, Any]]:
    """email_media for several alerts with one query for their attachments (delivery reads all up front)."""
    alerts = list(alerts)
    found: dict[int, list[AlertAttachment]] = {alert.pk: [] for alert in alerts}
    for attachment in AlertAttachment.objects.filter(alert__in=alerts).order_by("pk"):
        found[attachment.alert_id].append(attachment)
    return {alert.pk: email_media(alert, found[alert.pk]) for alert in alerts}


# ------------------------------------------------------------------------------------------------ changing


def _rejected(field: str, error: UploadRejected) -> ValidationError:
    return ValidationError({field: error.message})


@transaction.atomic
def alert_media_change(
    *,
    alert: Alert,
    editor: StaffUser,
    image: CleanImage | Any | None = None,
    image_alt: str | None = None,
    remove_image: bool = False,
    attachments: Sequence[Any] = (),
    remove_attachments: Iterable[int] = (),
    request: HttpRequest | None = None,
) -> Alert:
    """Change a draft's image (a new upload or CleanImage replaces it; `remove_image` takes it away), its alt
    text, and its attachments (PDF uploads added, ids in `remove_attachments` removed).

    Raises ValidationError keyed by field (image, image_alt, attachments), or the services' permission and
    state errors. Nothing changes when nothing is asked for."""
    from openbeat.alerts.services import _check, _locked

    alert = _locked(alert)
    _check(editor, alert, "edit")
    remove_ids = {int(pk) for pk in remove_attachments}
    if isinstance(image, CleanImage) or image is None:
        cleaned = image
    else:
        try:
            cleaned = clean_image(image, max_bytes=IMAGE_MAX_BYTES, max_width=IMAGE_MAX_WIDTH)
        except UploadRejected as error:
            raise _rejected("image", error) from error
    for upload in attachments:
        try:
            check_pdf(upload, max_bytes=ATTACHMENT_MAX_BYTES)
        except UploadRejected as error:
            raise _rejected("attachments", error) from error
    alt = " ".join((alert.image_alt if image_alt is None else image_alt).split())
    will_have_image = cleaned is not None or (bool(alert.image_path) and not remove_image)
    if will_have_image and not alt:
        raise ValidationError({"image_alt": "Enter alt text that describes the image"})
    if len(alt) > ALT_MAX:
        raise ValidationError({"image_alt": f"The alt text must be {ALT_MAX} characters or fewer"})
    existing = list(alert.attachments.all())
    removing = [a for a in existing if a.pk in remove_ids]
    if len(existing) - len(removing) + len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": f"An alert can have up to {MAX_ATTACHMENTS} PDF documents"})

    old_files: list[Path] = []
    new_files: list[Path] = []
    changes: dict[str, Any] = {}
    try:
        if cleaned is not None or (remove_image and alert.image_path):
            if alert.image_path:
                old_files.append(image_file(alert))
            if cleaned is not None:
                name = random_name(cleaned.ext)
                destination = private_root(FOLDER) / "images" / name
                new_files.append(destination)
                digest = store_bytes(cleaned.content, destination)
                alert.image_path = f"images/{name}"
                alert.image_digest = digest[:16]
                alert.image_width, alert.image_height = cleaned.width, cleaned.height
                changes["image"] = "replaced" if old_files else "added"
            else:
                alert.image_path = alert.image_digest = ""
                alert.image_width = alert.image_height = None
                changes["image"] = "removed"
        new_alt = alt if alert.image_path else ""
        if new_alt != alert.image_alt:
            alert.image_alt = new_alt
            changes.setdefault("image", "alt text")
        for attachment in removing:
            old_files.append(attachment_file(attachment))
            attachment.delete()
        if removing:
            changes["attachments_removed"] = len(removing)
        for upload in attachments:
            name = random_name("pdf")
            destination = private_root(FOLDER) / "attachments" / name
            new_files.append(destination)
            sha256, size = store_upload(upload, destination)
            AlertAttachment.objects.create(
                alert=alert, title=attachment_title(upload.name), path=f"attachments/{name}", size=size, sha256=sha256
            )
        if attachments:
            changes["attachments_added"] = len(attachments)
        if not changes:
            return alert
        alert.save()
        log_action("alerts.alert.media", actor=editor, target=alert, data=changes, request=request)
    except BaseException:
        for path in new_files:
            path.unlink(missing_ok=True)
        raise
    transaction.on_commit(lambda: _delete(old_files))
    return alert


def _delete(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
