"""The statements of a Python file, found from its text without parsing all of it.

`ast.parse` reads about 5 MB of source a second; most of a file that loads a model is code around
the few statements that do. `Source(text)` finds, for a line, the smallest statement that holds
it (a simple statement, or a compound one with its body) from indentation alone, so that statement
can be parsed on its own: `fragment(start, end)` gives its text (an indented one wrapped in
`if 1:`) and the line offset to add to the line numbers `ast` reports in it.

Indentation is only a guess at the structure; the parse checks it. A guessed statement that does
not parse (it starts inside brackets, say) is widened to the enclosing one, and past the top the
caller parses the whole file. Lines inside triple-quoted strings are never statement starts, so an
example in a docstring is not code. Where the text cannot be read this way exactly (tabs in the
indentation, form feeds, lone carriage returns, triple quotes after a quote or a hash on their
line) `Unsure` is raised and the caller parses the whole file.

`imports_only(fragment)` reads a fragment made of import statements only (the most common one the
scanner parses, and the one with the most text) into the names it imports, with regular
expressions instead of `ast.parse`; it returns None, and `ast` reads the fragment, for anything
it does not read exactly.
"""

from __future__ import annotations

import re
from keyword import kwlist
from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add

_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b|[)\]}]")


_UNKNOWN = object()  # a line not looked at yet


class Unsure(Exception):
    """The file's statements cannot be told apart from its text alone: parse all of it."""


class Source:
    def __init__(self, text: str):
        if "\f" in text or ("\r" in text and "\r" in text.replace("\r\n", "")):
            raise Unsure("form feed or lone carriage return")
        self.text = text
        self.lines = text.split("\n")
        # offset of the first character of each line
        self.starts = list(accumulate(map(add, map(len, self.lines), repeat(1)), initial=0))
        self._code: list = [_UNKNOWN] * len(self.lines)   # per line: code(line), once computed
        self._start: list = [_UNKNOWN] * len(self.lines)  # per line: is_start(line), once computed
        self.strings = self._triple_quoted()   # [(start offset, end offset)] of triple-quoted strings
        self._string_starts = [a for a, _ in self.strings]

    def _triple_quoted(self) -> list[tuple[int, int]]:
        spans = []
        text = self.text
        double, single = text.find('"""'), text.find("'''")  # the next of each (str.find: fast)
        while double != -1 or single != -1:
            begin = double if single == -1 or (double != -1 and double < single) else single
            quote = text[begin:begin + 3]
            line_start = text.rfind("\n", 0, begin) + 1
            prefix = text[line_start:begin]
            if "#" in prefix or "'" in prefix or '"' in prefix:
                # in a comment or a string, or after one: read the line up to it
                skip = _not_opening(text, max(line_start, spans[-1][1] if spans else 0), begin)
                if skip is not None:
                    if double != -1 and double < skip:
                        double = text.find('"""', skip)
                    if single != -1 and single < skip:
                        single = text.find("'''", skip)
                    continue
            close = text.find(quote, begin + 3)
            while close != -1 and _escaped(text, close):
                close = text.find(quote, close + 1)
            if close == -1:
                raise Unsure("unclosed triple quote")
            spans.append((begin, close + 3))
            if double != -1 and double < close + 3:
                double = text.find('"""', close + 3)
            if single != -1 and single < close + 3:
                single = text.find("'''", close + 3)
        return spans

    def line_of(self, offset: int) -> int:
        """The index (0-based) of the line holding offset."""
        return bisect_right(self.starts, offset) - 1

    def in_string(self, line: int) -> bool:
        """True when the line begins inside a triple-quoted string (it is text, not code)."""
        offset = self.starts[line]
        i = bisect_right(self._string_starts, offset) - 1
        return i >= 0 and self.strings[i][0] < offset < self.strings[i][1]

    def code(self, line: int) -> int | None:
        """The indentation of a line of code; None for a blank, comment or string line."""
        indent = self._code[line]
        if indent is _UNKNOWN:
            indent = self._code[line] = self._indent(line)
        return indent

    def _indent(self, line: int) -> int | None:
        text = self.lines[line]
        stripped = text.lstrip(" ")
        if not stripped or stripped[0] in "#\r":
            return None
        if stripped[0] == "\t":
            raise Unsure("tab in indentation")
        if self.in_string(line):
            return None
        return len(text) - len(stripped)

    def _previous_code(self, line: int) -> int | None:
        codes = self._code
        line -= 1
        while line >= 0:
            indent = codes[line]
            if indent is _UNKNOWN:
                indent = self.code(line)
            if indent is not None:
                return line
            line -= 1
        return None

    def is_start(self, line: int) -> bool:
        """Whether a line of code begins a statement (as far as indentation can tell)."""
        start = self._start[line]
        if start is _UNKNOWN:
            start = self._start[line] = self._is_start(line)
        return start

    def _is_start(self, line: int) -> bool:
        indent = self.code(line)
        if indent is None:
            return False
        if _CONTINUES.match(self.lines[line], indent):
            return False
        before = self._previous_code(line)
        if before is not None:
            previous = self.lines[before].rstrip()
            if previous.endswith("\\"):
                return False
            if previous.endswith(("(", "[", "{", ",")):
                return False  # inside brackets (as formatters lay out long calls and definitions)
            if previous.lstrip().startswith("@") and self.code(before) == indent:
                return False  # a decorated definition starts at its first decorator
        return True

    def statement(self, line: int, below: int | None = None) -> tuple[int, int] | None:
        """(first line, end line exclusive) of the innermost statement holding `line` that starts
        at an indentation below `below` (None: any); None past the top of the file."""
        indent = self.code(line)
        limit = indent if indent is not None else None
        if below is not None:
            limit = below - 1 if limit is None else min(limit, below - 1)
        codes = self._code
        start = line
        while start >= 0:
            i = codes[start]
            if i is _UNKNOWN:
                i = self.code(start)
            if i is not None and (limit is None or i <= limit) and self.is_start(start):
                break
            start -= 1
        if start < 0:
            return None
        level = self.code(start)
        end, count = start + 1, len(self.lines)
        while end < count:
            i = codes[end]
            if i is _UNKNOWN:
                i = self.code(end)
            if i is not None and (i < level or (i == level and self.is_start(end))):
                break
            end += 1
        if end <= line:  # the line is not inside what indentation says this statement is
            return self.statement(start, level)
        return start, end

    def fragment(self, start: int, end: int) -> tuple[str, int]:
        """(source to parse, line offset): the statement's lines, an indented one inside `if 1:`."""
        body = "\n".join(self.lines[start:end])
        if self.code(start):
            return "if 1:\n" + body, start - 1
        return body, start


_QUOTE_OR_HASH = re.compile(r"[#'\"]")


def _not_opening(text: str, at: int, begin: int) -> int | None:
    """Reading code from `at` (a line start, or the end of a triple-quoted string on the line) to the
    triple quote at `begin`: None when it opens a string, else where to look for the next one (the
    end of the line, for a triple quote in a comment; the end of the string it is inside). Unsure
    where it cannot tell: an f-string before it, a string that does not end on its line."""
    if at and text[at - 1] == "\n" and text[:at - 1].rstrip("\r").endswith("\\"):
        raise Unsure("backslash continuation before a triple quote")
    while True:
        m = _QUOTE_OR_HASH.search(text, at, begin)
        if m is None:
            return None
        at = m.start()
        if text[at] == "#":  # a comment to the end of the line
            end = text.find("\n", begin)
            return len(text) if end == -1 else end
        quote = text[at]
        if text.startswith(quote * 3, at):
            raise Unsure("triple quote before a triple quote")
        letters = at
        while letters > 0 and text[letters - 1] in "rRbBuUfF":
            letters -= 1
        if "f" in text[letters:at].lower():
            raise Unsure("f-string before a triple quote")
        end = at + 1
        while True:  # the closing quote on the same line
            close, newline = text.find(quote, end), text.find("\n", end)
            if close == -1 or newline != -1 and newline < close:
                raise Unsure("string not closed on its line before a triple quote")
            if not _escaped(text, close):
                break
            end = close + 1
        if close >= begin:  # the triple quote is inside this string
            return close + 1
        at = close + 1


def _escaped(text: str, position: int) -> bool:
    backslashes = 0
    while position > 0 and text[position - 1] == "\\":
        backslashes += 1
        position -= 1
    return backslashes % 2 == 1


# Import statements, read without `ast` (a fragment of imports is the most common one the scanner
# parses, and the one with the most text: `from x import (` and a name a line).
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
_AS = rf"(?:[ \t]+as[ \t]+{_NAME})?"
_INSIDE = r"(?:[ \t\n]|#[^\n]*\n)*"  # blanks, line ends and comments inside brackets
_IMPORT = re.compile(
    r"(?:[ \t]*(?:#[^\n]*)?\n)*"  # blank and comment lines
    rf"(?P<indent> *)(?:import[ \t]+(?P<import>{_DOTTED}{_AS}(?:[ \t]*,[ \t]*{_DOTTED}{_AS})*)"
    rf"|from[ \t]+(?P<dots>\.*)[ \t]*(?P<module>{_DOTTED})?[ \t]+import[ \t]+(?:(?P<star>\*)"
    rf"|(?P<names>{_NAME}{_AS}(?:[ \t]*,[ \t]*{_NAME}{_AS})*)"
    rf"|\((?P<bracketed>{_INSIDE}{_NAME}{_AS}(?:{_INSIDE},{_INSIDE}{_NAME}{_AS})*{_INSIDE},?{_INSIDE})\)))"
    r"[ \t]*(?:#[^\n]*)?(?:\n|\Z)")
_TRAILING = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*(?:#[^\n]*)?\Z")  # blank and comment lines to the end
_COMMENT = re.compile(r"#[^\n]*")
_KEYWORDS = frozenset(kwlist)  # keyword.iskeyword's set (soft keywords such as `match` are names)


def imports_only(code: str) -> list[tuple] | None:
    """The import statements of a fragment (Source.fragment's text) made of nothing else, as
    (module, [(name, asname)]) in order, module None for `import a.b as c, ...`: what `ast.parse`
    reads from it (a relative import, which the scanner does not follow, is read and left out).
    None when it holds anything else, or anything this does not read exactly (a backslash, a
    semicolon, a non-ASCII character, a NUL, a keyword as a name, ...): parse it then."""
    if not code.isascii() or "\\" in code or "\0" in code or "import" not in code:
        return None
    code = code.replace("\r\n", "\n")
    at, indent = 0, None
    if code.startswith("if 1:\n"):  # an indented statement, as fragment() wraps it
        at = 6
    found, read = [], 0
    while True:
        m = _IMPORT.match(code, at)
        if m is None:
            break
        spaces, imported, dots, module, star, listed, bracketed = m.group(
            "indent", "import", "dots", "module", "star", "names", "bracketed")
        if indent is None:
            indent = spaces
            if (len(indent) > 0) != (at == 6):
                return None
        elif spaces != indent:
            return None
        if imported is not None:
            module, names = None, _items(imported)
        else:
            level = len(dots)
            if module is None and not level:
                return None
            if module is not None and not _KEYWORDS.isdisjoint(module.split(".")):
                return None
            if star is not None:
                names = [("*", None)]
            else:
                names = _items(listed if listed is not None else _COMMENT.sub("", bracketed))
            if level:
                module = ""  # read, not followed
        if names is None:
            return None
        if module != "":
            found.append((module, names))
        read += 1
        at = m.end()
        if at == len(code):
            break
    if not read or not _TRAILING.match(code, at):
        return None
    return found


def _items(text: str) -> list[tuple[str, str | None]] | None:
    """`a.b as c, d` -> [("a.b", "c"), ("d", None)]; None when a name is a keyword."""
    items = []
    for item in text.split(","):
        words = item.split()
        if not words:
            continue  # the comma that may end a bracketed list
        name, asname = words[0], (words[2] if len(words) == 3 else None)
        if not _KEYWORDS.isdisjoint(name.split(".")) or asname in _KEYWORDS:
            return None
        items.append((name, asname))
    return items
