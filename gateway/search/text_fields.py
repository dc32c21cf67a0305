"""Where a resource's free text lives, per resource type: what ``_content`` and ``_text`` search.

One table (``TEXT_FIELDS``) says which elements carry words a person wrote or reads: message subjects and
bodies, note and summary attachments (inline HTML or plain text, decoded and stripped), report conclusions
and narratives, observation notes. ``narrative`` is ``Resource.text.div`` (what ``_text`` searches); the rest
is content (``_content`` searches both). PDFs are not read here: their text is not extracted at write time.
"""

from __future__ import annotations

import base64
import binascii
import enum
import html
import re
from dataclasses import dataclass
from typing import Any

import nh3

from gateway.search.definitions import SearchParameter, SearchParamType, param
from gateway.search.paths import evaluate_path

__all__ = [
    "TEXT_FIELDS",
    "TEXT_PARAMETERS",
    "TEXT_PARAMETER_NAMES",
    "ResourceText",
    "TextKind",
    "resource_text",
]


class TextKind(enum.Enum):
    """How an element holds its words."""

    PLAIN = "plain"
    """A string (or an Annotation's ``text``), taken as it is."""
    ATTACHMENT = "attachment"
    """An Attachment: its ``title``, and its inline ``data`` when that is text or HTML."""


@dataclass(frozen=True, slots=True)
class TextField:
    path: str
    kind: TextKind = TextKind.PLAIN


_PLAIN, _ATTACHMENT = TextKind.PLAIN, TextKind.ATTACHMENT

TEXT_FIELDS: dict[str, tuple[TextField, ...]] = {
    "Communication": (
        TextField("topic.text"),
        TextField("payload.contentString"),  # the body as plain text (its HTML copy would count every word twice)
        TextField("note.text"),
    ),
    "DocumentReference": (
        TextField("type.text"),
        TextField("description"),
        TextField("content.attachment", _ATTACHMENT),
    ),
    "DiagnosticReport": (
        TextField("code.text"),
        TextField("conclusion"),
        TextField("conclusionCode.text"),
        TextField("presentedForm", _ATTACHMENT),
    ),
    "Observation": (
        TextField("valueString"),
        TextField("note.text"),
    ),
    "Encounter": (),
}
"""Content fields per type; every type listed here also has its narrative (``text.div``) indexed."""

_TEXT_TYPES = ("text/", "application/xhtml+xml")
_TAG_EDGE = re.compile(r"<")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class ResourceText:
    """The words of one resource: its narrative, and everything else the table names."""

    narrative: str
    content: str

    def __bool__(self) -> bool:
        return bool(self.narrative or self.content)


def html_words(markup: str) -> str:
    """The visible words of an HTML fragment (scripts and styles dropped, entities decoded, one line)."""
    # A space before every tag keeps words of neighbouring blocks apart once the tags are gone.
    stripped = nh3.clean(_TAG_EDGE.sub(" <", markup), tags=set(), attributes={}, strip_comments=True)
    return _SPACES.sub(" ", html.unescape(stripped)).strip()


def _attachment_words(node: dict[str, Any]) -> list[str]:
    words = [node["title"]] if isinstance(node.get("title"), str) else []
    content_type = str(node.get("contentType") or "").split(";")[0].strip().lower()
    data = node.get("data")
    if not isinstance(data, str) or not content_type.startswith(_TEXT_TYPES):
        return words
    try:
        text = base64.b64decode(data, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return words
    words.append(html_words(text) if "html" in content_type else _SPACES.sub(" ", text).strip())
    return words


def _field_words(resource: dict[str, Any], field: TextField) -> list[str]:
    found: list[str] = []
    for node in evaluate_path(resource, field.path):
        if field.kind is TextKind.ATTACHMENT and isinstance(node, dict):
            found += _attachment_words(node)
        elif isinstance(node, str) and node.strip():
            found.append(_SPACES.sub(" ", node).strip())
    return found


def resource_text(resource: dict[str, Any]) -> ResourceText:
    """The narrative and content words of ``resource``; empty for types the table does not name."""
    fields = TEXT_FIELDS.get(str(resource.get("resourceType", "")))
    if fields is None:
        return ResourceText("", "")
    div = (resource.get("text") or {}).get("div") if isinstance(resource.get("text"), dict) else None
    narrative = html_words(div) if isinstance(div, str) else ""
    content = "\n".join(words for field in fields for words in _field_words(resource, field) if words)
    return ResourceText(narrative, content)


_CONTENT = (
    "Words anywhere in the resource's text (message, note, report, comments);"
    ' syntax: words, "phrases", AND/OR/NOT, word*'
)
_NARRATIVE = "Words in the resource's narrative (text.div); same syntax as _content"

TEXT_PARAMETERS: tuple[SearchParameter, ...] = tuple(
    row
    for resource_type in TEXT_FIELDS
    for row in (
        *(
            (param(resource_type, "_content", SearchParamType.STRING, "", _CONTENT),)
            if TEXT_FIELDS[resource_type]
            else ()
        ),
        param(resource_type, "_text", SearchParamType.STRING, "", _NARRATIVE),
    )
)
"""``_content`` (types with content fields) and ``_text`` rows for the search-parameter table; their values are
indexed by the store's text index, not by ``extract_index_rows`` (the empty path yields nothing)."""

TEXT_PARAMETER_NAMES = frozenset({"_content", "_text"})
