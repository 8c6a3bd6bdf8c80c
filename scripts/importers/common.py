"""What every importer shares: the run's bookkeeping, input errors, and cell readers.

- Run: one import's state: verified source files, the snapshot writer, record counts, skipped rows
  and notes per source (summarised in the manifest's `stats`).
- InputError: a source file without the expected shape; names file, line and field.
- ModelFacts: merges what several files of one source say about each model into one record.
- Cell readers (_number, _int, _literal, iso_datetime, checked_model_id, read_csv) turn source
  values into record values, raising InputError for a bad one. Hub facts (licenses, tags, base
  models, timestamps, model ids) are read by build/hubfacts.py, the one vocabulary.
"""

from __future__ import annotations

import ast
import csv
import math
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Iterable, Iterator

from tqdm import tqdm

from build.hubfacts import BadModelId, BadTimestamp, mask, model_id, timestamp
from build.snapshot import SnapshotWriter
from scripts.sources import source_folder, verify

ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
csv.field_size_limit(1 << 30)  # card texts and Hub API JSON sit in single CSV fields


class InputError(Exception):
    """A source file does not have the shape the importer expects. Names file, line, field."""

    def __init__(self, path: Path | str, line: int | str | None, field: str | None, problem: str):
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {f'field {field!r}: ' if field else ''}{problem}")


def _shown(value, limit: int = 60) -> str:
    """A value for an error message: token-shaped strings masked, long text cut (build.hubfacts.mask)."""
    return mask(value, limit)


def _number(value, path, line, field) -> int | float | None:
    """A number from a CSV cell, JSON value or float column: an int when whole; '', NaN, ±inf -> None.

    JSON has no NaN or infinity (HFCO2's *_efficency columns hold inf for a division by zero)."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(path, line, field, f"not a number: {_shown(value)}") from None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else number


def _int(value, path, line, field) -> int | None:
    """A count (downloads, likes): a whole number or None."""
    number = _number(value, path, line, field)
    if isinstance(number, float):
        raise InputError(path, line, field, f"not a whole number: {_shown(value)}")
    return number


def iso_datetime(value, path, line, field) -> str | None:
    """The canonical timestamp (build.hubfacts.timestamp: `YYYY-MM-DDTHH:MM:SSZ`, a bare date stays a date)."""
    try:
        return timestamp(value)
    except BadTimestamp as e:
        raise InputError(path, line, field, str(e)) from None


def checked_model_id(value, path, line, field) -> str:
    """A model id as build.hubfacts.model_id normalises it; InputError naming file, line and field otherwise."""
    try:
        return model_id(value)
    except BadModelId as e:
        raise InputError(path, line, field, str(e)) from None


class _NanAsNone(ast.NodeTransformer):
    def visit_Name(self, node):
        return ast.Constant(None) if node.id == "nan" else node


def _literal(value: str, path, line, field):
    """A Python literal written by pandas (lists, dicts; NaN as a bare `nan`) -> JSON value."""
    if value in ("", None):
        return None
    try:
        return ast.literal_eval(_NanAsNone().visit(ast.parse(value, mode="eval")))
    except (ValueError, SyntaxError):
        raise InputError(path, line, field, f"not a Python literal: {_shown(value)}") from None


def _as_list(value) -> list:
    return [] if value is None else value if isinstance(value, list) else [value]


MODEL_ID_FIELDS = ("model_id", "base_model_id")


class Run:
    """State of one import: where sources are, the writer, what was read and written."""

    def __init__(self, sources_dir: Path, writer: SnapshotWriter, pins: list[dict], progress: bool):
        self.sources_dir, self.writer, self.pins, self.progress = sources_dir, writer, pins, progress
        self.files_read: dict[str, list[dict]] = defaultdict(list)
        self.stats: dict[str, dict] = defaultdict(lambda: defaultdict(int))
        self.notes: dict[str, list[str]] = defaultdict(list)
        self.skipped: dict[str, Counter] = defaultdict(Counter)
        self.newest_observation: str | None = None

    def path(self, source: dict, rel: str) -> Path:
        """Verify one pinned file of a source and return its path; remember it was read."""
        full = verify(self.sources_dir, f"{source_folder(source)}/{rel}", self.pins)
        entry = next(e for e in source["files"] if e["path"] == rel)
        self.files_read[source["id"]].append({"path": rel, "sha256": entry["sha256"], "bytes": entry["bytes"]})
        return full

    def paths(self, source: dict, pattern: str) -> list[tuple[re.Match, Path]]:
        """The pinned non-derived files whose path matches the regex, sorted by path."""
        matches = sorted(
            (m for e in source["files"] if not e["derived"] and (m := re.fullmatch(pattern, e["path"]))),
            key=lambda m: m.string,
        )
        if not matches:
            raise InputError(source_folder(source), None, None, f"no pinned file matches {pattern!r}")
        return [(m, self.path(source, m.string)) for m in matches]

    def rows(self, items: Iterable, desc: str, total: int | None = None) -> Iterable:
        return tqdm(items, desc=desc, total=total, unit=" rows", file=sys.stderr,
                    disable=not self.progress, leave=False)

    def write(self, source: dict, kind: str, record: dict) -> None:
        record = {k: v for k, v in record.items() if v is not None}
        for key in MODEL_ID_FIELDS:
            if key in record:  # each importer checks ids where it reads them; this is the backstop
                try:
                    record[key] = model_id(record[key])
                except BadModelId as e:
                    n = self.stats[source["id"]][kind] + 1
                    raise InputError(source_folder(source), f"{kind} record {n}", key, str(e)) from None
        record["source"] = source["id"]
        observed = record.get("observed")
        if observed and (self.newest_observation is None or observed > self.newest_observation):
            self.newest_observation = observed
        self.writer.write(kind, record)
        self.stats[source["id"]][kind] += 1

    def skip(self, source: dict, reason: str, n: int = 1) -> None:
        self.skipped[source["id"]][reason] += n

    def note(self, source: dict, text: str) -> None:
        self.notes[source["id"]].append(text)


def observed_date(source: dict) -> str | None:
    """A source's observation date: its snapshot_date when that is one exact ISO date."""
    return source["snapshot_date"] if ISO_DATE_RE.fullmatch(source["snapshot_date"]) else None


def read_csv(path: Path, header: list[str] | None) -> Iterator[tuple[int, dict | list]]:
    """(line number, row) of a CSV; with `header`, checks it and yields dicts."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        if header is None:
            for row in reader:
                yield reader.line_num, row
            return
        found = next(reader, None)
        if found != header:
            raise InputError(path, 1, None, f"header is {found}, expected {header}")
        for row in reader:
            if len(row) != len(header):
                raise InputError(path, reader.line_num, None, f"{len(row)} fields, expected {len(header)}")
            yield reader.line_num, dict(zip(header, row))


class ModelFacts:
    """Merges what several files of one source say about each model into one record.

    The builder keys observations by (model, source), so a source gives one `models`
    record per model. The first value of a field wins; a different later value is counted
    as a conflict in the stats rather than silently overwriting it.
    """

    def __init__(self, observed: str | None):
        self.observed, self.records, self.conflicts = observed, {}, 0

    def add(self, model_id: str, facts: dict, extra: dict | None = None) -> None:
        record = self.records.setdefault(model_id, {"model_id": model_id, "observed": self.observed})
        for target, values in ((record, facts), (record.setdefault("extra", {}), extra or {})):
            for key, value in values.items():
                if value is None or value == "":
                    continue
                if key in target and target[key] != value:
                    self.conflicts += 1
                else:
                    target[key] = value

    def write(self, run: Run, source: dict) -> None:
        for record in self.records.values():
            if not record.get("extra"):
                record.pop("extra", None)
            run.write(source, "models", record)
        if self.conflicts:
            run.stats[source["id"]]["model_fact_conflicts"] = self.conflicts
