"""Value types the store hands out: stored resources, search pages, surface states, write summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from translators.errors import InvalidResourceError as InvalidResourceError  # the one class, shared with translators


@dataclass(frozen=True, slots=True)
class TextMatch:
    """Why one resource matched a text search: its bm25 score (lower is better) and a snippet of its text
    with the hits in ``[...]``."""

    bm25: float
    snippet: str


@dataclass(frozen=True, slots=True)
class StoredResource:
    """One current resource version; ``json_text`` is compact FHIR JSON, servable as-is."""

    resource_type: str
    id: str
    version_id: int
    last_updated: datetime
    json_text: str


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of matches in a stable order, the total across all pages (None when not asked for),
    the cursors to the neighbouring pages, the resources ``_include``/``_revinclude`` pulled in, and
    why each entry matched a text search."""

    entries: list[StoredResource]
    total: int | None
    next_cursor: str | None
    previous_cursor: str | None = None
    included: list[StoredResource] = field(default_factory=list)
    text_matches: dict[str, TextMatch] = field(default_factory=dict)
    """For ``_content``/``_text`` searches: each entry's bm25 score and snippet, by id."""


@dataclass(frozen=True, slots=True)
class SurfaceState:
    """What the store knows about one portal surface's last sync."""

    surface: str
    last_success: datetime | None
    last_attempt: datetime | None
    last_error: str | None
    problems: tuple[str, ...]
    resource_types: tuple[str, ...]

    @property
    def failing(self) -> bool:
        """True when the latest attempt failed after (or without) the last success: data is stale."""
        return self.last_error is not None


@dataclass(frozen=True, slots=True)
class SurfaceWriteSummary:
    """How many resources of one surface write were new, changed, or identical to what was stored."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


class StoreFullError(OSError):
    """The disk (or the store's size limit) is full: the write was rolled back, earlier data is intact."""


class StoreDamagedError(RuntimeError):
    """The store file is not a SQLite database or is corrupt (replaced, truncated); ``doctor`` says what to do."""
