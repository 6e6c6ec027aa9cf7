# ruff: noqa: F811 (the stand-in fixtures are imported from standin_fixtures: the app's conftest is not ours)
import pytest

from openbeat.social.connectors.base import ConnectorError, ErrorKind, Outgoing
from openbeat.social.connectors.mastodon import MastodonConnector, mastodon_length

from .standin_fixtures import IMAGE, a_minute_ago, connect, mastodon_standin  # noqa: F401

SECRET = "mastodon-secret-token"


def test_a_link_counts_23_characters_whatever_its_length():
    assert mastodon_length("Read https://www.police.uk/a/very/long/path/that/goes/on/and/on/and/on") == 5 + 23


def test_a_remote_mention_counts_its_local_part_and_emoji_families_count_once():
    assert mastodon_length("@force@police.social") == len("@force")
    assert mastodon_length("👨‍👩‍👧‍👦") == 1


def test_it_posts_with_an_image_and_its_alt_text(mastodon_standin):
    connector = connect("mastodon", mastodon_standin)

    posted = connector.post(Outgoing(text="Road closed", idempotency_key="k1", images=(IMAGE,)))

    status = mastodon_standin.statuses[posted.remote_id]
    assert status["media_attachments"][0]["description"] == IMAGE.alt_text
    assert posted.url.endswith(posted.remote_id)


def test_a_link_is_appended_to_the_text(mastodon_standin):
    connector = connect("mastodon", mastodon_standin)

    posted = connector.post(Outgoing(text="Appeal", idempotency_key="k1", link="https://police.uk/appeal"))

    assert "https://police.uk/appeal" in mastodon_standin.statuses[posted.remote_id]["content"]


def test_a_retry_with_the_same_idempotency_key_makes_one_status(mastodon_standin):
    connector = connect("mastodon", mastodon_standin)
    outgoing = Outgoing(text="Road closed", idempotency_key="same-key")

    first = connector.post(outgoing)
    second = connector.post(outgoing)

    assert first.remote_id == second.remote_id
    assert len(mastodon_standin.statuses) == 1


def test_find_post_answers_none_when_nothing_was_posted(mastodon_standin):
    connector = connect("mastodon", mastodon_standin)
    connector.post(Outgoing(text="Something else", idempotency_key="k0"))

    assert connector.find_post("k1", since=a_minute_ago(), text="Road closed") is None


def test_account_info_reads_the_servers_own_character_limit(mastodon_standin):
    mastodon_standin.max_characters = 5000
    info = connect("mastodon", mastodon_standin).account_info()

    assert info.limits is not None
    assert info.limits.max_chars == 5000
    assert info.handle == "@openbeat@standin.social"
    assert info.followers == 1250


def test_delete_removes_the_status_and_deleting_twice_is_fine(mastodon_standin):
    connector = connect("mastodon", mastodon_standin)
    posted = connector.post(Outgoing(text="Oops", idempotency_key="k1"))

    connector.delete(posted.remote_id)
    connector.delete(posted.remote_id)

    assert mastodon_standin.statuses == {}


def test_figures_followers_and_mentions(mastodon_standin):
    connector = connect("mastodon", mastodon_standin)
    posted = connector.post(Outgoing(text="Meeting tonight", idempotency_key="k1"))
    mastodon_standin.set_figures(posted.remote_id, reactions=7, shares=2, replies=1)
    mastodon_standin.add_mention(text="Will it be online?", author="sam@example.org", in_reply_to=posted.remote_id)

    (figures,) = connector.figures([posted.remote_id])
    (mention,) = connector.mentions(since=None)

    assert (figures.impressions, figures.reactions, figures.shares, figures.replies) == (None, 7, 2, 1)
    assert connector.followers() == 1250
    assert (mention.author, mention.text, mention.in_reply_to) == (
        "@sam@example.org",
        "Will it be online?",
        posted.remote_id,
    )
    assert connector.mentions(since=mention.created_at) == []


def test_a_revoked_token_fails_test_connection(mastodon_standin):
    mastodon_standin.revoke(SECRET)

    with pytest.raises(ConnectorError) as caught:
        connect("mastodon", mastodon_standin).account_info()

    assert caught.value.kind is ErrorKind.REVOKED


def test_an_unreachable_server_is_a_passing_error():
    connector = MastodonConnector(base_url="http://127.0.0.1:9", credentials={"access_token": SECRET})

    with pytest.raises(ConnectorError) as caught:
        connector.post(Outgoing(text="Hello", idempotency_key="k1"))

    assert caught.value.kind is ErrorKind.PASSING


# --- Replies name the resident: Mastodon tells only the accounts a status names ------------------------------


@pytest.fixture
def resident_message(mastodon_standin):
    connector = connect("mastodon", mastodon_standin)
    posted = connector.post(Outgoing(text="Meeting tonight", idempotency_key="k1"))
    mastodon_standin.add_mention(text="Where is it?", author="sam@example.org", in_reply_to=posted.remote_id)
    (mention,) = connector.mentions(since=None)
    return connector, mention


def test_the_reply_mention_is_the_authors_handle_and_nothing_for_anything_else():
    connector = MastodonConnector(base_url="https://standin.social", credentials={})

    assert connector.reply_mention("@sam@example.org") == "@sam@example.org"
    assert connector.reply_mention("@sam") == "@sam"
    assert connector.reply_mention("Someone on Mastodon") == ""
    assert connector.reply_mention("") == ""


def test_a_reply_starts_with_the_residents_handle_which_the_server_lists_as_a_mention(
    mastodon_standin, resident_message
):
    connector, mention = resident_message

    posted = connector.post(
        Outgoing(text="At the library.", idempotency_key="r1", in_reply_to=mention.remote_id, mention=mention.author)
    )

    status = mastodon_standin.statuses[posted.remote_id]
    assert status["_source"] == "@sam@example.org At the library."
    assert [m["acct"] for m in status["mentions"]] == ["sam@example.org"]


def test_a_reply_that_names_the_resident_already_goes_as_written(mastodon_standin, resident_message):
    connector, mention = resident_message

    posted = connector.post(
        Outgoing(
            text="Thanks @Sam@example.org, at the library.",
            idempotency_key="r1",
            in_reply_to=mention.remote_id,
            mention=mention.author,
        )
    )

    assert mastodon_standin.statuses[posted.remote_id]["_source"] == "Thanks @Sam@example.org, at the library."


def test_a_post_is_never_given_a_mention(mastodon_standin):
    connector = connect("mastodon", mastodon_standin)

    posted = connector.post(Outgoing(text="Road closed", idempotency_key="k1", mention="@sam@example.org"))

    assert mastodon_standin.statuses[posted.remote_id]["_source"] == "Road closed"


def test_find_post_knows_a_reply_by_the_forces_words_behind_the_handle(mastodon_standin, resident_message):
    connector, mention = resident_message
    since = a_minute_ago()
    posted = connector.post(
        Outgoing(text="At the library.", idempotency_key="r1", in_reply_to=mention.remote_id, mention=mention.author)
    )

    # Mastodon shows the mention as "@sam" (its local part): the force's words come after it.
    found = connector.find_post("r2", since=since, text="At the library.", in_reply_to=mention.remote_id)

    assert found is not None
    assert found.remote_id == posted.remote_id
    assert connector.find_post("r2", since=since, text="At the library.", in_reply_to="elsewhere") is None
