"""The raw snapshot format: the contract between the producers and the builder.

A raw snapshot is a folder:

    snapshot.json        manifest: format version, name, producer, date, the sources
    <kind>.jsonl         one JSON object a line, one file per record kind (see KINDS)

KINDS declares every field of every record kind with its type, once: the producers
(scripts/import_sources.py, scripts/mine_hub.py) write with SnapshotWriter, which checks each
record against it as it is written; the builder (build/db.py) reads with read_manifest() and
iter_records(), which check the same declaration and name the file, line and field of anything
wrong; build/schema.py derives the tables' columns from it. docs/snapshot-format.md documents
every kind and field for people.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import json
import math
import operator
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

FORMAT = "ptm-reuse-snapshot/1"

# ---------------------------------------------------------------- field types

# A field's type is one of these. `str`, `int`, `float`, `bool`, `list` (a list of strings) and
# `dict` (a JSON object) are what they say; the others are checked strings or unions.
DATE = "date"                  # an ISO date, year or datetime string (compared as text)
BOOL_OR_TEXT = "bool_or_text"  # the Hub's `gated`: true, false, "auto" or "manual"
MODEL_ID = "model_id"          # a Hub model id (see check_model_id)
MODEL_IDS = "model_ids"        # a list of Hub model ids

TYPE_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
              list: "a list of strings", dict: "a JSON object", DATE: "an ISO date string",
              BOOL_OR_TEXT: "true, false or a string", MODEL_ID: "a model id",
              MODEL_IDS: "a list of model ids"}

# Limits: SQLite stores integers in 64 bits; Hub ids are short (today at most 96 characters a
# part; the longest legacy id in the sources has 257), so 1024 only stops garbage; nested objects
# (`extra`, `fields`) stay shallow in practice.
MIN_INT, MAX_INT = -(2 ** 63), 2 ** 63 - 1
MAX_MODEL_ID_CHARS = 1024
MAX_DEPTH = 32
MAX_LINE_BYTES = 64 * 2 ** 20  # one record (the largest real card is 117 kB)

_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2}([T ].*)?)?)?", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Field:
    type: object
    required: bool = False


def required(field_type) -> Field:
    return Field(field_type, True)


def optional(field_type) -> Field:
    return Field(field_type, False)


SOURCE = required(str)  # every record's `source`: the id of an entry of the manifest's "sources"

# kind -> {field: Field}, in the order of the columns of the kind's table (build/schema.py).
KINDS: dict[str, dict[str, Field]] = {
    "models": {
        "model_id": required(MODEL_ID), "source": SOURCE, "observed": optional(DATE),
        "author": optional(str), "created_at": optional(str), "last_modified": optional(str),
        "sha": optional(str), "downloads_30d": optional(int), "downloads_all_time": optional(int),
        "likes": optional(int), "trending_score": optional(float), "pipeline_tag": optional(str),
        "library_name": optional(str), "tags": optional(list), "license": optional(str),
        "has_card": optional(bool), "gated": optional(BOOL_OR_TEXT), "private": optional(BOOL_OR_TEXT),
        "disabled": optional(BOOL_OR_TEXT), "parameters": optional(int),
        "in_paper_snapshot": optional(bool), "children_count": optional(int), "extra": optional(dict)},
    "cards": {
        "model_id": required(MODEL_ID), "source": SOURCE, "observed": optional(DATE),
        "sha": optional(str), "tags": optional(list), "text": required(str)},
    "lineage": {
        "model_id": required(MODEL_ID), "base_model_id": required(MODEL_ID), "source": SOURCE,
        "relation": optional(str), "observed": optional(DATE)},
    "dependents": {
        "model_id": required(MODEL_ID), "kind": required(str), "dependent": required(str),
        "source": SOURCE, "model_license": optional(str), "observed": optional(DATE),
        "method": optional(str)},
    "repositories": {
        "repo": required(str), "licenses": optional(list), "source": SOURCE, "observed": optional(DATE),
        "stars": optional(int), "fork": optional(bool), "archived": optional(bool), "pushed_at": optional(str),
        "default_branch": optional(str), "method": optional(str)},
    "code_usages": {
        "repo": required(str), "file_path": required(str), "library": required(str), "api": required(str),
        "calls": optional(list), "model_ids": optional(MODEL_IDS), "source": SOURCE,
        "method": optional(str), "observed": optional(DATE)},
    "code_files": {
        "repo": required(str), "file_path": required(str), "library": required(str), "api": required(str),
        "source": SOURCE, "method": optional(str), "observed": optional(DATE)},
    # one call site found by the code scanner (scripts/scan/); docs/dependents.md
    "code_calls": {
        "repo": required(str), "repo_kind": optional(str), "file_path": required(str), "line": optional(int),
        "library": required(str), "call": required(str), "model_ref": optional(str),
        "ref_kind": required(str), "model_id": optional(MODEL_ID), "task": optional(str),
        "evidence": optional(str), "source": SOURCE, "method": optional(str), "observed": optional(DATE),
        "revision": optional(str)},
    # a reuse-signature library a dependency manifest declares
    "repo_libraries": {
        "repo": required(str), "repo_kind": optional(str), "file_path": required(str), "line": optional(int),
        "library": required(str), "requirement": optional(str), "source": SOURCE, "method": optional(str),
        "observed": optional(DATE)},
    "aliases": {
        "old_id": required(MODEL_ID), "new_id": required(MODEL_ID), "source": SOURCE,
        "observed": optional(DATE)},
    "license_stats": {
        "date": required(DATE), "scope": required(str), "level": required(str), "license": required(str),
        "repos": required(int), "downloads": optional(int), "source": SOURCE},
    "license_categories": {
        "license_id": required(str), "name": optional(str), "category": required(str), "type": optional(str),
        "source": SOURCE},
    "registry_downloads": {
        "registry": required(str), "figure": required(str), "package": optional(str), "rank": optional(int),
        "downloads": required(int), "period": optional(str), "source": SOURCE},
    "extracted_metadata": {
        "model_id": required(MODEL_ID), "method": required(str), "source": SOURCE, "fields": required(dict)},
    "descendant_counts": {
        "downloads": required(int), "descendants": required(int), "source": SOURCE},
    # F12 from the Hub (scripts/hub/defenses.py): a sampled repository's security scan status, and
    # whether a sampled author is a (verified) organization. `sample`: ["top"], ["random"] or both.
    "security_scans": {
        "model_id": required(MODEL_ID), "source": SOURCE, "observed": optional(DATE), "sha": optional(str),
        "sample": required(list), "scans_done": optional(bool), "files_with_issues": optional(dict)},
    "authors": {
        "author": required(str), "source": SOURCE, "observed": optional(DATE), "sample": required(list),
        "is_organization": optional(bool), "is_verified": optional(bool)},
}

# The manifest (snapshot.json) and each entry of its "sources" list and of a source's "files".
MANIFEST_FIELDS: dict[str, Field] = {
    "format": required(str), "name": required(str), "producer": required(str), "created": optional(str),
    "description": optional(str), "sources": required("sources"), "stats": optional(dict)}
SOURCE_FIELDS: dict[str, Field] = {
    "id": required(str), "title": optional(str), "repo": optional(str), "commit": optional(str),
    "url": optional(str), "license": optional(str), "citation": optional(str),
    "snapshot_date": optional(str), "coverage": optional(str), "files": optional("files")}
FILE_FIELDS: dict[str, Field] = {"path": required(str), "sha256": optional(str), "bytes": optional(int)}


class SnapshotError(Exception):
    """Bad raw snapshot input. The message names the file, line and field."""


# ---------------------------------------------------------------- checks

def _short(value) -> str:
    """A value as JSON text (as the snapshot spells it), cut to 60 characters."""
    try:
        text = json.dumps(value, ensure_ascii=True, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_model_id(value) -> str | None:
    """What is wrong with a model id, or None: ids are 1-1024 characters, not blank, no control characters."""
    if not isinstance(value, str):
        return f"is {_short(value)}, expected a model id (a string)"
    if len(value) > MAX_MODEL_ID_CHARS:
        return f"is {len(value):,} characters long; a model id has at most {MAX_MODEL_ID_CHARS}"
    if not value.strip():
        return f"is {_short(value)}, a blank model id"
    if value != value.strip():
        return f"is {_short(value)}: a model id does not begin or end with white space"
    if _CONTROL.search(value):
        return f"is {_short(value)}: a model id has no control characters (NUL, newline, ...)"
    return None


def _depth_problem(value, depth: int = 0) -> str | None:
    """Nesting deeper than MAX_DEPTH, a number SQLite cannot hold, or text that is not Unicode."""
    if depth > MAX_DEPTH:
        return f"nests deeper than {MAX_DEPTH} levels"
    if isinstance(value, dict):
        items = list(value.keys()) + list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return _scalar_problem(value)
    for item in items:
        problem = _depth_problem(item, depth + 1)
        if problem:
            return problem
    return None


def _has_surrogate(text: str) -> bool:
    """Whether the text holds a lone surrogate (\\ud800-\\udfff): strict UTF-8 encoding fails on one and on nothing
    else, and is several times faster than a regular expression over a long text (a model card)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _scalar_problem(value) -> str | None:
    if isinstance(value, str):
        if not value.isascii() and _has_surrogate(value):
            return "holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text"
    elif isinstance(value, float):
        if not math.isfinite(value):
            return f"holds {value!r}, which is not a JSON number (write null for a missing number)"
    elif isinstance(value, int) and not isinstance(value, bool) and not MIN_INT <= value <= MAX_INT:
        return f"holds an integer of {len(str(abs(value)))} digits, beyond 64 bits"
    return None


def _expected(field_type, value) -> str:
    """The message for a value of the wrong type (built only when one is found: it costs)."""
    return f"is {_short(value)}, expected {TYPE_NAMES.get(field_type, field_type)}"


def _field_problem(field_type, value) -> str | None:
    """What is wrong with one non-null field value, or None."""
    if field_type is str:
        if not isinstance(value, str):
            return _expected(field_type, value)
        return _scalar_problem(value)
    if field_type is MODEL_ID:
        return check_model_id(value) or _scalar_problem(value)
    if field_type is DATE:
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            return _expected(field_type, value)
        return _scalar_problem(value)
    if field_type is int:
        if not isinstance(value, int) or isinstance(value, bool):
            return _expected(field_type, value)
        return _scalar_problem(value)
    if field_type is float:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return _expected(field_type, value)
        return _scalar_problem(float(value) if isinstance(value, float) else value)
    if field_type is bool:
        return None if isinstance(value, bool) else _expected(field_type, value)
    if field_type is BOOL_OR_TEXT:
        if not isinstance(value, (bool, str)):
            return _expected(field_type, value)
        return _scalar_problem(value)
    if field_type is list or field_type is MODEL_IDS:
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            return _expected(field_type, value)
        for i, item in enumerate(value):
            problem = check_model_id(item) if field_type is MODEL_IDS else None
            problem = problem or _scalar_problem(item)
            if problem:
                return f"item {i} {problem}"
        return None
    if field_type is dict:
        if not isinstance(value, dict):
            return _expected(field_type, value)
        return _depth_problem(value)
    raise ValueError(f"unknown field type {field_type!r}")


def check_record(kind: str, record, where: str, source_ids: set[str] | None = None) -> None:
    """Check one record against KINDS[kind]; raise SnapshotError naming `where` and the field."""
    if not isinstance(record, dict):
        raise SnapshotError(f"{where}: expected a JSON object, got {_json_type(record)}")
    fields = KINDS[kind]
    if not record.keys() <= fields.keys():
        unknown = [f for f in record if f not in fields]
        raise SnapshotError(f"{where}: unknown field(s) {_short(sorted(unknown))} for kind {kind!r}")
    if not _fields_fine(kind, record):  # else name the first problem, in the order KINDS declares the fields
        _raise_field_problem(fields, record, where)
    _check_source(record, where, source_ids)


def _check_source(record: dict, where: str, source_ids) -> None:
    if source_ids is not None and record["source"] not in source_ids:
        raise SnapshotError(
            f"{where}: field 'source' is {_short(record['source'])}, which snapshot.json does not list")


_REQUIRED = {kind: [name for name, field in fields.items() if field.required] for kind, fields in KINDS.items()}


def _fields_fine(kind: str, record: dict) -> bool:
    """True if no required field of a record (whose fields KINDS[kind] all declares) is missing and
    no field has a wrong value: the common case, answered in one pass over the fields it has."""
    for name in _REQUIRED[kind]:
        value = record.get(name)
        if value is None or value == "":
            return False
    fields = KINDS[kind]
    for name, value in record.items():
        if value is None or value == "":
            continue
        # The common cases, with the answer _field_problem() gives them (most fields of most records)
        field_type, value_type = fields[name].type, type(value)
        if value_type is str and (field_type is str or field_type is BOOL_OR_TEXT) and value.isascii():
            continue
        if value_type is int and (field_type is int or field_type is float) and MIN_INT <= value <= MAX_INT:
            continue
        if value_type is bool and (field_type is bool or field_type is BOOL_OR_TEXT):
            continue
        if _field_problem(field_type, value):
            return False
    return True


def _raise_field_problem(fields: dict[str, Field], record: dict, where: str) -> None:
    """Raise SnapshotError for the first field (in declaration order) that is missing or wrong."""
    for name, field in fields.items():
        value = record.get(name)
        if value is None or value == "":
            if field.required:
                raise SnapshotError(f"{where}: missing required field {name!r}")
            continue
        problem = _field_problem(field.type, value)
        if problem:
            raise SnapshotError(f"{where}: field {name!r} {problem}")


def _json_type(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _check_object(obj, fields: dict[str, Field], where: str) -> None:
    """Check a manifest object (no unknown-field rule: the manifest may carry more)."""
    if not isinstance(obj, dict):
        raise SnapshotError(f"{where}: expected a JSON object, got {_json_type(obj)}")
    for name, field in fields.items():
        value = obj.get(name)
        if value is None or value == "":
            if field.required:
                raise SnapshotError(f"{where}: missing required field {name!r}")
            continue
        if field.type in ("sources", "files"):
            if not isinstance(value, list):
                raise SnapshotError(f"{where}: field {name!r} is {_short(value)}, expected a list")
            for i, item in enumerate(value):
                _check_object(item, SOURCE_FIELDS if field.type == "sources" else FILE_FIELDS,
                              f"{where}: {name}[{i}]" if ": " not in where else f"{where}.{name}[{i}]")
            continue
        problem = _field_problem(field.type, value)
        if problem:
            raise SnapshotError(f"{where}: field {name!r} {problem}")


# ---------------------------------------------------------------- the quick check of a decoded line
#
# Most lines of a large snapshot are fine, and records of a kind come in few shapes: the same fields,
# in the same order (producers write sorted keys), with values of the same types. signature() checks
# a record decoded from a line by its shape, (its field names, the types of their values), looked up
# in a cache of shapes already judged (built by _plan() from KINDS), then the few values a shape
# still needs a look at (a model id, a date, an integer's range, a list's items). Anything it does not
# answer goes to check_record(), the careful checks that name the problem: the same records pass, the
# same messages name the same field.
#
# It relies on one fact of the line: no `\u` escape in it. JSON text decoded strictly from UTF-8
# can then hold no lone surrogate (one can only be written `\ud800`-`\udfff`), so no string needs
# the surrogate check; and every character of every string is the line's own byte(s) or a short
# escape (\" \\ \/ \b \f \n \r \t), which build/db.py relies on for redaction (no token shape's
# characters can be written any other way).

_ID_FINE = re.compile(r"[!-~](?:[ -~]{0,%d}[!-~])?" % (MAX_MODEL_ID_CHARS - 2)).fullmatch  # printable ASCII, no
# space at either end, 1 to 1024 characters: a model id check_model_id() accepts (any other goes the careful way)
_IN_64_BITS = range(MIN_INT, MAX_INT + 1).__contains__
_STR_ONLY = frozenset({str}).issuperset  # _STR_ONLY(map(type, items)): every item a string
_CALL = operator.call
_PLANS: dict[str, dict] = {kind: {} for kind in KINDS}
_MAX_PLANS = 4096  # shapes cached a kind (hostile input could make many): beyond, checked the careful way


def _model_ids_fine(value: list) -> bool:
    return _STR_ONLY(map(type, value)) and all(map(_ID_FINE, value))


def _list_fine(value: list) -> bool:
    return _STR_ONLY(map(type, value))


def _object_fine(value: dict) -> bool:
    return _depth_problem(value) is None


class Shape:
    """A shape of records signature() found fine: its field names and their values' types, and the
    checks its records still need (`fields`, `tests`: each test true of a fine value of its field).
    `rows` is for build/db.py, which keeps how a record of this shape becomes a row there."""
    __slots__ = ("names", "types", "fields", "tests", "rows")

    def __init__(self, names: tuple, types: tuple, fields: tuple, tests: tuple):
        self.names, self.types, self.fields, self.tests, self.rows = names, types, fields, tests, None


def _plan(kind: str, names: tuple, types: tuple) -> Shape | None:
    """The Shape of records with these fields and types; None if such a record is not fine whatever
    its values (an unknown or missing field, a type not the field's, null in a required field), or
    not one signature() answers."""
    fields = KINDS[kind]
    if not set(names) <= fields.keys() or not all(f in names for f, field in fields.items() if field.required):
        return None
    tests = []
    for name, value_type in zip(names, types):
        field_type, required = fields[name].type, fields[name].required
        if value_type is type(None):
            if required:
                return None
            continue
        if value_type is str:
            if field_type is MODEL_ID:
                tests.append((name, _ID_FINE))  # never matches "": a missing required id
            elif field_type is DATE:
                tests.append((name, _DATE.fullmatch))  # neither
            elif field_type is str or field_type is BOOL_OR_TEXT:
                if required:
                    tests.append((name, bool))  # "" is a missing required field
            else:
                return None  # "" in an optional field of another type is fine, but rare: the careful way
        elif value_type is int and (field_type is int or field_type is float):
            tests.append((name, _IN_64_BITS))
        elif value_type is float and field_type is float:
            tests.append((name, math.isfinite))
        elif value_type is bool and (field_type is bool or field_type is BOOL_OR_TEXT):
            pass
        elif value_type is list and field_type is list:
            tests.append((name, _list_fine))
        elif value_type is list and field_type is MODEL_IDS:
            tests.append((name, _model_ids_fine))
        elif value_type is dict and field_type is dict:
            tests.append((name, _object_fine))
        else:
            return None
    return Shape(names, types, tuple(name for name, _ in tests), tuple(test for _, test in tests))


def signature(kind: str, record, line: bytes) -> Shape | None:
    """The record's Shape if the quick check finds it fine (then check_record() would raise nothing
    but the unlisted-source error), else None: check_record() decides, and names the problem."""
    if type(record) is not dict or b"\\u" in line:
        return None
    names, types = tuple(record), tuple(map(type, record.values()))
    plans = _PLANS[kind]
    try:
        shape = plans[names, types]
    except KeyError:
        shape = _plan(kind, names, types)
        if len(plans) < _MAX_PLANS:
            plans[names, types] = shape
    if shape is None or not all(map(_CALL, shape.tests, map(record.__getitem__, shape.fields))):
        return None
    return shape


# ---------------------------------------------------------------- reading

def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON value (write null for a missing number)")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)  # one decoder: building one a line is slow


_SCAN = _DECODER.scan_once  # what _DECODER.decode() calls after skipping white space


def _decode(data: bytes, where: str):
    """bytes of one JSON document -> the value, or SnapshotError naming what is wrong."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SnapshotError(f"{where}: not UTF-8 text (byte 0x{data[e.start]:02x} at column {e.start + 1})") from None
    if text[:1] == "{":  # a record's line: _DECODER.decode() without its white-space skipping, the common case
        try:
            value, end = _SCAN(text, 0)
        except (StopIteration, ValueError, RecursionError):
            pass  # decode() again below, for its message
        else:
            if text[end:] == "\n":
                return value
    if text.startswith("\ufeff"):
        raise SnapshotError(f"{where}: starts with a byte order mark (U+FEFF); write UTF-8 without one")
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as e:
        raise SnapshotError(f"{where}: invalid JSON: {e.msg} (column {e.colno})") from None
    except RecursionError:
        raise SnapshotError(f"{where}: invalid JSON: nested too deeply") from None
    except ValueError as e:  # NaN / Infinity, which JSON does not have
        raise SnapshotError(f"{where}: invalid JSON: {e}") from None


def read_manifest(folder: str | os.PathLike) -> dict:
    path = Path(folder) / "snapshot.json"
    if not path.exists():
        raise SnapshotError(f"{path}: not found; is {folder} a raw snapshot folder?")
    if not path.is_file():
        raise SnapshotError(f"{path}: not a regular file")
    with open(path, "rb") as f:
        data = f.read(MAX_LINE_BYTES + 1)
    if len(data) > MAX_LINE_BYTES:
        raise SnapshotError(f"{path}: larger than {MAX_LINE_BYTES:,} bytes; not a snapshot manifest")
    manifest = _decode(data, str(path))
    if not isinstance(manifest, dict):
        raise SnapshotError(f"{path}: expected a JSON object, got {_json_type(manifest)}")
    if manifest.get("format") != FORMAT:
        raise SnapshotError(f"{path}: field 'format' is {_short(manifest.get('format'))}, expected {FORMAT!r}")
    _check_object(manifest, MANIFEST_FIELDS, str(path))
    ids = [s["id"] for s in manifest["sources"]]
    if len(ids) != len(set(ids)):
        raise SnapshotError(f"{path}: field 'sources' lists the id {_short(next(i for i in ids if ids.count(i) > 1))} twice")
    return manifest


def iter_records(folder: str | os.PathLike, kind: str, manifest: dict | None = None,
                 numbered: bool = False) -> Iterator:
    """Stream the records of one kind, checking each; a missing file yields nothing.

    With numbered=True, yields (line number, record) pairs. Blank lines are skipped.
    """
    path = Path(folder) / f"{kind}.jsonl"
    source_ids = {s["id"] for s in manifest["sources"]} if manifest else None
    for lineno, line in iter_lines(folder, kind):
        record = parse_line(kind, line, f"{path}:{lineno}", source_ids)
        yield (lineno, record) if numbered else record


def iter_lines(folder: str | os.PathLike, kind: str) -> Iterator[tuple[int, bytes]]:
    """The (line number, bytes) of each non-blank line of one kind's file, unparsed (parse_line()
    reads one); checks the length of each line and that the file ends with a newline."""
    for lineno, _, line in iter_line_spans(folder, kind):
        yield lineno, line


def iter_line_spans(folder: str | os.PathLike, kind: str) -> Iterator[tuple[int, int, bytes]]:
    """iter_lines() with the byte offset of each line in the file: (line number, offset, bytes)."""
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}")
    path = Path(folder) / f"{kind}.jsonl"
    if not path.exists():
        return
    if not path.is_file():  # a folder, or a device such as /dev/zero that never ends
        raise SnapshotError(f"{path}: not a regular file")
    with open(path, "rb") as f:
        lineno = offset = 0
        while True:
            line = f.readline(MAX_LINE_BYTES + 1)
            if not line:
                break
            lineno += 1
            start, offset = offset, offset + len(line)
            if len(line) > MAX_LINE_BYTES:
                raise SnapshotError(f"{path}:{lineno}: a record longer than {MAX_LINE_BYTES:,} bytes")
            if not line.strip():
                continue
            if not line.endswith(b"\n"):
                # A producer always ends a record with a newline; a missing one
                # means the file was cut off mid-record.
                raise SnapshotError(f"{path}:{lineno}: truncated record (no newline at end of file)")
            yield lineno, start, line


def parse_line(kind: str, line: bytes, where: str, source_ids: set[str] | None = None) -> dict:
    """One line of a kind's file as a checked record; SnapshotError naming `where` and the field."""
    return parse_line_shape(kind, line, where, source_ids)[0]


def parse_line_shape(kind: str, line: bytes, where: str, source_ids: set[str] | None = None) -> tuple[dict, Shape | None]:
    """parse_line() and the record's shape (signature()), or None where the careful checks passed it."""
    record = _decode(line, where)
    shape = signature(kind, record, line)
    if shape is None:
        check_record(kind, record, where, source_ids)
    else:
        _check_source(record, where, source_ids)
    return record, shape


# ---------------------------------------------------------------- writing

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def remove_stale(pattern_dir: Path, prefix: str) -> list[Path]:
    """Remove `<prefix><pid>` files or folders in pattern_dir whose process is gone (kill -9, SIGTERM),
    and the `-wal`, `-shm` and `-journal` files SQLite keeps beside such a database."""
    removed = []
    if not pattern_dir.is_dir():
        return removed
    for path in pattern_dir.iterdir():
        if not path.name.startswith(prefix):
            continue
        pid = path.name[len(prefix):]
        for suffix in ("-wal", "-shm", "-journal"):
            pid = pid.removesuffix(suffix)
        if not pid.isdigit() or (int(pid) != os.getpid() and _pid_alive(int(pid))):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


_RENAME_EXCHANGE = 2
_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where that is not available."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = _libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    return False


class SnapshotWriter:
    """Writes a raw snapshot folder, checking every record against KINDS as it is written.

    A new snapshot (append=False) is written into a temporary folder beside the target,
    `.<name>.tmp-<pid>`, and finish() swaps it into place in one step: until then a snapshot
    already in the folder stays whole, and a failed producer leaves it as it was. The temporary
    folder of a failed run is removed when the process exits, or (after kill -9) by the next
    writer of the same folder.

    Producers that write incrementally and resume (the miner) open with append=True: records
    are appended to the folder's own <kind>.jsonl files, each line whole, and finish() writes
    the manifest last, atomically: a folder without snapshot.json is an unfinished snapshot.
    """

    def __init__(self, folder: str | os.PathLike, append: bool = False):
        self.target = Path(folder)
        self.append = append
        self.counts: dict[str, int] = {}
        self.cited: set[str] = set()
        self._files: dict[str, object] = {}
        self._finished = False
        if append:
            self.folder = self.target
            self.folder.mkdir(parents=True, exist_ok=True)
        else:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            if self.target.exists() and not self.target.is_dir():
                raise SnapshotError(f"{self.target}: exists and is not a folder")
            prefix = f".{self.target.name}.tmp-"
            remove_stale(self.target.parent, prefix)
            remove_stale(self.target.parent, f".{self.target.name}.old-")
            self.folder = self.target.parent / f"{prefix}{os.getpid()}"
            self.folder.mkdir()
            atexit.register(self._discard)

    def write(self, kind: str, record: dict) -> None:
        n = self.counts.get(kind, 0) + 1
        label = next((record.get(k) for k in ("model_id", "repo", "old_id", "registry")
                      if isinstance(record, dict) and isinstance(record.get(k), str)), None)
        where = f"{kind} record {n}" + (f" ({_short(label)})" if label else "")
        if kind not in KINDS:
            raise SnapshotError(f"{where}: unknown record kind {kind!r}")
        check_record(kind, record, where)
        try:
            data = (json.dumps(record, ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n").encode("utf-8")
        except (ValueError, RecursionError) as e:  # the checks above make this unlikely
            raise SnapshotError(f"{where}: not writable as JSON: {e}") from None
        f = self._files.get(kind)
        if f is None:
            f = self._files[kind] = open(self.folder / f"{kind}.jsonl", "ab")
        f.write(data)
        self.counts[kind] = n
        self.cited.add(record["source"])

    def flush(self) -> None:
        for f in self._files.values():
            f.flush()
            os.fsync(f.fileno())

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files = {}

    def abort(self) -> None:
        """Stop without finishing: a new snapshot's temporary folder is removed; the target is untouched."""
        self.close()
        self._discard()

    def _discard(self) -> None:
        if not self.append and not self._finished:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "SnapshotWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
        else:
            self.close()

    def finish(self, manifest: dict) -> Path:
        """Close the record files, write snapshot.json atomically and (new snapshots) swap the folder in."""
        self.flush()
        self.close()
        manifest = {"format": FORMAT, **manifest}
        where = f"manifest of {self.target}"
        _check_object(manifest, MANIFEST_FIELDS, where)
        listed = {s["id"] for s in manifest["sources"]}
        if self.cited - listed:
            raise SnapshotError(f"{where}: records cite source(s) {sorted(self.cited - listed)} "
                                "that its 'sources' do not list")
        path = self.folder / "snapshot.json"
        tmp = path.with_suffix(".json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        if not self.append:
            self._swap()
        self._finished = True
        return self.target / "snapshot.json"

    def _swap(self) -> None:
        """Put the finished temporary folder in the target's place; the old snapshot goes only after."""
        if not self.target.exists():
            os.rename(self.folder, self.target)
        elif _exchange(self.folder, self.target):
            shutil.rmtree(self.folder)  # now the old snapshot
        else:
            old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
            os.rename(self.target, old)
            os.rename(self.folder, self.target)
            shutil.rmtree(old)
        self.folder = self.target
        _fsync_dir(self.target.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
