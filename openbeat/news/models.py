"""News and appeals as Wagtail pages, and an appeal's life after it is published.

The page tree editors can build (parent and subpage types hold it):

    core.HomePage
      NewsIndexPage (/news/, one only: the list, filtered by division and neighbourhood)
        NewsPage     (a news story)
        AppealPage   (an appeal: a NewsPage too, so one query lists news and appeals for feeds and sections)

Both concern the force (no areas), or some divisions and neighbourhoods (`divisions`, `neighbourhoods`): the
neighbourhood pages and the filters read those.

An appeal's lifecycle is kept outside its revisions (`with_content_json` keeps it from the live row), so that
publishing an old draft never undoes an outcome: open -> updated (an `AppealUpdate` note with its date) ->
resolved (an outcome, shown at the top). Updates and outcomes are set by news.services, never in the editor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import AbstractGroupApprovalTask, Page
from wagtail.search import index

from openbeat.news.blocks import NewsBody

# Appeal fields set by news.services and kept out of revisions (see with_content_json).
LIFECYCLE_FIELDS = ("outcome", "outcome_note", "outcome_at", "redact_due_at", "redacted_at")


class NewsIndexPage(Page):
    """The force's news and appeals, newest first, filtered by division, neighbourhood or kind."""

    intro = models.CharField(max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["news.NewsPage", "news.AppealPage"]
    max_count = 1

    class Meta:
        verbose_name = "news and appeals index"

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from openbeat.news.listing import index_context

        return {**super().get_context(request, *args, **kwargs), **index_context(index=self, params=request.GET)}


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("news.NewsPage", related_name="tagged_items", on_delete=models.CASCADE)


class NewsPage(Page):
    """A news story: a summary, a lead image with its alt text, a body of blocks, tags and the areas it concerns."""

    summary = models.CharField(max_length=300, help_text="One or two sentences, shown in lists, feeds and alerts.")
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_image_alt = models.CharField(
        "lead image alt text",
        max_length=250,
        blank=True,
        help_text="What the lead image shows, for people who cannot see it. Required with an image.",
    )
    body = StreamField(NewsBody(), blank=True)
    divisions = ParentalManyToManyField(
        "areas.Division", blank=True, related_name="news_pages", help_text="Leave both empty for force-wide news."
    )
    neighbourhoods = ParentalManyToManyField("areas.Neighbourhood", blank=True, related_name="news_pages")
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True)

    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("lead_image"), FieldPanel("lead_image_alt")], heading="Lead image"),
        FieldPanel("body"),
    ]
    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel(
            [FieldPanel("divisions"), FieldPanel("neighbourhoods"), FieldPanel("tags")], heading="Areas and tags"
        ),
    ]
    parent_page_types = ["news.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "news story"

    def clean(self) -> None:
        super().clean()
        if self.lead_image_id and not self.lead_image_alt.strip():
            raise ValidationError({"lead_image_alt": "Enter alt text that says what the lead image shows"})

    @property
    def is_appeal(self) -> bool:
        return False


class AppealKind(models.TextChoices):
    WITNESS = "witness", "Witness appeal"
    MISSING = "missing", "Missing person"
    WANTED = "wanted", "Wanted or suspect"
    OTHER = "other", "Other appeal"


class Outcome(models.TextChoices):
    FOUND_SAFE = "found-safe", "Found safe"
    ARRESTED = "arrested", "Arrested"
    CHARGED = "charged", "Charged"
    SOLVED = "solved", "Solved"
    WITHDRAWN = "withdrawn", "Withdrawn"


# The kinds that name and show a person: their name and photos go once the appeal is resolved.
PERSONAL_KINDS = frozenset({AppealKind.MISSING, AppealKind.WANTED})


class AppealPage(NewsPage):
    """An appeal for witnesses, a missing person or a wanted person, with its outcome once there is one."""

    kind = models.CharField(max_length=10, choices=AppealKind.choices, default=AppealKind.WITNESS)
    subject_name = models.CharField(
        "name of the person",
        max_length=150,
        blank=True,
        help_text="For a missing or wanted person. Removed from the page, its history and search once the appeal "
        "is resolved: keep it out of the address (slug).",
    )
    reference = models.CharField(
        "crime or incident reference", max_length=60, blank=True, help_text="e.g. log 0457 of 3 March"
    )
    alerts = ParentalManyToManyField(
        "alerts.Alert",
        blank=True,
        related_name="appeals",
        limit_choices_to={"state": "sent"},
        help_text="The In the Know alerts sent about this appeal: their recipients hear the outcome.",
    )
    # The lifecycle (news.services), kept from the live row whatever revision is published.
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.CharField(max_length=300, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    redact_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    redacted_at = models.DateTimeField(null=True, blank=True)

    search_fields = [*NewsPage.search_fields, index.SearchField("subject_name"), index.FilterField("kind")]
    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("subject_name"),
        FieldPanel("reference"),
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("lead_image"), FieldPanel("lead_image_alt")], heading="Lead image"),
        FieldPanel("body"),
    ]
    promote_panels = [*NewsPage.promote_panels, FieldPanel("alerts")]
    parent_page_types = ["news.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = "appeal"
        permissions = [("manage_appeal", "Can post updates and set outcomes of appeals in their division")]

    def clean(self) -> None:
        super().clean()
        name = slugify(self.subject_name)
        if name and name in (self.slug or ""):
            raise ValidationError({"slug": "The address must not contain the person's name: it stays after removal"})

    def with_content_json(self, content: dict[str, Any]) -> AppealPage:
        page: AppealPage = super().with_content_json(content)
        # From the database, not from `self`: a revision keeps the page as it was when the revision was made.
        current = AppealPage.objects.filter(pk=self.pk).values(*LIFECYCLE_FIELDS).first() if self.pk else None
        for name in LIFECYCLE_FIELDS:
            setattr(page, name, current[name] if current is not None else getattr(self, name))
        return page

    @property
    def is_appeal(self) -> bool:
        return True

    @property
    def is_personal(self) -> bool:
        return self.kind in PERSONAL_KINDS

    @property
    def state(self) -> str:
        """open, updated or resolved (the lifecycle residents see)."""
        if self.outcome:
            return "resolved"
        return "updated" if self.updates.exists() else "open"


class AppealUpdate(models.Model):
    """A dated note on an appeal ("Police have released new CCTV images"), shown on the page, newest first."""

    appeal = models.ForeignKey(AppealPage, on_delete=models.CASCADE, related_name="updates")
    note = models.TextField(max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Update to appeal {self.appeal_id}"


class AppealFollowUp(models.Model):
    """The follow-up alert sent to the recipients of an alert about an appeal, once its outcome was set: one per
    (appeal, alert), so saving the outcome twice sends nothing twice."""

    appeal = models.ForeignKey(AppealPage, on_delete=models.CASCADE, related_name="follow_ups")
    original = models.ForeignKey("alerts.Alert", on_delete=models.CASCADE, related_name="+")
    follow_up = models.ForeignKey("alerts.Alert", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appeal", "original"], name="news_followup_once")]

    def __str__(self) -> str:
        return f"Follow-up of alert {self.original_id} for appeal {self.appeal_id}"


class SecondPersonApprovalTask(AbstractGroupApprovalTask):
    """Wagtail's group approval, except that nobody approves their own work: not the person who submitted the
    page for moderation, nor whoever wrote the revision under review (a superuser neither)."""

    @staticmethod
    def _authors(obj: Any) -> set[int]:
        authors: set[int] = set()
        state = getattr(obj, "current_workflow_state", None)
        if state is not None and state.requested_by_id:
            authors.add(state.requested_by_id)
        revision = obj.get_latest_revision() if hasattr(obj, "get_latest_revision") else None
        if revision is not None and revision.user_id:
            authors.add(revision.user_id)
        return authors

    def get_actions(self, obj: Any, user: Any) -> list[tuple[str, str, bool]]:
        if user.pk in self._authors(obj):
            return []
        actions: list[tuple[str, str, bool]] = super().get_actions(obj, user)
        return actions

    def on_action(self, task_state: Any, user: Any, action_name: str, **kwargs: Any) -> Any:
        from django.core.exceptions import PermissionDenied

        if action_name == "approve" and user.pk in self._authors(task_state.workflow_state.content_object):
            raise PermissionDenied("A second person must approve this: you cannot approve your own work")
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user: Any, **kwargs: Any) -> Any:
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user).exclude(revision__user=user)

    @classmethod
    def get_description(cls) -> str:
        return "Members of the chosen groups approve, but never their own work"

    class Meta:
        verbose_name = "second-person approval task"
