"""The safe subset of Markdown alert bodies are written in, rendered to HTML (email, web) and plain text (SMS,
the text part of emails).

Allowed: paragraphs; line breaks (a single new line is a line break, as people type in a text box);
*emphasis* and **strong**; [links](https://...) and <https://...> to http, https, mailto and tel only;
bullet and numbered lists; headings, shifted so that the body's highest heading is an h2 (the page or email
around the body owns the h1) and the levels below it follow from there.

Everything else is shown as the text that was typed: raw HTML is escaped; images are off (an email must not
load remote images), as are code, quotes, tables and rules. A link to any other scheme (javascript:, data:,
vbscript:, relative paths) is not made a link. Links get rel="noopener".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _validate_link(url: str) -> bool:
    # Browsers ignore control characters and whitespace inside a scheme ("java\tscript:"): drop them first.
    return _CONTROL.sub("", url).lower().startswith(ALLOWED_SCHEMES)


def _build() -> MarkdownIt:
    md = MarkdownIt("zero", {"breaks": True, "html": False, "linkify": False, "typographer": False})
    md.enable(["heading", "lheading", "list", "newline", "escape", "entity", "emphasis", "link", "autolink"])
    md.validateLink = _validate_link  # type: ignore[method-assign]

    def heading_open(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return f"<h{_level(tokens[idx], env)}>"

    def heading_close(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return f"</h{_level(tokens[idx], env)}>\n"

    def link_open(renderer: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "noopener")
        return renderer.renderToken(tokens, idx, options, env)  # type: ignore[no-any-return]

    md.add_render_rule("heading_open", heading_open)
    md.add_render_rule("heading_close", heading_close)
    md.add_render_rule("link_open", link_open)
    return md


def _level(token: Token, env: dict[str, Any]) -> int:
    return min(int(token.tag[1]) + env.get("heading_shift", 1), 6)


_md = _build()


def render_html(text: str) -> SafeString:
    """The body as HTML. Safe to put in a page or an email: nothing typed becomes markup outside the subset."""
    tokens = _md.parse(text or "")
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    # The body's highest heading becomes an h2 whichever level it was typed at, so that the page's outline
    # never skips a level (h1 title, then h2) and never competes with the page's own h1.
    env = {"heading_shift": 2 - min(levels) if levels else 1}
    return mark_safe(_md.renderer.render(tokens, _md.options, env))  # markdown-it escapes text; html is off


def _inline_text(children: Sequence[Token]) -> str:
    parts: list[str] = []
    href_stack: list[tuple[str, int]] = []
    for token in children:
        if token.type == "text":
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "link_open":
            href_stack.append((str(token.attrGet("href") or ""), len(parts)))
        elif token.type == "link_close" and href_stack:
            href, start = href_stack.pop()
            label = "".join(parts[start:]).strip()
            shown = re.sub(r"^(mailto|tel):", "", href)
            if label not in (href, shown):
                parts.append(f" ({shown})")
    return "".join(parts)


def render_text(text: str) -> str:
    """The body as plain text: emphasis dropped, links as "text (url)", lists with "-" or "1.", headings
    as their own paragraph."""
    blocks: list[str] = []
    list_lines: list[str] = []
    lists: list[list[Any]] = []  # [ordered, next number] per open list
    marker, indent = "", ""
    for token in _md.parse(text or ""):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            lists.append([token.type == "ordered_list_open", int(start) if start else 1])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                blocks.append("\n".join(list_lines))
                list_lines = []
        elif token.type == "list_item_open":
            ordered, number = lists[-1]
            lists[-1][1] += 1
            depth = "   " * (len(lists) - 1)
            marker = depth + (f"{number}. " if ordered else "- ")
            indent = " " * len(marker)
        elif token.type == "inline":
            lines = _inline_text(token.children or []).split("\n")
            if lists:
                list_lines += [marker + lines[0], *(indent + line for line in lines[1:])]
                marker = indent  # a second paragraph in the same item lines up under the first
            else:
                blocks.append("\n".join(lines))
    return "\n\n".join(block for block in blocks if block.strip())
