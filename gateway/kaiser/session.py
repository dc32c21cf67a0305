"""A signed-in portal session: the browser's cookies and user agent, handed to the HTTP client."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx2

from gateway.secret_store import SecretStorage

SESSION_SECRET_NAME = "kaiser-session"


@dataclass(frozen=True)
class PortalSession:
    cookies: tuple[dict[str, Any], ...]
    user_agent: str
    meta: dict[str, str] = field(default_factory=dict)

    def cookie_jar(self) -> httpx2.Cookies:
        jar = httpx2.Cookies()
        for cookie in self.cookies:
            jar.set(
                str(cookie["name"]),
                str(cookie["value"]),
                domain=str(cookie.get("domain", "")).lstrip("."),
                path=str(cookie.get("path") or "/"),
            )
        return jar

    def to_json(self) -> str:
        return json.dumps({"cookies": list(self.cookies), "user_agent": self.user_agent, "meta": self.meta})

    @classmethod
    def from_json(cls, text: str) -> PortalSession:
        data = json.loads(text)
        return cls(cookies=tuple(data["cookies"]), user_agent=str(data["user_agent"]), meta=dict(data.get("meta", {})))

    def __repr__(self) -> str:  # never show cookie values
        return f"PortalSession(cookies={len(self.cookies)}, user_agent={self.user_agent!r})"


def save_session(secrets: SecretStorage, session: PortalSession) -> None:
    secrets.set(SESSION_SECRET_NAME, session.to_json())


def load_session(secrets: SecretStorage) -> PortalSession | None:
    text = secrets.get(SESSION_SECRET_NAME)
    if not text:
        return None
    try:
        return PortalSession.from_json(text)
    except (ValueError, KeyError, TypeError):
        return None
