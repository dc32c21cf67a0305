from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.record_out.two_sources import TwoSourceHome, two_source_home


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoSourceHome]:
    with two_source_home(Path(tmp_path_factory.mktemp("two"))) as home:
        yield home
