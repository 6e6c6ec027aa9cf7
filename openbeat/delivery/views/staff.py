"""Back office: residents' replies (inbox, reading, assigning, closing) and an alert's delivery statistics.

Replies are read only through `replies_for(user)` (division staff see their division's, the contact centre
every division's, urgent first); a reply outside it is a 404. Reading a reply is audit-logged because its
text is personal data. From a reply staff who handle replies pick it up, answer it (emailed to the resident by
a task; the page never shows the address) and, if their role allows, look up the address (audit-logged).
Rating comments on the statistics page: shown ones for everyone who may see the alert, all of them with
show/hide buttons for those with `delivery.moderate_rating`. Statistics follow the alert's own rule
(`alert_can(user, alert, "view")`); those of an alert sent to a demographic group show only what
`alerts.disclosure` allows.
"""

from __future__ import annotations

import csv
import uuid

from django import forms
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin import messages

from openbeat.alerts import disclosure
from openbeat.alerts.models import Alert
from openbeat.alerts.selectors import alert_can
from openbeat.audit.services import log_action
from openbeat.core.users import StaffUser, signed_in_staff, user_name
from openbeat.delivery import feedback
from openbeat.delivery.models import Rating, Reply
from openbeat.delivery.selectors import (
    alert_figures,
    delivery_progress,
    delivery_stats,
    delivery_table,
    rating_comments,
    replies_for,
    reply_assignees,
    urgent_waiting,
)


class ReplyFilterForm(forms.Form):
    state = forms.ChoiceField(choices=[("", "Any state"), *Reply.State.choices], required=False)
    urgent = forms.TypedChoiceField(
        choices=[("", "Urgent or not"), ("yes", "Urgent only"), ("no", "Not urgent")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    alert = forms.IntegerField(required=False, label="Alert number", min_value=1)


class AnswerForm(forms.Form):
    body = forms.CharField(
        label="Your answer",
        help_text="Emailed to the resident from the force, signed with your name, with a link to reply. "
        "Do not ask for or include personal details you do not need.",
        max_length=feedback.ANSWER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter your answer to the resident",
            "max_length": "Your answer must be %(limit_value)d characters or fewer",
        },
    )
    # The form's own key: sent twice (a double click, a retry), it answers once.
    key = forms.UUIDField(widget=forms.HiddenInput)

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Enter your answer to the resident")
        return body


def _reply(request: HttpRequest, pk: int) -> Reply:
    """The reply if the user may see it; otherwise 404, so other divisions' replies do not even exist."""
    return get_object_or_404(replies_for(request.user), pk=pk)


@permission_required("delivery.view_reply", raise_exception=True)
@never_cache
def reply_list(request: HttpRequest) -> HttpResponse:
    form = ReplyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(replies_for(request.user, filters=filters), 50).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    urgent_new = urgent_waiting(request.user).count()
    return render(
        request,
        "delivery/staff/reply_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "urgent_new": urgent_new},
    )


def _reply_page(
    request: HttpRequest, reply: Reply, *, form: AnswerForm | None = None, status: int = 200
) -> HttpResponse:
    can_handle = request.user.has_perm("delivery.handle_reply")
    if can_handle and form is None:
        form = AnswerForm(initial={"key": uuid.uuid4()})
    return render(
        request,
        "delivery/staff/reply_detail.html",
        {
            "reply": reply,
            "title": f"Reply {reply.pk}",
            "can_handle": can_handle,
            "can_see_address": can_handle and request.user.has_perm("delivery.view_reply_address"),
            "assignees": reply_assignees(reply) if can_handle else [],
            "states": Reply.State.choices,
            "conversation": feedback.conversation(reply),
            "form": form if can_handle else None,
        },
        status=status,
    )


@permission_required("delivery.view_reply", raise_exception=True)
@require_GET
@never_cache
def reply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk)
    log_action("delivery.reply.view", actor=request.user, target=reply, request=request)
    return _reply_page(request, reply)


@permission_required("delivery.handle_reply", raise_exception=True)
@require_POST
@never_cache
def reply_answer(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        # The page shows the reply's text again, so it is a reading like any other.
        log_action("delivery.reply.view", actor=request.user, target=reply, request=request)
        return _reply_page(request, reply, form=form, status=400)
    answer = feedback.reply_answer(
        reply=reply, body=form.cleaned_data["body"], actor=signed_in_staff(request), key=form.cleaned_data["key"]
    )
    messages.success(request, "Your answer is saved and is being emailed to the resident.")
    return redirect(f"{reverse('delivery_staff:reply', args=[reply.pk])}#answer-{answer.pk}")


@permission_required("delivery.handle_reply", raise_exception=True)
@require_POST
def reply_pick_up(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk)
    already = reply.picked_up_at is not None
    reply = feedback.reply_pick_up(reply=reply, actor=signed_in_staff(request))
    if already:
        messages.warning(
            request, f"{user_name(reply.picked_up_by) if reply.picked_up_by else 'Someone'} picked it up already."
        )
    else:
        messages.success(request, "You have picked it up.")
    return redirect("delivery_staff:reply", pk=reply.pk)


@permission_required("delivery.view_reply_address", raise_exception=True)
@require_POST
@never_cache
def reply_address(request: HttpRequest, pk: int) -> HttpResponse:
    """The resident's email address, on a page of its own (POST: a prefetch or a link preview cannot log a look)."""
    reply = _reply(request, pk)
    address = feedback.reply_address_view(reply=reply, actor=signed_in_staff(request))
    return render(
        request, "delivery/staff/reply_address.html", {"reply": reply, "address": address, "title": f"Reply {reply.pk}"}
    )


@permission_required("delivery.handle_reply", raise_exception=True)
@require_POST
def reply_assign(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk)
    wanted = request.POST.get("assignee", "")
    assignee: StaffUser | None = None
    if wanted:
        assignee = next((user for user in reply_assignees(reply) if str(user.pk) == wanted), None)
        if assignee is None:
            messages.error(request, "That person cannot handle replies of this division.")
            return redirect("delivery_staff:reply", pk=reply.pk)
    feedback.reply_assign(reply=reply, assignee=assignee, actor=signed_in_staff(request))
    messages.success(request, f"Assigned to {user_name(assignee)}." if assignee else "Nobody is assigned now.")
    return redirect("delivery_staff:reply", pk=reply.pk)


@permission_required("delivery.handle_reply", raise_exception=True)
@require_POST
def reply_state(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk)
    state = request.POST.get("state", "")
    if state not in Reply.State.values:
        messages.error(request, "Choose a state.")
        return redirect("delivery_staff:reply", pk=reply.pk)
    feedback.reply_set_state(reply=reply, state=state, actor=signed_in_staff(request))
    messages.success(request, f"Marked as {Reply.State(state).label.lower()}.")
    return redirect("delivery_staff:reply", pk=reply.pk)


# ------------------------------------------------------------------------------------------ alert statistics


def _viewable_alert(request: HttpRequest, pk: int) -> Alert:
    alert = get_object_or_404(Alert.objects.select_related("division"), pk=pk)
    if not alert_can(request.user, alert, "view"):
        raise Http404
    return alert


@permission_required("alerts.view_alert", raise_exception=True)
@require_GET
def alert_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _viewable_alert(request, pk)
    stats = delivery_stats(alert)
    n = disclosure.threshold(request)
    engagement = {
        "opened": stats.opened,
        "clicked": stats.clicked,
        "rated": stats.rated,
        "replies": stats.replies,
    }
    return render(
        request,
        "delivery/staff/alert_delivery.html",
        {
            "alert": alert,
            "stats": stats,
            "counts": disclosure.alert_counts(alert, n),
            # None: every figure as it is; else the engagement figures as they may be shown (no state figures).
            "shown": disclosure.alert_results(alert, engagement, n),
            "can_moderate": request.user.has_perm("delivery.moderate_rating"),
            "comments": rating_comments(alert, include_hidden=request.user.has_perm("delivery.moderate_rating")),
            # The same figures, in the same words, as the list of alerts and the alert's page.
            "figures": alert_figures([alert], n=n)[alert.pk],
            "table": delivery_table(alert, n=n),
        },
    )


# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): such cells get a quote.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


@permission_required("alerts.view_alert", raise_exception=True)
@require_GET
@never_cache
def alert_delivery_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The statistics table by channel and neighbourhood as CSV: the same rows and words as the page, as
    `alerts.disclosure` allows them. Every download is audit-logged."""
    alert = _viewable_alert(request, pk)
    table = delivery_table(alert, n=disclosure.threshold(request))
    log_action(
        "delivery.alert_statistics.export",
        actor=request.user,
        target=alert,
        request=request,
        division=alert.division,
        data={"rows": len(table.by_channel) + len(table.by_neighbourhood)},
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="alert-{alert.pk}-statistics.csv"'
    writer = csv.writer(response)
    writer.writerow(["By", "Name", *(label for _key, label in table.columns)])
    for by, rows in (("Channel", table.channel_rows), ("Neighbourhood", table.neighbourhood_rows)):
        for name, cells in rows:
            writer.writerow([by, _csv_cell(name), *cells])
    if table.note:
        writer.writerow(["Note", table.note])
    return response


@permission_required("delivery.moderate_rating", raise_exception=True)
@require_POST
def rating_comment_visibility(request: HttpRequest, pk: int, rating_pk: int) -> HttpResponse:
    alert = _viewable_alert(request, pk)
    rating = get_object_or_404(Rating.objects.select_related("delivery__alert"), pk=rating_pk, delivery__alert=alert)
    shown = request.POST.get("shown") == "yes"
    feedback.rating_comment_set_shown(rating=rating, shown=shown, actor=signed_in_staff(request))
    messages.success(request, "The comment is shown now." if shown else "The comment is hidden now.")
    return redirect(f"{reverse('delivery_staff:alert_delivery', args=[alert.pk])}#comment-{rating.pk}")


@permission_required("alerts.view_alert", raise_exception=True)
@require_GET
@never_cache
def alert_delivery_progress(request: HttpRequest, pk: int) -> JsonResponse:
    alert = _viewable_alert(request, pk)
    if alert.targets_demographics:
        # The states of its messages would split a demographic group by its members' choices (alerts.disclosure).
        return JsonResponse({"withheld": True, "alert_state": alert.state})
    return JsonResponse({**delivery_progress(alert).as_json(), "alert_state": alert.state})
