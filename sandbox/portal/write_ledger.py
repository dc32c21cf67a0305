"""What the sandbox portal's write endpoints did: sent messages and placed orders, for tests and the demo.

``fail_at`` names one write step (one of ``WRITE_STEPS``) that answers like the real portal's silent
failures do (HTTP 200 with an error code, §3.3), so a chain that fails halfway can be exercised; the
``write-fail`` fault switch does the same from the command line.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["WRITE_STEPS", "WriteLedger"]

WRITE_STEPS = ("SaveMedicalAdviceRequestDraft", "SendMedicalAdviceRequest", "placeorderMail")
"""The write steps that can be told to fail: the message chain's draft and send, the refill order."""


@dataclass
class WriteLedger:
    sent_messages: list[dict[str, Any]] = field(default_factory=list)
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)
    compose_ids: set[str] = field(default_factory=set)
    placed_orders: list[dict[str, Any]] = field(default_factory=list)
    carts: list[str] = field(default_factory=list)
    fail_at: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, bucket: list[dict[str, Any]], item: dict[str, Any]) -> None:
        with self._lock:
            bucket.append(item)
