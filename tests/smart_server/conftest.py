from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.smart_server.harness import SmartHome, smart_home


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmartHome]:
    with smart_home(Path(tmp_path_factory.mktemp("smart-home"))) as home:
        yield home
