"""The scheduled sync's last outcome, kept in ``watch.json`` in the home: written by `fhirgate watch` (or
`serve --sync-every`), read by `fhirgate status` and the overview page. Light to import (no store)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["STATE_FILE", "WatchState", "home_watch_note", "read_watch_state", "watch_line", "write_watch_state"]

STATE_FILE = "watch.json"


@dataclass(frozen=True)
class WatchState:
    state: str
    """``ok``, ``failed``, ``login required`` or ``busy`` (another sync held the lock)."""
    message: str
    last_run: str
    next_run: str | None


def read_watch_state(home: Path) -> WatchState | None:
    try:
        data = json.loads((home / STATE_FILE).read_text(encoding="utf-8"))
        return WatchState(str(data["state"]), str(data["message"]), str(data["last_run"]), data.get("next_run"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def watch_line(state: WatchState) -> str:
    """One line for `fhirgate status` and the overview page: the last scheduled sync and what comes next."""
    last = state.last_run[:16].replace("T", " ")
    if state.next_run is None:
        return f"{state.message} (since {last} UTC)"
    return f"{state.message} at {last} UTC; next around {state.next_run[:16].replace('T', ' ')} UTC"


def write_watch_state(home: Path, state: WatchState) -> None:
    path = home / STATE_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(state)), encoding="utf-8")
    os.replace(temporary, path)


def home_watch_note(home: Path) -> str | None:
    """The overview page's line about the scheduled sync; None when no watcher ever ran for this home."""
    state = read_watch_state(home)
    return None if state is None else watch_line(state)
