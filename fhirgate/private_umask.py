"""The process umask: whatever fhirgate or a dependency (Chromium, SQLite's WAL, a log handler) creates
is the owner's alone — directories 0700, files 0600 — even where no explicit mode is passed."""

from __future__ import annotations

import os

PRIVATE_UMASK = 0o077


def make_new_files_private() -> None:
    """Set the private umask for this process and the children it starts (DESIGN.md §8)."""
    os.umask(PRIVATE_UMASK)
