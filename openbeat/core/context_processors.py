from typing import Any

from django.http import HttpRequest

from openbeat.core.models import ContentPage, Force
from openbeat.core.pagecache import per_generation


def _branding() -> dict[str, Any]:
    force = Force.current()
    return {
        "force": force,
        # The logo's address or "" (see Force.logo_src): uploaded image, logo_url, then OPENBEAT_FORCE_LOGO.
        "force_logo_url": force.logo_src(),
        "footer_pages": [
            {"title": page.title, "url": page.url}
            for page in ContentPage.objects.live().filter(show_in_footer=True).only("title", "url_path")
        ],
    }


def branding(request: HttpRequest) -> dict[str, Any]:
    # The same for every page until the force or a page changes: read once per change, not once per request.
    return per_generation("branding", _branding)
