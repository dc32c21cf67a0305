"""Reading one source's search results row by row, from any point, across pages.

A `Position` names where an answer stopped: the URL of the page being read (None for the
first page, which is re-run from the query) and the row offset within it. Keyset paging on
the facade (and any server whose `next` links are stable) makes that point exact, so a
continuation neither repeats nor skips a row, even when it starts mid-page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fhir_client import FhirClient, FhirHTTPError, bundle_link, describe_outcome, entries, same_origin
from mcp_server.untrusted.fencing import fenced_quote

__all__ = ["PageReader", "Position"]

# Result parameters a server may refuse without the search losing its meaning.
_OPTIONAL = frozenset({"_sort", "_total"})
_EVERYTHING = re.compile(r"Patient/([A-Za-z0-9\-.]{1,64})/\$everything")


def everything_path(patient_id: str) -> str:
    """The query target of a `$everything` read, as `Query.resource_type` carries it."""
    return f"Patient/{patient_id}/$everything"


def everything_patient(target: str) -> str | None:
    match = _EVERYTHING.fullmatch(target)
    return match.group(1) if match else None


@dataclass(frozen=True)
class Position:
    """Where a source's answer continues: page URL (None: the first page), row offset, rows already shown."""

    url: str | None = None
    offset: int = 0
    shown: int = 0
    unsorted: bool = False
    """The source refused `_sort` or `_total`, so the query runs without them."""
    total: int | None = None
    """The total the first page reported (later pages need not repeat it)."""

    def to_state(self) -> dict[str, Any]:
        """The position for a cursor, defaults left out (a cursor is text the model carries on every call)."""
        state = {"u": self.url, "o": self.offset, "n": self.shown, "x": self.unsorted, "t": self.total}
        return {key: value for key, value in state.items() if value not in (None, 0, False)}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Position:
        url, offset, shown = state.get("u"), state.get("o", 0), state.get("n", 0)
        if not (url is None or isinstance(url, str)) or not isinstance(offset, int) or not isinstance(shown, int):
            raise ValueError("malformed position")
        total = state.get("t")
        return cls(
            url, max(offset, 0), max(shown, 0), state.get("x") is True, total if isinstance(total, int) else None
        )


class PageReader:
    """The matches of one search on one client, consumed in order from a `Position`."""

    def __init__(
        self,
        client: FhirClient,
        resource_type: str,
        params: Sequence[tuple[str, str]],
        position: Position,
        *,
        strict: bool = False,
    ) -> None:
        """`strict`: the source validates like the facade (it is the facade), so a refused `_sort` is an
        error to report, not a server limit to work around by asking again unsorted."""
        self._client = client
        self._resource_type = resource_type
        self._params = list(params)
        self._strict = strict
        self._unsorted = position.unsorted
        self._page_url = position.url
        self._index = position.offset
        self._shown = position.shown
        self._matches: list[dict[str, Any]] = []
        self._included: list[dict[str, Any]] = []
        self.total: int | None = position.total
        self.notes: list[str] = []
        self._outcomes: set[str] = set()
        self._next_url: str | None = None

    async def open(self) -> None:
        """Load the page the position points into."""
        if self._page_url is None:
            bundle = await self._first_page()
        else:
            bundle = await self._client.fetch_page(self._page_url)
        self._load(bundle)

    async def _first_page(self) -> dict[str, Any]:
        plain = [(name, value) for name, value in self._params if name not in _OPTIONAL]
        patient_id = everything_patient(self._resource_type)
        if patient_id is not None:  # $everything takes no _sort/_total: the server's own order
            return await self._client.everything(patient_id, plain)
        if self._unsorted:
            return await self._client.search(self._resource_type, plain)
        # No `_total=accurate`: counting a large result costs more than the page. A server that gives
        # the count when it is free (the facade does when the result is one page) still gets it shown.
        params = list(self._params)
        try:
            return await self._client.search(self._resource_type, params)
        except FhirHTTPError as error:
            # Servers differ in what they can sort and count; an unsorted answer beats none.
            if self._strict or error.status_code != 400 or len(plain) == len(params):
                raise
        self._unsorted = True
        self.notes.append("this source cannot sort (or count) this search, so rows are in its own order")
        return await self._client.search(self._resource_type, plain)

    def _load(self, bundle: Mapping[str, Any]) -> None:
        self._matches = list(entries(bundle, "match", None))
        self._included = list(entries(bundle, "include"))
        if isinstance(total := bundle.get("total"), int) and self.total is None:
            self.total = total
        for outcome in entries(bundle, "outcome"):
            # The server wrote it: quoted inside an untrusted fence (the quote is bounded too).
            if (text := describe_outcome(outcome)) and text not in self._outcomes:
                self._outcomes.add(text)
                self.notes.append(f"the server said: {fenced_quote(text, limit=500)}")
        next_url = bundle_link(bundle, "next")
        if next_url and not same_origin(next_url, self._client.base_url):
            self.notes.append("the server offered a next page on another site; it was not followed")
            next_url = None
        self._next_url = next_url

    def pending(self) -> list[dict[str, Any]]:
        """The matches on the current page not yet consumed."""
        return self._matches[self._index :]

    def included(self) -> list[dict[str, Any]]:
        """The current page's `_include`d resources."""
        return list(self._included)

    def consume(self) -> None:
        """Mark the next pending match as shown."""
        self._index += 1
        self._shown += 1

    @property
    def shown(self) -> int:
        return self._shown

    @property
    def unsorted(self) -> bool:
        return self._unsorted

    @property
    def page_url(self) -> str | None:
        """The current page's URL (None: the first page, re-run from the query)."""
        return self._page_url

    @property
    def furthest_url(self) -> str | None:
        """The next page's URL if there is one, else the current page's: the longest a cursor can name."""
        return self._next_url or self._page_url

    async def advance(self) -> bool:
        """Move to the next page; False when this was the last one."""
        if self._next_url is None:
            return False
        url = self._next_url
        bundle = await self._client.fetch_page(url)
        self._page_url, self._index = url, 0
        self._load(bundle)
        return True

    def position(self) -> Position | None:
        """Where to continue, or None when every match has been consumed."""
        if not self.pending() and self._next_url is None:
            return None
        if not self.pending() and self._next_url is not None:
            return Position(self._next_url, 0, self._shown, self._unsorted, self.total)
        return Position(self._page_url, self._index, self._shown, self._unsorted, self.total)
