"""The anti-forgery tokens and page nonces a portal client holds: which are current, and their replacements.

A token is current while it was issued under the live session and the portal has not refused it. Any
other token is swapped, on its next use, for one fresh replacement shared by every caller holding it:
after a re-login (a new session has new tokens), or after the portal bounced a call carrying it to
FiveHundred (the tokens' lifetime is unknown, KAISER_API.md §1.6). So callers may keep a token as long
as they like, and many calls may share one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping

CSRF_HEADER = "__RequestVerificationToken"
_RETIRED = -1
"""The generation of a token the portal refused: never current."""

Fetch = Callable[[str], Awaitable[str]]


class HeldTokens:
    def __init__(self) -> None:
        self._issued: dict[str, int] = {}
        """Session generation each token was issued under."""
        self._replacements: dict[str, str] = {}
        self._lock = asyncio.Lock()

    def issued(self, token: str, generation: int) -> str:
        self._issued[token] = generation
        return token

    async def refresh(
        self, headers: dict[str, str], content: str | None, page: str, generation: int, csrf: Fetch, nonce: Fetch
    ) -> str | None:
        """Swap a call's stale token (in ``headers``, in place) and page nonce (in the returned ``content``)
        for current ones; ``page`` is the call's Referer page, which a replacement is fetched for."""
        token = headers.get(CSRF_HEADER)
        if token is not None:
            headers[CSRF_HEADER] = await self._current(token, page, generation, csrf)
        held = _page_nonce(content)
        if held is not None:
            body, stale = held
            fresh = await self._current(stale, page.split("?")[0], generation, nonce)
            if fresh != stale:
                content = json.dumps({**body, "PageNonce": fresh})
        return content

    def retire(self, headers: Mapping[str, str], content: str | None) -> bool:
        """Mark a refused call's token and page nonce as stale; False when it carried no token this client
        fetched (a caller sending a made-up token has a bug a retry must not hide)."""
        held = _page_nonce(content)
        tokens = [token for token in (headers.get(CSRF_HEADER), held[1] if held else None) if token is not None]
        if CSRF_HEADER not in headers or not all(token in self._issued for token in tokens):
            return False
        for token in tokens:
            self._issued[token] = _RETIRED
        return True

    async def _current(self, token: str, page: str, generation: int, fetch: Fetch) -> str:
        """``token`` when it is current, else one fresh replacement shared by all callers."""
        if self._issued.get(token, generation) == generation:
            return token
        async with self._lock:
            replacement = self._replacements.get(token)
            if replacement is None or self._issued.get(replacement) != generation:
                replacement = await fetch(page)
                self._replacements[token] = replacement
        return replacement


def _page_nonce(content: str | None) -> tuple[dict[str, object], str] | None:
    """The JSON body and the ``PageNonce`` it carries, if any."""
    if content is None or '"PageNonce"' not in content:
        return None
    body = json.loads(content)
    nonce = body.get("PageNonce") if isinstance(body, dict) else None
    return (body, nonce) if isinstance(nonce, str) else None
