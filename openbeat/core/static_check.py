"""Static files must be collected before the site serves: say so at start-up, not as a 500 on every page.

With the manifest storage (the default unless DEBUG), `{% static %}` looks each file up in the manifest that
`collectstatic` writes; a missing manifest, or one older than a file the templates use, made every page fail
with "Missing staticfiles manifest entry". The WSGI entry point calls `static_files_problem` and refuses to
start with the command that mends it; `check --deploy` reports the same.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages

FIX = "Run `python manage.py collectstatic --noinput` (make run does) before starting the site."


def _found_paths() -> set[str]:
    paths: set[str] = set()
    for finder in finders.get_finders():
        for path, _storage in finder.list(["CVS", ".*", "*~"]):
            paths.add(path.replace("\\", "/"))
    return paths


def static_files_problem() -> str | None:
    """What is wrong with the collected static files, or None when pages can be served."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return None  # files are served as found; nothing to collect first
    if not storage.manifest_storage.exists(storage.manifest_name):
        return f"Static files have not been collected: no {storage.manifest_name} in {storage.location}. {FIX}"
    hashed, _hash = storage.load_manifest()
    missing = sorted(_found_paths() - set(hashed))
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        return f"{len(missing)} static files are newer than the last collectstatic ({shown}). {FIX}"
    return None


def ensure_static_files() -> None:
    problem = static_files_problem()
    if problem:
        raise ImproperlyConfigured(problem)


@register(Tags.staticfiles, deploy=True)
def check_static_files(app_configs: object = None, **kwargs: object) -> list[CheckMessage]:
    problem = static_files_problem()
    return [Error(problem, id="openbeat.E001")] if problem else []
