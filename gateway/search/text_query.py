"""``_content``/``_text`` values -> SQLite FTS5 query expressions, with the user's words always quoted.

The syntax is the one R4 sketches for these parameters (``(bone OR liver) and metastases``): words and
``"quoted phrases"`` (all must match), ``OR``, ``AND``, ``NOT`` (binary: ``a NOT b``; upper case, so the
words "or"/"not" in a sentence stay words), parentheses, and ``word*`` for a prefix. Every word or phrase
reaches FTS5 as a quoted string, so FTS5 operators, column filters and special characters in the user's
text are never interpreted; a malformed expression (unbalanced quotes or parentheses, a dangling operator)
is an ``InvalidSearchError`` (400), never a database error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.search.errors import InvalidSearchError
from gateway.search.request import StringValue

__all__ = ["MAX_TEXT_QUERY", "TextValue", "text_value"]

MAX_TEXT_QUERY = 500
"""Characters in one text query (DESIGN.md §8: every input is bounded)."""

_TOKEN = re.compile(r'\s*(?:(?P<phrase>"[^"]*")|(?P<paren>[()])|(?P<word>[^\s"()]+))')
_OPERATORS = frozenset({"AND", "OR", "NOT"})
_WORD_CHARACTER = re.compile(r"\w")


@dataclass(frozen=True, slots=True)
class TextValue(StringValue):
    """One text search value (R4 types ``_content``/``_text`` as string): ``text`` is the FTS5 expression,
    built only from quoted user words."""

    narrative_only: bool = False
    """``_text``: only the narrative is searched; ``_content``: all of the resource's text."""

    @property
    def match(self) -> str:
        """The FTS5 MATCH operand, restricted to the narrative column for ``_text``."""
        return f"narrative : ({self.text})" if self.narrative_only else self.text


def _quoted(text: str, *, prefix: bool = False) -> str:
    return '"' + text.replace('"', '""') + '"' + ("*" if prefix else "")


def _lex(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise InvalidSearchError(f"unbalanced quotes in text search {text[:200]!r}")
        position = match.end()
        token = match.group(match.lastgroup or "word").strip()
        if match.lastgroup != "word" or _WORD_CHARACTER.search(token):
            tokens.append(token)  # a bare "+" or "-" between words says nothing: dropped
    return tokens


class _Parser:
    """expr := term (OR term)* ; term := unary ((AND)? unary | NOT unary)* ; unary := ( expr ) | word | phrase"""

    def __init__(self, tokens: list[str], source: str) -> None:
        self.tokens, self.position, self.source = tokens, 0, source

    def _fail(self, why: str) -> InvalidSearchError:
        return InvalidSearchError(f"{why} in text search {self.source[:200]!r}")

    def _peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def parse(self) -> str:
        if not self.tokens:
            raise self._fail("no words")
        expression = self._expression()
        if self._peek() is not None:
            raise self._fail(f"unexpected {self._peek()!r}")
        return expression

    def _expression(self) -> str:
        parts = [self._term()]
        while self._peek() == "OR":
            self._take()
            parts.append(self._term())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _term(self) -> str:
        result = self._unary()
        while (token := self._peek()) is not None and token not in ("OR", ")"):
            operator = "AND"
            if token in ("AND", "NOT"):
                operator = self._take()
            result = f"({result} {operator} {self._unary()})"
        return result

    def _unary(self) -> str:
        token = self._peek()
        if token is None:
            raise self._fail("an operator without a word after it")
        if token in _OPERATORS:
            raise self._fail(f"{token} without a word before it")
        self._take()
        if token == "(":
            inner = self._expression()
            if self._peek() != ")":
                raise self._fail("unbalanced parentheses")
            self._take()
            return inner
        if token == ")":
            raise self._fail("unbalanced parentheses")
        if token.startswith('"'):
            phrase = token[1:-1]
            if not _WORD_CHARACTER.search(phrase):
                raise self._fail("an empty phrase")
            return _quoted(phrase)
        prefix = token.endswith("*")
        return _quoted(token.rstrip("*") if prefix else token, prefix=prefix)


def text_value(name: str, text: str) -> TextValue:
    """Parse one ``_content``/``_text`` value (``name`` says which) into a safe FTS5 expression."""
    if len(text) > MAX_TEXT_QUERY:
        raise InvalidSearchError(f"{name} is {len(text)} characters long; at most {MAX_TEXT_QUERY} are served")
    expression = _Parser(_lex(text), text).parse()
    return TextValue(expression, narrative_only=name == "_text")
