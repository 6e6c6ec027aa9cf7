import pytest
from wagtail.models import Page, Site

from openbeat.core.models import ContentPage, HomePage
from openbeat.core.services import site_pages_ensure

pytestmark = pytest.mark.django_db


def test_a_fresh_install_has_a_home_page_and_the_footer_pages(client):
    # migrate ran site_pages_ensure() after the last app: the test database has them already.
    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert sorted(ContentPage.objects.values_list("slug", flat=True)) == ["accessibility", "cookies", "privacy"]
    html = client.get("/").content.decode()
    for title, url in [
        ("Accessibility statement", "/accessibility/"),
        ("Privacy notice", "/privacy/"),
        ("Cookies", "/cookies/"),
    ]:
        assert f'<a href="{url}">{title}</a>' in html
    assert "call 999" in html


def test_running_it_again_changes_nothing():
    before = Page.objects.count()
    site_pages_ensure()
    site_pages_ensure()
    assert Page.objects.count() == before


def test_an_edited_page_is_kept_and_a_page_taken_out_of_the_footer_leaves_it(client):
    cookies = ContentPage.objects.get(slug="cookies")
    cookies.show_in_footer = False
    cookies.save_revision().publish()
    site_pages_ensure()
    assert ContentPage.objects.filter(slug="cookies").count() == 1
    assert '<a href="/cookies/">' not in client.get("/").content.decode()
