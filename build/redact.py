"""Redaction of strings shaped like access tokens, before anything is written to the database.

Model-card text, repository names and even model ids come from the public Hub and GitHub, and
some people paste their tokens there (three model ids in the SAIL source are `owner/hf_` + 34
letters). The database is published, so every text value the builder writes passes through
`Redactor.row()`, which replaces each token-shaped string with REPLACEMENT and counts the
replacements per table and column (written to the `redactions` table).

The shapes are those of Hugging Face user access tokens (`hf_` + 30 or more letters/digits) and
GitHub tokens: classic personal (`ghp_`), OAuth (`gho_`), user-to-server (`ghu_`),
server-to-server (`ghs_`) and refresh (`ghr_`) tokens are the prefix + 36 letters/digits;
fine-grained personal tokens are `github_pat_` + 22 or more letters, digits or underscores.
A longer run than 36 after a `gh?_` prefix is redacted whole: a string that merely starts like a
token is better hidden than half shown.
"""

from __future__ import annotations

import re
from collections import Counter

REPLACEMENT = "[REDACTED]"

TOKEN_PATTERN = re.compile(
    r"hf_[A-Za-z0-9]{30,}"
    r"|gh[pousr]_[A-Za-z0-9]{36,}"
    r"|github_pat_[A-Za-z0-9_]{22,}"
)


# What every token contains: a text without any of these has none (checked before TOKEN_PATTERN,
# whose alternatives have no common prefix for the regex engine to scan for, on long card texts).
_GH_PREFIX = re.compile(r"gh[pousr]_")


def _may_hold_token(text: str) -> bool:
    """False if `text` holds no token-shaped string for sure (what every token shape begins with is not in it)."""
    if "_" not in text:  # every token shape has an underscore: skip the rest for most values
        return False
    return "hf_" in text or "github_pat_" in text or _GH_PREFIX.search(text) is not None


_GH_PREFIX_BYTES = re.compile(rb"gh[pousr]_")


def may_hold_token_bytes(line: bytes) -> bool:
    """False if no string decoded from this line of JSON, nor the JSON text of any value in it,
    holds a token for sure: without a \\u escape in the line, each character of such a string that
    can be part of a token's beginning (`hf_`, `github_pat_`, `gh[pousr]_`: letters and `_`) is its
    own byte of the line (the other escapes give `"`, `\\`, `/` and control characters; the JSON
    encoder writes letters only as themselves, and `_` never in its escapes, `\\u00XX`), so a
    beginning in a value is one in the line."""
    return (b"\\u" in line or b"hf_" in line or b"github_pat_" in line
            or _GH_PREFIX_BYTES.search(line) is not None)


def redact(text: str) -> tuple[str, int]:
    """Return `text` with every token-shaped string replaced, and how many were replaced."""
    if not _may_hold_token(text):
        return text, 0
    return TOKEN_PATTERN.subn(REPLACEMENT, text)


class Redactor:
    """Redacts the text values of rows and counts the replacements per (table, column)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()

    def row(self, table: str, row: dict) -> dict:
        """Redact every string value of `row` (a dict of columns) in place and return it: values()."""
        columns = tuple(row)
        row.update(zip(columns, self.values(table, columns, list(row.values()))))
        return row

    def rows(self, rows: list[tuple[str, list]], columns: dict[str, tuple]) -> list[tuple[str, list]]:
        """values() of each (table, values) of `rows` (one record's: a card's row, text and sections), in
        place; `columns` names each table's values. Returns `rows`."""
        # One check of every text of them all first (see values()): most records hold no token.
        if _may_hold_token("\n".join([value for _, row in rows for value in row if isinstance(value, str)])):
            for table, row in rows:
                self.values(table, columns[table], row)
        return rows

    def values(self, table: str, columns: tuple, values: list) -> list:
        """Redact every string of a row given as a list of values (`columns` names them) in place, and return it."""
        # Most rows hold no token: one check of all their texts at once (joined by a newline, which no
        # token shape contains, so a hit lies within one value), then value by value if it hits.
        if not _may_hold_token("\n".join([value for value in values if isinstance(value, str)])):
            return values
        for i, value in enumerate(values):
            if isinstance(value, str) and "_" in value:
                new, n = redact(value)
                if n:
                    values[i] = new
                    self.counts[table, columns[i]] += n
        return values
