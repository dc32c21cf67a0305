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
    """FHIR comparison prefixes for ordered values (dates, numbers, quantities)."""

    EQ = "eq"
    NE = "ne"
    LT = "lt"
    GT = "gt"
    LE = "le"
    GE = "ge"
    SA = "sa"
    EB = "eb"
    AP = "ap"


class SummaryMode(enum.StrEnum):
    """``_summary`` values fhirgate supports (``false`` is the same as leaving it out)."""

    TRUE = "true"
    COUNT = "count"
    DATA = "data"
    TEXT = "text"


class TotalMode(enum.StrEnum):
    """``_total``: ``accurate`` counts every match; ``none`` leaves ``Bundle.total`` out; ``estimate`` (the
    default) gives it only when it costs nothing (the whole result fits on the first page)."""

    NONE = "none"
    ESTIMATE = "estimate"
    ACCURATE = "accurate"


@dataclass(frozen=True, slots=True)
class TokenValue:
    """``system|code``: ``system`` None matches any system, ``""`` means no system; ``code`` None any code.

    With the ``:text`` modifier only ``code`` is set and holds the normalized text to prefix-match.
    """

    system: str | None
    code: str | None


@dataclass(frozen=True, slots=True)
class UriValue:
    """A URI search value; the filter's modifier says whether it is matched whole, ``:above`` or ``:below``."""

    uri: str


@dataclass(frozen=True, slots=True)
class OfTypeValue:
    """``identifier:of-type=system|code|value``: an Identifier whose ``type`` has that coding and that value."""

    type_system: str
    type_code: str
    value: str


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date search value: the prefix and the range the value's precision covers."""

    prefix: DatePrefix
    range: DateRange


@dataclass(frozen=True, slots=True)
class NumberValue:
    """A number (or the numeric part of a quantity): ``[low, high)`` is the range its precision implies."""

    prefix: DatePrefix
    value: float
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class QuantityValue:
    """``[prefix]number|system|code``: an empty or missing system/code matches any."""

    number: NumberValue
    system: str | None
    code: str | None


@dataclass(frozen=True, slots=True)
class StringValue:
    """A string search value: normalized for the default/``:contains`` forms, verbatim for ``:exact``."""

    text: str


@dataclass(frozen=True, slots=True)
class ReferenceValue:
    """The canonical ``Type/id`` references a reference value may denote (a bare id expands per target type)."""

    references: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MissingValue:
    """``name:missing=true|false``: whether the resource has no value at all for the parameter."""

    missing: bool


@dataclass(frozen=True, slots=True)
class ChainValue:
    """``ref[:Type].param=v``: the reference points at a resource of ``target_types`` that ``inner`` matches."""

    target_types: tuple[str, ...]
    inner: SearchFilter


@dataclass(frozen=True, slots=True)
class HasValue:
    """``_has:Source:ref:param=v``: a ``source_type`` resource whose ``reference`` parameter points at the
    candidate (of ``target_type``) and that ``inner`` matches."""

    source_type: str
    reference: str
    target_type: str
    inner: SearchFilter


@dataclass(frozen=True, slots=True)
class CompositeValue:
    """``a$b``: one value per component of a composite parameter, all met by the same indexed tuple."""

    parts: tuple[SearchValue, ...]


SearchValue = (
    TokenValue
    | ChainValue
    | HasValue
    | CompositeValue
    | DateValue
    | StringValue
    | ReferenceValue
    | NumberValue
    | QuantityValue
    | MissingValue
    | UriValue
    | OfTypeValue
)


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """One ``name[:modifier]=v1,v2`` parameter: values are ORed; separate filters are ANDed."""

    parameter: SearchParameter
    modifier: str | None
    values: tuple[SearchValue, ...]
    raw: str
    """The value as the client sent it (for the self link)."""
    spelled: str | None = None
    """The key as the client wrote it when it is not ``name[:modifier]`` (chains, ``_has``)."""

    @property
    def key(self) -> str:
        if self.spelled is not None:
            return self.spelled
        return self.parameter.name if self.modifier is None else f"{self.parameter.name}:{self.modifier}"

    @property
    def negated(self) -> bool:
        """True when matches are the resources *without* a matching value (``:not``, ``:missing=true``)."""
        return self.modifier == "not" or (self.modifier == "missing" and MissingValue(True) in self.values)


@dataclass(frozen=True, slots=True)
class SortKey:
    """One ``_sort`` key: a parameter, ascending unless ``descending``."""

    parameter: SearchParameter
    descending: bool = False

    @property
    def text(self) -> str:
        return ("-" if self.descending else "") + self.parameter.name


@dataclass(frozen=True, slots=True)
class IncludeSpec:
    """``_include``/``_revinclude`` ``Source:param[:Target]``, optionally ``:iterate`` (one more level)."""

    source_type: str
    parameter: SearchParameter
    target_type: str | None = None
    iterate: bool = False

    @property
    def text(self) -> str:
        return ":".join(x for x in (self.source_type, self.parameter.name, self.target_type) if x)


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A parsed, validated FHIR search on one resource type."""

    resource_type: str
    filters: tuple[SearchFilter, ...] = ()
    count: int = DEFAULT_COUNT
    cursor: str | None = None
    sort: tuple[SortKey, ...] = ()
    ignored: tuple[str, ...] = ()
    """Parameter names dropped under lenient handling (reported to the client, never applied)."""
    includes: tuple[IncludeSpec, ...] = ()
    revincludes: tuple[IncludeSpec, ...] = ()
    summary: SummaryMode | None = None
    elements: tuple[str, ...] = ()
    total: TotalMode = TotalMode.ESTIMATE

    def query_items(self, *, include_count: bool = True) -> list[tuple[str, str]]:
        """The request as canonical query items (filters sorted, cursor left out)."""
        items = sorted((f.key, f.raw) for f in self.filters)
        if self.sort:
            items.append(("_sort", ",".join(key.text for key in self.sort)))
        if not include_count:
            return items
        for name, specs in (("_include", self.includes), ("_revinclude", self.revincludes)):
            items += [(name + (":iterate" if s.iterate else ""), s.text) for s in specs]
        if self.summary is not None:
            items.append(("_summary", self.summary.value))
        if self.elements:
            items.append(("_elements", ",".join(self.elements)))
        if self.total is not TotalMode.ESTIMATE:
            items.append(("_total", self.total.value))
        items.append(("_count", str(self.count)))
        return items

    def canonical_query(self) -> str:
        """URL-encoded canonical query string (what a ``self`` link carries)."""
        return urlencode(self.query_items())

    def fingerprint(self) -> str:
        """Short digest of what selects and orders matches; a cursor is only valid for the same fingerprint."""
        text = self.resource_type + "?" + urlencode(self.query_items(include_count=False))
        return hashlib.sha256(text.encode()).hexdigest()[:16]
