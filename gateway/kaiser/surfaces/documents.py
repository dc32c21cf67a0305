"""The portal's document download, shared by message attachments and result PDFs (KAISER_API.md §2.4.4, §2.6.3).

A ``documents/viewer`` details call names the ``downloadUrl`` (relative to the region prefix, e.g.
``/mychartcn``) and the document's display name and MIME type; a ``GET`` of that URL returns the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient


@dataclass(frozen=True)
class DownloadedFile:
    content: bytes
    content_type: str | None
    """The download's Content-Type, else the details' ``mimeType``."""
    display_name: str | None


@dataclass(frozen=True)
class DocumentRequest:
    """Where a download is asked from: the surface that owns it, its page, and the details action."""

    surface: str
    page: str
    details_action: str
    """``GetDocumentDetails`` or ``GetDocumentDetailsLegacy``."""
    accept: str


async def download_document(
    client: PortalClient, request: DocumentRequest, csrf: str, dcs_id: str, extension: str
) -> DownloadedFile:
    """The details call for the download URL, then the bytes (possibly empty: the caller judges them)."""
    details = await client.mychart_post_json(
        f"api/documents/viewer/{request.details_action}",
        {"dcsId": dcs_id, "fileExtension": extension, "organizationId": "", "useOldMobileLink": False},
        surface=request.surface,
        key=request.details_action,
        referer_path=request.page,
        csrf=csrf,
    )
    url = details.get("downloadUrl") if isinstance(details, dict) else None
    if not isinstance(url, str) or not url.startswith("/"):
        reason = f"no relative downloadUrl (type: {type(url).__name__})"
        raise MalformedPayload(request.surface, request.details_action, reason)
    response = await client.get_bytes(
        client.mychart_url(url), surface=request.surface, accept=request.accept, referer_path=request.page
    )
    content_type = response.headers.get("content-type", "").split(";")[0].strip() or None
    mime = details.get("mimeType")
    display = details.get("displayName")
    return DownloadedFile(
        content=response.content,
        content_type=content_type or (mime if isinstance(mime, str) else None),
        display_name=display if isinstance(display, str) else None,
    )
