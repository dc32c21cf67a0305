"""The append-only audit log of writes: one JSON line per preview, commit and failure.

Lines carry intent and outcome, never message text, card data or contact details: values of
sensitive keys are replaced by ``[redacted]`` before anything is written. A failure to write the
audit line is logged and never breaks the call (the portal call itself is what the user asked for).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("fhirgate.audit")

_SENSITIVE_FRAGMENTS = (
    "token",
    "card",
    "last4",
    "expir",
    "email",
    "phone",
    "mobile",
    "street",
    "address",
    "placer",
    "ssn",
    "subject",
    "body",
    "text",
    "password",
    "cookie",
)


def redact(value: Any) -> Any:
    """Replace the values of sensitive keys (case-insensitive, anywhere in the structure)."""
    if isinstance(value, Mapping):
        return {
            key: "[redacted]" if any(f in str(key).lower() for f in _SENSITIVE_FRAGMENTS) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def _private_directory(path: Path) -> object:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


class AuditLog:
    def __init__(
        self,
        path: Path,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        make_directory: Callable[[Path], object] = _private_directory,
    ) -> None:
        """``make_directory`` creates the log's directory before each line (the home's composition passes
        its own, which also tightens a directory that already exists)."""
        self.path = path
        self._clock = clock
        self._make_directory = make_directory

    def append(self, operation: str, phase: str, **fields: Any) -> None:
        event = {"ts": self._clock().isoformat(timespec="seconds"), "operation": operation, "phase": phase}
        event.update(redact(fields))
        line = json.dumps(event, sort_keys=True, default=str) + "\n"
        try:
            self._make_directory(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode())
            finally:
                os.close(fd)
        except OSError as exc:
            log.error("event=audit_write_failed path=%s error=%s", self.path, type(exc).__name__)

    def events(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]
