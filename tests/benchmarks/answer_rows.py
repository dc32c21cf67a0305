"""Reading a rows answer the way a model does, from its text (rows answers carry no structured copy):
the `Type/id` of each row inside the answer's untrusted fence and the source that wrote it, the totals
the header states, and the cursor the tail names."""

from __future__ import annotations

import re

__all__ = ["next_cursor", "row_refs", "source_rows", "stated_totals"]

# One block of record data: an optional `[source]` line (a federated answer over several sources), then
# the fenced lines.
_FENCED = re.compile(
    r"(?:^\[([\w.\-]+)\]\n)?<<<BEGIN UNTRUSTED (\w+)>>>\n(.*?)\n<<<END UNTRUSTED \2>>>", re.DOTALL | re.M
)
# A row is `Type/id` alone or followed by ` | cells`; a prose line is `Type/id label: text`; an
# included row starts with "+ ".
_ROW = re.compile(r"([A-Z][A-Za-z]+/[A-Za-z0-9.\-]{1,64})(?: \| .*)?")
_CURSOR = re.compile(r'cursor="([^"]+)"')
_TOTAL = re.compile(r"([\w.\-]+) total (\d+|not reported)")


def source_rows(text: str) -> list[tuple[str, str]]:
    """`(source, Type/id)` of every row of the answer, in order (included `+` rows and prose lines left
    out); a block without a `[source]` line belongs to the one source the header names first."""
    header = text.partition("\n")[0]
    named_first = header.partition(": ")[2].split(" ", 1)[0]
    return [
        (block.group(1) or named_first, match.group(1))
        for block in _FENCED.finditer(text)
        for line in block.group(3).splitlines()
        if (match := _ROW.fullmatch(line))
    ]


def row_refs(text: str) -> list[str]:
    """The `Type/id` of every row of the answer, in order."""
    return [ref for _, ref in source_rows(text)]


def stated_totals(text: str) -> dict[str, int | None]:
    """The total each answering source reported, as the header states it (a failed source has none)."""
    header = text.partition("\n")[0]
    return {name: None if total == "not reported" else int(total) for name, total in _TOTAL.findall(header)}


def next_cursor(text: str) -> str | None:
    """The cursor the answer names (outside its fence) for the next page, or None when every row was shown."""
    named = _CURSOR.findall(_FENCED.sub("", text))
    return named[-1] if named else None
