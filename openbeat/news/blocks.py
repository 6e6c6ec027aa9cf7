"""The blocks of a news or appeal body: paragraphs, headings, quotes and images that always carry alt text."""

from __future__ import annotations

from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ul", "ol", "h3"]


class ImageBlock(blocks.StructBlock):
    """A picture in the body: the alt text is required, as it is for the lead image (screen readers, feeds)."""

    image = ImageChooserBlock()
    alt = blocks.CharBlock(
        max_length=250,
        label="Alt text",
        help_text="What the picture shows, for people who cannot see it. Required.",
    )
    caption = blocks.CharBlock(max_length=250, required=False)

    class Meta:
        icon = "image"
        template = "news/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(max_length=1000)
    attribution = blocks.CharBlock(max_length=120, required=False, help_text="e.g. Detective Inspector Jane Smith")

    class Meta:
        icon = "openquote"
        template = "news/blocks/quote.html"


class NewsBody(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES)
    heading = blocks.CharBlock(max_length=100, form_classname="title", template="news/blocks/heading.html")
    image = ImageBlock()
    quote = QuoteBlock()
