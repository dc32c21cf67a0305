"""Ids that cannot collide across sources: a practice's resources get ids prefixed with the source's name
(``valley-clinic.123``), every reference to that practice's resources is rewritten the same way, and
``meta.source`` names the source. Kaiser's resources keep fhirgate's own ids (32 hex digits, never a dot).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")
_RELATIVE = re.compile(r"([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})((?:/_history/[A-Za-z0-9\-.]{1,64})?)")
_MAX_ID = 64
_MAX_PREFIX = 24


def source_uri(name: str) -> str:
    """``meta.source`` of a practice's resources: ``urn:fhirgate:practice:<name>``."""
    return f"urn:fhirgate:practice:{_UNSAFE.sub('-', name)}"


class SourceNamespace:
    """Rewrites one practice's resources into ids and references of their own namespace."""

    def __init__(self, name: str, base_url: str) -> None:
        self.prefix = (_UNSAFE.sub("-", name).strip("-") or "source")[:_MAX_PREFIX]
        self.base_url = base_url.rstrip("/")
        self.source = source_uri(name)

    def resource_id(self, original: str) -> str:
        """``<prefix>.<id>``, or ``<prefix>.<digest>`` when that would pass the 64 characters of a FHIR id."""
        namespaced = f"{self.prefix}.{original}"
        if len(namespaced) <= _MAX_ID:
            return namespaced
        return f"{self.prefix}.{hashlib.sha256(original.encode()).hexdigest()[:32]}"

    def reference(self, value: str, *, only_type: str | None = None) -> str:
        """A relative ``Type/id`` (or this source's absolute URL for one) in the namespace; others unchanged."""
        relative = value
        if value.startswith(self.base_url + "/"):
            relative = value[len(self.base_url) + 1 :]
        match = _RELATIVE.fullmatch(relative)
        if match is None or (only_type is not None and match.group(1) != only_type):
            return value
        return f"{match.group(1)}/{self.resource_id(match.group(2))}{match.group(3)}"

    def rewrite(self, resource: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``resource`` with its id, references, attachment links and ``meta.source`` rewritten."""
        copied: dict[str, Any] = self._walk(resource)
        if isinstance(resource.get("id"), str):
            copied["id"] = self.resource_id(resource["id"])
        meta = dict(copied.get("meta") or {})
        meta["source"] = self.source
        meta.pop("versionId", None)  # the practice's version numbers mean nothing outside it
        copied["meta"] = meta
        return copied

    def _walk(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self._field(key, item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._walk(item) for item in value]
        return value

    def _field(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            if key == "reference":
                return self.reference(value)
            if key == "url":  # an attachment's link to the source's Binary; never an extension's canonical URL
                return self.reference(value, only_type="Binary")
            return value
        return self._walk(value)
