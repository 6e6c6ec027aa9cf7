"""Every back-office view with the owner, a user of another division and an outsider (no permission)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.social import services
from openbeat.social.connectors import fake
from openbeat.social.connectors.base import ErrorKind
from openbeat.social.models import Post, PostTarget, SocialAccount
from openbeat.staff.tests.factories import client_for

pytestmark = pytest.mark.django_db
S = PostTarget.State


def url(name, *args):
    return reverse(f"social_staff:{name}", args=args)


# --- Accounts ----------------------------------------------------------------------------------------------


def test_hq_lists_every_account_and_others_are_refused(world, refused):
    page = client_for(world.hq).get(url("accounts"))
    assert page.status_code == 200
    assert b"@WestPolice" in page.content
    assert b"@EastPolice" in page.content
    assert b"@ForcePolice" in page.content
    assert refused(client_for(world.lead).get(url("accounts")))
    assert refused(client_for(world.public).get(url("accounts")))


def test_a_division_manager_sees_only_their_divisions_accounts(world):
    from django.contrib.auth.models import Permission

    world.lead.user_permissions.add(Permission.objects.get(codename="manage_socialaccount"))
    client = client_for(world.lead)
    page = client.get(url("accounts"))
    assert b"@WestPolice" in page.content
    assert b"@EastPolice" not in page.content
    assert client.get(url("account_edit", world.east_account.pk)).status_code == 404
    assert client.get(url("account_edit", world.west_account.pk)).status_code == 200


def test_connecting_an_account_then_its_credentials_stored_encrypted_and_never_shown(world, refused):
    from openbeat.insights.models import Account

    insights_account = Account.objects.create(platform=Account.Platform.OTHER, name="@NewAccount")
    client = client_for(world.hq)
    response = client.post(
        url("account_new"), {"account": insights_account.pk, "network": "fake", "requires_approval": "on"}
    )
    social = SocialAccount.objects.get(account=insights_account)
    assert response.status_code == 302
    assert response["Location"] == url("account_credentials", social.pk)
    assert social.status == SocialAccount.Status.DISCONNECTED
    response = client.post(url("account_credentials", social.pk), {"token": "s3cret-token-value"})
    assert response.status_code == 302
    social.refresh_from_db()
    assert social.status == SocialAccount.Status.CONNECTED
    assert social.handle == "@fake"
    assert "s3cret-token-value" not in social.credentials
    from openbeat.social.credentials import decrypt_credentials

    assert decrypt_credentials(social.credentials) == {"token": "s3cret-token-value"}
    form = client.get(url("account_credentials", social.pk))
    assert b"s3cret" not in form.content
    # An empty box keeps the stored value.
    client.post(url("account_credentials", social.pk), {"token": ""})
    social.refresh_from_db()
    assert decrypt_credentials(social.credentials) == {"token": "s3cret-token-value"}
    entries = AuditEntry.objects.filter(action="social.account.credentials")
    assert entries.count() == 2
    assert "s3cret" not in str(list(entries.values_list("data", flat=True)))
    assert refused(client_for(world.lead).get(url("account_new")))
    assert refused(client_for(world.public).get(url("account_new")))
    assert refused(client_for(world.lead).get(url("account_edit", social.pk)))
    assert refused(client_for(world.public).get(url("account_edit", social.pk)))
    assert refused(client_for(world.lead).get(url("account_credentials", social.pk)))
    assert refused(client_for(world.public).post(url("account_credentials", social.pk), {"token": "x"}))


def test_test_connection_shows_the_networks_words(world, refused):
    fake.fail_next(ErrorKind.REVOKED, "The token was revoked")
    response = client_for(world.hq).post(url("account_test", world.west_account.pk), follow=True)
    assert b"The connection failed: The token was revoked" in response.content
    assert SocialAccount.objects.get(pk=world.west_account.pk).status == SocialAccount.Status.NEEDS_RECONNECTING
    assert refused(client_for(world.lead).post(url("account_test", world.west_account.pk)))
    assert refused(client_for(world.public).post(url("account_test", world.west_account.pk)))


# --- Composer ----------------------------------------------------------------------------------------------


def test_the_composer_offers_only_the_accounts_one_may_post_to(world, refused):
    page = client_for(world.officer).get(url("new"))
    assert page.status_code == 200
    assert b"@WestPolice" in page.content
    assert b"@EastPolice" not in page.content
    assert refused(client_for(world.public).get(url("new")))
    assert refused(client_for(world.contact).get(url("new")))


def test_the_preview_counts_per_network_on_the_server(world):
    response = client_for(world.officer).post(
        url("new"), {"text": "x" * 290, "accounts": [world.west_account.pk], "preview": "1"}
    )
    assert response.status_code == 200
    assert b"290 of 280 characters" in response.content
    assert b"10 characters too long" in response.content
    assert not Post.objects.exists()


def test_a_post_to_another_divisions_account_is_refused_keeping_what_was_typed(world):
    response = client_for(world.officer).post(url("new"), {"text": "Hello there", "accounts": [world.east_account.pk]})
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Hello there" in response.content
    assert not Post.objects.exists()


def test_saving_a_draft_and_editing_it(world, refused):
    client = client_for(world.officer)
    response = client.post(url("new"), {"text": "Lock your bikes", "accounts": [world.west_account.pk]})
    post = Post.objects.get()
    assert response["Location"] == url("post", post.pk)
    assert client.get(url("edit", post.pk)).status_code == 200
    assert client_for(world.other).get(url("edit", post.pk)).status_code == 404
    assert refused(client_for(world.public).get(url("edit", post.pk)))


def test_share_to_social_prefills_from_an_alert(world):
    from openbeat.alerts.models import Alert
    from openbeat.subscriptions.models import Interest

    alert = Alert.objects.create(
        title="Car thefts in Abbey",
        body="b",
        interest=Interest.objects.first(),
        division=world.west,
        state=Alert.State.SENT,
        sent_at=timezone.now(),
    )
    page = client_for(world.officer).get(url("new"), {"alert": str(alert.public_id)})
    assert b"Car thefts in Abbey" in page.content
    assert str(alert.public_id).encode() in page.content  # the public link
    other = client_for(world.other).get(url("new"), {"alert": str(alert.public_id)})
    assert b"Car thefts in Abbey" not in other.content  # another division's alert is not read
    assert client_for(world.officer).get(url("new"), {"alert": "not-a-uuid"}).status_code == 200


# --- Detail, approval, queue, calendar --------------------------------------------------------------------


def test_post_detail_for_owner_other_division_and_outsider(world, submitted, refused):
    assert client_for(world.officer).get(url("post", submitted.pk)).status_code == 200
    assert client_for(world.lead).get(url("post", submitted.pk)).status_code == 200
    assert client_for(world.other).get(url("post", submitted.pk)).status_code == 404
    assert refused(client_for(world.public).get(url("post", submitted.pk)))


def test_submitting_and_approving_through_the_pages(world, post_maker):
    post = post_maker(world.officer, [world.west_account])
    client_for(world.officer).post(url("post", post.pk), {"action": "submit"})
    assert post.targets.get().state == S.AWAITING_APPROVAL
    own = client_for(world.officer).post(url("post", post.pk), {"action": "approve"})
    assert own.status_code in (302, 403)
    assert post.targets.get().state == S.AWAITING_APPROVAL
    client_for(world.lead).post(url("post", post.pk), {"action": "approve"})
    assert post.targets.get().state == S.APPROVED


def test_the_approver_ticks_each_legal_warning_on_the_page(world, post_maker):
    from openbeat.social.models import LegalPattern

    post = post_maker(world.officer, [world.west_account], text="A 12-year-old was hurt.")
    services.post_submit(post=post, actor=world.officer)
    client = client_for(world.lead)
    page = client.get(url("post", post.pk))
    assert b"Check before this goes out" in page.content
    assert b"12-year-old" in page.content
    refused_page = client.post(url("post", post.pk), {"action": "approve"})
    assert refused_page.status_code == 200
    assert b"The approver must confirm" in refused_page.content
    key = LegalPattern.objects.get(label="A child may be named or identified").pk
    client.post(url("post", post.pk), {"action": "approve", "confirm": [key]})
    assert post.targets.get().state == S.APPROVED


def test_the_queue_shows_posts_to_approve_in_scope(world, submitted, refused):
    assert submitted.text.encode() in client_for(world.lead).get(url("queue")).content
    assert refused(client_for(world.officer).get(url("queue")))  # officers do not approve
    assert submitted.text.encode() not in client_for(world.other).get(url("queue")).content
    assert refused(client_for(world.public).get(url("queue")))


def test_the_post_list_is_scoped(world, submitted, refused):
    assert submitted.text.encode() in client_for(world.officer).get(url("posts")).content
    assert submitted.text.encode() not in client_for(world.other).get(url("posts")).content
    assert refused(client_for(world.public).get(url("posts")))


def test_the_calendar_lists_scheduled_and_sent_posts_in_scope(world, post_maker, refused):
    when = timezone.now().replace(day=15, hour=10, minute=0, second=0, microsecond=0)
    post = post_maker(world.officer, [world.west_account], text="Bike marking on Saturday", scheduled_for=when)
    services.post_submit(post=post, actor=world.officer)
    month = {"month": timezone.localtime(when).strftime("%Y-%m")}
    page = client_for(world.officer).get(url("calendar"), month)
    assert page.status_code == 200
    assert b"Bike marking on Saturday" in page.content
    assert b"Bike marking" not in client_for(world.other).get(url("calendar"), month).content
    assert refused(client_for(world.public).get(url("calendar")))


def test_deleting_and_retrying_from_the_detail_page(world, submitted, refused):
    services.post_approve(post=submitted, approver=world.lead)
    target = submitted.targets.get()
    services.target_send(target_id=target.pk)
    assert refused(client_for(world.officer).post(url("target_action", submitted.pk, target.pk), {"action": "delete"}))
    assert (
        client_for(world.other).post(url("target_action", submitted.pk, target.pk), {"action": "delete"}).status_code
        == 404
    )
    client_for(world.lead).post(url("target_action", submitted.pk, target.pk), {"action": "delete"})
    assert PostTarget.objects.get(pk=target.pk).state == S.DELETED


def test_a_sent_alerts_staff_page_links_to_share_it(world):
    from openbeat.alerts.models import Alert
    from openbeat.subscriptions.models import Interest

    alert = Alert.objects.create(
        title="Car thefts",
        body="b",
        interest=Interest.objects.first(),
        division=world.west,
        state=Alert.State.SENT,
        sent_at=timezone.now(),
        created_by=world.officer,
    )
    page = client_for(world.officer).get(reverse("alerts_staff:detail", args=[alert.pk]))
    assert f"{url('new')}?alert={alert.public_id}".encode() in page.content


def test_hq_edits_the_legal_patterns_and_a_broken_pattern_is_refused(world, refused):
    from openbeat.social.models import LegalPattern

    listing = reverse("social_legal_patterns:index")
    assert client_for(world.hq).get(listing).status_code == 200
    assert refused(client_for(world.lead).get(listing))
    assert refused(client_for(world.public).get(listing))
    add = reverse("social_legal_patterns:add")
    response = client_for(world.hq).post(add, {"label": "Broken", "pattern": "(unclosed", "active": "on"})
    assert response.status_code == 200
    assert not LegalPattern.objects.filter(label="Broken").exists()
    client_for(world.hq).post(add, {"label": "Named suspect", "pattern": r"\bsuspect named\b", "active": "on"})
    assert LegalPattern.objects.filter(label="Named suspect").exists()
