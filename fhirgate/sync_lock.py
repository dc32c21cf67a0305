"""One sync of a home at a time, across processes: an exclusive, non-blocking ``flock`` on ``sync.lock`` in
the home. The kernel drops the lock when its holder exits, however it exits, so a crash never leaves a
stale lock behind."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["ALREADY_RUNNING", "SyncAlreadyRunning", "home_sync_lock"]

ALREADY_RUNNING = "a sync is already running for this home"
LOCK_NAME = "sync.lock"


class SyncAlreadyRunning(Exception):
    def __init__(self) -> None:
        super().__init__(ALREADY_RUNNING)


@contextmanager
def home_sync_lock(home: Path) -> Iterator[None]:
    """Hold the home's sync lock for the block; ``SyncAlreadyRunning`` at once when another holds it."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncAlreadyRunning from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
