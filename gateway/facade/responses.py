"""``FhirJSONResponse``: FHIR JSON bodies, either built from dicts or served verbatim from stored text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

FHIR_JSON = "application/fhir+json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class JsonText:
    """JSON text that is already valid FHIR JSON (from the store): sent as-is, never re-parsed."""

    text: str


class FhirJSONResponse(JSONResponse):
    """A FHIR JSON response; pass a dict to serialize, or ``JsonText`` to send stored text unchanged."""

    media_type = FHIR_JSON

    def render(self, content: Any) -> bytes:
        if isinstance(content, JsonText):
            return content.text.encode("utf-8")
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
