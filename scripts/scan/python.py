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
import json
import re
import warnings
from dataclasses import dataclass

from build.signatures import PYTHON_MODULES, PYTHON_SIGNATURES, Signature

from .ids import classify

# Per module, the names its signatures call: a file is parsed only if it names a module and one
# of that module's called names (in a call, or in the import that aliases it).
_TRIGGERS = tuple(
    (module.encode(), re.compile(rb"\b(?:" + "|".join(sorted({s.function for s in PYTHON_SIGNATURES
                                                             if s.module == module})).encode() + rb")\b"))
    for module in PYTHON_MODULES)
_PY2 = re.compile(rb"^\s*(print\s+[\"'\w]|exec\s+[\"'\w]|except\s+[\w.]+\s*,\s*\w+\s*:)", re.M)
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
    """False when no signature can match: the file names none of their modules, or none of the
    functions of the modules it names (a byte search, far faster than parsing)."""
    return any(module in data and names.search(data) for module, names in _TRIGGERS)


def scan_python(data: bytes) -> list[Call]:
    """Calls in one Python file (bytes: ast honours a PEP 263 coding line)."""
    if not may_match(data):
        return []
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
    lines = None
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        lines = text.splitlines()
    return _calls(tree, lines)


def scan_notebook(data: bytes) -> list[Call]:
    """Calls in the code cells of a Jupyter notebook; line numbers count through the code cells."""
    if not may_match(data):
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
    return _calls(tree, "\n".join(sources).splitlines())


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


def _calls(tree: ast.AST, lines: list[str] | None) -> list[Call]:
    aliases: dict[str, str] = {}    # local name -> dotted name it stands for
    star_modules: list[str] = []
    strings: dict[str, set] = {}    # name -> the values assigned to it (a string or a marker)
    calls: list[ast.Call] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                if a.name == "*":
                    star_modules.append(node.module)
                else:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            # a parameter's default is a value the name may hold
            a = node.args
            positional = a.posonlyargs + a.args
            for arg, default in [*zip(positional[len(positional) - len(a.defaults):], a.defaults),
                                 *zip(a.kwonlyargs, a.kw_defaults)]:
                if default is not None:
                    strings.setdefault(arg.arg, set()).add(
                        default.value if isinstance(default, ast.Constant) and isinstance(default.value, str)
                        else object())
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    value = node.value
                    strings.setdefault(target.id, set()).add(
                        value.value if isinstance(value, ast.Constant) and isinstance(value.value, str)
                        else object())
    found = []
    options = _argparse_defaults(calls)
    for node in calls:
        parts = _dotted(node.func)
        if not parts:
            continue
        head = parts[0]
        if head in aliases:
            qualified = aliases[head].split(".") + parts[1:]
        elif star_modules:
            qualified = None
            for module in star_modules:
                sig = _match(module.split(".") + parts)
                if sig:
                    qualified = module.split(".") + parts
                    break
            if qualified is None:
                continue
        else:
            continue
        sig = _match(qualified)
        if sig is None:
            continue
        found.append(_call(node, sig, strings, options, lines))
    found.sort(key=lambda c: c.line)
    return found


def _match(parts: list[str]) -> Signature | None:
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


def _argparse_defaults(calls: list[ast.Call]) -> dict[str, set]:
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
          lines: list[str] | None) -> Call:
    task = None
    if sig.task_position is not None or sig.task_keywords:
        given, t = _argument(node, sig.task_position, sig.task_keywords)
        if given:
            task, _ = _string(t, strings, options)
    given, arg = _argument(node, sig.id_position, sig.id_keywords)
    # The line of a call is the line of its model argument (where a multi-line call names it).
    line = getattr(arg, "lineno", node.lineno)
    evidence = _evidence(lines, node.lineno, line)
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
