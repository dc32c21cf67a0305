"""How FHIR values read on a page: a CodeableConcept's words, a date without its clock noise, a quantity
with its unit, an inline attachment's text. Pure functions over parsed FHIR JSON; escaping is the
templates' job (autoescape), sanitising HTML is ``sanitised_html``'s."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import nh3
from markupsafe import Markup

__all__ = [
    "attachment_text",
    "concept_text",
    "date_text",
    "displays",
    "quantity_text",
    "sanitised_html",
    "when_text",
]

MAX_INLINE_BYTES = 2_000_000


def concept_text(concept: Any) -> str:
    """``text``, else the first coding's display or code; empty when there is none."""
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    for coding in concept.get("coding") or []:
        if isinstance(coding, dict) and (coding.get("display") or coding.get("code")):
            return str(coding.get("display") or coding.get("code"))
    return ""


def displays(items: Any, key: str | None = None) -> str:
    """The ``display`` (or concept text) of each item of a list, joined: references, roles, reasons."""
    words: list[str] = []
    for item in items or []:
        value = item.get(key) if key and isinstance(item, dict) else item
        if isinstance(value, dict):
            words.append(str(value.get("display") or concept_text(value)))
    return ", ".join(w for w in words if w)


def date_text(value: Any) -> str:
    """``2026-01-09T10:32:00-08:00`` → ``2026-01-09 10:32``; a plain date stays as it is."""
    if not isinstance(value, str):
        return ""
    return value[:10] if len(value) <= 10 else f"{value[:10]} {value[11:16]}"


def when_text(resource: dict[str, Any], *keys: str) -> str:
    """The first of ``keys`` present (a dateTime, or a Period's start–end)."""
    for key in keys:
        value = resource.get(key)
        if isinstance(value, str):
            return date_text(value)
        if isinstance(value, dict) and (value.get("start") or value.get("end")):
            start, end = date_text(value.get("start")), date_text(value.get("end"))
            return f"{start} – {end}" if start and end else start or f"until {end}"
    return ""


def quantity_text(quantity: Any) -> str:
    if not isinstance(quantity, dict) or quantity.get("value") is None:
        return ""
    unit = quantity.get("unit") or quantity.get("code") or ""
    return f"{quantity.get('comparator', '')}{quantity['value']} {unit}".strip()


def attachment_text(attachment: dict[str, Any]) -> str | None:
    """The decoded inline ``data`` of an attachment (bounded), None when it has none or it is not text."""
    data = attachment.get("data")
    if not isinstance(data, str) or len(data) > MAX_INLINE_BYTES * 4 // 3 + 4:
        return None
    try:
        return base64.b64decode(data, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None


def sanitised_html(html: str) -> Markup:
    """Record HTML (a note, a message) reduced by nh3 to harmless markup: no script, style, event handler,
    form or remote embed; links keep ``rel=noopener noreferrer``. Only then is it marked safe to render."""
    cleaned = nh3.clean(html, tags=_TAGS, attributes={"a": {"href", "title"}, "td": {"colspan"}, "th": {"colspan"}})
    return Markup(cleaned)  # noqa: S704 - nh3 output is the sanitised form


_TAGS = {
    "a", "b", "br", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
