"""`fhirgate status` calls a last sync "in the future" (the clock went back since) stale, not fresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fhirgate.commands.status import kaiser_status
from fhirgate.settings import Settings
from gateway.store import SurfaceState

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("synced", "state"), [(NOW - timedelta(hours=2), "synced"), (NOW + timedelta(days=30), "synced (stale)")]
)
def test_a_sync_in_the_future_is_stale(tmp_path: Path, synced: datetime, state: str) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path)})
    surface = SurfaceState("profile", synced, synced, None, (), ("Patient",))
    assert kaiser_status(settings, True, [surface], NOW).state == state
