import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from openbeat.core.ratelimit import ratelimit


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@ratelimit(key="test-form", limit=3, period=60, by=lambda r: r.POST.get("email"))
def view(request):
    return HttpResponse("ok")


def post(ip: str, email: str = ""):
    request = RequestFactory().post("/", {"email": email}, REMOTE_ADDR=ip)
    return view(request)


@pytest.mark.django_db
def test_the_fourth_request_from_one_address_is_refused_politely():
    assert [post("10.0.0.1").status_code for _ in range(3)] == [200, 200, 200]
    refused = post("10.0.0.1")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Too many attempts" in refused.content.decode()
    assert post("10.0.0.2").status_code == 200  # another address is not affected


@pytest.mark.django_db
def test_the_limit_also_holds_per_email_across_addresses():
    for n in range(3):
        assert post(f"10.0.1.{n}", "someone@example.com").status_code == 200
    assert post("10.0.1.99", "Someone@Example.com").status_code == 429


@pytest.mark.django_db
def test_the_next_window_starts_the_count_again(monkeypatch):
    from openbeat.core import ratelimit as module

    start = module._now() // 60 * 60  # the start of the minute the tests' clock is in
    for _ in range(4):
        post("10.0.2.1")
    assert post("10.0.2.1").status_code == 429
    monkeypatch.setattr(module, "_now", lambda: start + 59.9)  # still the same minute
    assert post("10.0.2.1").status_code == 429
    monkeypatch.setattr(module, "_now", lambda: start + 60)
    assert post("10.0.2.1").status_code == 200
