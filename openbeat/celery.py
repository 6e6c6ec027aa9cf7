"""Celery app, used only when TASKS_BACKEND=celery (scale-out on Redis)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbeat.settings")
app = Celery("openbeat")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
