"""The back office's social media publishing: accounts, composer with previews, approval queue, post detail,
calendar. Objects are only read through the selectors' scoped querysets (outside them: 404); the services
check who may change what and write the audit log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from openbeat.core.users import signed_in_staff
from openbeat.social import legal, services
from openbeat.social.connectors.base import AccountInfo
from openbeat.social.forms import (
    AccountConnectForm,
    AccountEditForm,
    ComposeForm,
    ConfirmForm,
    CredentialsForm,
)
from openbeat.social.models import Post, PostTarget
from openbeat.social.selectors import accounts_for, approval_queue_for, calendar_for, posts_for

# --- Accounts ----------------------------------------------------------------------------------------------


def _managed_account(request: HttpRequest, pk: int) -> Any:
    return get_object_or_404(accounts_for(request.user), pk=pk)


@permission_required("social.manage_socialaccount", raise_exception=True)
def account_list(request: HttpRequest) -> HttpResponse:
    return render(request, "social/staff/account_list.html", {"accounts": accounts_for(request.user)})


@permission_required("social.manage_socialaccount", raise_exception=True)
def account_new(request: HttpRequest) -> HttpResponse:
    form = AccountConnectForm(request.POST or None, user=signed_in_staff(request))
    if request.method == "POST" and form.is_valid():
        try:
            social = services.account_connect(actor=signed_in_staff(request), request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"{social} added. Enter its credentials to connect it.")
            return redirect("social_staff:account_credentials", pk=social.pk)
    return render(request, "social/staff/account_form.html", {"form": form, "title": "Connect an account"})


@permission_required("social.manage_socialaccount", raise_exception=True)
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    social = _managed_account(request, pk)
    initial = {
        "base_url": social.base_url,
        "requires_approval": social.requires_approval,
        "corporate": social.corporate,
    }
    form = AccountEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(
                actor=signed_in_staff(request), social_account=social, request=request, **form.cleaned_data
            )
        except ValidationError as error:  # a demo account's server must stay its local stand-in
            form.add_service_errors(error)
        else:
            messages.success(request, f"{social} saved.")
            return redirect("social_staff:accounts")
    return render(
        request, "social/staff/account_form.html", {"form": form, "title": f"Edit {social}", "social": social}
    )


@permission_required("social.manage_socialaccount", raise_exception=True)
def account_credentials(request: HttpRequest, pk: int) -> HttpResponse:
    social = _managed_account(request, pk)
    form = CredentialsForm(request.POST or None, network=social.network)
    if request.method == "POST" and form.is_valid():
        services.account_credentials_set(
            actor=signed_in_staff(request), social_account=social, credentials=form.credentials(), request=request
        )
        social.refresh_from_db()
        if social.status == social.Status.CONNECTED:
            messages.success(request, f"Credentials saved. {social} is connected as {social.handle}.")
        else:
            messages.error(request, f"Credentials saved, but the connection failed: {social.status_reason}")
        return redirect("social_staff:accounts")
    return render(
        request,
        "social/staff/account_form.html",
        {"form": form, "title": f"Credentials for {social}", "social": social, "credentials": True},
    )


@require_POST
@permission_required("social.manage_socialaccount", raise_exception=True)
def account_test(request: HttpRequest, pk: int) -> HttpResponse:
    social = _managed_account(request, pk)
    result = services.account_test(actor=signed_in_staff(request), social_account=social, request=request)
    if isinstance(result, AccountInfo):
        messages.success(request, f"Connected: {social} reaches {result.handle}.")
    else:
        messages.error(request, f"The connection failed: {result.message}")
    return redirect("social_staff:accounts")


# --- Posts -------------------------------------------------------------------------------------------------


def _post(request: HttpRequest, pk: int) -> Post:
    return get_object_or_404(posts_for(request.user), pk=pk)


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """'Share to social' from an alert (?alert=<public id>) or a published page (?page=<id>): its title and
    public link."""
    from openbeat.alerts.selectors import alerts_for
    from openbeat.core.paths import absolute_url

    if request.GET.get("alert"):
        try:
            alert = alerts_for(request.user).filter(public_id=request.GET["alert"]).first()
        except ValidationError:
            alert = None
        if alert is not None:
            return {"text": alert.title, "link": absolute_url(alert.get_absolute_url()), "alert": alert.pk}
    if request.GET.get("page", "").isdigit():
        from wagtail.models import Page

        page = Page.objects.live().public().filter(pk=int(request.GET["page"])).first()
        if page is not None:
            return {"text": page.title, "link": page.full_url or "", "page": page.pk}
    return {}


def _compose_page(request: HttpRequest, form: ComposeForm, post: Post | None, previews: list[Any]) -> HttpResponse:
    return render(request, "social/staff/compose.html", {"form": form, "post": post, "previews": previews})


def _form_previews(form: ComposeForm, post: Post | None) -> list[Any]:
    draft = form.draft()
    has_image = bool(draft.image) or bool(post and post.image_file and not draft.remove_image)
    return services.previews(
        text=draft.text,
        link=draft.link,
        accounts=draft.accounts,
        variants=draft.variants,
        image_alt=draft.image_alt,
        has_image=has_image,
    )


def _compose(request: HttpRequest, post: Post | None) -> HttpResponse:
    user = signed_in_staff(request)
    if request.method != "POST":
        initial = _prefill(request) if post is None else _initial(post)
        return _compose_page(request, ComposeForm(user=user, initial=initial), post, [])
    form = ComposeForm(request.POST, request.FILES, user=user)
    if not form.is_valid():
        return _compose_page(request, form, post, [])
    if "preview" in request.POST:
        return _compose_page(request, form, post, _form_previews(form, post))
    try:
        if post is None:
            post = services.post_create(author=user, draft=form.draft(), request=request)
        else:
            services.post_update(post=post, editor=user, draft=form.draft(), request=request)
    except ValidationError as error:
        form.add_service_errors(error)
        return _compose_page(request, form, post, [])
    messages.success(request, "Draft saved. Check the previews, then submit it.")
    return redirect("social_staff:post", pk=post.pk)


def _initial(post: Post) -> dict[str, Any]:
    targets = list(post.targets.all())
    initial: dict[str, Any] = {
        "text": post.text,
        "link": post.link,
        "accounts": [t.account_id for t in targets],
        "scheduled_for": timezone.localtime(post.scheduled_for) if post.scheduled_for else None,
        "campaign": post.campaign_id,
        "image_alt": post.image_alt,
        "alert": post.alert_id,
        "page": post.page_id,
    }
    initial.update({f"variant_{t.account_id}": t.variant_text for t in targets})
    return initial


@permission_required("social.add_post", raise_exception=True)
def post_new(request: HttpRequest) -> HttpResponse:
    return _compose(request, None)


@permission_required("social.add_post", raise_exception=True)
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post = _post(request, pk)
    if not services.can_edit(request.user, post):
        raise PermissionDenied("You cannot change this post")
    return _compose(request, post)


def _can_see_posts(user: Any) -> bool:
    return bool(user.has_perm("social.add_post") or user.has_perm("social.approve_post"))


def post_list(request: HttpRequest) -> HttpResponse:
    if not _can_see_posts(request.user):
        raise PermissionDenied
    posts = posts_for(request.user).prefetch_related("targets", "targets__account", "targets__account__account")[:100]
    return render(
        request,
        "social/staff/post_list.html",
        {"posts": posts, "can_add": request.user.has_perm("social.add_post")},
    )


def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not _can_see_posts(request.user):
        raise PermissionDenied
    post = _post(request, pk)
    user = signed_in_staff(request)
    warnings = legal.warnings_for(post)
    form = ConfirmForm(request.POST or None, warnings=warnings)
    if request.method == "POST" and form.is_valid():
        action = request.POST.get("action")
        try:
            if action == "submit":
                services.post_submit(post=post, actor=user, confirmed=form.confirmed(), request=request)
                messages.success(request, "Submitted.")
            elif action == "approve":
                services.post_approve(post=post, approver=user, confirmed=form.confirmed(), request=request)
                messages.success(request, "Approved.")
            elif action == "cancel":
                services.post_cancel(post=post, actor=user, request=request)
                messages.success(request, "Cancelled: nothing more of it will be posted.")
            else:
                raise Http404
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("social_staff:post", pk=post.pk)
    targets = post.targets.select_related("account", "account__account")
    return render(
        request,
        "social/staff/post_detail.html",
        {
            "post": post,
            "targets": targets,
            "previews": services.post_previews(post),
            "warnings": warnings,
            "form": form,
            "can_edit": services.can_edit(user, post),
            "can_approve": services.can_approve(user, post),
            "can_cancel": post.state != Post.State.CANCELLED
            and (post.author_id == user.pk or user.has_perm("social.approve_post")),
            "can_manage_targets": user.has_perm("social.approve_post"),
            "approvals": post.approvals.select_related("approver"),
        },
    )


@require_POST
@permission_required("social.approve_post", raise_exception=True)
def target_action(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    post = _post(request, pk)
    target = get_object_or_404(PostTarget, post=post, pk=target_pk)
    user = signed_in_staff(request)
    try:
        if request.POST.get("action") == "delete":
            services.target_delete(target=target, actor=user, request=request)
            messages.success(request, f"Deleted from {target.account}.")
        elif request.POST.get("action") == "retry":
            services.target_retry(target=target, actor=user, request=request)
            messages.success(request, f"Trying {target.account} again.")
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("social_staff:post", pk=post.pk)


@permission_required("social.approve_post", raise_exception=True)
def approval_queue(request: HttpRequest) -> HttpResponse:
    posts = approval_queue_for(request.user).prefetch_related("targets", "targets__account__account")
    return render(request, "social/staff/queue.html", {"posts": posts})


def calendar(request: HttpRequest) -> HttpResponse:
    if not _can_see_posts(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        shown = date(year, month, 1)
    except ValueError:
        shown = today.replace(day=1)
    previous = (shown.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = (shown.replace(day=28) + timedelta(days=4)).replace(day=1)
    return render(
        request,
        "social/staff/calendar.html",
        {"days": calendar_for(request.user, shown), "shown": shown, "previous": previous, "following": following},
    )
