"""Validators and conditional reads: ``ETag``/``Last-Modified`` out, ``If-None-Match``/``If-Modified-Since`` in."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import Response

from gateway.store import StoredResource


def validators(stored: StoredResource) -> dict[str, str]:
    return {
        "ETag": f'W/"{stored.version_id}"',
        "Last-Modified": format_datetime(stored.last_updated, usegmt=True),
    }


def _etag_matches(header: str, version_id: int) -> bool:
    for tag in (t.strip() for t in header.split(",")):
        if tag == "*" or tag.removeprefix("W/").strip('"') == str(version_id):
            return True
    return False


def not_modified(request: Request, stored: StoredResource) -> Response | None:
    """A 304 when the client's copy is current (If-None-Match wins over If-Modified-Since), else None."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        fresh = _etag_matches(if_none_match, stored.version_id)
    else:
        since = request.headers.get("if-modified-since")
        if since is None:
            return None
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            return None
        fresh = stored.last_updated.replace(microsecond=0) <= moment
    return Response(status_code=304, headers=validators(stored)) if fresh else None
