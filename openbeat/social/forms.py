"""The back office's forms for social media publishing. They check what was typed; the services check who may
do it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from openbeat.campaigns.models import Campaign
from openbeat.core.users import StaffUser
from openbeat.insights.models import Account
from openbeat.social.connectors import connector_for
from openbeat.social.models import NETWORK_CHOICES, SocialAccount
from openbeat.social.selectors import postable_accounts_for
from openbeat.social.services import Draft
from openbeat.staff.scope import scope_for


class ServiceErrorsMixin:
    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in self.fields else None  # type: ignore[attr-defined]
                for item in errors:
                    self.add_error(target, item.messages)  # type: ignore[attr-defined]
        else:
            self.add_error(None, error.messages)  # type: ignore[attr-defined]


class AccountConnectForm(forms.Form):
    account = forms.ModelChoiceField(
        queryset=Account.objects.none(), label="Account", help_text="The account as the insights reports know it."
    )
    network = forms.ChoiceField(choices=NETWORK_CHOICES)
    base_url = forms.URLField(required=False, label="Server address", help_text="Mastodon and Bluesky only.")
    requires_approval = forms.BooleanField(required=False, initial=True, label="Posts need approval")
    corporate = forms.BooleanField(required=False, label="Corporate account (a second approver if set)")

    def __init__(self, *args: Any, user: StaffUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        accounts = Account.objects.filter(social__isnull=True).select_related("group")
        self.fields["account"].queryset = scope_for(user).filter(accounts, "group__division")  # type: ignore[attr-defined]


class AccountEditForm(ServiceErrorsMixin, forms.Form):
    base_url = forms.URLField(required=False, label="Server address")
    requires_approval = forms.BooleanField(required=False, label="Posts need approval")
    corporate = forms.BooleanField(required=False, label="Corporate account (a second approver if set)")


def credential_fields(network: str) -> tuple[str, ...]:
    try:
        return connector_for(network).credential_fields
    except ImportError:  # a network whose connector is not installed yet
        return ("access_token",)


class CredentialsForm(forms.Form):
    """One password box per credential the network needs; never pre-filled, and an empty box keeps the stored
    value (credentials.merge_credentials)."""

    def __init__(self, *args: Any, network: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in credential_fields(network):
            self.fields[name] = forms.CharField(
                required=False,
                label=name.replace("_", " ").capitalize(),
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            )

    def credentials(self) -> dict[str, str]:
        return {name: value.strip() for name, value in self.cleaned_data.items() if value}


def account_label(account: SocialAccount) -> str:
    """An account as the composer lists it: name, network, and the demo mark of a demo account."""
    label = f"{account.account.name} ({account.get_network_display()})"
    return f"{label}: {account.demo_label}" if account.is_demo else label


class ComposeForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(
        label="What to post", widget=forms.Textarea(attrs={"rows": 6, "data-compose-text": ""}), max_length=5000
    )
    link = forms.URLField(required=False, max_length=500, help_text="Shown as a link card where the network does.")
    accounts = forms.ModelMultipleChoiceField(
        queryset=SocialAccount.objects.none(), widget=forms.CheckboxSelectMultiple, label="Post to"
    )
    scheduled_for = forms.DateTimeField(
        required=False,
        label="When to post",
        help_text="Leave empty to post as soon as it is approved.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    campaign: forms.ModelChoiceField = forms.ModelChoiceField(queryset=Campaign.objects.none(), required=False)
    image = forms.FileField(required=False, help_text="JPG, PNG or WebP.")
    image_alt = forms.CharField(
        required=False, max_length=1500, label="Image description (alt text)", widget=forms.Textarea(attrs={"rows": 2})
    )
    remove_image = forms.BooleanField(required=False, label="Remove the image")
    alert = forms.IntegerField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: StaffUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from openbeat.campaigns.selectors import campaigns_for

        self.user = user
        self.account_list = list(postable_accounts_for(user))
        self.fields["accounts"].queryset = postable_accounts_for(user)  # type: ignore[attr-defined]
        self.fields["accounts"].label_from_instance = account_label  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = campaigns_for(user)  # type: ignore[attr-defined]
        for account in self.account_list:
            self.fields[f"variant_{account.pk}"] = forms.CharField(
                required=False,
                max_length=5000,
                label=f"Own wording for {account_label(account)}",
                widget=forms.Textarea(attrs={"rows": 3, "data-variant": account.network}),
            )

    def variant_fields(self) -> list[Any]:
        return [self[f"variant_{a.pk}"] for a in self.account_list]

    def draft(self) -> Draft:
        from wagtail.models import Page

        from openbeat.alerts.selectors import alerts_for

        data = self.cleaned_data
        alert_id, page_id = data.get("alert"), data.get("page")
        alert = alerts_for(self.user).filter(pk=alert_id).first() if alert_id else None
        page = Page.objects.live().filter(pk=page_id).first() if page_id else None
        return Draft(
            text=data["text"].strip(),
            link=data.get("link") or "",
            accounts=list(data["accounts"]),
            variants={a.pk: data.get(f"variant_{a.pk}") or "" for a in self.account_list},
            scheduled_for=data.get("scheduled_for"),
            campaign=data.get("campaign"),
            alert=alert,
            page=page,
            image=data.get("image"),
            image_alt=data.get("image_alt") or "",
            remove_image=bool(data.get("remove_image")),
        )


class ConfirmForm(ServiceErrorsMixin, forms.Form):
    """The legal warnings found, each to be ticked."""

    confirm = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="I have checked")

    def __init__(self, *args: Any, warnings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].choices = [  # type: ignore[attr-defined]
            (w.key, f"{w.label}: '{w.excerpt}'") for w in warnings
        ]

    def confirmed(self) -> set[str]:
        return set(self.cleaned_data.get("confirm") or [])


class ReplyForm(ServiceErrorsMixin, forms.Form):
    """A reply to an inbox item, with the legal warnings its text raises to be ticked (a second step: they are
    known only once the text is sent)."""

    text = forms.CharField(
        label="Your reply",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "data-reply-text": "", "aria-describedby": "reply-count"}),
    )
    mark_done = forms.BooleanField(required=False, initial=True, label="Mark the message done once the reply is sent")
    confirm = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="I have checked")

    def __init__(self, *args: Any, warnings: list[Any], mention: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.warnings = warnings
        if mention:  # the hint that the reply starts with the resident's handle (replies.reply_mention)
            self.fields["text"].widget.attrs["aria-describedby"] = "reply-mention reply-count"
        self.fields["confirm"].choices = [  # type: ignore[attr-defined]
            (w.key, f"{w.label}: '{w.excerpt}'") for w in warnings
        ]

    def confirmed(self) -> set[str]:
        return set(self.cleaned_data.get("confirm") or [])
