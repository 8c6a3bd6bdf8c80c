"""JavaScript / TypeScript -> the calls that load models, by regular expressions (build/signatures.py).

Regex level, on purpose: comments are blanked first (strings kept, line numbers kept), then a
signature's pattern is applied only in a file that imports or requires its npm package. A model
given as an identifier is resolved when the file declares it once as a string constant
(`const MODEL = 'org/x'`).
"""

from __future__ import annotations

import re
from bisect import bisect_right

from build.signatures import JS_PACKAGE_ALIASES, JS_SIGNATURES

from .ids import classify
from .python import Call

_TOKENS = re.compile(
    r"""(?P<str>'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`)|(?P<comment>//[^\n]*|/\*.*?\*/)""",
    re.S)
_CONST = re.compile(r"""\b(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*=\s*(?P<q>['"`])(?P<value>[^'"`\n]*)(?P=q)""")


def _blank_comments(text: str, strings: list[tuple[int, int]] | None = None) -> str:
    """The text with comments blanked (line numbers kept); the spans of string literals are
    appended to `strings`."""
    def repl(m):
        if m["comment"] is None:
            if strings is not None:
                strings.append(m.span())
            return m[0]
        return re.sub(r"[^\n]", " ", m[0])
    return _TOKENS.sub(repl, text)


def _inside(spans: list[tuple[int, int]], starts: list[int], at: int) -> bool:
    i = bisect_right(starts, at) - 1
    return i >= 0 and spans[i][0] < at < spans[i][1]


def _fill(template: str, constants: dict[str, set[str]]) -> str | None:
    """A template literal whose placeholders are all constants declared once, filled in; else None."""
    def value(m):
        values = constants.get(m[1], set())
        if len(values) != 1:
            raise KeyError(m[1])
        return next(iter(values))
    try:
        filled = re.sub(r"\$\{\s*([A-Za-z_$][\w$]*)\s*\}", value, template)
    except KeyError:
        return None
    return None if "${" in filled else filled


def imports(text: str, package: str) -> bool:
    quoted = re.escape(package)
    return re.search(rf"""(?:from\s*|require\s*\(\s*|import\s*\(\s*|import\s+)['"]{quoted}(?:/[^'"]*)?['"]""",
                     text) is not None


def scan_javascript(data: bytes) -> list[Call]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from .python import SkipFile
        raise SkipFile("undecodable") from None
    if not any(p in text for p in (*{s.module for s in JS_SIGNATURES}, *JS_PACKAGE_ALIASES)):
        return []
    strings: list[tuple[int, int]] = []
    code = _blank_comments(text, strings)
    string_starts = [a for a, _ in strings]
    lines = text.splitlines()
    constants: dict[str, set[str]] = {}
    for m in _CONST.finditer(code):
        constants.setdefault(m["name"], set()).add(m["value"])
    calls = []
    seen = set()
    for sig in JS_SIGNATURES:
        packages = [sig.module] + [old for old, new in JS_PACKAGE_ALIASES.items() if new == sig.module]
        if not any(imports(code, p) for p in packages):
            continue
        for m in sig.pattern_re.finditer(code):
            if _inside(strings, string_starts, m.start()):
                continue  # "call pipeline('x', 'org/y')" in a message is not a call
            line = code.count("\n", 0, m.start()) + 1
            if (line, m.start()) in seen:
                continue
            seen.add((line, m.start()))
            task = m.groupdict().get("task")
            evidence = lines[line - 1].strip()[:500] if line <= len(lines) else ""
            value = m.groupdict().get("model")
            expr = m.groupdict().get("expr")
            if value is None and expr:
                values = constants.get(expr, set())
                if len(values) == 1:
                    value = next(iter(values))
                else:
                    calls.append(Call(line, sig, None, "variable", None, task, evidence))
                    continue
            if value is not None and "${" in value:
                value = _fill(value, constants)  # `${ORG}/x` with `const ORG = 'Xenova'`
                if value is None:
                    calls.append(Call(line, sig, None, "expression", None, task, evidence))
                    continue
            kind, model_id = classify(value, sig)
            calls.append(Call(line, sig, value[:300] if value else None, kind, model_id, task, evidence))
    calls.sort(key=lambda c: c.line)
    return calls
