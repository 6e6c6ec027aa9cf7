"""The "draw an area" widget without JavaScript is the textarea it always was; the map is only offered to the script."""

from django import forms

from openbeat.areas.widgets import ADMIN_BUTTON, DrawAreaWidget
from openbeat.core.forms import GovukForm


class AreaForm(GovukForm):
    area = forms.CharField(
        label="Area", required=False, widget=DrawAreaWidget(map_label="Map of the area", alternative="Or paste it.")
    )


def test_without_javascript_the_widget_is_a_labelled_textarea_and_the_map_panel_stays_hidden(settings):
    settings.MAP_TILE_URL = "https://tiles.example.com/{z}/{x}/{y}.png"
    html = str(AreaForm({"area": "typed"}))
    assert '<label class="ob-label" for="id_area">Area</label>' in html
    assert 'name="area"' in html
    assert ">\ntyped</textarea>" in html
    assert "data-draw-panel hidden" in html
    assert 'aria-label="Map of the area"' in html
    assert 'data-geojson-url="/neighbourhoods/all.geojson"' in html
    assert 'data-tile-url="https://tiles.example.com/{z}/{x}/{y}.png"' in html
    assert "Or paste it." in html
    assert "id_area-existing" not in html  # nothing saved: nothing to show


def test_an_existing_area_goes_to_the_script_as_json_and_each_form_has_its_own():
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    form = AreaForm()
    form.fields["area"].widget.existing = square
    assert '<script id="id_area-existing" type="application/json">' in str(form)
    assert "id_area-existing" not in str(AreaForm())  # the widget was copied for the first form, not shared
    media = str(AreaForm().media)
    assert "vendor/leaflet/leaflet.js" in media
    assert "areas/draw-area.js" in media
    assert "areas/draw-area.css" in media


def test_the_back_office_gets_its_own_button_style():
    html = DrawAreaWidget(button_class=ADMIN_BUTTON).render("area", "", attrs={"id": "id_area"})
    assert html.count(f'class="{ADMIN_BUTTON}"') == 3
