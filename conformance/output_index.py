"""Everything a set of FHIR resources says, indexed for the fidelity check.

Strings go in as word sequences (inline ``text/*`` attachments decoded, HTML by its visible text), numbers by value
and as written, precision included (also those inside strings, and the digits of phone numbers and ZIP codes), dates
and times in every form they carry; ``element -> values`` serves the ``[[map]]`` rules and ``extension url ->
value`` the flags.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal, DecimalTuple
from typing import Any

from conformance.value_forms import DateForm, date_forms, looks_like_html, number, visible_text, words

__all__ = ["OutputIndex"]

_NUMBERS_IN_TEXT = re.compile(r"\d+(?:\.\d+)?")
_BREAK = "\x1f"
"""Between two output strings in the word sequence, so that no phrase spans two of them."""


class _Phrases:
    """Every output string's words in one sequence, with each word's positions, for phrase look-ups."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.where: dict[str, list[int]] = defaultdict(list)

    def add(self, found: list[str]) -> None:
        for word in found:
            self.where[word].append(len(self.words))
            self.words.append(word)
        self.words.append(_BREAK)

    def contains(self, needle: list[str]) -> bool:
        # Anchor on the needle's rarest word, then compare the whole phrase at each of its positions.
        count, offset = min((len(self.where.get(word, ())), index) for index, word in enumerate(needle))
        if count == 0:
            return False
        size = len(needle)
        return any(
            start >= 0 and self.words[start : start + size] == needle
            for start in (position - offset for position in self.where[needle[offset]])
        )


class OutputIndex:
    def __init__(self, resources: Iterable[dict[str, Any]]) -> None:
        self._phrases = _Phrases()
        self.exact: set[str] = set()
        """Every string leaf as is, for values with no word in them (``"%"``)."""
        self.numbers: set[Decimal] = set()
        self.precise_numbers: set[DecimalTuple] = set()
        """Every number as written (``Decimal.as_tuple``): ``1.50`` and ``1.5`` differ here."""
        self.dates: set[DateForm] = set()
        self.by_element: dict[str, list[Any]] = defaultdict(list)
        self.flags: dict[str, list[Any]] = defaultdict(list)
        self.elements: set[str] = set()
        """The name of every element present (``occurrenceTiming``, ``end``), for ``[[map]]`` presence rules."""
        for resource in resources:
            self._walk(resource, "")

    def has_text(self, text: str) -> bool:
        """``text``'s words appear in this order, adjacent, within one output string (punctuation ignored)."""
        needle = words(text)
        return self._phrases.contains(needle) if needle else text.strip() in self.exact

    def _walk(self, node: Any, key: str) -> None:
        if isinstance(node, dict):
            self._extension(node)
            self._attachment(node)
            for child_key, child in node.items():
                self.elements.add(child_key)
                self._walk(child, child_key)
        elif isinstance(node, list):
            for item in node:
                self._walk(item, key)
        else:
            self.by_element[key].append(node)
            self._leaf(node)

    def _leaf(self, value: Any) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int | float | Decimal):
            self._add_number(Decimal(str(value)))  # str() of a FhirDecimal is its text: "1.50"
            return
        if not isinstance(value, str):
            return
        self.exact.add(value.strip())
        self._add_text(visible_text(value) if looks_like_html(value) else value)
        self.dates.update(date_forms(value))
        for found in _NUMBERS_IN_TEXT.findall(value):
            self._add_number(Decimal(found))
        digits = re.sub(r"[\s().+-]", "", value)
        if digits.isdigit() and digits != value:
            self._add_number(Decimal(digits))  # "(707) 555-0126", "02139-0004"

    def _add_number(self, value: Decimal) -> None:
        self.numbers.add(value)
        self.precise_numbers.add(value.as_tuple())

    def _add_text(self, text: str) -> None:
        found = words(text)
        if found:
            self._phrases.add(found)
            parsed = number(text)
            if parsed is not None:
                self._add_number(parsed)

    def _extension(self, node: dict[str, Any]) -> None:
        url = node.get("url")
        if isinstance(url, str):
            for key, value in node.items():
                if key.startswith("value"):
                    self.flags[url.rsplit(":", 1)[-1].rsplit("/", 1)[-1]].append(value)

    def _attachment(self, node: dict[str, Any]) -> None:
        content_type, data = node.get("contentType"), node.get("data")
        if not (isinstance(content_type, str) and content_type.startswith("text/") and isinstance(data, str)):
            return
        try:
            body = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return
        self._add_text(visible_text(body) if "html" in content_type else body)
