"""The youth site (11 to 18) and its parents' and carers' section, as Wagtail pages, and "Ask us anonymously".

The page tree editors can build (parent and subpage types hold it):

    core.HomePage
      YouthHomePage (/youth/, one only)
        YouthArticlePage (advice for young people, by topic)
        ParentsIndexPage (/youth/parents-and-carers/, one only)
          ParentsArticlePage (advice for parents and carers, by topic)

Articles carry a readability check in the editor (youth.readability): a warning, never a refusal.

An `AnonymousQuestion` holds no personal data: no name, no contact details, no IP address. Its asker comes back
with a reference shown once; only a keyed hash of it is kept (`reference_hash`), so the database alone cannot
give anyone a way in to read private answers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from openbeat.youth.blocks import ArticleBody
from openbeat.youth.panels import ReadabilityPanel

QUESTION_MAX = 1500
ANSWER_MAX = 5000
# Paths the youth app serves itself under /youth/ (youth.urls): a page there would never be reached.
RESERVED_SLUGS = frozenset({"ask"})


class Topic(models.TextChoices):
    ONLINE_SAFETY = "online-safety", "Online safety"
    SEXTING = "sexting", "Sexting and nudes"
    KNIFE_CRIME = "knife-crime", "Knife crime"
    DRUGS = "drugs", "Drugs"
    EXPLOITATION = "exploitation", "Exploitation and grooming"
    BULLYING = "bullying", "Bullying"


class ReservedSlugMixin:
    slug: str

    def clean(self) -> None:
        super().clean()  # type: ignore[misc]
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"'{self.slug}' is used by the youth site itself: choose another"})


class YouthHomePage(Page):
    """The youth section's front page: topics, the latest answered questions and where to get help."""

    intro = RichTextField(blank=True, features=["bold", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["youth.YouthArticlePage", "youth.ParentsIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = "youth site home"

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from openbeat.youth.selectors import articles_by_topic, published_questions

        context = super().get_context(request, *args, **kwargs)
        context["topics"] = articles_by_topic(YouthArticlePage.objects.child_of(self))
        context["answered"] = list(published_questions()[:3])
        context["parents"] = ParentsIndexPage.objects.child_of(self).live().public().first()
        return context


class ArticlePage(ReservedSlugMixin, Page):
    """What youth and parents' articles share: a topic, a summary and a body of blocks."""

    topic = models.CharField(max_length=20, choices=Topic.choices)
    summary = models.CharField(max_length=250, help_text="One or two short sentences, shown in lists of articles.")
    body = StreamField(ArticleBody())

    # Which setting holds this kind of article's reading level (a US school grade, as textstat gives it).
    reading_grade_setting = "YOUTH_READING_GRADE"
    subpage_types: list[str] = []
    # Site search (openbeat.search) finds advice by its summary and body as well as its title.
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    content_panels = [
        *Page.content_panels,
        FieldPanel("topic"),
        FieldPanel("summary"),
        FieldPanel("body"),
        ReadabilityPanel(heading="Readability"),
    ]

    class Meta:
        abstract = True

    @classmethod
    def reading_grade_limit(cls) -> float:
        return float(getattr(settings, cls.reading_grade_setting))


class YouthArticlePage(ArticlePage):
    """Advice for young people, written for an 11-year-old to read."""

    template = "youth/youth_article_page.html"
    parent_page_types = ["youth.YouthHomePage"]

    class Meta:
        verbose_name = "youth advice article"


class ParentsIndexPage(ReservedSlugMixin, Page):
    """The parents' and carers' section, beside the young people's."""

    intro = RichTextField(blank=True, features=["bold", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["youth.YouthHomePage"]
    subpage_types = ["youth.ParentsArticlePage"]
    max_count = 1

    class Meta:
        verbose_name = "parents' and carers' section"

    def get_context(self, request: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from openbeat.youth.selectors import articles_by_topic

        context = super().get_context(request, *args, **kwargs)
        context["topics"] = articles_by_topic(ParentsArticlePage.objects.child_of(self))
        return context


class ParentsArticlePage(ArticlePage):
    """Advice for parents and carers: adult readers, so a higher reading level is allowed."""

    template = "youth/parents_article_page.html"
    reading_grade_setting = "YOUTH_PARENTS_READING_GRADE"
    parent_page_types = ["youth.ParentsIndexPage"]

    class Meta:
        verbose_name = "parents' advice article"


class AnonymousQuestion(models.Model):
    """A young person's question, asked without an account or any personal data.

    Life: `new` -> `answered` (privately: readable with the reference only) | `published` (the edited question
    and the answer on the youth site, and readable with the reference) | `rejected`. `urgent` is set at once when
    its words suggest a child at risk (a safeguarding alert was sent), and puts it at the top of the queue.
    """

    class State(models.TextChoices):
        NEW = "new", "Waiting for an answer"
        ANSWERED = "answered", "Answered privately"
        PUBLISHED = "published", "Answered publicly"
        REJECTED = "rejected", "Rejected"

    text = models.TextField(max_length=QUESTION_MAX)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    urgent = models.BooleanField(default=False)
    matched_words = models.CharField(max_length=300, blank=True)
    # A keyed hash of the reference the asker was shown (youth.references), never the reference itself.
    reference_hash = models.CharField(max_length=64, unique=True)
    # The question as published: the asker's words with anything identifying edited out by the moderator.
    public_text = models.TextField(max_length=QUESTION_MAX, blank=True)
    answer = models.TextField(max_length=ANSWER_MAX, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-urgent", "created_at", "pk"]
        indexes = [models.Index(fields=["state", "published_at"], name="youth_q_state_idx")]
        permissions = [("answer_question", "Can moderate and answer young people's anonymous questions")]

    def __str__(self) -> str:
        return f"Anonymous question #{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.state == self.State.PUBLISHED


class SafeguardingSettings(models.Model):
    """Who gets a safeguarding alert, and the words that raise one: one row, edited by administrators (audited).

    With no row (or an empty list) the defaults apply: settings.YOUTH_SAFEGUARDING_EMAILS and youth.words."""

    emails = models.TextField(blank=True, help_text="The safeguarding team's email addresses, one a line.")
    words = models.TextField(
        blank=True,
        help_text="Words or phrases that suggest a child at risk, one a line. Leave empty for the built-in list.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "safeguarding settings"
        verbose_name_plural = "safeguarding settings"

    def __str__(self) -> str:
        return "Safeguarding settings"

    @property
    def email_list(self) -> list[str]:
        return [line.strip() for line in self.emails.splitlines() if line.strip()]

    @property
    def word_list(self) -> list[str]:
        return [line.strip().lower() for line in self.words.splitlines() if line.strip()]


class SafeguardingAlert(models.Model):
    """The record of one safeguarding alert: which question, which words, how many addresses were emailed."""

    question = models.ForeignKey(AnonymousQuestion, on_delete=models.CASCADE, related_name="alerts")
    matched_words = models.CharField(max_length=300)
    recipients = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Safeguarding alert on question #{self.question_id}"
