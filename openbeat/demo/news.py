"""The demo force's news and appeals: the news index under the home page with its second-person workflow, a few
news stories, open appeals (a witness appeal linked to the demo's sent burglary alert, a missing person) and
resolved ones (a witness appeal with an update and a charge; a missing person found safe, name already removed).

Rows are written directly (the resolved appeals' dates are in the past, and no follow-up is sent for a demo),
but they are ones the services could have made. Idempotent: pages are found by the demo's key for them, and a news
index the demo did not make is left alone (the step skips).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from openbeat.alerts.models import Alert
from openbeat.core.models import HomePage
from openbeat.demo.registry import demo_keyed, demo_tag, demo_tagged
from openbeat.news.models import AppealKind, AppealPage, AppealUpdate, NewsIndexPage, NewsPage, Outcome
from openbeat.news.moderation import news_workflow_ensure
from openbeat.news.services import RESOLVED_NOTICE

INDEX_KEY = "news:index"
BURGLARY_ALERT = "Appeal for information: burglaries on Mill Lane, Scotforth Rise"


def _body(*paragraphs: str) -> list[tuple[str, Any]]:
    return [("paragraph", f"<p>{text}</p>") for text in paragraphs]


# (key, slug, title, summary, paragraphs, neighbourhood names, division names, tags)
NEWS = [
    (
        "news:knife-amnesty",
        "knife-amnesty",
        "Knife amnesty bins open at every front counter",
        "Hand in knives safely and anonymously at any of our police stations for the next two weeks.",
        [
            "From Monday you can hand in knives, no questions asked, in the amnesty bins at our front counters.",
            "Last year's amnesty took 412 blades off the streets of Demoshire.",
        ],
        (),
        (),
        ("knife crime",),
    ),
    (
        "news:bike-marking",
        "bike-marking-scotforth",
        "Free bike marking in Scotforth Rise this Saturday",
        "Bring your bike to the library car park between 10am and 2pm to have it marked and registered.",
        ["Marked bikes are less likely to be stolen, and more likely to come home if they are."],
        ("Scotforth Rise",),
        (),
        ("bike theft", "crime prevention"),
    ),
    (
        "news:east-operation",
        "operation-nightlight",
        "Operation Nightlight: extra patrols in East division",
        "Officers are patrolling town centres in East division on Friday and Saturday nights until New Year.",
        ["The patrols follow residents' concerns about anti-social behaviour at night."],
        (),
        ("East",),
        ("anti-social behaviour",),
    ),
]


def _news(index: NewsIndexPage, pages: dict[str, NewsPage], row: tuple[Any, ...], nbh: dict, divisions: dict) -> int:
    key, slug, title, summary, paragraphs, neighbourhoods, division_names, tags = row
    if key in pages or index.get_children().filter(slug=slug).exists():
        return 0
    page = NewsPage(title=title, slug=slug, summary=summary, body=_body(*paragraphs))
    page.neighbourhoods = [nbh[name] for name in neighbourhoods if name in nbh]
    page.divisions = [divisions[name] for name in division_names if name in divisions]
    index.add_child(instance=page)
    page.tags.add(*tags)
    page.save_revision().publish()
    demo_tag(objs=[page], key=key)
    return 1


def _appeal(index: NewsIndexPage, appeals: dict[str, AppealPage], key: str, **fields: Any) -> AppealPage | None:
    if key in appeals or index.get_children().filter(slug=fields["slug"]).exists():
        return None
    neighbourhoods = fields.pop("neighbourhoods", [])
    alerts = fields.pop("alerts", [])
    page = AppealPage(**fields)
    page.neighbourhoods = neighbourhoods
    page.alerts = alerts
    index.add_child(instance=page)
    page.save_revision().publish()
    demo_tag(objs=[page], key=key)
    return page


def step_news(ctx: Any) -> str:
    from openbeat.demo.steps import demo_divisions, demo_neighbourhoods

    home = HomePage.objects.first()
    if home is None:
        return "skipped: no home page (run the site pages step first)"
    index = demo_keyed(NewsIndexPage.objects.all()).get(INDEX_KEY)
    if index is None:
        if NewsIndexPage.objects.exists():
            return "skipped: the force has its own news index"
        index = NewsIndexPage(
            title="News and appeals", slug="news", intro="The latest news, and appeals for your help, from our teams."
        )
        home.add_child(instance=index)
        index.save_revision().publish()
        demo_tag(objs=[index], key=INDEX_KEY)
    news_workflow_ensure(index=index)
    nbh = {n.name: n for n in demo_neighbourhoods().values()}
    divisions = demo_divisions()
    pages = demo_keyed(NewsPage.objects.all())
    made = sum(_news(index, pages, row, nbh, divisions) for row in NEWS)

    appeals = demo_keyed(AppealPage.objects.all())
    burglary = demo_tagged(Alert.objects.filter(title=BURGLARY_ALERT, state=Alert.State.SENT)).first()
    places = lambda *names: [nbh[n] for n in names if n in nbh]  # noqa: E731
    opened = [
        _appeal(
            index,
            appeals,
            "appeal:mill-lane",
            slug="mill-lane-burglaries",
            title="Appeal for information: burglaries on Mill Lane",
            kind=AppealKind.WITNESS,
            reference="log 0213 of 14 October",
            summary="Two homes on Mill Lane were broken into overnight. Do you have doorbell or dashcam footage?",
            body=_body("Jewellery, laptops and car keys were taken, and a grey Ford Focus was driven away."),
            neighbourhoods=places("Scotforth Rise", "Bowerham"),
            alerts=[burglary] if burglary is not None else [],
        ),
        _appeal(
            index,
            appeals,
            "appeal:missing-oswin",
            slug="missing-man-oswin",
            title="Have you seen Peter Marsh?",
            kind=AppealKind.MISSING,
            subject_name="Peter Marsh",
            summary="Peter, 71, was last seen on Oswin Town high street on Sunday afternoon.",
            body=_body("Peter is 5ft 9in, with short grey hair. He was wearing a navy coat and a flat cap."),
            neighbourhoods=places("Oswin Town"),
        ),
    ]
    charged = _appeal(
        index,
        appeals,
        "appeal:car-thefts",
        slug="car-thefts-bowerham",
        title="Appeal after cars stolen in Bowerham",
        kind=AppealKind.WITNESS,
        summary="Three cars were stolen from driveways in Bowerham using keys taken through letterboxes.",
        body=_body("We asked for doorbell footage from the streets around Bowerham Road."),
        neighbourhoods=places("Bowerham"),
    )
    found = _appeal(
        index,
        appeals,
        "appeal:found-rosegrove",
        slug="missing-man-rosegrove",
        title="Missing person appeal: found safe",
        kind=AppealKind.MISSING,
        summary=RESOLVED_NOTICE,
        body=[],
        neighbourhoods=places("Rosegrove", "Gannow"),
    )
    now = timezone.now()
    if charged is not None:
        AppealUpdate.objects.create(appeal=charged, note="We have released CCTV images of two men we want to trace.")
        AppealPage.objects.filter(pk=charged.pk).update(
            outcome=Outcome.CHARGED, outcome_note="Two men have been charged and remanded.", outcome_at=now
        )
    if found is not None:
        # Resolved 20 days ago, as the demo's "found safe" alert says: the name and photos went then.
        resolved = now - timedelta(days=20)
        AppealPage.objects.filter(pk=found.pk).update(
            outcome=Outcome.FOUND_SAFE, outcome_at=resolved, redact_due_at=resolved, redacted_at=resolved
        )
    made += sum(1 for page in [*opened, charged, found] if page is not None)
    return f"news index with {made} new stories and appeals"
