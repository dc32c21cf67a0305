"""The typed search request a query string parses into, and the canonical form used for links and cursors."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from gateway.search.dates import DateRange
from gateway.search.parameters import SearchParameter

DEFAULT_COUNT = 50
MAX_COUNT = 500


class DatePrefix(enum.StrEnum):
    """FHIR comparison prefixes for date values (``ap`` is not supported)."""

    EQ = "eq"
    NE = "ne"
    LT = "lt"
    GT = "gt"
    LE = "le"
    GE = "ge"
    SA = "sa"
    EB = "eb"


@dataclass(frozen=True, slots=True)
class TokenValue:
    """``system|code``: ``system`` None matches any system, ``""`` means no system; ``code`` None any code."""

    system: str | None
    code: str | None


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date search value: the prefix and the range the value's precision covers."""

    prefix: DatePrefix
    range: DateRange


@dataclass(frozen=True, slots=True)
class StringValue:
    """A string search value: normalized for the default/``:contains`` forms, verbatim for ``:exact``."""

    text: str


@dataclass(frozen=True, slots=True)
class ReferenceValue:
    """The canonical ``Type/id`` references a reference value may denote (a bare id expands per target type)."""

    references: tuple[str, ...]


SearchValue = TokenValue | DateValue | StringValue | ReferenceValue


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """One ``name[:modifier]=v1,v2`` parameter: values are ORed; separate filters are ANDed."""

    parameter: SearchParameter
    modifier: str | None
    values: tuple[SearchValue, ...]
    raw: str
    """The value as the client sent it (for the self link)."""

    @property
    def key(self) -> str:
        return self.parameter.name if self.modifier is None else f"{self.parameter.name}:{self.modifier}"


@dataclass(frozen=True, slots=True)
class SortKey:
    """``_sort=[-]name``: one parameter, ascending unless ``descending``."""

    parameter: SearchParameter
    descending: bool = False


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A parsed, validated FHIR search on one resource type."""

    resource_type: str
    filters: tuple[SearchFilter, ...] = ()
    count: int = DEFAULT_COUNT
    cursor: str | None = None
    sort: SortKey | None = None
    ignored: tuple[str, ...] = ()
    """Parameter names dropped under lenient handling (reported to the client, never applied)."""

    def query_items(self, *, include_count: bool = True) -> list[tuple[str, str]]:
        """The request as canonical query items (filters sorted, cursor left out)."""
        items = sorted((f.key, f.raw) for f in self.filters)
        if self.sort is not None:
            items.append(("_sort", ("-" if self.sort.descending else "") + self.sort.parameter.name))
        if include_count:
            items.append(("_count", str(self.count)))
        return items

    def canonical_query(self) -> str:
        """URL-encoded canonical query string (what a ``self`` link carries)."""
        return urlencode(self.query_items())

    def fingerprint(self) -> str:
        """Short digest of what selects and orders matches; a cursor is only valid for the same fingerprint."""
        text = self.resource_type + "?" + urlencode(self.query_items(include_count=False))
        return hashlib.sha256(text.encode()).hexdigest()[:16]
