from django.urls import reverse

from openbeat.core.paths import absolute_url, path_for


def test_paths_match_reverse_for_text_and_number_segments():
    assert path_for("delivery:rate", signed="abc:DEF_-1", score=4) == reverse(
        "delivery:rate", kwargs={"signed": "abc:DEF_-1", "score": 4}
    )
    assert path_for("subscriptions:unsubscribe", token="t0k3n") == reverse(
        "subscriptions:unsubscribe", kwargs={"token": "t0k3n"}
    )
    # The template is reused: a second value gives its own path, not the first one's.
    assert path_for("subscriptions:unsubscribe", token="other").endswith("/other/")


def test_absolute_url_is_the_path_on_the_configured_base_url(settings):
    settings.BASE_URL = "https://beat.example.police.uk/"
    assert absolute_url("/alerts/12/") == "https://beat.example.police.uk/alerts/12/"
    settings.BASE_URL = "http://127.0.0.1:8000"
    assert (
        absolute_url(path_for("subscriptions:unsubscribe", token="t"))
        == "http://127.0.0.1:8000/in-the-know/unsubscribe/t/"
    )
