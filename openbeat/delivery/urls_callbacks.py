"""Provider callbacks, mounted under /d/ by delivery/urls.py (names in the "delivery" namespace)."""

from django.urls import URLPattern, path

from openbeat.delivery.views import callbacks

urlpatterns: list[URLPattern] = [
    # GOV.UK Notify: set the service's "callbacks for received text messages / delivery receipts" URL to
    # {BASE_URL}/d/callbacks/notify/ and its bearer token to NOTIFY_CALLBACK_TOKEN.
    path("callbacks/notify/", callbacks.notify_status, name="notify_callback"),
    # An email provider's tracking webhook through django-anymail (Mailgun as the example): point Mailgun's
    # webhooks at {BASE_URL}/d/callbacks/anymail/mailgun/tracking/ and set ANYMAIL["MAILGUN_WEBHOOK_SIGNING_KEY"].
    # Another provider: add its anymail tracking view here the same way.
    path("callbacks/anymail/mailgun/tracking/", callbacks.mailgun_tracking, name="anymail_mailgun_tracking"),
]
