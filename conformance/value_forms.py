"""Normalised forms of one value, so a portal leaf and its FHIR rendering compare equal.

Text compares as a sequence of lower-cased words, punctuation ignored (HTML by its visible text); numbers
by value; dates and times as a day, a wall-clock time, or an instant, whichever the string carries.
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

__all__ = ["DateForm", "date_forms", "looks_like_html", "number", "precise_date_form", "visible_text", "words"]

DateForm = tuple[str, object]
"""``("date", date)``, ``("wall", naive datetime)``, ``("instant", UTC datetime)`` or ``("time", time)``."""

_TOKEN = re.compile(r"\w+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_MARKUP = re.compile(r"<\s*/?[A-Za-z][^>]*>|&[A-Za-z#][A-Za-z0-9]*;")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
_EPIC_INSTANT = re.compile(r"/Date\((-?\d+)\)/")
_DISPLAY_FORMATS = ("%b %d, %Y %I:%M %p", "%B %d, %Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p")
_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%y", "%b %d, %Y", "%B %d, %Y", "%A %B %d, %Y", "%A, %B %d, %Y")
_TIME_FORMATS = ("%I:%M %p", "%I:%M:%S %p")
_DISPLAY_SHAPE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}|[A-Za-z]{3,}\.?,? \d{1,2},? \d{4}|\d{1,2}:\d{2}")
"""A cheap test before ``strptime``, which is slow and almost always fails on other strings."""
_INVISIBLE = frozenset({"script", "style", "head", "title"})


def words(text: str) -> list[str]:
    """``text``'s lower-case words (``"Hb: 5.6 g/dL"`` -> ``["hb", "5", "6", "g", "dl"]``).

    Punctuation is ignored so that list bullets and line breaks added by a rendering do not hide a phrase.
    """
    return _TOKEN.findall(text.casefold())


def number(text: str) -> Decimal | None:
    """The number a whole string spells (``"5.60"`` -> 5.60), else ``None``."""
    text = text.strip()
    if not _NUMBER.fullmatch(text) or (len(text) > 1 and text[0] == "0" and text[1] != "."):
        return None  # "000" status codes and zero-padded identifiers are text, not numbers
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def looks_like_html(text: str) -> bool:
    return _MARKUP.search(text) is not None


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE:
            self._hidden += 1
        self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE and self._hidden:
            self._hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """What a browser would show of ``html`` (tags, scripts and styles gone, entities decoded)."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


@functools.lru_cache(maxsize=65536)
def date_forms(text: str) -> frozenset[DateForm]:
    """The date/time meanings of ``text`` (ISO, ``MM/DD/YYYY``, ``Mon D, YYYY[ h:mm AM]``); empty if none."""
    return frozenset(_date_forms(text.strip()))


def _date_forms(text: str) -> set[DateForm]:
    if len(text) > 40 or not any(char.isdigit() for char in text):
        return set()  # every date or time shape has digits and is short
    if epic := _EPIC_INSTANT.fullmatch(text):  # Epic's "/Date(<ms since epoch>)/"
        return {("instant", datetime.fromtimestamp(int(epic[1]) / 1000, tz=UTC))}
    if _ISO_DATETIME.fullmatch(text):
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        local = moment.replace(tzinfo=None)
        forms: set[DateForm] = {("wall", local), ("date", local.date()), ("time", local.time())}
        return forms if moment.tzinfo is None else forms | {("instant", moment.astimezone(UTC))}
    if _ISO_DATE.fullmatch(text):
        return {("date", date.fromisoformat(text))}
    if not _DISPLAY_SHAPE.search(text):
        return set()
    for layout in _DISPLAY_FORMATS:
        try:
            moment = datetime.strptime(text, layout)
        except ValueError:
            continue
        return {("wall", moment), ("date", moment.date())}
    for layout in _TIME_FORMATS:
        try:
            return {("time", datetime.strptime(text, layout).time())}
        except ValueError:
            continue
    for layout in _DATE_FORMATS:
        try:
            return {("date", datetime.strptime(text, layout).date())}
        except ValueError:
            continue
    return set()


_PRECISION = ("instant", "wall", "date", "time")


def precise_date_form(text: str) -> DateForm | None:
    """The most precise meaning of ``text``: an instant if it has a zone, else a wall time, else a day.

    A wall time of exactly midnight is read as the day alone: Epic writes ``12:00:00 AM`` when no time is known.
    """
    forms = date_forms(text)
    for kind in _PRECISION:
        for form in forms:
            if form[0] == kind:
                if kind == "wall" and isinstance(form[1], datetime) and form[1].time() == datetime.min.time():
                    return ("date", form[1].date())
                return form
    return None
