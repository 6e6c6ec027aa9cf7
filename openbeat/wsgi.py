import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.settings")
application = get_wsgi_application()

# Refuse to start, with the command that mends it, rather than answer every page with a 500.
from openbeat.core.static_check import ensure_static_files  # noqa: E402

ensure_static_files()
