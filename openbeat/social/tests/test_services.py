"""Composing, submitting, approving, cancelling: the posts' state machine and who may move it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openbeat.audit.models import AuditEntry
from openbeat.social import services
from openbeat.social.models import LedgerEntry, LegalPattern, Post, PostTarget, SocialSettings

pytestmark = pytest.mark.django_db
S = PostTarget.State


def test_a_draft_has_one_target_per_account_with_a_key_that_never_changes(world, post_maker):
    post = post_maker(world.hq, [world.west_account, world.east_account], variants={world.east_account.pk: "East!"})
    keys = dict(post.targets.values_list("account_id", "idempotency_key"))
    assert [t.state for t in post.targets.all()] == [S.DRAFT, S.DRAFT]
    assert post.targets.get(account=world.east_account).text == "East!"
    draft = services.Draft(text="Changed", link="", accounts=[world.west_account, world.east_account], variants={})
    services.post_update(post=post, editor=world.hq, draft=draft)
    assert dict(post.targets.values_list("account_id", "idempotency_key")) == keys
    assert AuditEntry.objects.filter(action="social.post.update").count() == 1


def test_an_officer_cannot_post_to_another_divisions_account(world, post_maker):
    with pytest.raises(services.SocialPermissionError):
        post_maker(world.officer, [world.east_account])
    with pytest.raises(services.SocialPermissionError):
        post_maker(world.officer, [world.corporate_account])  # a corporate account is HQ's


def test_an_outsider_cannot_write_posts(world, post_maker):
    with pytest.raises(services.SocialPermissionError):
        post_maker(world.contact, [world.west_account])


def test_submitting_sends_accounts_needing_approval_to_the_queue_and_releases_the_others(world, post_maker):
    world.east_account.requires_approval = False
    world.east_account.save()
    post = post_maker(world.hq, [world.west_account, world.east_account])
    services.post_submit(post=post, actor=world.hq)
    states = dict(post.targets.values_list("account_id", "state"))
    assert states == {world.west_account.pk: S.AWAITING_APPROVAL, world.east_account.pk: S.APPROVED}
    assert Post.objects.get(pk=post.pk).state == Post.State.SUBMITTED
    assert LedgerEntry.objects.filter(action="approved").count() == 1


def test_a_submitted_post_cannot_be_edited(world, submitted):
    draft = services.Draft(text="x", link="", accounts=[world.west_account], variants={})
    with pytest.raises(ValidationError):
        services.post_update(post=submitted, editor=world.officer, draft=draft)


def test_a_post_too_long_for_its_network_is_not_submitted(world, post_maker):
    post = post_maker(world.officer, [world.west_account], text="x" * 281)
    with pytest.raises(ValidationError) as error:
        services.post_submit(post=post, actor=world.officer)
    assert "1 characters too long" in str(error.value)
    assert post.targets.get().state == S.DRAFT


def test_the_fakes_link_counts_in_the_preview(world, post_maker):
    post = post_maker(world.officer, [world.west_account], text="Hi", link="https://example.com/a")
    [preview] = services.post_previews(post)
    assert preview.length == len("Hi\n\nhttps://example.com/a")
    assert preview.max_chars == 280
    assert not preview.over


def test_nobody_approves_their_own_post(world, post_maker):
    post = post_maker(world.lead, [world.west_account])
    services.post_submit(post=post, actor=world.lead)
    with pytest.raises(services.SocialPermissionError):
        services.post_approve(post=post, approver=world.lead)
    assert post.targets.get().state == S.AWAITING_APPROVAL


def test_a_lead_approves_an_officers_post_and_it_is_due_now(world, submitted):
    services.post_approve(post=submitted, approver=world.lead)
    target = submitted.targets.get()
    assert target.state == S.APPROVED
    assert target.next_attempt_at <= timezone.now()
    assert LedgerEntry.objects.get(action="approved").actor_label == "lead-west"
    assert AuditEntry.objects.filter(action="social.post.approve").exists()


def test_a_scheduled_post_is_due_at_its_time(world, post_maker):
    later = timezone.now() + timedelta(days=2)
    post = post_maker(world.officer, [world.west_account], scheduled_for=later)
    services.post_submit(post=post, actor=world.officer)
    services.post_approve(post=post, approver=world.lead)
    assert post.targets.get().next_attempt_at == later
    assert services.targets_due() == []
    assert services.targets_due(later) == [post.targets.get().pk]


def test_another_divisions_lead_cannot_approve(world, submitted):
    with pytest.raises(services.SocialPermissionError):
        services.post_approve(post=submitted, approver=world.other)


def test_an_officer_cannot_approve(world, submitted):
    with pytest.raises(services.SocialPermissionError):
        services.post_approve(post=submitted, approver=world.public)


def test_a_corporate_account_needs_a_second_approver_when_the_force_says_so(world, post_maker):
    post = post_maker(world.hq, [world.corporate_account])
    services.post_submit(post=post, actor=world.hq)
    services.post_approve(post=post, approver=world.hq2)
    assert post.targets.get().state == S.AWAITING_APPROVAL
    with pytest.raises(services.SocialPermissionError):  # the same approver twice does not count twice
        services.post_approve(post=post, approver=world.hq2)
    admin = world.hq.__class__.objects.create_superuser("admin", "admin@police.example", "x")
    services.post_approve(post=post, approver=admin)
    assert post.targets.get().state == S.APPROVED


def test_one_approver_is_enough_for_a_corporate_account_when_the_setting_is_off(world, post_maker):
    settings_row = SocialSettings.load()
    settings_row.corporate_second_approver = False
    settings_row.save()
    post = post_maker(world.hq, [world.corporate_account])
    services.post_submit(post=post, actor=world.hq)
    services.post_approve(post=post, approver=world.hq2)
    assert post.targets.get().state == S.APPROVED


def test_legal_warnings_must_each_be_confirmed_by_the_approver(world, post_maker):
    post = post_maker(world.officer, [world.west_account], text="The 15-year-old victim named Sam was hurt.")
    services.post_submit(post=post, actor=world.officer)
    keys = {
        str(p.pk)
        for p in LegalPattern.objects.filter(label__in=["A child may be named or identified", "A victim may be named"])
    }
    assert len(keys) == 2
    with pytest.raises(ValidationError) as error:
        services.post_approve(post=post, approver=world.lead, confirmed={sorted(keys)[0]})
    assert "The approver must confirm" in str(error.value)
    assert post.targets.get().state == S.AWAITING_APPROVAL
    services.post_approve(post=post, approver=world.lead, confirmed=keys)
    assert post.targets.get().state == S.APPROVED
    assert len(post.approvals.get().confirmed_warnings) == 2


def test_a_charged_person_called_a_thug_is_warned_about(world, post_maker):
    post = post_maker(world.officer, [world.west_account], text="This thug has been charged with burglary.")
    services.post_submit(post=post, actor=world.officer)
    with pytest.raises(ValidationError, match="contempt of court"):
        services.post_approve(post=post, approver=world.lead)


def test_the_author_confirms_warnings_when_an_account_needs_no_approval(world, post_maker):
    world.west_account.requires_approval = False
    world.west_account.save()
    post = post_maker(world.officer, [world.west_account], text="A schoolboy was hurt.")
    with pytest.raises(ValidationError, match="You must confirm"):
        services.post_submit(post=post, actor=world.officer)
    key = str(LegalPattern.objects.get(label="A child may be named or identified").pk)
    services.post_submit(post=post, actor=world.officer, confirmed={key})
    assert post.targets.get().state == S.APPROVED


def test_cancelling_stops_what_has_not_gone_out(world, submitted):
    services.post_cancel(post=submitted, actor=world.officer)
    assert submitted.targets.get().state == S.CANCELLED
    assert Post.objects.get(pk=submitted.pk).state == Post.State.CANCELLED
    assert LedgerEntry.objects.filter(action="cancelled").count() == 1


def test_another_divisions_lead_cannot_cancel(world, submitted):
    with pytest.raises(services.SocialPermissionError):
        services.post_cancel(post=submitted, actor=world.other)
    assert submitted.targets.get().state == S.AWAITING_APPROVAL


def test_an_image_needs_alt_text_and_is_checked_by_its_content(world, post_maker):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PILImage

    out = io.BytesIO()
    PILImage.new("RGB", (10, 10), "red").save(out, "PNG")
    with pytest.raises(ValidationError, match="alt text"):
        post_maker(world.officer, [world.west_account], image=SimpleUploadedFile("a.png", out.getvalue()))
    with pytest.raises(ValidationError, match="JPG, PNG or WebP"):
        post_maker(
            world.officer,
            [world.west_account],
            image=SimpleUploadedFile("a.png", b"<html>not an image</html>"),
            image_alt="A bike",
        )
    post = post_maker(
        world.officer, [world.west_account], image=SimpleUploadedFile("a.png", out.getvalue()), image_alt="A red square"
    )
    assert post.image_file
    assert post.image_mime == "image/jpeg"
    assert post.image_alt == "A red square"
