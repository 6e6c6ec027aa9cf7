"""A "draw an area" widget any app's form can use for a GeoJSON field.

`DrawAreaWidget` is a textarea for a GeoJSON (Multi)Polygon in WGS84, enhanced by areas/draw-area.js: with
JavaScript a Leaflet map appears (the neighbourhood boundaries for context, tiles as the other maps get them), the
user clicks corners to draw one polygon, and the textarea receives it. Without JavaScript, or for anyone who
prefers, the textarea takes pasted GeoJSON as before. The form's other fields (a radius, chosen neighbourhoods)
are the alternative the hint describes.

Put `{{ form.media }}` (or its `css` and `js` halves) on the page: Leaflet and the widget's script and style,
all served from our own static files (the CSP allows 'self'). Show an area already stored with `existing=`
(a GeoJSON geometry): drawn for reference, replaced by a new drawing; the field left empty keeps it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.urls import reverse

PUBLIC_BUTTON = "ob-button ob-button--secondary ob-draw-area__button"
ADMIN_BUTTON = "button button-small button-secondary"


class DrawAreaWidget(forms.Textarea):
    template_name = "areas/widgets/draw_area.html"

    class Media:
        css = {"all": ["vendor/leaflet/leaflet.css", "areas/draw-area.css"]}
        js = ["vendor/leaflet/leaflet.js", "areas/draw-area.js"]

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        *,
        map_label: str = "Map for drawing the area",
        alternative: str = "",
        button_class: str = PUBLIC_BUTTON,
        existing: dict[str, Any] | None = None,
    ) -> None:
        super().__init__({"rows": 4, "spellcheck": "false", **(attrs or {})})
        self.map_label = map_label
        self.alternative = alternative
        self.button_class = button_class
        self.existing = existing

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            map_label=self.map_label,
            alternative=self.alternative,
            button_class=self.button_class,
            existing=self.existing,
            geojson_url=reverse("areas:geojson"),
            tile_url=settings.MAP_TILE_URL,
            tile_attribution=settings.MAP_TILE_ATTRIBUTION,
        )
        return context
