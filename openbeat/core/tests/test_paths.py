from django.urls import reverse

from openbeat.core.paths import path_for


def test_paths_match_reverse_for_text_and_number_segments():
    assert path_for("delivery:rate", signed="abc:DEF_-1", score=4) == reverse(
        "delivery:rate", kwargs={"signed": "abc:DEF_-1", "score": 4}
    )
    assert path_for("subscriptions:unsubscribe", token="t0k3n") == reverse(
        "subscriptions:unsubscribe", kwargs={"token": "t0k3n"}
    )
    # The template is reused: a second value gives its own path, not the first one's.
    assert path_for("subscriptions:unsubscribe", token="other").endswith("/other/")
