"""Readable text from a Binary's bytes: HTML (stdlib parser), plain text, and PDF (pypdf when installed).

Scripts and styles are dropped from HTML; block elements become line breaks. Output is
bounded by the caller; nothing here fetches anything referenced by the document.
"""

from __future__ import annotations

import io
import logging
from html.parser import HTMLParser

__all__ = ["BinaryText", "extract_text"]

logger = logging.getLogger(__name__)

_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "pre"})
_SKIPPED = frozenset({"script", "style", "head", "title"})


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self._skip:
            self._skip -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


class BinaryText:
    """The extracted text, or why there is none."""

    def __init__(self, text: str | None, problem: str | None = None) -> None:
        self.text = text
        self.problem = problem


def _pdf_text(data: bytes) -> BinaryText:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError:
        return BinaryText(None, "PDF text extraction is not installed (pypdf)")
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages[:50]]
    except (PyPdfError, ValueError, KeyError) as error:
        logger.info("pdf extraction failed error=%s", type(error).__name__)
        return BinaryText(None, "the PDF could not be read")
    return BinaryText(_tidy("\n".join(pages)))


def extract_text(content_type: str, data: bytes) -> BinaryText:
    """Text from `data` of `content_type`; `problem` says why when there is none."""
    kind = content_type.split(";")[0].strip().lower()
    if kind in ("text/html", "application/xhtml+xml"):
        parser = _TextParser()
        parser.feed(data.decode("utf-8", errors="replace"))
        parser.close()
        return BinaryText(_tidy("".join(parser.parts)))
    if kind.startswith("text/") or kind in ("application/json", "application/fhir+json", "application/xml"):
        return BinaryText(data.decode("utf-8", errors="replace").strip())
    if kind == "application/pdf":
        return _pdf_text(data)
    return BinaryText(None, f"{kind or 'unknown'} content has no text to extract (an image or other binary)")
