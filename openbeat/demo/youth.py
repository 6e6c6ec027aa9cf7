"""The demo force's youth site: the youth home page under the home page, an advice article for each topic, the
parents' and carers' section with its articles, and one question answered publicly.

Idempotent: pages are found by the demo's key for them (`demo_keyed`), and a youth site the demo did not make is
left alone (the step skips). Every article is written at its reading level (a test holds the demo to it).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from wagtail.models import Page

from openbeat.core.models import HomePage
from openbeat.demo.registry import demo_keyed, demo_tag
from openbeat.youth.models import (
    AnonymousQuestion,
    ParentsArticlePage,
    ParentsIndexPage,
    Topic,
    YouthArticlePage,
    YouthHomePage,
)
from openbeat.youth.references import reference_hash, reference_make

HOME_KEY = "youth:home"
PARENTS_KEY = "youth:parents"
QUESTION_KEY = "youth:question"

# Each article's own "who can help" callout (the page adds 999, Childline and 101 beneath every article).
HELP = {
    Topic.ONLINE_SAFETY: "<p>If an adult online is making you worried, report it to CEOP on the CEOP website.</p>",
    Topic.SEXTING: "<p>Childline's Report Remove tool can help take a nude photo of you off the internet.</p>",
    Topic.KNIFE_CRIME: "<p>You can tell Fearless about knife crime. They will never ask who you are.</p>",
    Topic.DRUGS: "<p>Talk to FRANK for free on 0300 123 6600, any time. They will not tell anyone.</p>",
    Topic.EXPLOITATION: "<p>Childline can help you on 0800 1111. You will not be in trouble for calling.</p>",
    Topic.BULLYING: "<p>Talk to a teacher you trust, or call Childline on 0800 1111.</p>",
}
PARENTS_HELP = "<p>The NSPCC helpline gives advice to worried adults on 0808 800 5000.</p>"

# (slug, title, topic, summary, paragraphs): short words and short sentences, for 11-year-olds.
YOUTH_ARTICLES = [
    (
        "staying-safe-online",
        "Staying safe online",
        Topic.ONLINE_SAFETY,
        "How to keep your accounts and your photos safe.",
        [
            "Keep your accounts set to private. Then only friends can see what you post.",
            "Do not share your password. Not even with a best friend. Use a long one that is hard to guess.",
            "If someone you do not know asks to chat, you do not have to reply. You can block them and tell an "
            "adult you trust.",
        ],
    ),
    (
        "nudes-and-sexting",
        "Nudes and sexting",
        Topic.SEXTING,
        "What to do if someone asks you for a nude photo, or shares one of you.",
        [
            "Nobody should ever make you send a nude photo. It is fine to say no.",
            "If a photo of you has been shared, it is not your fault. You will not be in trouble for asking for help.",
            "Childline and the Internet Watch Foundation can help get a photo taken down. Use the Report Remove "
            "tool on the Childline site.",
        ],
    ),
    (
        "knives",
        "Knives: the facts",
        Topic.KNIFE_CRIME,
        "Why carrying a knife makes you less safe, not more.",
        [
            "Most young people never carry a knife. If you carry one, you are more likely to get hurt.",
            "It is a crime to carry a knife in public without a good reason. You could go to prison.",
            "If you know someone who carries a knife, you can tell us. You do not have to give your name.",
        ],
    ),
    (
        "drugs",
        "Drugs: what you need to know",
        Topic.DRUGS,
        "The real risks of drugs, and where to get honest advice.",
        [
            "You cannot tell what is in a drug by looking at it. It could be much stronger than you think.",
            "If a friend takes something and feels unwell, call 999 at once. Stay with them.",
            "You can talk to FRANK for free, any time. They will not judge you.",
        ],
    ),
    (
        "exploitation",
        "When someone uses you",
        Topic.EXPLOITATION,
        "Spot the signs when someone is using you to carry drugs, money or do things you do not want to.",
        [
            "Some people give young people gifts, money or a sense of family. Then they ask for something back.",
            "They might ask you to carry a bag, keep a phone or go to a new town. This is a crime against you.",
            "You are not to blame. Tell an adult you trust, call Childline, or ask us.",
        ],
    ),
    (
        "bullying",
        "Bullying",
        Topic.BULLYING,
        "What to do if you are bullied, at school or online.",
        [
            "Bullying is never your fault. It can be words, hitting, leaving you out, or posts online.",
            "Save the messages. Take screenshots. Then block the person and tell an adult you trust.",
            "If someone hurts you or threatens you, that can be a crime. You can tell us.",
        ],
    ),
]

PARENTS_ARTICLES = [
    (
        "talking-about-online-safety",
        "Talking to your child about online safety",
        Topic.ONLINE_SAFETY,
        "How to start the conversation, and the settings worth checking together.",
        [
            "Ask your child which apps they use and what they enjoy about them. Children who feel listened to "
            "are more likely to come to you when something goes wrong.",
            "Check privacy settings together, and agree what to do if a stranger gets in touch.",
        ],
    ),
    (
        "signs-of-exploitation",
        "Signs your child may be exploited",
        Topic.EXPLOITATION,
        "Changes in behaviour that can mean someone is grooming or using your child.",
        [
            "Watch for new phones, money or clothes you cannot explain, going missing, or new older friends.",
            "If you are worried, call 101, or 999 if your child is in danger. You can also call the NSPCC "
            "helpline for advice.",
        ],
    ),
    (
        "if-your-child-is-bullied",
        "If your child is being bullied",
        Topic.BULLYING,
        "How to support your child and work with their school.",
        [
            "Stay calm and listen. Thank your child for telling you, and agree the next steps together.",
            "Keep a record of what happens, and speak to the school. Threats or violence can be reported to us.",
        ],
    ),
]


def _body(paragraphs: list[str], help_text: str) -> list[tuple[str, Any]]:
    blocks: list[tuple[str, Any]] = [("paragraph", f"<p>{text}</p>") for text in paragraphs]
    blocks.append(("help_callout", {"title": "Who can help", "text": help_text}))
    return blocks


def _article(parent: Page, model: type[Any], key: str, row: tuple[Any, ...], pages: dict[str, Any]) -> bool:
    if key in pages:
        return False
    slug, title, topic, summary, paragraphs = row
    if parent.get_children().filter(slug=slug).exists():
        return False  # a page the force made has the slug: leave it
    help_text = PARENTS_HELP if model is ParentsArticlePage else HELP[topic]
    page = model(title=title, slug=slug, topic=topic, summary=summary, body=_body(paragraphs, help_text))
    parent.add_child(instance=page)
    page.save_revision().publish()
    demo_tag(objs=[page], key=key)
    return True


def step_youth(ctx: Any) -> str:
    home = HomePage.objects.first()
    if home is None:
        return "skipped: no home page (run the site pages step first)"
    youth = demo_keyed(YouthHomePage.objects.all()).get(HOME_KEY)
    if youth is None:
        if YouthHomePage.objects.exists():
            return "skipped: the force has its own youth site"
        youth = YouthHomePage(
            title="Youth zone",
            slug="youth",
            intro="<p>Advice on staying safe, from your local police. Ask us anything: you do not need to give "
            "your name.</p>",
        )
        home.add_child(instance=youth)
        youth.save_revision().publish()
        demo_tag(objs=[youth], key=HOME_KEY)
    parents = demo_keyed(ParentsIndexPage.objects.all()).get(PARENTS_KEY)
    if parents is None and not ParentsIndexPage.objects.child_of(youth).exists():
        parents = ParentsIndexPage(
            title="For parents and carers",
            slug="parents-and-carers",
            intro="<p>How to help the young people in your life stay safe, and who to talk to if you are worried.</p>",
        )
        youth.add_child(instance=parents)
        parents.save_revision().publish()
        demo_tag(objs=[parents], key=PARENTS_KEY)
    made = 0
    youth_pages = demo_keyed(YouthArticlePage.objects.all())
    for row in YOUTH_ARTICLES:
        made += _article(youth, YouthArticlePage, f"youth:{row[0]}", row, youth_pages)
    if parents is not None:
        parent_pages = demo_keyed(ParentsArticlePage.objects.all())
        for row in PARENTS_ARTICLES:
            made += _article(parents, ParentsArticlePage, f"parents:{row[0]}", row, parent_pages)
    if QUESTION_KEY not in demo_keyed(AnonymousQuestion.objects.all()):
        now = timezone.now()
        question = AnonymousQuestion.objects.create(
            text="My friend at Hill Top school keeps getting messages from an older boy. Is that ok?",
            public_text="My friend keeps getting messages from an older boy they met online. Is that ok?",
            answer="Thank you for asking. It is kind to look out for your friend. An adult should not keep "
            "messaging a young person they met online. Your friend can block him and save the messages. "
            "Please tell a teacher or a parent. If you think your friend is in danger, call 999.",
            state=AnonymousQuestion.State.PUBLISHED,
            reference_hash=reference_hash(reference_make()),
            answered_at=now,
            published_at=now,
        )
        demo_tag(objs=[question], key=QUESTION_KEY)
    return f"youth site with {made} new articles and an answered question"
