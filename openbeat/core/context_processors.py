from typing import Any

from django.conf import settings
from django.http import HttpRequest

from openbeat.areas.models import Force


def branding(request: HttpRequest) -> dict[str, Any]:
    from openbeat.core.models import ContentPage

    return {
        "force": Force.current(),
        "footer_pages": ContentPage.objects.live().filter(show_in_footer=True).only("title", "url_path"),
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
