"""The sandbox kp.org with one surface's JSON answers perturbed on the way out, and a store check.

The sandbox keeps every contract real (sign-in, CSRF, page nonces, paging); only the bodies of the
chosen surface's JSON answers are edited, so the fetchers, the sync surface, the translators and the
store all meet the hostile payload exactly as they would meet a drifting portal.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.fuzz.perturbations import Edit, perturbed

SURFACE_PATHS: dict[str, tuple[str, ...]] = {
    "profile": ("/mycare/v1.0/user",),
    "test-results": ("api/test-results/Get", "documents/viewer/GetDocumentDetails"),
    "medications": ("rxDetails", "orderStatus", "orderDetails"),
    "relationships": ("Relationships/GetRelationshipList",),
    "care-team": ("CareTeam/Load",),
    "messages": ("api/conversations/", "GetDocumentDetailsLegacy"),
    "access-logs": ("api/access-logs/",),
    "problems": ("HealthIssues/LoadListData",),
    "allergies": ("Allergies/LoadListData",),
    "appointments": ("VisitsList/Load",),
    "visit-notes": ("past-details/", "api/visit-notes/", "report-content/", "viewer/GetDocumentDetails"),
    "implants": ("implants/GetImplants",),
    "upcoming-orders": ("upcoming-orders/",),
}
"""Path parts of each surface's JSON calls (the same selector style as the sandbox's fault switches)."""


@dataclass
class Perturbation:
    """What the middleware does now: which surface's answers to edit, and how."""

    surface: str = ""
    edits: Sequence[Edit] = ()
    served: int = 0

    def applies_to(self, path: str) -> bool:
        return bool(self.edits) and any(part in path for part in SURFACE_PATHS.get(self.surface, ()))


class PerturbingMiddleware:
    def __init__(self, app: ASGIApp, perturbation: Perturbation) -> None:
        self.app = app
        self.perturbation = perturbation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.perturbation.applies_to(scope["path"]):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def rewrite(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = self._edited(start, b"".join(chunks))
            headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)

    def _edited(self, start: Message, body: bytes) -> bytes:
        content_type = dict(start["headers"]).get(b"content-type", b"")
        if start["status"] != 200 or b"json" not in content_type:
            return body
        try:
            document = json.loads(body)
        except ValueError:
            return body
        self.perturbation.served += 1
        return json.dumps(perturbed(document, self.perturbation.edits)).encode()


@dataclass(frozen=True)
class StoreSnapshot:
    """Every stored resource's surface, version and content hash, and every surface's sync state."""

    resources: dict[tuple[str, str], tuple[str, int, str]] = field(default_factory=dict)
    sync_state: dict[str, str] = field(default_factory=dict)

    @classmethod
    def take(cls, path: Path) -> StoreSnapshot:
        with sqlite3.connect(path) as conn:
            rows = conn.execute("SELECT resource_type, id, source, version_id, content_hash FROM resources").fetchall()
            states = conn.execute("SELECT surface, state FROM sync_state").fetchall()
        return cls({(t, i): (s, v, h) for t, i, s, v, h in rows}, {str(s): str(state) for s, state in states})

    def changed(self, later: StoreSnapshot) -> list[tuple[str, str]]:
        return [key for key, value in later.resources.items() if self.resources.get(key) != value]

    def of_surface(self, surface: str) -> tuple[dict[tuple[str, str], tuple[str, int, str]], str | None]:
        """What ``surface`` owns: its resources and its sync state."""
        owned = {key: value for key, value in self.resources.items() if value[0] == surface}
        return owned, self.sync_state.get(surface)


def integrity_problems(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` findings plus resources whose current version is missing from history."""
    with sqlite3.connect(path) as conn:
        found = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
        unhistoried = conn.execute(
            "SELECT r.resource_type, r.id FROM resources r LEFT JOIN resource_history h"
            " ON h.resource_type = r.resource_type AND h.id = r.id AND h.version_id = r.version_id"
            " WHERE h.id IS NULL"
        ).fetchall()
    return [line for line in found if line != "ok"] + [f"no history row for {t}/{i}" for t, i in unhistoried]


def stored_json(path: Path, keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    with sqlite3.connect(path) as conn:
        return [
            json.loads(conn.execute("SELECT json FROM resources WHERE resource_type = ? AND id = ?", key).fetchone()[0])
            for key in keys
        ]
