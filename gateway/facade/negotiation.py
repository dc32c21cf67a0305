"""Content negotiation: FHIR JSON only (``_format`` and ``Accept``), raw bytes for Binary when asked."""

from __future__ import annotations

from starlette.requests import Request

from gateway.facade.errors import NotAcceptableError

_JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json", "application/json+fhir"})
_JSON_MEDIA = ("application/fhir+json", "application/json", "application/json+fhir", "*/*", "application/*")


_FHIR_VERSION = "4.0"
"""The FHIR version served (R4, 4.0.x); ``Accept: ...; fhirVersion=3.0`` asks for another one."""


def _media_types(accept: str) -> list[str]:
    return [part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()]


def _fhir_version(part: str) -> str | None:
    for parameter in part.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "fhirversion":
            return value.strip().strip('"')
    return None


def _acceptable(part: str) -> bool:
    version = _fhir_version(part)
    media = part.split(";")[0].strip().lower()
    return media in _JSON_MEDIA and (version is None or version == _FHIR_VERSION or version.startswith("4.0."))


def require_fhir_json(request: Request) -> None:
    """Raise ``NotAcceptableError`` (406) unless the client accepts FHIR JSON (``_format`` wins over Accept)."""
    fmt = request.query_params.get("_format")
    if fmt is not None:
        if fmt.split(";")[0].strip().lower() not in _JSON_FORMATS:
            raise NotAcceptableError(f"_format={fmt!r} is not supported; this server speaks FHIR JSON only")
        return
    accept = request.headers.get("accept", "")
    parts = [part for part in accept.split(",") if part.strip()]
    if parts and not any(_acceptable(part) for part in parts):
        if any(_fhir_version(part) is not None for part in parts):
            raise NotAcceptableError("this server speaks FHIR 4.0 (R4) only; Accept asked for another fhirVersion")
        raise NotAcceptableError("Accept must allow application/fhir+json; this server speaks FHIR JSON only")


def wants_raw_binary(request: Request) -> bool:
    """True when a Binary read should answer with the content itself (Accept is not FHIR JSON, no _format)."""
    if "_format" in request.query_params:
        return False
    media = _media_types(request.headers.get("accept", ""))
    return not any(m in ("application/fhir+json", "application/json", "application/json+fhir") for m in media)
