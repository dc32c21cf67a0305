"""The reviewed list of portal leaves fhirgate does not carry (``dropped.toml``) and of code translations.

``[[drop]]``: a path pattern (optionally one value) and why the leaf is not in the FHIR output. ``[[map]]``: a
leaf whose value appears in the output translated (``values``: portal value -> FHIR value) under ``element``.
Patterns are leaf paths such as ``detail.results[].orderMetadata.resultStatus``; ``*`` matches anything.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

__all__ = ["DROPPED_TOML", "DropRule", "FidelityRules", "MapRule", "load_rules"]

DROPPED_TOML = Path(__file__).resolve().parent / "dropped.toml"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")))


@dataclass(frozen=True)
class DropRule:
    surface: str
    path: str
    reason: str
    value: str | None = None

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.path)

    def covers(self, surface: str, path: str, value: object) -> bool:
        if surface != self.surface or not self.regex.fullmatch(path):
            return False
        return self.value is None or str(value) == self.value


@dataclass(frozen=True)
class MapRule:
    surface: str
    path: str
    element: str
    reason: str
    values: dict[str, str] = field(default_factory=dict)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.path)

    def covers(self, surface: str, path: str) -> bool:
        return surface == self.surface and self.regex.fullmatch(path) is not None

    def expected(self, value: object) -> str:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return self.values.get(text, text)


@dataclass(frozen=True)
class FidelityRules:
    drops: tuple[DropRule, ...] = ()
    maps: tuple[MapRule, ...] = ()
    _by_path: dict[tuple[str, str], tuple[tuple[DropRule, ...], MapRule | None]] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Rules per (surface, leaf path): paths repeat for every list item, patterns are matched once."""

    def _rules(self, surface: str, path: str) -> tuple[tuple[DropRule, ...], MapRule | None]:
        key = (surface, path)
        if key not in self._by_path:
            drops = tuple(rule for rule in self.drops if rule.surface == surface and rule.regex.fullmatch(path))
            mapped = next((rule for rule in self.maps if rule.covers(surface, path)), None)
            self._by_path[key] = (drops, mapped)
        return self._by_path[key]

    def dropped(self, surface: str, path: str, value: object) -> DropRule | None:
        return next((rule for rule in self._rules(surface, path)[0] if rule.covers(surface, path, value)), None)

    def mapped(self, surface: str, path: str) -> MapRule | None:
        return self._rules(surface, path)[1]


def load_rules(path: Path = DROPPED_TOML) -> FidelityRules:
    """Parse ``dropped.toml``; every entry needs a surface, a path and a reason."""
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    drops = tuple(DropRule(**entry) for entry in data.get("drop", []))
    maps = tuple(MapRule(**entry) for entry in data.get("map", []))
    entries: tuple[DropRule | MapRule, ...] = (*drops, *maps)
    for rule in entries:
        if not rule.reason.strip():
            raise ValueError(f"{path.name}: {rule.surface} {rule.path} has no reason")
    return FidelityRules(drops, maps)
