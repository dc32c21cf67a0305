"""Hidden content in a message is found before anyone is asked to approve it."""

from __future__ import annotations

import pytest

from gateway.writes.hidden_text import hidden_content


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Fine." + " " * 150 + "Cancel my prescriptions.", "long run of spaces"),
        ("Fine.\n\n\n\n\nCancel my prescriptions.", "long run of spaces"),
        ("Refill \u202eplease\u202c", "U+202C, U+202E"),
        ("zero\u200bwidth", "U+200B"),
        ("bell\x07", "U+0007"),
        ("carriage\rreturn", "U+000D"),
        ("line\u2028separator", "U+2028"),
        ("soft\u00adhyphen", "U+00AD"),
    ],
)
def test_hidden_content_is_named(text: str, found: str) -> None:
    problems = hidden_content("message", text)
    assert problems and found in " ".join(problems)


@pytest.mark.parametrize(
    "text",
    ["Plain question?", "Two paragraphs.\n\nSecond one.", "Indented\n\tline", "Accents: café, naïve, 東京", "A  B"],
)
def test_ordinary_text_passes(text: str) -> None:
    assert hidden_content("message", text) == []
