"""The raw snapshot format: the contract between the producers and the builder.

A raw snapshot is a folder:

    snapshot.json        manifest: format version, name, producer, date, the sources
    <kind>.jsonl         one JSON object a line, one file per record kind (see KINDS)

Producers (scripts/import_sources.py, scripts/mine_hub.py) write it with
SnapshotWriter; the builder (build/db.py) reads it with read_manifest() and
iter_records(). docs/snapshot-format.md documents every kind and field.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator

FORMAT = "ptm-reuse-snapshot/1"

# kind -> (required fields, optional fields). Every record also carries "source",
# the id of an entry of the manifest's "sources" list.
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "models": (
        ("model_id",),
        ("observed", "author", "created_at", "last_modified", "sha",
         "downloads_30d", "downloads_all_time", "likes", "trending_score",
         "pipeline_tag", "library_name", "tags", "license", "has_card",
         "gated", "private", "disabled", "parameters", "in_paper_snapshot",
         "children_count", "extra"),
    ),
    "cards": (("model_id", "text"), ("observed", "sha", "tags")),
    "lineage": (("model_id", "base_model_id"), ("relation", "observed")),
    "dependents": (("model_id", "kind", "dependent"), ("model_license", "observed")),
    "repositories": (("repo",), ("licenses", "observed")),
    "code_usages": (("repo", "file_path", "library", "api"), ("calls", "model_ids")),
    "code_files": (("repo", "file_path", "library", "api"), ()),
    "aliases": (("old_id", "new_id"), ("observed",)),
    "license_stats": (("date", "scope", "level", "license", "repos"), ("downloads",)),
    "license_categories": (("license_id", "category"), ("name", "type")),
    "registry_downloads": (("registry", "downloads", "figure"), ("package", "rank", "period")),
    "extracted_metadata": (("model_id", "method", "fields"), ()),
    "descendant_counts": (("downloads", "descendants"), ()),
}


class SnapshotError(Exception):
    """Bad raw snapshot input. The message names the file, line and field."""


def _check(kind: str, record: dict, where: str, source_ids: set[str] | None) -> None:
    if not isinstance(record, dict):
        raise SnapshotError(f"{where}: expected a JSON object, got {type(record).__name__}")
    required, optional = KINDS[kind]
    for field in ("source",) + required:
        if record.get(field) in (None, ""):
            raise SnapshotError(f"{where}: missing required field {field!r}")
    if source_ids is not None and record["source"] not in source_ids:
        raise SnapshotError(
            f"{where}: field 'source' is {record['source']!r}, which snapshot.json does not list"
        )
    unknown = set(record) - {"source", *required, *optional}
    if unknown:
        raise SnapshotError(f"{where}: unknown field(s) {sorted(unknown)} for kind {kind!r}")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a JSON value (write null for a missing number)")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)  # one decoder: building one a line is slow


def read_manifest(folder: str | os.PathLike) -> dict:
    path = Path(folder) / "snapshot.json"
    if not path.exists():
        raise SnapshotError(f"{path}: not found; is {folder} a raw snapshot folder?")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise SnapshotError(f"{path}: invalid JSON at line {e.lineno}: {e.msg}") from None
    if manifest.get("format") != FORMAT:
        raise SnapshotError(f"{path}: field 'format' is {manifest.get('format')!r}, expected {FORMAT!r}")
    for field in ("name", "producer", "sources"):
        if field not in manifest:
            raise SnapshotError(f"{path}: missing required field {field!r}")
    for i, source in enumerate(manifest["sources"]):
        if not source.get("id"):
            raise SnapshotError(f"{path}: sources[{i}] has no 'id'")
    return manifest


def iter_records(folder: str | os.PathLike, kind: str, manifest: dict | None = None) -> Iterator[dict]:
    """Stream the records of one kind, validating each; a missing file yields nothing."""
    if kind not in KINDS:
        raise ValueError(f"unknown record kind {kind!r}")
    path = Path(folder) / f"{kind}.jsonl"
    if not path.exists():
        return
    source_ids = {s["id"] for s in manifest["sources"]} if manifest else None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            if not line.endswith("\n"):
                # A producer always ends a record with a newline; a missing one
                # means the file was cut off mid-record.
                raise SnapshotError(f"{where}: truncated record (no newline at end of file)")
            try:
                record = _DECODER.decode(line)
            except ValueError as e:  # JSONDecodeError, or NaN / Infinity, which JSON does not have
                if not isinstance(e, json.JSONDecodeError):
                    raise SnapshotError(f"{where}: invalid JSON: {e}") from None
                raise SnapshotError(f"{where}: invalid JSON: {e.msg} (column {e.colno})") from None
            _check(kind, record, where, source_ids)
            yield record


class SnapshotWriter:
    """Writes a raw snapshot folder.

    Records are appended to <kind>.jsonl, each line flushed whole. The manifest is
    written last, atomically, by finish(): a folder without snapshot.json is an
    unfinished snapshot. Producers that resume (the miner) open with append=True.
    """

    def __init__(self, folder: str | os.PathLike, append: bool = False):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.append = append
        self.counts: dict[str, int] = {}
        self._files: dict[str, object] = {}
        if not append:
            for kind in KINDS:
                (self.folder / f"{kind}.jsonl").unlink(missing_ok=True)
            (self.folder / "snapshot.json").unlink(missing_ok=True)

    def write(self, kind: str, record: dict) -> None:
        _check(kind, record, f"{kind} record", None)
        try:
            line = json.dumps(record, ensure_ascii=False, sort_keys=True, allow_nan=False)
        except ValueError:
            raise SnapshotError(f"{kind} record {record.get('model_id') or record.get('repo') or ''}: "
                                "a number is NaN or infinite; write null instead") from None
        f = self._files.get(kind)
        if f is None:
            f = self._files[kind] = open(self.folder / f"{kind}.jsonl", "a", encoding="utf-8")
        f.write(line + "\n")
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def flush(self) -> None:
        for f in self._files.values():
            f.flush()
            os.fsync(f.fileno())

    def close(self) -> None:
        for f in self._files.values():
            f.close()
        self._files = {}

    def finish(self, manifest: dict) -> Path:
        """Close the record files and write snapshot.json atomically."""
        self.flush()
        self.close()
        manifest = {"format": FORMAT, **manifest}
        path = self.folder / "snapshot.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return path
