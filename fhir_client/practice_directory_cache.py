"""`DirectoryCache`: a local copy of eClinicalWorks' practice directory, refreshed monthly.

The directory (about 17,000 practices, ~15 MB) is fetched page by page on first use and kept
as a small JSON file of the practices fhirgate keeps (test databases dropped, patient-host
addresses), 0600 in the home; it is read again when older than 30 days or on `update()`.
Paging links are followed on the directory's own origin only, and the download is bounded.
An `offline` cache never fetches: it answers from its copy or says there is none.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx2

from fhir_client.client import same_origin
from fhir_client.errors import FhirClientError, safe_url
from fhir_client.patient_hosts import ECW_PATIENT_HOSTS
from fhir_client.practice_directory import DEFAULT_DIRECTORY_URL, Practice, practices_from_bundle

__all__ = ["MAX_AGE", "DirectoryCache", "DirectoryUnavailable"]

logger = logging.getLogger(__name__)

MAX_AGE = 30 * 24 * 3600.0
MAX_PAGES = 500
MAX_BYTES = 64 * 1024 * 1024


class DirectoryUnavailable(FhirClientError):
    """The directory could not be fetched (and no copy is cached)."""


class DirectoryCache:
    """The directory at `url`, cached in `path`. `transport` and `clock` are for tests."""

    def __init__(
        self,
        path: Path,
        *,
        url: str = DEFAULT_DIRECTORY_URL,
        hosts: Mapping[str, str] = ECW_PATIENT_HOSTS,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        offline: bool = False,
    ) -> None:
        self.path, self.url, self._hosts = path, url, dict(hosts)
        self._transport, self._clock, self._offline = transport, clock, offline

    def age(self) -> float | None:
        """Seconds since the cached copy was fetched, or None when there is none."""
        fetched = self._read().get("fetched_at")
        return self._clock() - fetched if isinstance(fetched, int | float) else None

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("url") == self.url else {}

    async def practices(self, *, max_age: float = MAX_AGE) -> list[Practice]:
        """Every practice, from the cache while it is younger than `max_age`, else fetched anew."""
        age = self.age()
        if self._offline and age is None:
            raise DirectoryUnavailable("offline: no copy of the practice directory is kept yet (run without --offline)")
        if not self._offline and (age is None or age > max_age):
            try:
                return await self.update()
            except DirectoryUnavailable:
                if age is None:
                    raise
                logger.warning("practice directory refresh failed; using the cached copy age_days=%d", age // 86400)
        listed = self._read().get("practices")
        if not isinstance(listed, list):
            return []
        return [Practice.from_json(item) for item in listed if isinstance(item, dict)]

    async def update(self) -> list[Practice]:
        """Fetch the whole directory now and replace the cached copy."""
        if self._offline:
            raise DirectoryUnavailable("offline: the practice directory is not fetched")
        practices: dict[str, Practice] = {}
        url: str | None = self.url
        seen: set[str] = set()
        size = 0
        async with httpx2.AsyncClient(transport=self._transport, timeout=60.0, follow_redirects=False) as http:
            for _ in range(MAX_PAGES):
                if url is None:
                    break
                seen.add(url)
                try:
                    response = await http.get(url, headers={"Accept": "application/fhir+json, application/json"})
                except httpx2.TransportError as exc:
                    raise DirectoryUnavailable(f"could not reach {safe_url(url)} ({type(exc).__name__})") from exc
                size += len(response.content)
                if not response.is_success or size > MAX_BYTES:
                    why = f"HTTP {response.status_code}" if not response.is_success else "too large"
                    raise DirectoryUnavailable(f"the practice directory at {safe_url(url)} answered {why}")
                try:
                    bundle = json.loads(response.content)
                except ValueError:
                    raise DirectoryUnavailable(f"the practice directory at {safe_url(url)} is not JSON") from None
                if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
                    raise DirectoryUnavailable(f"the practice directory at {safe_url(url)} is not a FHIR Bundle")
                for practice in practices_from_bundle(bundle, self._hosts):
                    practices.setdefault(practice.code, practice)
                url = self._next(bundle, url, seen)
        self._write(list(practices.values()))
        logger.info("practice directory fetched practices=%d", len(practices))
        return list(practices.values())

    def _next(self, bundle: dict[str, Any], current: str, seen: set[str]) -> str | None:
        for link in bundle.get("link") or []:
            if isinstance(link, dict) and link.get("relation") == "next" and isinstance(link.get("url"), str):
                target = urljoin(current, str(link["url"]))
                if same_origin(target, self.url) and target not in seen:
                    return target
        return None

    def _write(self, practices: list[Practice]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = {"url": self.url, "fetched_at": self._clock(), "practices": [p.to_json() for p in practices]}
        partial = self.path.with_suffix(".partial")
        descriptor = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(body, handle, separators=(",", ":"))
        partial.replace(self.path)
