"""What the security suite checks after every command that writes: nothing under ``FHIRGATE_HOME`` is
readable by other users (directories 0700, files 0600), all the way down — Chromium keeps no profile
there any more, and the process umask (0077) covers whatever a dependency creates."""

from __future__ import annotations

from pathlib import Path


def loose_paths(home: Path) -> list[str]:
    """Every path under ``home`` (and ``home`` itself) whose mode lets anyone but the owner in."""
    loose = []
    for path in [home, *sorted(home.rglob("*"))]:
        if path.is_symlink():
            continue
        wanted = 0o700 if path.is_dir() else 0o600
        mode = path.stat().st_mode & 0o777
        if mode & ~wanted:
            loose.append(f"{path.relative_to(home) or '.'} {oct(mode)}")
    return loose
