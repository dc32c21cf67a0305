from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bulk.small_record import SmallRecord, seed_small_record


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmallRecord]:
    record = seed_small_record(Path(tmp_path_factory.mktemp("small")) / "store.sqlite3")
    yield record
    record.store.close()
