"""The transport for a channel, chosen by settings.

- settings.DELIVERY_TRANSPORT_FAKE = True: transports.fake.FakeTransport (tests), for every channel.
- email: MAILERS["default"] with Django's SMTP backend -> SmtpTransport (its host, port, username, password,
  use_tls/use_ssl and timeout OPTIONS; DELIVERY_SMTP_CONNECTIONS sessions at once, default 8); any other
  backend (a django-anymail ESP, the file or console backend in development, locmem in tests) ->
  MailerTransport through Django's EmailMessage API.
- sms: SMS_BACKEND "notify" -> NotifySmsTransport (GOV.UK Notify); otherwise the development/test SMS
  backends of core.sms (file under var/sms/, console, locmem).
"""

from __future__ import annotations

from django.conf import settings

from .base import Transport

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def get_transport(channel: str) -> Transport:
    if getattr(settings, "DELIVERY_TRANSPORT_FAKE", False):
        from .fake import FakeTransport

        return FakeTransport(channel)
    if channel == "email":
        if settings.MAILERS["default"].get("BACKEND") == SMTP_BACKEND:
            from .smtp import SmtpTransport

            return SmtpTransport()
        from .mailer import MailerTransport

        return MailerTransport()
    if channel == "sms":
        if settings.SMS_BACKEND == "notify":
            from .notify_sms import NotifySmsTransport

            return NotifySmsTransport()
        from .core_sms import CoreSmsTransport

        return CoreSmsTransport()
    raise ValueError(f"No transport for channel {channel!r}")
