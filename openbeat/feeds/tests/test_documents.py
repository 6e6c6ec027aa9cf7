"""Every feed is valid RSS 2.0 or Atom (feedparser finds nothing wrong; lxml finds the required elements), with
absolute links, stable ids, dates, summaries, categories and images only where safe."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest
from django.utils import timezone

from openbeat.alerts.models import Alert, Priority
from openbeat.feeds.selectors import IMAGE_SPEC, KINDS
from openbeat.feeds.tests.conftest import ATOM, appeal, get, news, parse, sent_alert, xml
from openbeat.news import services
from openbeat.news.models import NewsPage
from openbeat.news.tests.conftest import image
from openbeat.subscriptions.models import Interest

pytestmark = pytest.mark.django_db

BASE = "https://www.example.police.uk"


@pytest.fixture
def content(site, world, settings):
    settings.BASE_URL = BASE
    story = news(site.index, "Officers join school safety day", divisions=[world.west])
    story.tags.add("schools")
    story.save_revision().publish()
    missing = appeal(site.index, neighbourhoods=[world.west_a])
    alert = sent_alert(body="Two homes were broken into.\n\n**Lock your doors.** <script>x</script>")
    return story, missing, alert


def _paths(world) -> list[str]:
    scopes = ["/feeds/", "/feeds/divisions/west/", f"/feeds/neighbourhoods/{world.west_a.code}/"]
    return [f"{scope}{kind}.{fmt}" for scope in scopes for kind in KINDS for fmt in ("rss", "atom")]


def test_every_feed_is_valid_rss_or_atom(content, world):
    for path in _paths(world):
        response = get(path)
        parsed = parse(response)
        assert parsed.version == ("rss20" if path.endswith(".rss") else "atom10"), path
        assert parsed.entries, path
        root = xml(response)
        if path.endswith(".rss"):
            assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
            assert root.tag == "rss"
            assert root.get("version") == "2.0"
            channel = root.find("channel")
            for required in ("title", "link", "description"):
                assert channel.findtext(required), (path, required)
            for item in channel.findall("item"):
                assert item.findtext("guid")
                assert item.find("guid").get("isPermaLink") == "false"
                assert item.findtext("title")
                assert item.findtext("link").startswith(BASE)
                assert parsedate_to_datetime(item.findtext("pubDate"))
        else:
            assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
            assert root.tag == f"{ATOM}feed"
            for required in ("id", "title", "updated"):
                assert root.findtext(f"{ATOM}{required}"), (path, required)
            assert root.find(f"{ATOM}link[@rel='self']").get("href") == BASE + path
            for entry in root.findall(f"{ATOM}entry"):
                for required in ("id", "title", "updated"):
                    assert entry.findtext(f"{ATOM}{required}"), (path, required)
                assert entry.find(f"{ATOM}link[@rel='alternate']").get("href").startswith(BASE)


def test_items_carry_their_address_id_dates_summary_and_categories(content):
    story, _missing, alert = content
    story = NewsPage.objects.get(pk=story.pk)
    entries = {e.title: e for e in parse(get("/feeds/everything.atom")).entries}

    news_entry = entries["Officers join school safety day"]
    assert news_entry.link == BASE + story.url
    assert news_entry.id == f"tag:www.example.police.uk,2026:news-page-{story.pk}"
    assert news_entry.summary == "Officers join school safety day: the summary."
    assert {t.term for t in news_entry.tags} == {"News", "schools"}
    assert news_entry.published_parsed[:6] == story.first_published_at.utctimetuple()[:6]

    appeal_entry = entries["Have you seen Jane Doe?"]
    assert {t.term for t in appeal_entry.tags} == {"Appeal", "Open"}

    alert_entry = entries["Burglaries on Mill Lane"]
    assert alert_entry.id == f"urn:uuid:{alert.public_id}"
    assert alert_entry.link == BASE + alert.get_absolute_url()
    # The archive's renderer: Markdown's subset as HTML, typed HTML shown as text.
    html = alert_entry.content[0].value
    assert "<strong>Lock your doors.</strong>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert alert_entry.summary.startswith("Two homes were broken into.")
    assert [t.term for t in alert_entry.tags] == [Interest.objects.get(slug="crime-alerts").name]


def test_the_everything_feed_merges_the_kinds_newest_first(site, world):
    sent_alert("An alert from two days ago", minutes_ago=2 * 24 * 60)
    news(site.index, "Today's story")
    assert [e.title for e in parse(get("/feeds/everything.rss")).entries] == [
        "Today's story",
        "An alert from two days ago",
    ]


def test_each_kind_lists_only_its_own(content):
    assert [e.title for e in parse(get("/feeds/news.rss")).entries] == ["Officers join school safety day"]
    assert [e.title for e in parse(get("/feeds/appeals.rss")).entries] == ["Have you seen Jane Doe?"]
    assert [e.title for e in parse(get("/feeds/alerts.rss")).entries] == ["Burglaries on Mill Lane"]


def test_a_feed_lists_the_latest_fifty(site):
    for n in range(52):
        sent_alert(f"Alert {n}", minutes_ago=n)
    entries = parse(get("/feeds/alerts.atom")).entries
    assert len(entries) == 50
    assert entries[0].title == "Alert 0"
    assert entries[-1].title == "Alert 49"


def test_drafts_and_unpublished_pages_never_appear(site, world):
    draft = news(site.index, "Draft story")
    draft.unpublish()
    unsaved = NewsPage(title="Never published", summary="No.", slug="never", live=False)
    site.index.add_child(instance=unsaved)
    unsaved.save_revision()
    private = news(site.index, "Private story", slug="private")
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=private, restriction_type="login")
    for kind in ("news", "everything"):
        for fmt in ("rss", "atom"):
            assert parse(get(f"/feeds/{kind}.{fmt}")).entries == []


def test_alerts_not_yet_sent_never_appear(site):
    for state in (Alert.State.DRAFT, Alert.State.AWAITING_APPROVAL, Alert.State.APPROVED, Alert.State.CANCELLED):
        sent_alert(f"Not sent ({state})", state=state)
    sending = sent_alert("Still sending", state=Alert.State.SENDING)
    Alert.objects.filter(pk=sending.pk).update(sending_at=timezone.now())
    # As the archive: an alert still being delivered is already public.
    assert [e.title for e in parse(get("/feeds/alerts.rss")).entries] == ["Still sending"]


def test_an_urgent_alert_says_so(site):
    sent_alert("Flooding", priority=Priority.URGENT)
    (entry,) = parse(get("/feeds/alerts.atom")).entries
    assert entry.tags[0].term == "Urgent"


def test_a_lead_image_is_an_enclosure_until_a_personal_appeal_is_resolved(site, world, settings):
    settings.BASE_URL = BASE
    story = news(site.index, "With a photo", lead_image=image(), lead_image_alt="Officers")
    wanted = appeal(
        site.index,
        "Wanted: John Roe",
        slug="wanted-man",
        kind="wanted",
        subject_name="John Roe",
        lead_image=image(),
        lead_image_alt="John Roe",
    )
    root = xml(get("/feeds/everything.rss"))
    enclosures = {i.findtext("title"): i.find("enclosure") for i in root.find("channel").findall("item")}
    for title in ("With a photo", "Wanted: John Roe"):
        assert enclosures[title] is not None
        assert enclosures[title].get("url").startswith(f"{BASE}/")
        assert enclosures[title].get("type") == "image/png"
    # A rendition, not the upload. (This compared the image's id with the URL, which failed whenever Wagtail's
    # random file-name suffix held that digit.)
    url = enclosures["With a photo"].get("url")
    assert url.endswith(f".{IMAGE_SPEC}.png")
    assert story.lead_image.file.name not in url

    settings.NEWS_APPEAL_REDACT_AFTER_HOURS = 24  # resolved, not yet redacted: the image already goes
    services.appeal_set_outcome(appeal=wanted, actor=world.hq, outcome="arrested")
    root = xml(get("/feeds/everything.rss"))
    enclosures = {i.findtext("title"): i.find("enclosure") for i in root.find("channel").findall("item")}
    assert enclosures["Wanted: John Roe"] is None
    assert enclosures["With a photo"] is not None
    atom = xml(get("/feeds/appeals.atom"))
    assert atom.find(f"{ATOM}entry/{ATOM}link[@rel='enclosure']") is None


def test_an_appeal_shows_its_state_and_outcome(site, world):
    witness = appeal(site.index, "Witnesses sought", slug="witness", kind="witness", subject_name="")
    services.appeal_add_update(appeal=witness, actor=world.hq, note="New CCTV released.")
    (entry,) = parse(get("/feeds/appeals.atom")).entries
    assert {t.term for t in entry.tags} == {"Appeal", "Updated"}
    before = entry.updated_parsed

    services.appeal_set_outcome(appeal=witness, actor=world.hq, outcome="charged", note="A man is charged.")
    (entry,) = parse(get("/feeds/appeals.atom")).entries
    assert {t.term for t in entry.tags} == {"Appeal", "Resolved: Charged"}
    assert entry.summary.startswith("Resolved: charged. A man is charged.")
    assert entry.updated_parsed >= before


def test_an_item_keeps_its_id_when_its_title_changes(site):
    story = news(site.index, "First title")
    first = parse(get("/feeds/news.atom")).entries[0].id
    story.title = "Second title"
    story.save_revision().publish()
    entry = parse(get("/feeds/news.atom")).entries[0]
    assert entry.title == "Second title"
    assert entry.id == first


def test_an_empty_feed_is_still_valid(site):
    for fmt in ("rss", "atom"):
        assert parse(get(f"/feeds/everything.{fmt}")).entries == []
