"""Registered SMART apps (``fhirgate apps add|list|remove``): public clients, and confidential ones with
a secret (client_secret_basic) shown once and stored as a digest."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from gateway.smart_server.database import SmartDatabase, digest

__all__ = ["AppRegistry", "NewApp", "RegisteredApp"]


@dataclass(frozen=True)
class RegisteredApp:
    name: str
    client_id: str
    redirect_uris: tuple[str, ...]
    confidential: bool


@dataclass(frozen=True)
class NewApp:
    app: RegisteredApp
    client_secret: str | None
    """Shown once; only its digest is kept."""


def _redirect_ok(uri: str) -> bool:
    return uri.startswith(("https://", "http://127.0.0.1:", "http://localhost:", "http://[::1]:")) and "#" not in uri


class AppRegistry:
    def __init__(self, database: SmartDatabase) -> None:
        self._db = database

    def add(self, name: str, redirect_uris: list[str], *, confidential: bool) -> NewApp:
        if not name or len(name) > 64:
            raise ValueError("an app name is 1 to 64 characters")
        if not redirect_uris or not all(_redirect_ok(uri) for uri in redirect_uris):
            raise ValueError("redirect URIs must be https:// or http:// on loopback (127.0.0.1, localhost)")
        client_id = secrets.token_urlsafe(16)
        secret = secrets.token_urlsafe(32) if confidential else None
        with self._db.connect() as conn:
            if conn.execute("SELECT 1 FROM apps WHERE name = ?", (name,)).fetchone():
                raise ValueError(f"an app named {name!r} is already registered")
            conn.execute(
                "INSERT INTO apps VALUES (?, ?, ?, ?, ?)",
                (name, client_id, digest(secret) if secret else None, json.dumps(redirect_uris), time.time()),
            )
        return NewApp(RegisteredApp(name, client_id, tuple(redirect_uris), confidential), secret)

    def list(self) -> list[RegisteredApp]:
        with self._db.connect() as conn:
            rows = conn.execute(
                "SELECT name, client_id, redirect_uris, secret_digest FROM apps ORDER BY name"
            ).fetchall()
        return [RegisteredApp(n, c, tuple(json.loads(r)), s is not None) for n, c, r, s in rows]

    def remove(self, name: str) -> bool:
        """Forget the app and every token it holds."""
        with self._db.connect() as conn:
            row = conn.execute("SELECT client_id FROM apps WHERE name = ?", (name,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM apps WHERE name = ?", (name,))
            conn.execute("DELETE FROM tokens WHERE client_id = ?", (row[0],))
            conn.execute("DELETE FROM codes WHERE client_id = ?", (row[0],))
        return True

    def by_client_id(self, client_id: str) -> RegisteredApp | None:
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT name, client_id, redirect_uris, secret_digest FROM apps WHERE client_id = ?", (client_id[:64],)
            ).fetchone()
        return None if row is None else RegisteredApp(row[0], row[1], tuple(json.loads(row[2])), row[3] is not None)

    def secret_ok(self, client_id: str, secret: str) -> bool:
        with self._db.connect() as conn:
            row = conn.execute("SELECT secret_digest FROM apps WHERE client_id = ?", (client_id[:64],)).fetchone()
        return row is not None and row[0] is not None and secrets.compare_digest(row[0], digest(secret))
