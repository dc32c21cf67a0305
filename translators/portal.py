"""Reading untrusted portal JSON: typed accessors that record a warning instead of raising.

A :class:`PortalNode` wraps one value found at a dotted path. Navigating into something that is not an
object or list, or reading a value of the wrong type, yields "absent" and appends one
:class:`~translators.types.TranslationWarning` to the :class:`WarningLog`; a key that is simply missing
or ``null`` is absent without a warning, because the portal omits optional fields all the time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from translators.dates import DateParseError, fhir_date
from translators.types import TranslationWarning

_INTEGER_TEXT = re.compile(r"[+-]?\d+")


class WarningLog:
    """Collects warnings for one portal item (``surface`` + the item's Kaiser ``key``)."""

    def __init__(self, surface: str, key: str = "", warnings: list[TranslationWarning] | None = None) -> None:
        self.surface = surface
        self.key = key
        self.warnings: list[TranslationWarning] = [] if warnings is None else warnings

    def warn(self, field: str, message: str) -> None:
        self.warnings.append(TranslationWarning(self.surface, self.key, field, message))

    def for_key(self, key: str) -> WarningLog:
        """A log for another item of the same surface, appending to the same list."""
        return WarningLog(self.surface, key, self.warnings)


class PortalNode:
    """One value of the raw portal payload, with its path (for warnings) and typed readers."""

    def __init__(self, value: object, path: str, log: WarningLog) -> None:
        self.value = value
        self.path = path
        self.log = log

    @property
    def absent(self) -> bool:
        return self.value is None

    def _child_path(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str) -> PortalNode:
        """The member ``name``; absent when missing, or (with a warning) when this value is no object."""
        if isinstance(self.value, Mapping):
            return PortalNode(self.value.get(name), self._child_path(name), self.log)
        if self.value is not None:
            self.log.warn(self.path, f"expected an object, got {type(self.value).__name__}")
            self.value = None  # warn once per node, not once per member read
        return PortalNode(None, self._child_path(name), self.log)

    def items(self) -> list[PortalNode]:
        """The elements of a list; empty when absent, or (with a warning) when this value is no list."""
        if isinstance(self.value, list):
            return [PortalNode(item, f"{self.path}[{index}]", self.log) for index, item in enumerate(self.value)]
        if self.value is not None:
            self.log.warn(self.path, f"expected a list, got {type(self.value).__name__}")
        return []

    def first_item(self) -> PortalNode:
        """The first element of a list, or an absent node (quietly: :meth:`items` reports wrong types)."""
        if isinstance(self.value, list) and self.value:
            return PortalNode(self.value[0], f"{self.path}[0]", self.log)
        return PortalNode(None, f"{self.path}[0]", self.log)

    def is_object(self) -> bool:
        return isinstance(self.value, Mapping)

    def key_text(self) -> str | None:
        """Like :meth:`text`, but an integer is accepted as its decimal text (Kaiser's keys flip types)."""
        if isinstance(self.value, int) and not isinstance(self.value, bool):
            return str(self.value)
        return self.text()

    def text(self) -> str | None:
        """A non-blank string, stripped; anything else but ``null`` is warned about and treated as absent."""
        value = self.value
        if value is None:
            return None
        if isinstance(value, str):
            stripped = value.strip()
            return stripped or None
        self.log.warn(self.path, f"expected a string, got {type(value).__name__}")
        return None

    def integer(self) -> int | None:
        """An integer, from a JSON integer, an integral float (``47.0``) or a string of digits (``"3"``)."""
        value = self.value
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            self.log.warn(self.path, "expected an integer, got bool")
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
            return int(value.strip())
        self.log.warn(self.path, f"expected an integer, got {value!r}")
        return None

    def boolean(self) -> bool | None:
        """A boolean, from JSON ``true``/``false`` or the strings ``"true"``/``"false"`` (e.g. ``mailable``)."""
        value = self.value
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self.log.warn(self.path, f"expected a boolean, got {value!r}")
        return None

    def number(self) -> Decimal | None:
        """A finite JSON number as a Decimal (via its shortest repr, so ``5.4`` stays ``5.4``); no warning."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return None
        try:
            return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:  # pragma: no cover - repr of a finite float always parses
            return None

    def date(self) -> str | None:
        """A FHIR ``date`` from any date shape Kaiser sends; a malformed one is warned about and absent."""
        try:
            return fhir_date(self.value)
        except DateParseError as error:
            self.log.warn(self.path, f"{error}; omitted")
            return None


def root(value: object, log: WarningLog) -> PortalNode:
    """The node for a whole payload."""
    return PortalNode(value, "", log)
