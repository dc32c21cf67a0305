"""Content negotiation: FHIR JSON only (``_format`` and ``Accept``), raw bytes for Binary when asked."""

from __future__ import annotations

from starlette.requests import Request

from gateway.facade.errors import NotAcceptableError

_JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json", "application/json+fhir"})
_JSON_MEDIA = ("application/fhir+json", "application/json", "application/json+fhir", "*/*", "application/*")


def _media_types(accept: str) -> list[str]:
    return [part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()]


def require_fhir_json(request: Request) -> None:
    """Raise ``NotAcceptableError`` (406) unless the client accepts FHIR JSON (``_format`` wins over Accept)."""
    fmt = request.query_params.get("_format")
    if fmt is not None:
        if fmt.split(";")[0].strip().lower() not in _JSON_FORMATS:
            raise NotAcceptableError(f"_format={fmt!r} is not supported; this server speaks FHIR JSON only")
        return
    media = _media_types(request.headers.get("accept", ""))
    if media and not any(m in _JSON_MEDIA for m in media):
        raise NotAcceptableError("Accept must allow application/fhir+json; this server speaks FHIR JSON only")


def wants_raw_binary(request: Request) -> bool:
    """True when a Binary read should answer with the content itself (Accept is not FHIR JSON, no _format)."""
    if "_format" in request.query_params:
        return False
    media = _media_types(request.headers.get("accept", ""))
    return not any(m in ("application/fhir+json", "application/json", "application/json+fhir") for m in media)
