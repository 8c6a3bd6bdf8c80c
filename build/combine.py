"""Several raw snapshots into one database: `python -m build SNAPSHOT [SNAPSHOT ...] DB`.

A typical build is the default replication (snapshots/icse23-replication-2022) plus one or more
mining runs (snapshots/hub-<date>), so that the trends run from 2022 to the newest run. `plan()`
decides, before anything is read, how each snapshot's sources enter the database:

- **A snapshot given twice** (the same folder, or another folder with the same files: same
  sha256 of snapshot.json and every <kind>.jsonl) is read once; the repeat is skipped.
- **The same source in two snapshots** (same id, snapshot date, repository and commit, e.g. two
  imports of the pinned artifacts) is one source: its records are read from the first snapshot
  that has it and skipped in the others, so nothing is counted twice.
- **Colliding source ids** (one id, different sources: every mining run calls its source `hub`)
  are renamed, in every snapshot, to `<id>-<date>` with the source's (last) date, e.g.
  `hub-2026-11-01` and `hub-2026-12-01`: each mining run is its own population, identified by its
  date. Two of them with one date cannot be told apart and stop the build with both folders named.
- **Overlapping models** need nothing: a model seen by several sources has one observation per
  source (model_observations) and one `models` row, as within one snapshot.

With a single snapshot nothing is renamed or skipped.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from build.snapshot import KINDS, SnapshotError, read_manifest


@dataclass
class Part:
    """One snapshot folder as it enters the database."""
    folder: Path
    manifest: dict  # as read (records are validated against it)
    rename: dict[str, str] = field(default_factory=dict)  # source id in the folder -> id in the database
    skip: set[str] = field(default_factory=set)  # sources whose records an earlier snapshot gave
    notes: list[str] = field(default_factory=list)

    def source_entries(self) -> list[dict]:
        """The manifest's sources as the database lists them (renamed; skipped ones left out)."""
        return [{**s, "id": self.rename.get(s["id"], s["id"])} for s in self.manifest["sources"]
                if s["id"] not in self.skip]


def content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in ["snapshot.json", *(f"{kind}.jsonl" for kind in KINDS)]:
        path = folder / name
        if path.exists():
            if not path.is_file():  # a folder, or a device such as /dev/zero that never ends
                raise SnapshotError(f"{path}: not a regular file")
            digest.update(f"{name}\0{path.stat().st_size}\0".encode())
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def _identity(source: dict) -> tuple:
    return (source["id"], source.get("snapshot_date"), source.get("repo"), source.get("commit"))


def _last_date(source: dict, manifest: dict) -> str:
    date = str(source.get("snapshot_date") or manifest.get("created") or "undated")
    return date.rsplit("/", 1)[-1]


def plan(folders: list[Path]) -> list[Part]:
    """The parts to read, in the order given, with renames and skips decided (see the module doc)."""
    parts: list[Part] = []
    seen_content: dict[str, Path] = {}
    for folder in folders:
        folder = Path(folder)
        manifest = read_manifest(folder)
        digest = content_hash(folder)
        if digest in seen_content:
            print(f"{folder}: the same snapshot as {seen_content[digest]} (same files): read once",
                  file=sys.stderr)
            continue
        seen_content[digest] = folder
        parts.append(Part(folder, manifest))

    entries: dict[str, dict[tuple, list[tuple[Part, dict]]]] = {}
    for part in parts:
        for source in part.manifest["sources"]:
            entries.setdefault(source["id"], {}).setdefault(_identity(source), []).append((part, source))
    for source_id, distinct in entries.items():
        for occurrences in distinct.values():  # one source in several snapshots: the first gives it
            first = occurrences[0][0]
            for part, _ in occurrences[1:]:
                part.skip.add(source_id)
                part.notes.append(f"source {source_id!r} is also in {first.folder}: its records are read from there")
        if len(distinct) < 2:
            continue
        renamed: dict[str, Path] = {}
        for occurrences in distinct.values():
            part, source = occurrences[0]
            new_id = f"{source_id}-{_last_date(source, part.manifest)}"
            if new_id in renamed or new_id in entries:
                raise SnapshotError(
                    f"{part.folder / 'snapshot.json'}: source {source_id!r} is a different source in "
                    f"{renamed.get(new_id, 'another snapshot')} with the same date; two sources cannot "
                    f"both be {new_id!r}: build them into separate databases")
            renamed[new_id] = part.folder
            for part, _ in occurrences:
                part.rename[source_id] = new_id
                part.notes.append(f"source {source_id!r} is named {new_id!r} (another snapshot has a "
                                  f"different source {source_id!r})")
    return parts


def describe(parts: list[Part]) -> str:
    """The `snapshots` fact of the snapshot table: each folder's name, sources, renames and skips."""
    return json.dumps([{"name": p.manifest.get("name"), "producer": p.manifest.get("producer"),
                        "created": p.manifest.get("created"),
                        "sources": [s["id"] for s in p.source_entries()],
                        **({"renamed": p.rename} if p.rename else {}),
                        **({"skipped": sorted(p.skip)} if p.skip else {})} for p in parts],
                      ensure_ascii=False, sort_keys=True)
