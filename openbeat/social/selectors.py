"""Reads for social media publishing, always through the staff user's division scope (staff.scope)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from openbeat.core.users import RequestUser
from openbeat.social.models import Post, PostTarget, SocialAccount
from openbeat.staff.scope import scope_for

ACCOUNT_DIVISION = "account__group__division"


def _staff(user: RequestUser) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def accounts_for(user: RequestUser) -> QuerySet[SocialAccount]:
    """The accounts a user may post to or manage: their division's; force-wide staff all. An account whose
    reporting group has no division (Corporate) is force-wide staff's only."""
    if not _staff(user) or not (user.has_perm("social.add_post") or user.has_perm("social.manage_socialaccount")):
        return SocialAccount.objects.none()
    queryset = SocialAccount.objects.select_related("account", "account__group")
    return scope_for(user).filter(queryset, ACCOUNT_DIVISION)


def postable_accounts_for(user: RequestUser) -> QuerySet[SocialAccount]:
    if not _staff(user) or not user.has_perm("social.add_post"):
        return SocialAccount.objects.none()
    return accounts_for(user).exclude(status=SocialAccount.Status.DISCONNECTED)


def may_use_account(user: RequestUser, account: SocialAccount) -> bool:
    return scope_for(user).allows(account, ACCOUNT_DIVISION)


def posts_for(user: RequestUser) -> QuerySet[Post]:
    """Posts a user may see: those of their division, or going to one of their division's accounts."""
    if not _staff(user) or not (user.has_perm("social.add_post") or user.has_perm("social.approve_post")):
        return Post.objects.none()
    queryset = Post.objects.select_related("author", "division", "campaign")
    scope = scope_for(user)
    if scope.force_wide:
        return queryset
    return queryset.filter(
        Q(division__in=scope.division_ids) | Q(targets__account__account__group__division__in=scope.division_ids)
    ).distinct()


def approval_queue_for(user: RequestUser) -> QuerySet[Post]:
    """Posts waiting for this user's approval: some target awaiting, written by someone else, not yet approved
    by them."""
    if not _staff(user) or not user.has_perm("social.approve_post"):
        return Post.objects.none()
    return (
        posts_for(user)
        .filter(targets__state=PostTarget.State.AWAITING_APPROVAL)
        .exclude(author_id=user.pk)
        .exclude(approvals__approver_id=user.pk)
        .distinct()
        .order_by("scheduled_for", "submitted_at")
    )


def month_bounds(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return datetime.combine(first, time.min, tz), datetime.combine(following, time.min, tz)


def calendar_for(user: RequestUser, month: date) -> list[tuple[date, list[PostTarget]]]:
    """Scheduled and sent posts in `month`, by day (local time), for the accounts the user may see."""
    start, end = month_bounds(month)
    states = [
        PostTarget.State.AWAITING_APPROVAL,
        PostTarget.State.APPROVED,
        PostTarget.State.POSTING,
        PostTarget.State.POSTED,
        PostTarget.State.FAILED,
        PostTarget.State.NEEDS_ATTENTION,
    ]
    targets = (
        PostTarget.objects.filter(post__in=posts_for(user), account__in=accounts_for(user), state__in=states)
        .select_related("post", "account", "account__account")
        .filter(
            Q(posted_at__gte=start, posted_at__lt=end)
            | Q(posted_at__isnull=True, post__scheduled_for__gte=start, post__scheduled_for__lt=end)
            | Q(
                posted_at__isnull=True,
                post__scheduled_for__isnull=True,
                next_attempt_at__gte=start,
                next_attempt_at__lt=end,
            )
        )
    )
    days: dict[date, list[PostTarget]] = {}
    for target in targets:
        when = target.posted_at or target.post.scheduled_for or target.next_attempt_at
        assert when is not None
        days.setdefault(timezone.localtime(when).date(), []).append(target)
    return [
        (day, sorted(items, key=lambda t: t.posted_at or t.post.scheduled_for or t.next_attempt_at or start))
        for day, items in sorted(days.items())
    ]
