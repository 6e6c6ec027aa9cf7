"""The back office's shared inbox: replies and mentions of the accounts in the user's division scope (HQ: all),
filtered by state and account; an item is assigned to a member of its division's team, answered on its network
(replies.py), or marked done. Items are only read through `inbox_for` (outside it: 404); the services check who
may act and write the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from wagtail.admin import messages

from openbeat.core.users import signed_in_staff
from openbeat.social import inbox, legal, replies
from openbeat.social.forms import ReplyForm
from openbeat.social.models import InboxItem
from openbeat.social.selectors import accounts_for


class FilterForm(forms.Form):
    state = forms.ChoiceField(required=False, label="State", choices=[("", "Not done"), *InboxItem.State.choices])
    account = forms.ChoiceField(required=False, label="Account")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [  # type: ignore[attr-defined]
            ("", "All accounts"),
            *((str(a.pk), a.account.name) for a in accounts_for(user)),
        ]


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label="Assign to")

    def __init__(self, *args: Any, team: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.team = {str(u.pk): u for u in team}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a team member"),
            *((pk, u.get_full_name() or u.get_username()) for pk, u in self.team.items()),
        ]

    def chosen(self) -> Any:
        return self.team[self.cleaned_data["assignee"]]


def _check(request: HttpRequest) -> None:
    if not request.user.has_perm(inbox.PERMISSION):
        raise PermissionDenied


def inbox_list(request: HttpRequest) -> HttpResponse:
    _check(request)
    form = FilterForm(request.GET or None, user=request.user)
    items = inbox.inbox_for(request.user)
    state, account = "", ""
    if form.is_valid():
        state, account = form.cleaned_data["state"], form.cleaned_data["account"]
    items = items.filter(state=state) if state else items.exclude(state=InboxItem.State.DONE)
    if account:
        items = items.filter(account_id=int(account))
    return render(request, "social/staff/inbox.html", {"items": items[:200], "form": form})


def inbox_item(request: HttpRequest, pk: int) -> HttpResponse:
    _check(request)
    item = get_object_or_404(inbox.inbox_for(request.user), pk=pk)
    user = signed_in_staff(request)
    action = request.POST.get("action") if request.method == "POST" else None
    # Only the form that was sent is bound: the other shows no errors.
    form = AssignForm(request.POST if action == "assign" else None, team=inbox.team_for(item))
    typed = request.POST.get("reply-text", "") if action == "reply" else ""
    mention = replies.reply_mention(item)
    reply_form = ReplyForm(
        request.POST if action == "reply" else None,
        prefix="reply",
        mention=mention,
        warnings=legal.warnings_for_texts([typed]) if typed.strip() else [],
    )
    if action == "done":
        inbox.inbox_done(item=item, actor=user, request=request)
        messages.success(request, "Marked done.")
        return redirect("social_staff:inbox")
    if action == "assign" and form.is_valid():
        assignee = form.chosen()
        inbox.inbox_assign(item=item, assignee=assignee, actor=user, request=request)
        messages.success(request, f"Assigned to {assignee.get_full_name() or assignee.get_username()}.")
        return redirect("social_staff:inbox_item", pk=item.pk)
    if action == "reply" and reply_form.is_valid():
        try:
            replies.inbox_reply(
                item=item,
                actor=user,
                text=reply_form.cleaned_data["text"],
                confirmed_warnings=reply_form.confirmed(),
                mark_done=reply_form.cleaned_data["mark_done"],
                request=request,
            )
        except ValidationError as error:
            reply_form.add_service_errors(error)
        else:
            messages.success(request, f"Reply queued: it will be sent to {item.account.get_network_display()}.")
            return redirect("social_staff:inbox_item", pk=item.pk)
    if action not in (None, "done", "assign", "reply"):
        raise Http404
    count, limit = replies.reply_count(item, typed.strip())
    return render(
        request,
        "social/staff/inbox_item.html",
        {
            "item": item,
            "form": form,
            "reply_form": reply_form,
            "mention": mention,
            "replies": replies.replies_for(item),
            "count": count,
            "limit": limit,
            "connected": item.account.status == item.account.Status.CONNECTED,
        },
    )
