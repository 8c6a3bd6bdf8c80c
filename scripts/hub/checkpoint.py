"""The miner's output folder: resumable writing, and the previous snapshot it carries cards over from.

Resuming (see docs/mining.md): the JSONL record files are the data; `mining/state.json` is a
small checkpoint, replaced atomically after the record files were flushed to disk. It holds the
byte size of every record file at that moment, the listing cursor (the URL of the page to go on
from), and the run's counters. Whatever lies beyond those sizes was written after the last
checkpoint and may be partial (a cut-off line; a model whose lineage made it to disk but not its
`models` record): on resume each file is truncated back to its checkpointed size, so nothing is
duplicated, and the model ids already in models.jsonl are skipped when the cursor's page is
listed again, so nothing is lost.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

from build.redact import redact
from build.snapshot import KINDS, SnapshotWriter, iter_records, read_manifest

from .records import SOURCE, Card

MINING = "mining"                  # the miner's own files inside a snapshot folder
STATE = f"{MINING}/state.json"
FAILURES = f"{MINING}/failures.jsonl"
PREVIOUS = f"{MINING}/previous"    # a finished snapshot moved aside when its folder is mined again


class ResumeError(Exception):
    """The output folder cannot be resumed or reused; the message says why and what to do."""


def _tracked(folder: Path) -> list[Path]:
    return [folder / f"{kind}.jsonl" for kind in KINDS] + [folder / FAILURES]


def mask(value, counter: Counter | None = None):
    """`value` with every token-shaped string in it (keys and values, at any depth) replaced by
    build.redact's REPLACEMENT: nothing the miner writes to disk holds one."""
    if isinstance(value, str):
        new, n = redact(value)
        if n and counter is not None:
            counter["masked_tokens"] += n
        return new
    if isinstance(value, list):
        return [mask(v, counter) for v in value]
    if isinstance(value, dict):
        return {mask(k, counter): mask(v, counter) for k, v in value.items()}
    return value


def count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


class RunFolder:
    """A snapshot folder being mined: the SnapshotWriter, the failures file and the checkpoint."""

    def __init__(self, folder: Path, state: dict, resumed: bool):
        self.folder = folder
        self.state = state
        self.counters: Counter = Counter(state.get("counters", {}))
        # The miner writes into its run folder as it goes (append), so that a stopped run resumes.
        self.writer = SnapshotWriter(folder, append=True)
        self._failures = open(folder / FAILURES, "a", encoding="utf-8")

    @classmethod
    def open(cls, folder: str | os.PathLike, query: dict, previous: str | os.PathLike | None) -> "RunFolder":
        """Resume the run in `folder`, or start one there.

        `query` (the listing filters) must match the interrupted run's. A folder that holds a
        finished snapshot is mined again: the old snapshot moves to mining/previous and serves
        as the previous snapshot (unchanged cards are carried over), then is removed at the end.
        """
        folder = Path(folder)
        state_path = folder / STATE
        if state_path.exists():
            state = json.loads(state_path.read_text(encoding="utf-8"))
            if state["query"] != query:
                raise ResumeError(
                    f"{folder}: an unfinished run with filters {state['query']} is there; resume it with "
                    f"the same filters (not {query}) or choose another --out")
            if previous is not None:
                state["previous"] = str(Path(previous).resolve())
            _rollback(folder, state["sizes"])
            return cls(folder, state, resumed=True)

        moved = folder / PREVIOUS
        if (folder / "snapshot.json").exists():
            if moved.exists():
                shutil.rmtree(moved)
            moved.mkdir(parents=True)
            for path in _tracked(folder) + [folder / "snapshot.json"]:
                if path.exists():
                    os.replace(path, moved / path.name)
        elif any(p.exists() and p.stat().st_size for p in _tracked(folder)):
            raise ResumeError(f"{folder}: holds records but no {STATE}, so it was not written by this miner; "
                              f"choose another --out")
        if previous is None and (moved / "snapshot.json").exists():
            previous = moved
        (folder / MINING).mkdir(parents=True, exist_ok=True)
        (folder / FAILURES).unlink(missing_ok=True)
        state = {"query": query, "cursor": None, "listing_done": False, "alias_index": 0,
                 "previous": str(Path(previous).resolve()) if previous is not None else None,
                 "counters": {}, "sizes": {}}
        run = cls(folder, state, resumed=False)
        run.commit()
        return run

    @property
    def previous(self) -> Path | None:
        return Path(self.state["previous"]) if self.state.get("previous") else None

    def done_models(self) -> set[str]:
        """Ids of the models whose records are all written (their `models` record is the last one)."""
        return {r["model_id"] for r in iter_records(self.folder, "models")}

    def write(self, kind: str, record: dict, dated: bool = True) -> None:
        """Write one record, token-shaped strings masked. `dated`: its `observed` is this run's (not a
        date carried over from an earlier run), so it counts for the snapshot's dates."""
        self.writer.write(kind, mask(record, self.counters))
        observed = record.get("observed")
        if observed and dated:
            self.state["first_observed"] = min(self.state.get("first_observed") or observed, observed)
            self.state["last_observed"] = max(self.state.get("last_observed") or observed, observed)

    def fail(self, record: dict) -> None:
        """Note something to retry on the next run (mining/failures.jsonl)."""
        self._failures.write(json.dumps(mask(record), ensure_ascii=False, sort_keys=True) + "\n")

    def commit(self, **changes) -> None:
        """Make everything written so far durable, then record the checkpoint."""
        self.writer.flush()
        self._failures.flush()
        os.fsync(self._failures.fileno())
        self.state.update(changes)
        self.state["counters"] = dict(self.counters)
        self.state["sizes"] = {p.relative_to(self.folder).as_posix(): p.stat().st_size
                               for p in _tracked(self.folder) if p.exists()}
        path = self.folder / STATE
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.state, f, indent=1, sort_keys=True)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def close(self) -> None:
        self.writer.close()
        self._failures.close()

    def finish(self, manifest: dict) -> Path:
        """Write snapshot.json; the checkpoint and a moved-aside previous snapshot are no longer needed."""
        self._failures.close()
        path = self.writer.finish(manifest)
        (self.folder / STATE).unlink()
        shutil.rmtree(self.folder / PREVIOUS, ignore_errors=True)
        return path


def _rollback(folder: Path, sizes: dict[str, int]) -> None:
    """Cut every record file back to its size at the last checkpoint."""
    for path in _tracked(folder):
        if not path.exists():
            continue
        name = path.relative_to(folder).as_posix()
        size, actual = sizes.get(name, 0), path.stat().st_size
        if actual < size:
            raise ResumeError(f"{path}: {actual} bytes, fewer than the {size} bytes of the last checkpoint; "
                              f"the folder was changed after the run stopped, so it cannot be resumed")
        if actual > size:
            os.truncate(path, size)


class PreviousSnapshot:
    """Each model's sha and card outcome in an earlier hub snapshot, and where its card text is.

    A model whose repository sha has not changed has the same README.md, so its card (or
    the knowledge that it has none, or is gated) is carried over without a request.
    """

    CARRIED = {"ok", "empty", "missing", "gated", "private"}

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)
        manifest = read_manifest(self.folder)
        self.outcomes: dict[str, tuple[str | None, str | None]] = {}
        for record in iter_records(self.folder, "models", manifest):
            if record["source"] == SOURCE:
                status = (record.get("extra") or {}).get("card_status")
                self.outcomes[record["model_id"]] = (record.get("sha"), status)
        self._cards: dict[str, tuple[int, int]] = {}
        self._cards_file = None
        path = self.folder / "cards.jsonl"
        if path.exists():
            offset = 0
            with open(path, "rb") as f:
                for line in f:
                    record = json.loads(line)
                    if record.get("source") == SOURCE:
                        self._cards[record["model_id"]] = (offset, len(line))
                    offset += len(line)

    def __len__(self) -> int:
        return len(self.outcomes)

    def carry(self, model_id: str, sha: str | None) -> Card | None:
        """The previous outcome for this model if its repository is unchanged, else None."""
        old_sha, status = self.outcomes.get(model_id, (None, None))
        if sha is None or old_sha != sha or status not in self.CARRIED:
            return None
        if status != "ok":
            return Card(status, carried=True)
        if model_id not in self._cards:
            return None
        if self._cards_file is None:
            self._cards_file = open(self.folder / "cards.jsonl", "rb")
        offset, length = self._cards[model_id]
        self._cards_file.seek(offset)
        return Card("ok", text=json.loads(self._cards_file.read(length))["text"], carried=True)

    def close(self) -> None:
        if self._cards_file is not None:
            self._cards_file.close()
