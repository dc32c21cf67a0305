from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gateway.store import SqliteStore

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore.open(tmp_path / "home" / "store.db")
    yield opened
    opened.close()
