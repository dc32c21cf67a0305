"""What the security suite checks after every command that writes: nothing under ``FHIRGATE_HOME`` is
readable by other users (directories 0700, files 0600; the browser profile is Chromium's own, inside a
0700 directory, so only its top is checked)."""

from __future__ import annotations

from pathlib import Path

BROWSER_PROFILE = "browser"


def loose_paths(home: Path) -> list[str]:
    """Every path under ``home`` (and ``home`` itself) whose mode lets anyone but the owner in."""
    loose = []
    for path in [home, *sorted(home.rglob("*"))]:
        relative = path.relative_to(home)
        if relative.parts[:1] == (BROWSER_PROFILE,) and len(relative.parts) > 1:
            continue
        wanted = 0o700 if path.is_dir() else 0o600
        mode = path.stat().st_mode & 0o777
        if mode & ~wanted:
            loose.append(f"{relative or '.'} {oct(mode)}")
    return loose
