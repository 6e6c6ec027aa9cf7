from typing import Any

from django.http import HttpRequest

from openbeat.areas.models import Force


def branding(request: HttpRequest) -> dict[str, Any]:
    from openbeat.core.models import ContentPage

    return {
        "force": Force.current(),
        "footer_pages": ContentPage.objects.live().filter(show_in_footer=True).only("title", "url_path"),
    }
