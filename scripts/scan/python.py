"""Python source and notebooks -> the calls that load models, through the ast module.

The callee of each call is resolved through the file's imports (`import transformers as tf`,
`from transformers import AutoModel as AM`, `from transformers import *`) to a dotted name and
matched against build/signatures.py. The model argument is read from its keyword or position;
a name is resolved when the file assigns it exactly one string (a constant `MODEL = "org/x"`,
at any level); anything else is recorded unresolved (variable, expression). Comments and
docstrings are never calls, so they never match.
"""

from __future__ import annotations

import ast
import codecs
import io
import json
import re
import tokenize
import warnings
from dataclasses import dataclass

from build.signatures import PYTHON_MODULES, PYTHON_SIGNATURES, Signature

from .fragments import Source, Unsure, imports_only
from .ids import classify

# Per module, the names its signatures call: a file is parsed for a module only if a line of it that
# says "import" names the module, and the file holds one of the module's called names (in a call, or
# in the import that aliases it). A call resolves only through an import of its module, and the
# statement path reads only the import lines that name it, so a module named elsewhere alone (a
# comment, a docstring, a string) gives no call; its name is looked for in those lines only (a few
# percent of a file: one search of the file for "import", where a search of the whole file for each
# of the thirteen module names cost 11% of a pass over peft and sentence-transformers). A literal
# called name is looked for as bytes (`in`: several times faster than a regular expression), a
# pattern as one; each at most once a file, in the order build/signatures.py lists them (the most
# used first: SentenceTransformer before CrossEncoder), less any literal name that holds another (a
# file with create_model_and_transforms has create_model).
_CALLED = {module: sorted({s.function for s in PYTHON_SIGNATURES if s.module == module}) for module in PYTHON_MODULES}


def _searched(module: str) -> list[str]:
    names = list(dict.fromkeys(s.function for s in PYTHON_SIGNATURES if s.module == module))
    literal = [name for name in names if re.escape(name) == name]
    return [name for name in names if name not in literal or not any(o != name and o in name for o in literal)]


_TRIGGERS = tuple((module, module.encode(), tuple(name.encode() if re.escape(name) == name else re.compile(name.encode())
                                                  for name in _searched(module)))
                  for module in PYTHON_MODULES)
_CALL_TAIL = re.compile(r"\s*\(")                          # a name followed by this is called
_ASSIGN_TAIL = re.compile(r"[ \t]*(?::[^=\n]*)?=(?!=)")    # `name = `, `name: type = `, `name=`


def _find(text: str, name: str, tail: re.Pattern | None = None) -> list[int]:
    """Offsets where `name` (a literal, or a regular expression) starts a word (and `tail` follows)."""
    literal = _LITERAL.get(name)
    if literal is None:
        literal = _LITERAL[name] = re.escape(name) == name
    if not literal:
        pattern = re.compile(name + (tail.pattern if tail else r"\b"))
        return [m.start() for m in pattern.finditer(text) if _word_start(text, m.start())]
    found = []
    at, size = text.find(name), len(name)
    while at != -1:
        if not at or not ((before := text[at - 1]).isalnum() or before == "_"):  # _word_start, inline
            if tail is None or tail.match(text, at + size):
                found.append(at)
        at = text.find(name, at + size)
    return found


_LITERAL: dict[str, bool] = {}  # name -> whether it is a literal (not a regular expression)


def _word_start(text: str, at: int) -> bool:
    return not at or not (text[at - 1].isalnum() or text[at - 1] == "_")


_PY2 = re.compile(rb"^\s*(print\s+[\"'\w]|exec\s+[\"'\w]|except\s+[\w.]+\s*,\s*\w+\s*:)", re.M)
# The same marks, each led by a literal (several times faster to search than _PY2); a match counts
# when only blanks precede it on its line.
_PY2_MARKS = ((b"print", re.compile(rb"print[ \t]+[\"'\w]")), (b"exec", re.compile(rb"exec[ \t]+[\"'\w]")),
              (b"except", re.compile(rb"except[ \t]+[\w.]+[ \t]*,[ \t]*\w+[ \t]*:")))
_MAGIC = re.compile(r"^(\s*)([!%].*)$", re.M)


class SkipFile(Exception):
    """A file the scanner cannot read as code; str() is the reason, counted per reason."""


@dataclass
class Call:
    line: int
    signature: Signature
    model_ref: str | None   # the string the call passes, as written (None when unresolved)
    ref_kind: str           # see scripts/scan/ids.py
    model_id: str | None
    task: str | None
    evidence: str           # the source line (first line of the call), stripped


def may_match(data: bytes) -> bool:
    """False when no signature can match: the file imports none of their modules (names one on no
    line that says "import"), or holds none of the functions of those it does (a byte search, far
    faster than parsing)."""
    return bool(_modules(data))


def _modules(data: bytes) -> list[str]:
    """The signature modules named on a line that says "import", in a file that holds one of their
    called names."""
    imports = _import_lines(data)
    if not imports:
        return []
    found = []
    present: dict = {}  # called name -> whether the file holds it (each searched once)
    for module, word, names in _TRIGGERS:
        if imports.find(word) < 0:  # bytes.find: `in` first tries the word as an int, and fails
            continue
        for name in names:
            hit = present.get(name)
            if hit is None:
                hit = present[name] = data.find(name) >= 0 if type(name) is bytes else bool(name.search(data))
            if hit:
                found.append(module)
                break
    return found


def _import_lines(data: bytes) -> bytes:
    """The lines of the file that hold "import" (as bytes, without their line ends), joined by newlines.
    A line continued by a backslash at its end is read with the lines it continues and those that
    continue it (`from sentence_transformers \\` then `    import SentenceTransformer`: the module's
    name is on a line without "import")."""
    lines = []
    at = data.find(b"import")
    while at != -1:
        newline = data.rfind(b"\n", 0, at)
        end = data.find(b"\n", at)
        # each line with its newline, and the two bytes and the newline before it: a backslash that
        # continues the line before, or ends this one, shows in the joined lines as a backslash
        # before a newline (two bytes between newlines cannot make a module's name)
        if end == -1:
            lines.append(data[newline - 2 if newline > 1 else 0:])
            break
        lines.append(data[newline - 2 if newline > 1 else 0:end + 1])
        at = data.find(b"import", end)
    joined = b"\n".join(lines)
    if joined.find(b"\\") != -1 and (joined.find(b"\\\n") != -1 or joined.find(b"\\\r\n") != -1):
        return _logical_import_lines(data)
    return joined


def _logical_import_lines(data: bytes) -> bytes:
    """_import_lines of a file where a backslash continues a line that holds "import" or the line
    before one: each such line with the lines before it that end in a backslash and, while it ends
    in one, the lines after it."""
    lines = []
    at = data.find(b"import")
    while at != -1:
        start = data.rfind(b"\n", 0, at) + 1
        while start > 1 and (data[start - 2] == 92 or data[start - 2] == 13 and start > 2 and data[start - 3] == 92):
            start = data.rfind(b"\n", 0, start - 1) + 1  # the line before ends in a backslash (92)
        end = data.find(b"\n", at)
        while end != -1 and (data[end - 1] == 92 or data[end - 1] == 13 and data[end - 2] == 92):
            end = data.find(b"\n", end + 1)
        if end == -1:
            lines.append(data[start:])
            break
        lines.append(data[start:end])
        at = data.find(b"import", end)
    return b"\n".join(lines)


def scan_python(data: bytes, parsed: dict | None = None) -> list[Call]:
    """Calls in one Python file (bytes: the PEP 263 coding line is honoured).

    The file is read statement by statement where it can be (scripts/scan/fragments.py: only the
    statements that can hold a signature's call, an import of its module, or the value of a name
    such a call passes are parsed); the whole file is parsed when that cannot be done exactly.
    `parsed` (see fragment_calls) shares parsed statements between the files of one scan."""
    modules = _modules(data)
    if not modules:
        return []
    if not _looks_python2(data):  # a Python 2 file is parsed whole, so it is skipped as one
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning on invalid escapes in old code
            try:
                calls = fragment_calls(data, modules, parsed)
            except Exception:  # the statement path is a shortcut: any surprise in it, take the long way
                calls = None
        if calls is not None:
            return calls
    return full_calls(data)


def fragment_calls(data: bytes, modules: list[str] | None = None, parsed: dict | None = None) -> list[Call] | None:
    """Calls in one Python file, parsing only the statements that matter (scripts/scan/fragments.py):
    those naming a called name of a signature module the file names, its imports of those modules,
    then the assignments and parameter defaults of the names the matched calls pass, and the
    argparse options where a call passes `args.x`. None when that cannot be done exactly (the
    caller then parses the whole file): the text is not decodable, a statement the scanner needs
    does not parse on its own nor inside any enclosing statement, ...

    `parsed` holds the statements already parsed (their text -> what parse() keeps) and gets this
    file's: one dict for all the files of a scan (Scan.parsed) parses a statement once in the scan
    (the files of one repository share imports and calls to the character: 24% of the parses in
    peft and sentence-transformers repeat one in another file). A tree is never changed, and what
    a text parses to does not depend on its file."""
    try:
        text = _decode(data)
        source = Source(text)
    except (Unsure, UnicodeDecodeError, LookupError, SyntaxError):
        return None
    facts = Facts()
    covered = bytearray(len(source.lines))  # 1: the line is in a statement already parsed
    # Statements the same to the character recur in a file (test files load one model the same way
    # many times) and in the files of a scan: each text is parsed once (nothing changes a parsed
    # tree; None: does not parse)
    if parsed is None:
        parsed = {}
    elif len(parsed) > _PARSED_MAX:
        parsed.clear()  # a bound on the memory a long scan holds
    trees: dict[str, ast.AST | list | None] = parsed

    def parse(span: tuple[int, int]) -> bool:
        code, offset = source.fragment(*span)
        tree = trees.get(code, trees)
        if tree is trees:
            tree = trees[code] = imports_only(code)  # import statements only: read without ast
            if tree is None:
                try:
                    tree = trees[code] = Nodes(_gathered(ast.parse(code)))
                except (SyntaxError, ValueError):
                    tree = trees[code] = None
        if tree is None:
            return False
        if type(tree) is list:
            facts.add_imports(tree)
        else:
            facts.add_nodes(tree, offset)
        covered[span[0]:span[1]] = b"\1" * (span[1] - span[0])
        return True

    def parse_header(span: tuple[int, int], line: int) -> bool:
        # a line in the header of a function definition (a parameter's default) needs the header
        # alone, not the body: the first lines ending in `:` that parse with a `pass` body
        start, end = span
        tries = 0
        for last in range(start, end - 1):
            if not _HEADER_END.search(source.lines[last]):
                continue
            code, offset = source.fragment(start, last + 1)
            try:
                tree = ast.parse(code + "\n" + " " * (source.code(start) + 1) + "pass")
            except (SyntaxError, ValueError):
                tries += 1
                if tries == 3:
                    return False
                continue
            if line > last:  # the line is in the body after all
                return False
            facts.add(tree, offset)
            covered[start:last + 1] = b"\1" * (last + 1 - start)
            return True
        return False

    def parse_lines(lines) -> bool:
        # the innermost statement of each line; neighbours at one indentation a few lines apart are
        # parsed together (a parse has a fixed cost: one of a one-line statement costs ~40 us)
        spans: list[tuple[int, int]] = []
        for line in sorted(set(lines)):
            if covered[line] or source.code(line) is None or (spans and line < spans[-1][1]):
                continue
            span = source.statement(line)
            if span is None:
                return False
            if (span[1] - span[0] > 2 and _DEFINITION.match(source.lines[span[0]], source.code(span[0]))
                    and parse_header(span, line)):
                continue
            spans.append(span)
        groups: list[list[tuple[int, int]]] = []
        for span in spans:
            if groups and _neighbours(source, groups[-1][-1], span):
                groups[-1].append(span)
            else:
                groups.append([span])
        for group in groups:
            if len(group) > 1 and parse((group[0][0], group[-1][1])):
                continue
            for span in group:
                if covered[span[0]]:
                    continue
                while span is not None and not parse(span):  # widen until it parses
                    span = source.statement(span[0], source.code(span[0]))
                if span is None:
                    return False
        return True

    try:
        if modules is None:
            modules = _modules(data)
        imports = []  # the lines that import a signature module (every import line says "import")
        at, last = text.find("import"), -1
        while at != -1:
            line = source.line_of(at)
            if line != last:
                last = line
                words = source.lines[line]
                found = False
                for module in modules:
                    if module in words:
                        found = _imports_module(words, modules)
                        if found:
                            imports.append(line)
                        break
                if not found and (words[-1] in "\\\r" or line and source.lines[line - 1][-1:] in ("\\", "\r")):
                    # a statement continued by backslashes, read as one line
                    first, end = _logical_line(source.lines, line)
                    if first != end:
                        words = " ".join(source.lines[first:end + 1]).replace("\\", " ")
                        if any(module in words for module in modules) and _imports_module(words, modules):
                            imports.append(first)
            at = text.find("import", at + 6)
        if not parse_lines(imports):
            return None
        # names bound to a called name by an import (`from x import pipeline as make`)
        called = {name for module in modules for name in _CALLED[module]}
        aliases = sorted(local for local, target in facts.aliases.items()
                         if local != target.rsplit(".", 1)[-1]
                         and any(re.fullmatch(name, target.rsplit(".", 1)[-1]) for name in called))
        hits = [at for name in sorted(called | set(aliases))
                for at in _find(text, name, _CALL_TAIL)]
        if not parse_lines(source.line_of(h) for h in hits if text[h - 4:h] != "def " and text[h - 6:h] != "class "):
            return None
        # the values of the names the matched calls pass, and argparse options for `args.x`
        needed, attributes = set(), set()
        for node, _, sig in facts.matched():
            for part in _passed(node, sig):
                kind = type(part)
                if kind is ast.Constant:  # the most common: nothing to look up
                    continue
                if kind is ast.Name:
                    needed.add(part.id)
                    continue
                for sub in ast.walk(part):
                    if isinstance(sub, ast.Name):
                        needed.add(sub.id)
                    elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name):
                        attributes.add(sub.attr)
        # `name = `, `name: type = `, a parameter `name=` (and a keyword argument: parsed for nothing)
        lines = [source.line_of(at) for name in sorted(needed) for at in _find(text, name, _ASSIGN_TAIL)
                 if text[at - 1:at] != "."]
        # the add_argument calls that can define an option a call passes as `args.x`
        for at in _find(text, "add_argument") if attributes else ():
            line = source.line_of(at)
            span = source.statement(line) if source.code(line) is not None else None
            if span is None or _may_name(source, span, attributes):
                lines.append(line)
        if not parse_lines(lines):
            return None
    except (Unsure, RecursionError):
        return None
    return _calls([], source.lines, facts)


def _imports_module(line: str, modules: list[str]) -> bool:
    """Whether a line (of code) that names one of `modules` is an import of one (or may be): a statement
    on it starts with `import` or `from` and names the module. A statement starts at the line's start,
    after a `;` (`import os; import transformers`) and after the `:` of a compound statement's header
    (`try: import transformers`); names are split at commas with or without a space (`import
    os,transformers`). A `;` or `:` inside a string or a comment only splits the line more: the
    statement the line is in is parsed all the same, and what it holds is read from its tree."""
    for statement in _STATEMENT_ENDS.split(line) if ";" in line or ":" in line else (line,):
        words = statement.replace(",", " ").split()
        if words and words[0] in ("import", "from") and any(w.split(".")[0].strip("()") in modules for w in words[1:]):
            return True
    return False


_STATEMENT_ENDS = re.compile(r"[;:]")  # where another statement may start on a line


_CONTINUED = ("\\", "\\\r")  # a line that ends so is continued by the next


def _logical_line(lines: list[str], line: int) -> tuple[int, int]:
    """(first, last) of the lines joined to `line` by backslashes at their ends (a comment line ends
    the walk back: its backslash continues nothing)."""
    first = line
    while first and lines[first - 1].endswith(_CONTINUED) and not lines[first - 1].lstrip().startswith("#"):
        first -= 1
    last, count = line, len(lines)
    while last + 1 < count and lines[last].endswith(_CONTINUED):
        last += 1
    return first, last


_PARSED_MAX = 4096  # statements kept parsed in one scan (fragment_calls' `parsed`)
_NEIGHBOURS = 4  # lines between two statements parsed together
_DEFINITION = re.compile(r"(?:async\s+)?def\s|@")   # a function definition starts so (or its decorator)
_HEADER_END = re.compile(r":\s*(?:#.*)?$")           # a line that may end a definition's header
_QUOTES_AND_BLANKS = re.compile(r"[\s'\"]+")


def _may_name(source: Source, span: tuple[int, int], names: set[str]) -> bool:
    """Whether an `add_argument` statement can define one of the options `names` (its option strings
    and `dest`, with - read as _, hold the name). True when its text cannot tell: an escape, a
    comment, or brackets that do not close (indentation may have cut the statement short)."""
    start, end = span
    while end - 1 > start and source.lines[end - 1].lstrip()[:1] in ("", "#") and not source.in_string(end - 1):
        end -= 1  # comments and blank lines after the statement
    body = "\n".join(source.lines[start:end])
    if "\\" in body or "#" in body or body.count("(") != body.count(")"):
        return True
    flat = _QUOTES_AND_BLANKS.sub("", body).replace("-", "_")  # "--model-" "name" -> __model_name
    return any(name in flat for name in names)


def _neighbours(source: Source, first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two statements at one indentation, at most a few lines apart, are in one block."""
    indent = source.code(first[0])
    if second[0] - first[1] > _NEIGHBOURS or source.code(second[0]) != indent:
        return False
    return all(source.code(i) is None or source.code(i) >= indent for i in range(first[1], second[0]))


def _looks_python2(data: bytes) -> bool:
    for word, mark in _PY2_MARKS:
        at = data.find(word)  # bytes.find, then the pattern where the word is: faster than mark.finditer
        while at != -1:
            if mark.match(data, at) and not data[data.rfind(b"\n", 0, at) + 1:at].strip():
                return True
            at = data.find(word, at + 1)
    return False


def _decode(data: bytes) -> str:
    """The text of a Python file as its PEP 263 coding line (or a BOM) says, UTF-8 by default."""
    second = data.find(b"\n", data.find(b"\n") + 1) if b"\n" in data else -1
    head = data if second == -1 else data[:second]  # the two lines a coding line may be on
    if b"coding" not in head and not data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8")  # no coding line, no BOM: what tokenize.detect_encoding would say
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def full_calls(data: bytes) -> list[Call]:
    """Calls in one Python file, parsing all of it (the slow, simple path)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning on invalid escapes in old code
            tree = ast.parse(data)
    except SyntaxError as e:
        if "decode" in str(e.msg) or "unicode error" in str(e.msg) or "encoding" in str(e.msg):
            raise SkipFile("undecodable") from e
        raise SkipFile("python 2" if _PY2.search(data) else "syntax error") from e
    except (ValueError, UnicodeDecodeError) as e:  # null bytes, undecodable source
        raise SkipFile("undecodable") from e
    except RecursionError as e:
        raise SkipFile("too deeply nested") from e
    return _calls([(tree, 0)], _lines(data))


def _lines(data: bytes) -> list[str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.splitlines()


def scan_notebook(data: bytes) -> list[Call]:
    """Calls in the code cells of a Jupyter notebook; line numbers count through the code cells."""
    # the JSON text's lines are not the code's: a line the code continues with a backslash (`\\\n`
    # in JSON) is looked for in the cells' code only
    if not may_match(data) and rb"\\\n" not in data and rb"\\\r\n" not in data:
        return []
    try:
        nb = json.loads(data)
    except UnicodeDecodeError as e:
        raise SkipFile("undecodable") from e
    except ValueError as e:
        raise SkipFile("notebook is not JSON") from e
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if cells is None and isinstance(nb, dict):  # nbformat 3
        cells = [c for ws in nb.get("worksheets") or [] for c in ws.get("cells") or []]
    if not isinstance(cells, list):
        raise SkipFile("notebook has no cells")
    sources = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", cell.get("input", ""))
        src = "".join(src) if isinstance(src, list) else str(src)
        sources.append(src.rstrip("\n"))
    # IPython magics and shell escapes (!pip install, %time) are not Python: comment them out
    # (lines keep their numbers). The cells are parsed as one module, as the kernel runs them, so
    # an import in one cell resolves a call in another; a cell that does not parse alone is
    # blanked (its lines kept) and the rest parsed without it.
    cells = [_MAGIC.sub(lambda m: m[1] + "#" + m[2], src) for src in sources]
    code = "\n".join(cells)
    if not may_match(code.encode("utf-8", "replace")):
        return []
    tree = _parse_text(code)
    if tree is None:
        kept = [cell if _parse_text(cell) is not None else "\n" * cell.count("\n") for cell in cells]
        code = "\n".join(kept)
        tree = _parse_text(code)
        if tree is None:
            raise SkipFile("syntax error")
    return _calls([(tree, 0)], "\n".join(sources).splitlines())


def _parse_text(code: str) -> ast.AST | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        return None


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    if isinstance(node, ast.Call):  # timm.create_model(...) is fine; x().from_pretrained is not
        return None
    return None


class Nodes(tuple):
    """The nodes of a parsed statement that Facts gathers from (_gathered): what a scan keeps of it."""


def _gathered(tree: ast.AST) -> list[ast.AST]:
    """The nodes of a tree that Facts.add gathers from (calls, imports, definitions, assignments), in
    ast.walk's order less the leaves, walked inline: a generator would cost a resumption a node. A
    statement repeated in a scan is walked once (fragment_calls keeps these, not the tree)."""
    found = []
    todo = [tree]
    pop, append, keep = todo.pop, todo.append, found.append
    AST, fields, leaves, gathered = ast.AST, _FIELDS, _LEAF_TYPES, _GATHERED
    while todo:
        node = pop()
        kind = type(node)
        names = fields.get(kind)
        if names is None:
            names = fields[kind] = tuple(f for f in kind._fields if f not in _SCALARS)
        for field in names:
            value = getattr(node, field, None)
            if type(value) is list:
                for v in reversed(value):
                    if type(v) not in leaves and isinstance(v, AST):
                        append(v)
            elif value is not None and type(value) not in leaves and isinstance(value, AST):
                append(value)
        if kind in gathered:
            keep(node)
    return found


class Facts:
    """What the scanner gathers from parsed code: imports, string values of names, calls."""

    def __init__(self):
        self.aliases: dict[str, str] = {}    # local name -> dotted name it stands for
        self.star_modules: list[str] = []
        self.strings: dict[str, set] = {}    # name -> the values assigned to it (a string or a marker)
        self.calls: dict[tuple, tuple[ast.Call, int]] = {}  # position -> (call, line offset)
        # matched() as last computed, with the number of calls then; None when an import changed since
        self._matched: tuple[int, list] | None = None

    def add(self, tree: ast.AST, offset: int = 0) -> None:
        """Gather from one parsed tree; `offset` is added to its line numbers (a fragment)."""
        self.add_nodes(_gathered(tree), offset)

    def add_nodes(self, nodes, offset: int = 0) -> None:
        """Gather from the nodes _gathered() found in a tree."""
        aliases, strings = self.aliases, self.strings
        for node in nodes:
            kind = type(node)
            if kind is ast.Call:
                self.calls.setdefault((node.lineno + offset, node.col_offset, node.end_lineno + offset,
                                       node.end_col_offset), (node, offset))
            elif isinstance(node, ast.Import):
                self._matched = None
                for a in node.names:
                    if a.asname:
                        aliases[a.asname] = a.name
                    else:
                        top = a.name.split(".")[0]
                        aliases.setdefault(top, top)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                self._matched = None
                for a in node.names:
                    if a.name == "*":
                        if node.module not in self.star_modules:
                            self.star_modules.append(node.module)
                    else:
                        aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                # a parameter's default is a value the name may hold
                a = node.args
                positional = a.posonlyargs + a.args
                for arg, default in [*zip(positional[len(positional) - len(a.defaults):], a.defaults),
                                     *zip(a.kwonlyargs, a.kw_defaults)]:
                    if default is not None:
                        strings.setdefault(arg.arg, set()).add(_value(default))
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        strings.setdefault(target.id, set()).add(_value(node.value))

    def add_imports(self, statements: list[tuple]) -> None:
        """Gather from import statements read by imports_only(): what add() gathers from their nodes."""
        aliases = self.aliases
        self._matched = None
        for module, names in statements:
            if module is None:  # import a.b [as c], ...
                for name, asname in names:
                    if asname:
                        aliases[asname] = name
                    else:
                        top = name.split(".")[0]
                        aliases.setdefault(top, top)
            else:  # from a.b import x [as y], ...
                for name, asname in names:
                    if name == "*":
                        if module not in self.star_modules:
                            self.star_modules.append(module)
                    else:
                        aliases[asname or name] = f"{module}.{name}"

    def matched(self) -> list[tuple[ast.Call, int, Signature]]:
        """The calls whose callee resolves to a signature: (call, line offset, signature). Computed
        again only when calls or imports were gathered since (fragment_calls asks twice)."""
        if self._matched is not None and self._matched[0] == len(self.calls):
            return self._matched[1]
        found = []
        for _, (node, offset) in sorted(self.calls.items(), key=lambda item: item[0]):
            sig = self.signature(node)
            if sig is not None:
                found.append((node, offset, sig))
        self._matched = (len(self.calls), found)
        return found

    def signature(self, node: ast.Call) -> Signature | None:
        parts = _dotted(node.func)
        if not parts:
            return None
        head = parts[0]
        if head in self.aliases:
            return _match(self.aliases[head].split(".") + parts[1:])
        for module in self.star_modules:
            sig = _match(module.split(".") + parts)
            if sig:
                return sig
        return None


# Nodes that hold no call, import, definition or assignment: not walked into.
_LEAVES = (ast.expr_context, ast.Constant, ast.Name, ast.operator, ast.boolop, ast.unaryop, ast.cmpop,
           ast.Pass, ast.Break, ast.Continue, ast.alias, ast.arg)


def _subclasses(cls: type) -> set[type]:
    return {cls}.union(*(_subclasses(c) for c in cls.__subclasses__()))


_LEAF_TYPES = frozenset().union(*(_subclasses(c) for c in _LEAVES))
_GATHERED = frozenset({ast.Call, ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                       ast.Assign, ast.AnnAssign})
_FIELDS: dict[type, tuple[str, ...]] = {}
# Fields that hold names, numbers, flags or operators, never a node Facts gathers.
_SCALARS = frozenset({"ctx", "op", "ops", "type_comment", "id", "name", "attr", "arg", "asname", "module",
                      "level", "kind", "is_async", "conversion", "names", "type_ignores", "simple"})


def _value(node: ast.AST | None) -> object:
    """A string a name is given (a literal, or an environment variable's default), a Table of
    strings, or a marker for any other value (it stays unresolved)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Dict) and node.keys and all(
            isinstance(n, ast.Constant) and isinstance(n.value, str) for n in [*node.keys, *node.values]):
        return Table((k.value, v.value) for k, v in zip(node.keys, node.values))
    default = _env_default(node)
    return default if default is not None else object()


class Table(tuple):
    """A dictionary of strings a name is given (`MODELS = {"small": "t5-small"}`), as (key, value) pairs:
    `MODELS["small"]` reads it."""

    def __new__(cls, items):
        return super().__new__(cls, tuple(items))


_ENV_GETTERS = (["os", "getenv"], ["os", "environ", "get"], ["getenv"], ["environ", "get"])


def _env_default(node: ast.AST | None) -> str | None:
    """`os.getenv("MODEL", "org/x")`, `os.environ.get("MODEL", "org/x")` -> "org/x": what the code
    loads unless the environment says otherwise."""
    if not isinstance(node, ast.Call) or _dotted(node.func) not in _ENV_GETTERS:
        return None
    default = node.args[1] if len(node.args) >= 2 else next(
        (kw.value for kw in node.keywords if kw.arg in ("default", "value")), None)
    return default.value if isinstance(default, ast.Constant) and isinstance(default.value, str) else None


def _calls(trees: list[tuple[ast.AST, int]], lines: list[str] | None, facts: Facts | None = None) -> list[Call]:
    """The Call records of the parsed trees ((tree, line offset) pairs), or of gathered facts."""
    if facts is None:
        facts = Facts()
        for tree, offset in trees:
            facts.add(tree, offset)
    options = _argparse_defaults(node for node, _ in facts.calls.values())
    found = [_call(node, sig, facts.strings, options, lines, offset) for node, offset, sig in facts.matched()]
    found.sort(key=lambda c: c.line)
    return found


def _match(parts: list[str]) -> Signature | None:
    key = tuple(parts)
    try:
        return _MATCHED[key]
    except KeyError:
        pass
    sig = _MATCHED[key] = _match_signature(parts)
    return sig


_MATCHED: dict[tuple[str, ...], Signature | None] = {}  # dotted name -> its signature (the same for every file)


def _match_signature(parts: list[str]) -> Signature | None:
    if len(parts) < 2:
        return None
    for sig in PYTHON_SIGNATURES:
        if parts[0] != sig.module or not sig.function_re.fullmatch(parts[-1]):
            continue
        if sig.owner_re is None:
            if len(parts) >= 2:
                return sig
        elif len(parts) >= 3 and sig.owner_re.fullmatch(parts[-2]):
            return sig
    return None


def _argument(node: ast.Call, position: int | None, keywords: tuple[str, ...]) -> tuple[bool, ast.AST | None]:
    """(given, node): the argument at the keyword or position; given=False when the call has none."""
    for kw in node.keywords:
        if kw.arg in keywords:
            return True, kw.value
    if position is not None:
        if any(isinstance(a, ast.Starred) for a in node.args[:position + 1]):
            return True, None  # *args: unknowable
        if len(node.args) > position:
            return True, node.args[position]
    if any(kw.arg is None for kw in node.keywords):  # **kwargs
        return True, None
    return False, None


def _passed(node: ast.Call, sig: Signature) -> list[ast.AST]:
    """The arguments of a matched call whose value the scanner reads: model id, task, repo type."""
    parts = [_argument(node, sig.id_position, sig.id_keywords)[1]]
    if sig.task_position is not None or sig.task_keywords:
        parts.append(_argument(node, sig.task_position, sig.task_keywords)[1])
    parts += [kw.value for kw in node.keywords if sig.repo_type_keyword and kw.arg == sig.repo_type_keyword]
    return [p for p in parts if p is not None]


def _argparse_defaults(calls) -> dict[str, set]:
    """`add_argument("--model", default="org/x")` -> {"model": {"org/x"}}: what `args.model` holds."""
    options: dict[str, set] = {}
    for node in calls:
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "add_argument"):
            continue
        names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        dest = kw.get("dest")
        if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
            name = dest.value
        else:
            longs = [n for n in names if n.startswith("--")] or names
            if not longs:
                continue
            name = longs[0].lstrip("-").replace("-", "_")
        default = kw.get("default")
        options.setdefault(name, set()).add(
            default.value if isinstance(default, ast.Constant) and isinstance(default.value, str) else object())
    return options


def _string(value: ast.AST | None, strings: dict[str, set], options: dict[str, set] | None = None,
            depth: int = 0) -> tuple[str | None, str]:
    """(the string, how it was found): 'literal', 'constant', 'option default', or why not:
    'variable' / 'expression'. Concatenations and f-strings of resolvable parts are folded."""
    if depth > 10:
        return None, "expression"
    if isinstance(value, ast.Constant):
        return (value.value, "literal") if isinstance(value.value, str) else (None, "expression")
    default = _env_default(value)
    if default is not None:
        return default, "environment default"
    if isinstance(value, ast.Name):
        values = strings.get(value.id, set())
        if len(values) == 1:
            (only,) = values
            if isinstance(only, str):
                return only, "constant"
        return None, "variable"
    if isinstance(value, ast.Attribute) and options and isinstance(value.value, ast.Name):
        values = options.get(value.attr, set())
        if len(values) == 1:
            (only,) = values
            if isinstance(only, str):
                return only, "option default"
        return None, "variable"
    if (isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name)
            and isinstance(value.slice, ast.Constant) and isinstance(value.slice.value, str)):
        values = strings.get(value.value.id, set())
        if len(values) == 1:
            (only,) = values
            if isinstance(only, Table) and value.slice.value in dict(only):
                return dict(only)[value.slice.value], "constant"
        return None, "variable"
    if isinstance(value, (ast.Attribute, ast.Subscript)):
        return None, "variable"
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        left, _ = _string(value.left, strings, options, depth + 1)
        right, _ = _string(value.right, strings, options, depth + 1)
        if left is not None and right is not None:
            return left + right, "constant"
        return None, "expression"
    if isinstance(value, ast.JoinedStr):
        parts = []
        for part in value.values:
            if isinstance(part, ast.FormattedValue):
                if part.conversion != -1 or part.format_spec is not None:
                    return None, "expression"
                text, _ = _string(part.value, strings, options, depth + 1)
            else:
                text, _ = _string(part, strings, options, depth + 1)
            if text is None:
                return None, "expression"
            parts.append(text)
        return "".join(parts), "constant"
    return None, "expression"


def _evidence(lines: list[str] | None, first: int, last: int) -> str:
    """The source lines first..last (the call up to its model argument), stripped and joined."""
    if not lines:
        return ""
    last = min(max(first, last), first + 5, len(lines))
    return " ".join(lines[i - 1].strip() for i in range(first, last + 1) if 0 < i <= len(lines))[:500]


def _call(node: ast.Call, sig: Signature, strings: dict[str, set], options: dict[str, set],
          lines: list[str] | None, offset: int = 0) -> Call:
    task = None
    if sig.task_position is not None or sig.task_keywords:
        given, t = _argument(node, sig.task_position, sig.task_keywords)
        if given:
            task, _ = _string(t, strings, options)
    given, arg = _argument(node, sig.id_position, sig.id_keywords)
    # The line of a call is the line of its model argument (where a multi-line call names it).
    line = getattr(arg, "lineno", node.lineno) + offset
    evidence = _evidence(lines, node.lineno + offset, line)
    if sig.repo_type_keyword:
        for kw in node.keywords:
            if kw.arg == sig.repo_type_keyword:
                repo_type, _ = _string(kw.value, strings, options)
                if repo_type not in (None, "model"):
                    return Call(line, sig, None, "not-a-model", None, task, evidence)
    if not given:
        return Call(line, sig, None, "missing", None, task, evidence)
    value, how = _string(arg, strings, options)
    if value is None:
        return Call(line, sig, None, how, None, task, evidence)
    kind, model_id = classify(value, sig)
    return Call(line, sig, value[:300], kind, model_id, task, evidence)
