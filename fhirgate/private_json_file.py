"""A small private JSON object file that several fhirgate processes share (the secrets file fallback, the
keychain index): a change is a read-modify-write under an exclusive ``flock`` on ``<name>.lock``, written
to a 0600 temporary file, fsynced and moved over the old one with ``os.replace``. So no writer loses
another's entry and a reader sees the old or the new file, never half of one.

A file that is not what fhirgate wrote (not a JSON object of the expected shape, truncated, garbage) is
refused with one error naming it, never replaced: replacing it would drop whatever it still holds. A
file readable by other users is refused with the ``chmod`` that fixes it.
"""

from __future__ import annotations

import fcntl
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fhirgate.secret_errors import UnusableFileError
from fhirgate.settings import ensure_private_dir

JsonObject = dict[str, Any]
Shape = Callable[[JsonObject], bool]


class PrivateJsonFile:
    def __init__(self, path: Path, shape: Shape, what: str) -> None:
        self.path = path
        self._shape = shape
        self._what = what

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def mode(self) -> int | None:
        """The file's permission bits, or None when it does not exist."""
        try:
            return stat.S_IMODE(self.path.stat().st_mode)
        except FileNotFoundError:
            return None

    def read(self) -> JsonObject:
        """The file's object ({} when there is no file); raises UnusableFileError."""
        mode = self.mode()
        if mode is None:
            return {}
        if mode & 0o077:
            raise UnusableFileError(
                self.path, f"is readable by other users (mode {mode:04o})", f"run: chmod 600 {self.path}"
            )
        raw = self.path.read_bytes()
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            problem = "is empty" if not raw.strip() else "is truncated or not JSON"
            raise UnusableFileError(self.path, problem) from None
        if not isinstance(data, dict) or not self._shape(data):
            raise UnusableFileError(self.path, f"does not hold the {self._what} fhirgate writes")
        return data

    @contextmanager
    def updating(self) -> Iterator[JsonObject]:
        """The current object, to change in place; written back when the block ends without error."""
        ensure_private_dir(self.path.parent)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            data = self.read()
            yield data
            self._replace(data)
        finally:
            os.close(fd)  # closing releases the lock

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        self.lock_path.unlink(missing_ok=True)

    def _replace(self, data: JsonObject) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)
