"""`FHIRGATE_LOG_LEVEL` names the level every command logs at (to stderr); the CLI wiring is proved by
tests/crash/test_sync_sigkill.py, whose last `fhirgate sync` runs at DEBUG."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fhirgate.commands.mcp import _log_to_home
from fhirgate.log_level import log_level
from fhirgate.settings import Settings


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("DEBUG", logging.DEBUG),
        ("debug", logging.DEBUG),
        (" info ", logging.INFO),
        ("ERROR", logging.ERROR),
        ("", logging.WARNING),
        ("verbose", logging.WARNING),
        ("10", logging.WARNING),
    ],
)
def test_log_level_reads_the_variable_and_falls_back_to_warning(value: str, level: int) -> None:
    assert log_level({"FHIRGATE_LOG_LEVEL": value}) == level


def test_no_variable_means_warning() -> None:
    assert log_level({}) == logging.WARNING


@pytest.fixture
def clean_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    root.handlers = []
    yield root
    for handler in root.handlers:
        handler.close()
    root.setLevel(saved[0])
    root.handlers = saved[1]


@pytest.mark.parametrize(("value", "stderr_level", "file_level"), [("DEBUG", 10, 10), ("", 30, 20), ("ERROR", 40, 20)])
def test_the_mcp_server_logs_at_the_configured_level_to_stderr_and_its_log_file(
    clean_root: logging.Logger,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    stderr_level: int,
    file_level: int,
) -> None:
    monkeypatch.setenv("FHIRGATE_LOG_LEVEL", value)
    clean_root.addHandler(logging.StreamHandler(sys.stderr))  # what main()'s configure_logging adds
    _log_to_home(Settings.from_environ({"FHIRGATE_HOME": str(tmp_path)}))
    files = [h for h in clean_root.handlers if isinstance(h, logging.FileHandler)]
    streams = [h for h in clean_root.handlers if getattr(h, "stream", None) is sys.stderr]
    assert [h.level for h in streams] == [stderr_level] and [h.level for h in files] == [file_level]
    assert clean_root.level == min(stderr_level, file_level)
    assert (tmp_path / "logs" / "mcp.log").stat().st_mode & 0o777 == 0o600
