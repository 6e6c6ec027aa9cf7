"""The blocks of a youth or parents' article body: paragraphs, headings and a "get help now" callout."""

from __future__ import annotations

from wagtail import blocks

# Short lists only: young readers get plain text with links, not tables or embeds.
PARAGRAPH_FEATURES = ["bold", "link", "ul", "ol"]


class HelpCalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=80, default="Get help now")
    text = blocks.RichTextBlock(features=PARAGRAPH_FEATURES)

    class Meta:
        icon = "warning"
        label = "Get help now"
        template = "youth/blocks/help_callout.html"


class ArticleBody(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES)
    heading = blocks.CharBlock(max_length=100, form_classname="title", template="youth/blocks/heading.html")
    help_callout = HelpCalloutBlock()
