"""Demo social media publishing: one connected account per network, each a demo account pointing at its network's
local stand-in (openbeat/social/standins, started by `make run` on DEMO_PORTS), with sent posts and their results
in insights, posts scheduled for the coming days (one awaiting approval) and a few items in the shared inbox.

The accounts are the demo's insights accounts (one source of truth): the force's Facebook page and the West
division's X account from the engagement figures step, and, as that step has no Mastodon or Bluesky account,
a corporate Mastodon account and a West Bluesky account made here the way that step makes its own. Every social
account is marked `is_demo`: staff see "Demo (stand-in)" beside it, and `social.services.connector_of` refuses to
talk anywhere but 127.0.0.1, so nothing posted in the demo can reach a real network.

Posts go through the real services (compose, submit, approve by a second member of staff, post), so their states,
ledger entries and audit rows are what the back office would have made. Only the network's side is stood in
for, because no stand-in runs while the demo loads: the sent posts are handed to `target_send` with a connector
that answers as the network did (`_AlreadyPublished`), results are recorded with `results_record` as a fetch
would have, and mentions are written as `inbox.mentions_fetch` would store them. Idempotent: every row is found
again by its demo key; a second run adds nothing.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db.models import Model
from django.utils import timezone

from openbeat.audit.services import log_action
from openbeat.demo.registry import demo_delete, demo_keyed, demo_label, demo_tag, demo_tag_keyed, demo_tagged
from openbeat.insights.models import Account, ImportBatch, Observation, ReportingGroup
from openbeat.social.connectors.base import Connector, Limits, Outgoing, Posted, PostFigures, full_text
from openbeat.social.credentials import encrypt_credentials
from openbeat.social.inbox import inbox_assign
from openbeat.social.models import Approval, InboxItem, Post, PostTarget, SocialAccount
from openbeat.social.results import results_record
from openbeat.social.services import (
    Draft,
    is_local_address,
    post_approve,
    post_create,
    post_submit,
    target_send,
)
from openbeat.social.standins import demo_base_url
from openbeat.social.standins.facebook import PAGE_ID as FACEBOOK_PAGE_ID

P = Account.Platform
# The login that connects the accounts (it may manage every account).
CONNECTED_BY = "hq"


@dataclass(frozen=True)
class DemoSocialAccount:
    network: str
    platform: str  # the insights account's
    name: str  # the insights account's (its demo key is "platform:name")
    group: str  # the reporting group of an account made here (the demo's own name for it)
    requires_approval: bool
    credentials: dict[str, str]  # what the stand-in accepts; never a real network's


ACCOUNTS = [
    DemoSocialAccount(
        "facebook",
        P.FACEBOOK,
        "Demoshire Police",
        "Corporate",
        True,
        {"page_id": FACEBOOK_PAGE_ID, "page_access_token": "demo-facebook-page-token"},
    ),
    DemoSocialAccount(
        "x",
        P.X,
        "@WestDemoPolice",
        "West",
        True,
        {
            "api_key": "demo-x-key",
            "api_secret": "demo-x-secret",
            "access_token": "1-demo-x-token",
            "access_token_secret": "demo-x-token-secret",
        },
    ),
    DemoSocialAccount(
        "mastodon", P.OTHER, "@demoshirepolice@standin.social", "Corporate", True, {"access_token": "demo-token"}
    ),
    # Posts to it need no approval: the demo shows both kinds.
    DemoSocialAccount(
        "bluesky",
        P.OTHER,
        "westdemopolice.standin.social",
        "West",
        False,
        {"identifier": "westdemopolice.standin.social", "app_password": "demo-app-password"},
    ),
]


@dataclass(frozen=True)
class DemoPost:
    key: str
    text: str
    author: str
    networks: tuple[str, ...]
    approver: str | None  # None: left awaiting approval (where an account needs it)
    days: float  # negative: sent that long ago; positive: scheduled that far ahead
    link: str = ""


POSTS = [
    DemoPost(
        "sent-show",
        "Come and meet us at the Demoshire County Show this weekend: the dog section, the roads policing team "
        "and our cadets will be on the showground both days.",
        "hq",
        ("facebook", "mastodon"),
        "admin",
        -19,
    ),
    DemoPost(
        "sent-mill-lane",
        "Thank you to everyone in Scotforth Rise who checked their doorbell cameras after the Mill Lane "
        "burglaries. Your footage has helped, and patrols continue this week.",
        "officer.west",
        ("x", "bluesky"),
        "lead.west",
        -12,
    ),
    DemoPost(
        "sent-bikes",
        "Bike marking this Saturday, 10am to 2pm, outside Ashbridge Police Station. Bring your bike and proof "
        "of ownership; it takes ten minutes and it is free.",
        "hq",
        ("facebook", "mastodon"),
        "admin",
        -6,
        "https://www.demoshire.police.example/news/",
    ),
    DemoPost(
        "sent-pact",
        "West PACT meetings this month: tell us what you want us to work on in your neighbourhood. Dates and "
        "places on our website.",
        "lead.west",
        ("x",),
        "hq",
        -2,
        "https://www.demoshire.police.example/neighbourhoods/",
    ),
    DemoPost(
        "scheduled-scams",
        "Courier fraud is on the rise: the police or your bank will never ask you to hand over cash or cards "
        "at your door. If in doubt, hang up and call 101 from another phone.",
        "hq",
        ("facebook", "mastodon"),
        "admin",
        2,
    ),
    DemoPost(
        "scheduled-street-surgery",
        "Street surgery on Bowerham Road next Thursday from 4pm: come and talk to your beat team about "
        "parking, speeding or anything else that worries you.",
        "officer.west",
        ("x",),
        None,  # awaiting approval: lead.west approves it in the demo
        3,
    ),
    DemoPost(
        "scheduled-cadets",
        "Our West cadets are recruiting: if you are 13 to 17 and live in the West division, applications open "
        "on Monday.",
        "lead.west",
        ("bluesky",),
        None,  # Bluesky needs no approval: scheduled as soon as it is submitted
        1,
    ),
]


@dataclass(frozen=True)
class DemoMention:
    key: str
    network: str
    author: str
    text: str
    hours_ago: float
    in_reply_to: str = ""  # a DemoPost key
    assign_to: str = ""  # assigned by the division's lead to this login


MENTIONS = [
    DemoMention(
        "reply-mill-lane",
        "x",
        "@bowerham_resident",
        "Thanks for the update. Will the extra patrols carry on into next week as well?",
        20,
        in_reply_to="sent-mill-lane",
    ),
    # The default trigger words (In the Know's) include "urgent": the item is escalated, as a fetch would.
    DemoMention(
        "urgent-park",
        "x",
        "@scotforth_parent",
        "Urgent: a group is setting fires in Scotforth Rise park right now, can someone come?",
        3,
    ),
    DemoMention(
        "ask-meeting",
        "bluesky",
        "millhill.neighbour.example",
        "Could someone from the beat team come to our street's residents' meeting next month?",
        30,
        assign_to="officer.west",
    ),
]


class _AlreadyPublished(Connector):
    """Stands for the network while the demo records its sent posts: `post` answers with the remote id, address
    and time the demo gives, and calls nothing (no stand-in runs while the demo loads)."""

    network = "demo"
    label = "Demo"
    limits = Limits(max_chars=10_000)
    credential_fields = ()

    def __init__(self, posted: Posted) -> None:
        super().__init__(base_url="", credentials={})
        self.posted = posted

    def post(self, outgoing: Outgoing) -> Posted:
        return self.posted


def _remote(network: str, key: str, when: datetime) -> Posted:
    """A remote id and address shaped like the network's (addresses on the local stand-in, never a real site)."""
    from openbeat.social.standins.bluesky import DID as BLUESKY_DID  # here: it loads the Bluesky SDK (seconds)

    number = zlib.crc32(f"{network}:{key}".encode())
    base = demo_base_url(network)
    remote_id = {
        "mastodon": f"1130{number:014d}",
        "bluesky": f"at://{BLUESKY_DID}/app.bsky.feed.post/3demo{number:010d}",
        "facebook": f"{FACEBOOK_PAGE_ID}_{number:015d}",
        "x": f"18{number:017d}",
    }[network]
    return Posted(remote_id=remote_id, url=f"{base}/demo-posts/{number}", posted_at=when)


def _users() -> dict[str, Any]:
    names = {CONNECTED_BY} | {p.author for p in POSTS} | {p.approver for p in POSTS if p.approver}
    names |= {m.assign_to for m in MENTIONS if m.assign_to}
    return {u.username: u for u in demo_tagged(get_user_model().objects.filter(username__in=names))}


def _insights_account(spec: DemoSocialAccount) -> Account | None:
    from openbeat.demo.insights import _account

    mine = demo_keyed(Account.objects.all())
    existing = mine.get(f"{spec.platform}:{spec.name}")
    if existing is not None or spec.platform != P.OTHER:
        return existing  # the engagement figures step's; None if it made none (then the network is left out)
    group = demo_keyed(ReportingGroup.objects.all()).get(spec.group)
    if group is None:
        return None
    return _account(mine, spec.platform, spec.name, group=group)


def _connect(spec: DemoSocialAccount, actor: Any, mine: dict[str, SocialAccount]) -> SocialAccount | None:
    from openbeat.social.services import account_connect

    key = f"social:{spec.network}"
    if key in mine:
        return mine[key]
    account = _insights_account(spec)
    if account is None or SocialAccount.objects.filter(account=account).exists():
        return None  # no such demo account, or connected by hand: left alone
    social = account_connect(
        actor=actor,
        account=account,
        network=spec.network,
        base_url=demo_base_url(spec.network),
        requires_approval=spec.requires_approval,
    )
    # Stored encrypted by the credentials module, as account_credentials_set stores them; that service then tests
    # the connection over the network, and no stand-in runs while the demo loads. The stand-ins accept these, so
    # "Test connection" in the running demo checks them for real.
    social.credentials = encrypt_credentials(spec.credentials)
    social.is_demo = True
    social.status = SocialAccount.Status.CONNECTED
    social.save(update_fields=["credentials", "is_demo", "status"])
    log_action(
        "social.account.credentials",
        actor=actor,
        target=social,
        data={"fields": sorted(spec.credentials), "demo": True},
    )
    demo_tag_keyed(keyed={key: social})
    mine[key] = social
    return social


def _post(spec: DemoPost, users: dict[str, Any], accounts: dict[str, SocialAccount], now: datetime) -> Post | None:
    author = users.get(spec.author)
    approver = users.get(spec.approver) if spec.approver else None
    targets = [accounts[n] for n in spec.networks if n in accounts]
    if author is None or len(targets) != len(spec.networks) or (spec.approver and approver is None):
        return None
    # Sent at half past nine, scheduled for half past eleven, local time.
    when = timezone.localtime(now + timedelta(days=spec.days))
    when = when.replace(hour=9 if spec.days < 0 else 11, minute=30, second=0, microsecond=0)
    draft = Draft(
        text=spec.text,
        link=spec.link,
        accounts=targets,
        variants={},
        scheduled_for=when if spec.days > 0 else None,
    )
    post = post_create(author=author, draft=draft)
    post_submit(post=post, actor=author)
    if approver is not None:
        post_approve(post=post, approver=approver)
    if spec.days < 0:
        for target in post.targets.select_related("account"):
            # The real posting path (claim, ledger, audit) with the network's answer stood in for.
            published = _AlreadyPublished(_remote(target.account.network, spec.key, when))
            target_send(target_id=target.pk, connectors={target.account_id: published})
        # The services stamp the time they ran; the story is that these were written and approved on the day.
        # (The ledger keeps its own times: its entries are chained and never rewritten.)
        Post.objects.filter(pk=post.pk).update(
            created_at=when - timedelta(hours=3), submitted_at=when - timedelta(hours=2)
        )
        Approval.objects.filter(post=post).update(at=when - timedelta(hours=1))
    rows: list[Model] = [*post.targets.all(), *post.approvals.all()]
    demo_tag(objs=rows)
    demo_tag_keyed(keyed={f"social:{spec.key}": post})
    return post


def _results(accounts: dict[str, SocialAccount], today: date) -> int:
    """Each account's posts' figures (and its followers) as a day's results fetch would have recorded them."""
    rng = random.Random("openbeat-demo-social")  # followers of an account with no monthly figures
    done = demo_keyed(ImportBatch.objects.all())
    recorded = 0
    for network, social in sorted(accounts.items()):
        key = f"social:results:{network}"
        if key in done:
            continue
        targets = list(
            PostTarget.objects.filter(account=social, state=PostTarget.State.POSTED, post__in=_demo_posts())
            .exclude(remote_id="")
            .order_by("posted_at")
        )
        figures = [demo_figures(network, t.remote_id) for t in targets]
        batch = results_record(
            account=social, day=today, followers=_followers(social, rng), targets=targets, figures=figures
        )
        demo_tag_keyed(keyed={key: batch})
        recorded += batch.rows_ok
    return recorded


def demo_figures(network: str, remote_id: str) -> PostFigures:
    """A demo post's figures, the same every time for the same post: what the demo records as its results and
    what the stand-ins answer for it (`standins_seed`), so a results fetch in the running demo agrees."""
    rng = random.Random(f"openbeat-demo-social:{remote_id}")
    return PostFigures(
        remote_id=remote_id,
        impressions=rng.randint(2_000, 18_000) if network in ("facebook", "x") else None,  # the others count none
        reactions=rng.randint(40, 600),
        shares=rng.randint(5, 120),
        replies=rng.randint(2, 60),
    )


def standins_seed(*, networks: tuple[str, ...] | None = None, wait_seconds: float = 10.0) -> dict[str, int]:
    """Hand the running stand-ins (started empty by scripts/run.sh) every post the demo accounts have on them,
    with its figures, so that looking a post up and the daily results fetch find them as the network would.
    Returns how many posts each network's stand-in was given; waits up to `wait_seconds` for a stand-in to start.
    `networks`: only these networks' accounts (default all)."""
    import time

    import requests

    given: dict[str, int] = {}
    for social in SocialAccount.objects.filter(is_demo=True).order_by("network"):
        if not is_local_address(social.base_url) or (networks is not None and social.network not in networks):
            continue
        address = urlsplit(social.base_url)
        control = f"{address.scheme}://{address.netloc}/_standin/post"
        targets = (
            PostTarget.objects.filter(account=social, state=PostTarget.State.POSTED, posted_at__isnull=False)
            .exclude(remote_id="")
            .select_related("post")
        )
        deadline = time.monotonic() + wait_seconds
        for target in targets:
            assert target.posted_at is not None
            figures = demo_figures(social.network, target.remote_id)
            document: dict[str, Any] = {
                "remote_id": target.remote_id,
                "text": full_text(Outgoing(text=target.text, idempotency_key="", link=target.post.link)),
                "created_at": target.posted_at.isoformat(),
                "figures": {k: v for k, v in asdict(figures).items() if k != "remote_id" and v is not None},
            }
            while True:
                try:
                    requests.post(control, json=document, timeout=5).raise_for_status()
                    break
                except requests.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            given[social.network] = given.get(social.network, 0) + 1
    return given


def _followers(social: SocialAccount, rng: random.Random) -> int:
    """The account's latest monthly followers from the engagement figures, if it has some, so the day's level
    follows on from them."""
    latest = (
        Observation.objects.filter(account_id=social.account_id, metric__slug="followers", group=None)
        .order_by("-period_start")
        .values_list("value", flat=True)
        .first()
    )
    return round(latest) if latest is not None else rng.randint(800, 2_500)


def _demo_posts() -> Any:
    return demo_tagged(Post.objects.all())


def _mentions(accounts: dict[str, SocialAccount], users: dict[str, Any], now: datetime) -> int:
    from openbeat.delivery.feedback import triggers_in

    posts = demo_keyed(Post.objects.all())
    made = 0
    for spec in MENTIONS:
        social = accounts.get(spec.network)
        if social is None:
            continue
        remote_id = f"demo-{spec.key}"
        if InboxItem.objects.filter(account=social, remote_id=remote_id).exists():
            continue
        reply_to = None
        if spec.in_reply_to and f"social:{spec.in_reply_to}" in posts:
            reply_to = posts[f"social:{spec.in_reply_to}"].targets.filter(account=social).first()
        found = triggers_in(spec.text)
        # Written as inbox.mentions_fetch stores a mention (it asks the network, and none runs now); an escalated
        # one is not sent to the on-duty team: nobody needs waking for a made-up message.
        item = InboxItem.objects.create(
            account=social,
            remote_id=remote_id,
            author=spec.author,
            text=spec.text,
            url=f"{demo_base_url(spec.network)}/demo-mentions/{spec.key}",
            created_at=now - timedelta(hours=spec.hours_ago),
            in_reply_to=reply_to,
            escalated=bool(found),
            matched_words=", ".join(found)[:200],
        )
        demo_tag(objs=[item])
        made += 1
        assignee = users.get(spec.assign_to)
        lead = users.get("lead.west")
        if assignee is not None and lead is not None:
            inbox_assign(item=item, assignee=assignee, actor=lead)
    return made


def step_social(ctx: object = None) -> str:
    users = _users()
    actor = users.get(CONNECTED_BY)
    if actor is None:
        return f"skipped: no staff login {CONNECTED_BY} (run the staff step first)"
    mine = demo_keyed(SocialAccount.objects.select_related("account"))
    accounts = {}
    for spec in ACCOUNTS:
        social = _connect(spec, actor, mine)
        if social is not None:
            accounts[spec.network] = social
    now = timezone.now()
    existing = demo_keyed(Post.objects.all())
    made = 0
    for post_spec in POSTS:
        if f"social:{post_spec.key}" not in existing and _post(post_spec, users, accounts, now) is not None:
            made += 1
    figures = _results(accounts, timezone.localdate())
    mentions = _mentions(accounts, users, now)
    return (
        f"{len(accounts)} demo accounts on the stand-ins ({', '.join(sorted(accounts))}), "
        f"{len(POSTS)} posts ({made} new), {figures} result figures, {mentions} new inbox items"
    )


def social_reset() -> int:
    """Remove the demo's social accounts, posts, inbox items and results batches (the force's own stay)."""
    kinds = [InboxItem, Approval, PostTarget, Post, SocialAccount, ImportBatch]
    removed = demo_delete(models_to_delete=kinds)["removed"]
    return sum(removed.get(demo_label(m), 0) for m in (InboxItem, Post, SocialAccount))
