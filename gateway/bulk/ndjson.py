"""NDJSON output: one ``<Type>.ndjson`` file per resource type, one compact resource per line.

Directories are created 0700 and files 0600 (they hold the record). Stored JSON text is written as it is,
never re-parsed; a line break inside it cannot occur (the store keeps compact JSON).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import IO, Self

NDJSON_SUFFIX = ".ndjson"


def private_dir(path: Path) -> Path:
    """``path`` (and parents) created 0700, tightened if it exists."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)
    return path


def private_file(path: Path, mode: str = "w") -> IO[str]:
    """Open ``path`` for text writing, created 0600 (truncated, or appended with ``mode="a"``)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode == "a" else os.O_TRUNC)
    handle = os.fdopen(os.open(path, flags, 0o600), mode, encoding="utf-8", newline="\n")
    path.chmod(0o600)
    return handle


class NdjsonFiles:
    """Writes resources into per-type NDJSON files under one directory and counts them.

    Use as a context manager; ``counts`` says how many lines each type's file holds, in the order the
    types were first seen.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = private_dir(directory)
        self.counts: dict[str, int] = {}
        self._files: dict[str, IO[str]] = {}

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def path_for(self, resource_type: str) -> Path:
        return self.directory / f"{resource_type}{NDJSON_SUFFIX}"

    def write(self, resource_type: str, json_text: str) -> None:
        handle = self._files.get(resource_type)
        if handle is None:
            handle = self._files[resource_type] = private_file(self.path_for(resource_type))
            self.counts[resource_type] = 0
        handle.write(json_text)
        handle.write("\n")
        self.counts[resource_type] += 1

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
