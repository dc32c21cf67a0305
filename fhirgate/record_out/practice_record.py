"""A connected practice's whole record for this patient, through its FHIR API.

``Patient/$everything`` paged through its ``next`` links; a practice that does not answer it (eClinicalWorks
declares it and fails it) is read by ``fhir_client``'s own per-type fallback, which says so in an outcome
entry. The client's rate limiter paces every request. Outcome entries (the fallback, a type the token
cannot read, a result cut short) become notes for the export's error file; each resource is yielded once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from fhir_client import FhirClient, bundle_link, entries

PAGE_SIZE = 100


class PracticeRecordError(Exception):
    """The practice's answers do not let fhirgate read the record (no patient in the token)."""


def _instant(since: datetime) -> str:
    return since.isoformat().replace("+00:00", "Z")


class PracticeRecord:
    """Reads one practice's record; ``notes`` collects what the practice said was partial."""

    def __init__(self, client: FhirClient, *, since: datetime | None = None, page_size: int = PAGE_SIZE) -> None:
        self._client = client
        self._since = since
        self._page_size = page_size
        self.notes: list[str] = []
        self.total: int | None = None
        """The match count the first page announced, when the server gives one."""

    async def resources(self) -> AsyncIterator[dict[str, Any]]:
        who = await self._client.whoami()
        if who.patient_id is None:
            raise PracticeRecordError("the practice did not say whose record it holds")
        params = {"_count": str(self._page_size)}
        if self._since is not None:
            params["_since"] = _instant(self._since)
        bundle = await self._client.everything(who.patient_id, params)
        self.total = bundle.get("total") if isinstance(bundle.get("total"), int) else None
        seen: set[tuple[str, str]] = set()
        async for page in self._paged(bundle):
            self._note_outcomes(page)
            for resource in entries(page, "match", "include", None):
                key = (str(resource.get("resourceType")), str(resource.get("id")))
                if key[0] != "OperationOutcome" and key not in seen:
                    seen.add(key)
                    yield resource

    async def _paged(self, bundle: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        seen_links: set[str] = set()
        while True:
            yield bundle
            next_url = bundle_link(bundle, "next")
            if next_url is None or next_url in seen_links:
                return
            seen_links.add(next_url)
            bundle = await self._client.fetch_page(next_url)

    def _note_outcomes(self, bundle: dict[str, Any]) -> None:
        for outcome in entries(bundle, "outcome"):
            for issue in outcome.get("issue", []):
                if isinstance(issue, dict) and issue.get("diagnostics"):
                    self.notes.append(str(issue["diagnostics"])[:300])
