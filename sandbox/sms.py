"""The sandbox's stand-in for the patient's phone: an outbox of "texted" sign-in codes.

The portal runs under uvicorn in another thread while the demo (asyncio code) reads codes, so every
access goes through one lock and waiting polls instead of sharing an event loop.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from dataclasses import dataclass

__all__ = ["SmsMessage", "SmsOutbox"]

logger = logging.getLogger("fhirgate.sandbox.sms")

_CODE = re.compile(r"\b(\d{6})\b")
_POLL_SECONDS = 0.02


@dataclass(frozen=True)
class SmsMessage:
    """One text message as the phone received it."""

    phone_last4: str
    text: str

    @property
    def code(self) -> str | None:
        """The 6-digit code in the text, if any."""
        match = _CODE.search(self.text)
        return match.group(1) if match else None


class SmsOutbox:
    """Thread-safe record of every text the sandbox sent, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[SmsMessage] = []

    def send(self, phone_last4: str, text: str) -> None:
        """Store the message and log it the way the phone would show it."""
        with self._lock:
            self._messages.append(SmsMessage(phone_last4, text))
        logger.info("sms to ***-%s: %s", phone_last4, text)

    def latest_code(self) -> str | None:
        """The code of the most recent message carrying one, or None."""
        with self._lock:
            messages = list(self._messages)
        for message in reversed(messages):
            if message.code is not None:
                return message.code
        return None

    def _first_code_from(self, index: int) -> str | None:
        with self._lock:
            messages = self._messages[index:]
        for message in messages:
            if message.code is not None:
                return message.code
        return None

    # The integrator's API takes a timeout; the deadline is needed anyway because the writer is another thread.
    async def wait_for_code(self, *, newer_than: int = 0, timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """Return the code of the first message with index >= ``newer_than``.

        ``newer_than`` is typically ``len(outbox)`` taken before the action that triggers a text.
        Raises ``TimeoutError`` when no such message arrives within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            code = self._first_code_from(max(newer_than, 0))
            if code is not None:
                return code
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no sign-in code texted within {timeout} s")
            await asyncio.sleep(_POLL_SECONDS)

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)
