import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.settings")
django_application = get_wsgi_application()

# A PACT meeting's live poll is answered before Django when this process holds it fresh (meetings/live_wsgi.py).
from openbeat.meetings.live_wsgi import LivePollApp  # noqa: E402

application = LivePollApp(django_application)

# Refuse to start, with the command that mends it, rather than answer every page with a 500.
from openbeat.core.static_check import ensure_static_files  # noqa: E402

ensure_static_files()
