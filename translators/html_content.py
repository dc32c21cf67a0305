"""Kaiser's HTML fragments (comments, notes, report narratives): sanitized HTML, plain text, attachments.

Everything goes through ``nh3`` first (scripts, styles, event handlers and ``data-*`` attributes go),
then either stays HTML (for ``presentedForm``) or becomes plain text: ``<br>`` -> newline, block elements
-> paragraphs separated by a blank line, list items -> ``- `` lines, entities decoded, runs of spaces
collapsed.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from typing import Any

import nh3

_BLOCK_TAGS = frozenset(
    {"p", "div", "table", "tr", "ul", "ol", "dl", "blockquote", "pre", "section", "article", "header", "footer"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "hr"}
)
_LINE_TAGS = frozenset({"li", "dt", "dd"})
_CELL_TAGS = frozenset({"td", "th"})
_MARKUP_HINT = re.compile(r"<\s*[A-Za-z!/]|&[A-Za-z#][A-Za-z0-9]*;")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_PARAGRAPH = "\x00"  # placeholder for "paragraph break here", resolved after whitespace is collapsed


def sanitized_html(fragment: str) -> str:
    """``fragment`` with only harmless markup left (nh3 defaults: no script/style, no event handlers)."""
    return nh3.clean(fragment, attributes={}, strip_comments=True)


def looks_like_html(fragment: str) -> bool:
    """Kaiser sends some narratives as HTML and others as plain text in the same field."""
    return _MARKUP_HINT.search(fragment) is not None


def plain_text(fragment: str) -> str:
    """Readable plain text for an HTML (or already plain) fragment; ``""`` when nothing visible remains."""
    if not looks_like_html(fragment):
        return _tidy(fragment.replace("\r\n", "\n"))
    extractor = _TextExtractor()
    extractor.feed(sanitized_html(fragment))
    extractor.close()
    return _tidy("".join(extractor.parts))


def attachment(fragment: str, *, title: str) -> dict[str, Any]:
    """An Attachment carrying ``fragment`` inline (base64): sanitized ``text/html`` or ``text/plain``."""
    if looks_like_html(fragment):
        content_type, body = "text/html; charset=utf-8", sanitized_html(fragment)
    else:
        content_type, body = "text/plain; charset=utf-8", fragment
    return {
        "contentType": content_type,
        "data": base64.b64encode(body.encode("utf-8")).decode("ascii"),
        "title": title,
    }


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._preformatted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH)
            if tag == "pre":
                self._preformatted += 1
        elif tag in _LINE_TAGS:
            self._end_line()
            if tag == "li":
                self.parts.append("- ")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append(_PARAGRAPH)
            if tag == "pre" and self._preformatted > 0:
                self._preformatted -= 1
        elif tag in _LINE_TAGS:
            self._end_line()

    def _end_line(self) -> None:
        """Start a new line unless one was just started (so ``</li><li>`` is one line break, not two)."""
        if self.parts and not self.parts[-1].endswith(("\n", _PARAGRAPH)):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data if self._preformatted else data.replace("\n", " "))


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    joined = "\n".join(lines)
    paragraphs = [part.strip("\n") for part in joined.split(_PARAGRAPH)]
    kept = [re.sub(r"\n{3,}", "\n\n", part) for part in paragraphs if part.strip()]
    return "\n\n".join(kept).strip()
