"""One repository (a folder, or files fetched from GitHub or a Space) -> reuse rows.

`scan_tree(folder)` walks a checkout without following symbolic links (so a link loop cannot
trap it) and skips vendored folders (.git, node_modules, virtualenvs, site-packages). Each file
is read as bytes; `scan_file(path, data)` dispatches on its name. A file that cannot be read as
code is skipped, never raised: the skip is counted under its reason (binary, too large,
minified, syntax error, python 2, undecodable, symlink, ...).

`records(...)` turns a scan into raw-snapshot records (docs/snapshot-format.md):

    code_calls       one call site: file, line, library, call, the model argument, task, evidence
    code_usages      one file and loading API naming at least one Hub model (ids listed)
    code_files       one file and loading API naming no Hub model (unresolved, local, ...)
    dependents       one repository and a Hub model it loads
    repo_libraries   one signature library a dependency manifest declares
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from build.redact import redact

from .javascript import scan_javascript
from .manifests import is_manifest, scan_manifest
from .python import Call, SkipFile, scan_notebook, scan_python

MAX_BYTES = 5_000_000             # larger files are generated or data, not code people write
MINIFIED_MIN_BYTES = 20_000       # a file this large with average lines longer than ...
MINIFIED_LINE = 1_000             # ... this many bytes is minified or generated
PYTHON = (".py", ".pyw")
NOTEBOOK = (".ipynb",)
JAVASCRIPT = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx", ".mts", ".cts")
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", "env",
                       "site-packages", ".tox", ".mypy_cache", ".ipynb_checkpoints", "bower_components"})


@dataclass
class Scan:
    calls: list[tuple[str, Call]] = field(default_factory=list)           # (file path, call)
    libraries: list[tuple[str, str, str, int | None]] = field(default_factory=list)  # (path, library, requirement, line)
    files: Counter = field(default_factory=Counter)                       # scanned files by language
    bytes: Counter = field(default_factory=Counter)                       # scanned bytes by language
    skipped: Counter = field(default_factory=Counter)                     # skipped files by reason
    # statements parsed so far, shared by the files of this scan (scripts/scan/python.py: fragment_calls)
    parsed: dict = field(default_factory=dict, repr=False, compare=False)

    def merge(self, other: "Scan") -> None:
        self.calls += other.calls
        self.libraries += other.libraries
        self.files.update(other.files)
        self.bytes.update(other.bytes)
        self.skipped.update(other.skipped)


def _name(path: str) -> str:
    """The file name of a relative path with / (PurePosixPath(path).name, several times faster)."""
    return path.rstrip("/").rpartition("/")[2]


def language(path: str) -> str | None:
    name = _name(path)
    lower = name.lower()
    if is_manifest(name) and lower != "setup.py":
        return "manifest"
    if lower.endswith(PYTHON):
        return "python"
    if lower.endswith(NOTEBOOK):
        return "notebook"
    if lower.endswith(JAVASCRIPT) and not lower.endswith(".d.ts"):  # type declarations hold no calls
        return "javascript"
    return None


def _long_lines(data: bytes) -> bool:
    """Whether the lines are longer than MINIFIED_LINE bytes on average. The newlines of the first
    eighth settle it for code (a line every ~40 bytes) without counting those of the whole file."""
    enough = len(data) // MINIFIED_LINE  # this many newlines or more: not long
    if data.count(b"\n", 0, len(data) // 8) >= enough:
        return False
    return len(data) > MINIFIED_LINE * (data.count(b"\n") + 1)


def scan_file(path: str, data: bytes, scan: Scan) -> None:
    """Scan one file's bytes into `scan` (skips are counted, never raised)."""
    if not gc.isenabled():
        return _scan_file(path, data, scan)
    # The cyclic garbage collector is off while a file is scanned: reading it makes thousands of
    # parsed nodes and no reference cycles, and each collection it triggers walks the statements the
    # scan keeps (Scan.parsed); what is left to collect is collected after the file.
    gc.disable()
    try:
        _scan_file(path, data, scan)
    finally:
        gc.enable()


def _scan_file(path: str, data: bytes, scan: Scan) -> None:
    lang = language(path)
    if lang is None:
        return
    if len(data) > MAX_BYTES:
        scan.skipped["too large"] += 1
        return
    if lang != "notebook" and data.find(b"\0", 0, 8192) != -1:
        scan.skipped["binary"] += 1
        return
    if lang == "javascript" and path.lower().endswith(".min.js") or (
            lang in ("python", "javascript") and len(data) >= MINIFIED_MIN_BYTES and _long_lines(data)):
        scan.skipped["minified"] += 1
        return
    try:
        if lang == "python":
            calls = scan_python(data, scan.parsed)
            if _name(path).lower() == "setup.py":
                for library, req, line in scan_manifest("setup.py", data):
                    scan.libraries.append((path, library, req, line))
        elif lang == "notebook":
            calls = scan_notebook(data)
        elif lang == "javascript":
            calls = scan_javascript(data)
        else:
            for library, req, line in scan_manifest(_name(path), data):
                scan.libraries.append((path, library, req, line))
            calls = []
    except SkipFile as e:
        scan.skipped[f"{lang}: {e}"] += 1
        return
    except RecursionError:
        scan.skipped[f"{lang}: too deeply nested"] += 1
        return
    scan.files[lang] += 1
    scan.bytes[lang] += len(data)
    scan.calls += [(path, c) for c in calls]


def scan_tree(root: str | os.PathLike) -> Scan:
    """Scan every file under `root` (a repository checkout); paths are relative, with /."""
    root = Path(root)
    scan = Scan()

    def onerror(e: OSError) -> None:
        scan.skipped["unreadable folder"] += 1

    for folder, dirs, files in os.walk(root, onerror=onerror):  # followlinks=False: no loops
        keep = []
        for d in sorted(dirs):
            if d in SKIP_DIRS:
                scan.skipped["vendored or tool folder"] += 1
            elif os.path.islink(os.path.join(folder, d)):
                scan.skipped["symlink"] += 1
            else:
                keep.append(d)
        dirs[:] = keep
        for name in sorted(files):
            full = os.path.join(folder, name)
            rel = os.path.relpath(full, root).replace(os.sep, "/")
            if language(rel) is None:
                continue
            if os.path.islink(full):
                scan.skipped["symlink"] += 1
                continue
            try:
                if os.path.getsize(full) > MAX_BYTES:
                    scan.skipped["too large"] += 1
                    continue
                with open(full, "rb") as f:
                    data = f.read()
            except OSError:
                scan.skipped["unreadable"] += 1
                continue
            scan_file(rel, data, scan)
    return scan


def _clean(value):
    return redact(value)[0] if isinstance(value, str) else value


def records(scan: Scan, repo: str, repo_kind: str, source: str, method: str,
            observed: str | None) -> Iterator[tuple[str, dict]]:
    """(kind, record) pairs for the raw snapshot, in a stable order."""
    common = {"source": source, "method": method, "observed": observed}
    per_file: dict[tuple[str, str, str], list[Call]] = {}
    models: dict[str, None] = {}
    for path, call in scan.calls:
        record = {"repo": repo, "repo_kind": repo_kind, "file_path": path, "line": call.line,
                  "library": call.signature.module, "call": call.signature.id,
                  "model_ref": call.model_ref, "ref_kind": call.ref_kind, "model_id": call.model_id,
                  "task": call.task, "evidence": call.evidence or None, **common}
        yield "code_calls", {k: _clean(v) for k, v in record.items() if v is not None}
        per_file.setdefault((path, call.signature.module, call.signature.api), []).append(call)
        if call.model_id:
            models.setdefault(call.model_id)
    for (path, library, api), calls in per_file.items():
        ids = list(dict.fromkeys(c.model_id for c in calls if c.model_id))
        base = {"repo": repo, "file_path": path, "library": library, "api": api, "source": source}
        if ids:
            yield "code_usages", {**base, "calls": sorted({c.signature.id for c in calls}), "model_ids": ids,
                                  "method": method, **({"observed": observed} if observed else {})}
        else:
            yield "code_files", {**base, "method": method, **({"observed": observed} if observed else {})}
    for model_id in models:
        yield "dependents", {"model_id": model_id, "kind": repo_kind, "dependent": repo,
                             **{k: v for k, v in common.items() if v is not None}}
    for path, library, req, line in scan.libraries:
        yield "repo_libraries", {k: v for k, v in {
            "repo": repo, "repo_kind": repo_kind, "file_path": path, "line": line, "library": library,
            "requirement": _clean(req[:300]), **common}.items() if v is not None}
