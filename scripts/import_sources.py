"""Import the pinned research artifacts into a raw snapshot (producer 1).

    python -m scripts.import_sources --sources DIR --out SNAPSHOT_DIR

Reads every source listed in scripts/pinned_sources.json from DIR (laid out as
DIR/<owner>+<repo>/<path>, like ../shared/sources), verifying each file's sha256 before
reading it, and writes the raw snapshot (docs/snapshot-format.md) with
build.snapshot.SnapshotWriter. Each record keeps the id of the source it came from.

The output is deterministic: the same sources give byte-identical files. Records follow
the order of the source files (file lists are sorted), and the manifest's `created` is
the newest observation date, never the wall-clock time.

What the importer decides, per source, is documented where it is done below and
summarised in the manifest's `stats` (record counts, skipped rows with their reason).
Untrusted text (model ids, card text) is copied as it is: the raw snapshot is a
faithful copy and the builder redacts token-shaped strings. Nothing here prints such
text: error messages pass values through _shown(), which masks them.
"""

from __future__ import annotations

import argparse
import ast
import bz2
import csv
import gzip
import json
import lzma
import math
import re
import sqlite3
import struct
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import unquote

import pyarrow.parquet as pq
import yaml
from tqdm import tqdm

from build.redact import TOKEN_PATTERN
from build.snapshot import SnapshotWriter
from scripts.sources import SourceError, load_pins, source_folder, verify, warn_if_manifest_differs

NAME = "icse23-replication-2022"
PRODUCER = "scripts.import_sources"
DESCRIPTION = (
    "Offline replication snapshot of Jiang et al., ICSE 2023 (pre-trained model reuse on the "
    "Hugging Face Hub), imported from published research artifacts pinned by commit: the paper's "
    "2022-08-15 model list and Figure 1 data, Hub metadata from Liang et al. 2024 and huggingfaceR, "
    "PeaTMOSS reuse links and repository licenses, Sourcegraph code usages, Open Future license "
    "counts, ESEM 2024 popularity data, LLM-extracted and hand-labelled card metadata, language-model "
    "variants (Adekunle et al.), 758 + 45 model-card texts, CO2-reporting models (HFCO2) and a 2025 "
    "Mistral fine-tune family. Each record names its source; `observed` is null where a source "
    "does not state when its data was mined."
)
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
csv.field_size_limit(1 << 30)  # card texts and Hub API JSON sit in single CSV fields


class InputError(Exception):
    """A source file does not have the shape the importer expects. Names file, line, field."""

    def __init__(self, path: Path | str, line: int | str | None, field: str | None, problem: str):
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {f'field {field!r}: ' if field else ''}{problem}")


def _shown(value, limit: int = 60) -> str:
    """A value for an error message: token-shaped strings masked, long text cut."""
    text = TOKEN_PATTERN.sub("[token-shaped string]", str(value))
    return repr(text if len(text) <= limit else text[:limit] + "...")


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
    """ISO 8601 UTC 'YYYY-MM-DDTHH:MM:SSZ' from a datetime or a string; a bare date stays a date.

    Sources write times as '2022-06-19 14:04:18+00:00', '...T...Z' or pyarrow datetimes;
    one spelling lets the builder compare and group them as strings.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if ISO_DATE_RE.fullmatch(value):
            return value
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(path, line, field, f"not an ISO date/time: {_shown(value)}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def lineage_from_tags(tags: Iterable[str]) -> list[tuple[str, str | None]]:
    """(base model id, relation) pairs from Hub tags.

    The Hub writes `base_model:<id>` and, for newer repos, `base_model:<relation>:<id>`
    (relation finetune, adapter, quantized or merge). A plain tag gives relation None
    unless a qualified tag names the same base.
    """
    relations: dict[str, str | None] = {}
    for tag in tags:
        parts = tag.split(":")
        if parts[0] != "base_model" or len(parts) < 2:
            continue
        if len(parts) == 3 and parts[1] in ("finetune", "adapter", "quantized", "merge"):
            relations[parts[2]] = relations.get(parts[2]) or parts[1]
        elif len(parts) == 2:
            relations.setdefault(parts[1], None)
    return [(base, relation) for base, relation in relations.items() if base]


def license_from_tags(tags: Iterable[str]) -> str | None:
    """The license id of `license:<id>` tags; several are joined with ' AND ' (a rare case)."""
    found = [t.split(":", 1)[1] for t in tags if t.startswith("license:")]
    return " AND ".join(found) if found else None


# --- R serialization (huggingfaceR ships its data as an .rda file) ----------------------

class RObject(list):
    """An R vector or list: its elements, and its attributes (names, class, ...)."""

    def __init__(self, items=(), attributes=None):
        super().__init__(items)
        self.attributes = attributes or {}


_NA_INT = -(2**31)


class _RReader:
    """Reads R's XDR serialization (format version 2 or 3) for the types data frames use.

    Only vectors (logical, integer, double, character, list), pairlists, symbols and
    references are supported: enough for a data.frame or tibble saved with save().
    Anything else raises ValueError naming the type, rather than guessing.
    """

    def __init__(self, data: bytes):
        self.data, self.pos, self.refs = data, 0, []

    def ints(self, n: int) -> tuple:
        values = struct.unpack_from(f">{n}i", self.data, self.pos)
        self.pos += 4 * n
        return values

    def length(self) -> int:
        (n,) = self.ints(1)
        if n == -1:
            high, low = self.ints(2)
            n = (high << 32) + low
        return n

    def item(self):
        (flags,) = self.ints(1)
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind == 254:  # NILVALUE_SXP
            return None
        if kind == 255:  # REFSXP: a symbol or environment read before
            index = flags >> 8 or self.ints(1)[0]
            return self.refs[index - 1]
        if kind == 1:  # SYMSXP
            name = self.item()
            self.refs.append(name)
            return name
        if kind == 2:  # LISTSXP: a pairlist, returned as {tag: value}
            result = {}
            while kind == 2:
                if has_attr:
                    self.item()  # a cell's own attributes: nothing a data frame needs
                tag = self.item() if has_tag else str(len(result))
                result[tag] = self.item()
                (flags,) = self.ints(1)
                kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
            if kind != 254:
                raise ValueError(f"pairlist ends in type {kind}, not NULL")
            return result
        if kind == 9:  # CHARSXP
            n = self.ints(1)[0]
            if n == -1:
                return None  # NA_character_
            raw = self.data[self.pos:self.pos + n]
            self.pos += n
            return raw.decode("latin-1" if (flags >> 12) & 4 else "utf-8")
        if kind in (10, 13):  # LGLSXP, INTSXP
            values = [None if v == _NA_INT else v for v in self.ints(self.length())]
            if kind == 10:
                values = [None if v is None else bool(v) for v in values]
        elif kind == 14:  # REALSXP
            n = self.length()
            values = [None if math.isnan(v) else v for v in struct.unpack_from(f">{n}d", self.data, self.pos)]
            self.pos += 8 * n
        elif kind in (16, 19):  # STRSXP, VECSXP
            values = [self.item() for _ in range(self.length())]
        else:
            raise ValueError(f"unsupported R object type {kind} at byte {self.pos - 4}")
        return RObject(values, self.item() if has_attr else None)


def read_rda(path: Path) -> dict[str, object]:
    """The objects of an .rda file saved by R's save(): {name: RObject}."""
    raw = path.read_bytes()
    for magic, decompress in ((b"\x1f\x8b", gzip.decompress), (b"BZh", bz2.decompress), (b"\xfd7zXZ", lzma.decompress)):
        if raw.startswith(magic):
            raw = decompress(raw)
            break
    if not raw.startswith(b"RDX2\nX\n") and not raw.startswith(b"RDX3\nX\n"):
        raise InputError(path, None, None, "not an R data file in XDR format (expected RDX2/RDX3)")
    reader = _RReader(raw[7:])
    version = reader.ints(3)[0]
    if version == 3:  # R >= 3.5 adds the native encoding name
        reader.pos += reader.ints(1)[0]
    try:
        objects = reader.item()
    except (ValueError, struct.error, IndexError) as e:
        raise InputError(path, None, None, f"cannot read the R serialization: {e}") from None
    if not isinstance(objects, dict):
        raise InputError(path, None, None, "expected the pairlist of named objects that save() writes")
    return objects


def data_frame_rows(frame: RObject, path: Path) -> Iterator[dict]:
    """Rows of an R data.frame as {column: value}."""
    names = frame.attributes.get("names")
    if "data.frame" not in (frame.attributes.get("class") or []) or not names:
        raise InputError(path, None, None, "the R object is not a data.frame")
    for row in zip(*frame, strict=True):
        yield dict(zip(names, row))


# --- the run: verified inputs, records, statistics --------------------------------------

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


# --- one function per source --------------------------------------------------------------

TOP20 = {  # file -> (registry, period): paper Fig. 1 shows monthly HF/PyPI, weekly npm counts
    "data/top_downloads/top20model_downloads.csv": ("huggingface", "month"),
    "data/top_downloads/top20npm_downloads.csv": ("npm", "week"),
    "data/top_downloads/top20pypi_downloads.csv": ("pypi", "month"),
}
# 'transformed packages.csv': HF and PyPI counts are monthly; the npm counts were collected
# from several web lists (the artifact's 'npm list - Sheet1.csv') and state no period.
ALL_PERIOD = {"huggingface": "month", "pypi": "month", "npm": None}


def import_icse23(run: Run, source: dict) -> None:
    observed, seen = observed_date(source), set()
    files = run.paths(source, r"data/hftorrent_8-15-2022/splitRepoNames/x[a-z]{2}")
    for _, path in run.rows(files, "icse23 splitRepoNames"):
        with open(path, encoding="utf-8", newline="") as f:
            for line_no, line in enumerate(f, 1):
                model_id = line.rstrip("\r\n")
                if not model_id:
                    raise InputError(path, line_no, "model_id", "empty line")
                if model_id in seen:
                    run.skip(source, "model id listed twice in splitRepoNames")
                    continue
                seen.add(model_id)
                run.write(source, "models", {"model_id": model_id, "observed": observed, "in_paper_snapshot": True})

    for rel, (registry, period) in TOP20.items():
        path = run.path(source, rel)
        (_, header), *rows = read_csv(path, None)  # [index,]package,<monthly|weekly>_downloads
        for rank, (line_no, row) in enumerate(rows, 1):  # rank = order in the file
            if len(row) != len(header):
                raise InputError(path, line_no, None, f"{len(row)} fields, expected {len(header)}")
            run.write(source, "registry_downloads", {
                "registry": registry, "figure": "top20", "package": row[-2], "rank": rank, "period": period,
                "downloads": _int(row[-1], path, line_no, header[-1]),
            })

    path = run.path(source, "data/transformed packages.csv")
    for line_no, row in run.rows(read_csv(path, None), "icse23 transformed packages.csv"):
        if len(row) != 3 or row[2] != "":
            raise InputError(path, line_no, None, "expected 3 fields: downloads,registry,(blank)")
        downloads, registry, _ = row
        if registry not in ALL_PERIOD:
            raise InputError(path, line_no, "registry", f"unknown registry {_shown(registry)}")
        if re.fullmatch(r"\d{1,3}(,\d{3})+", downloads):
            # One npm count is written "141,424,941" (a quoted field). Splitting lines on
            # commas without CSV quoting shows it as a registry "424"; it is one number.
            run.stats[source["id"]]["registry_downloads_thousands_separators_read"] += 1
            downloads = downloads.replace(",", "")
        run.write(source, "registry_downloads", {
            "registry": registry, "figure": "all", "period": ALL_PERIOD[registry],
            "downloads": _int(downloads, path, line_no, "downloads"),
        })


def import_liang2024(run: Run, source: dict) -> None:
    path = run.path(source, "data/model_info.parquet")
    columns = ["modelId", "author", "creation_time", "downloads", "has_modelcard", "task_category", "task_domain"]
    parquet = pq.ParquetFile(path)
    missing = set(columns) - set(parquet.schema_arrow.names)
    if missing:
        raise InputError(path, None, None, f"missing columns {sorted(missing)}")
    observed, row_no = observed_date(source), 0
    with tqdm(total=parquet.metadata.num_rows, desc="liang2024 model_info.parquet", unit=" rows",
              file=sys.stderr, disable=not run.progress, leave=False) as bar:
        for batch in parquet.iter_batches(batch_size=16384, columns=columns):
            for row in batch.to_pylist():
                row_no += 1
                if not row["modelId"]:
                    raise InputError(path, f"row {row_no}", "modelId", "empty")
                run.write(source, "models", {
                    "model_id": row["modelId"],
                    "observed": observed,
                    "author": row["author"],
                    "created_at": iso_datetime(row["creation_time"], path, f"row {row_no}", "creation_time"),
                    "downloads_30d": _int(row["downloads"], path, f"row {row_no}", "downloads"),
                    "has_card": row["has_modelcard"],
                    # 'unknown' is the study's label for "the Hub shows no task"
                    "pipeline_tag": None if row["task_category"] == "unknown" else row["task_category"],
                    "extra": {"task_domain": row["task_domain"]},
                })
            bar.update(batch.num_rows)


def import_huggingfacer(run: Run, source: dict) -> None:
    path = run.path(source, "data/models_with_downloads.rda")
    objects = read_rda(path)
    if "models_with_downloads" not in objects:
        raise InputError(path, None, None, f"no object models_with_downloads (found {sorted(objects)})")
    frame = objects["models_with_downloads"]
    expected = ["model", "downloads", "task", "sha", "private"]
    if frame.attributes.get("names") != expected:
        raise InputError(path, None, None, f"columns are {frame.attributes.get('names')}, expected {expected}")
    observed = observed_date(source)
    for i, row in enumerate(run.rows(data_frame_rows(frame, path), "huggingfacer .rda", len(frame[0])), 1):
        if not row["model"]:
            raise InputError(path, f"row {i}", "model", "empty")
        run.write(source, "models", {
            "model_id": row["model"], "observed": observed, "sha": row["sha"], "private": row["private"],
            "downloads_30d": _int(row["downloads"], path, f"row {i}", "downloads"),
            "pipeline_tag": row["task"] or None,
        })


def import_peatmoss(run: Run, source: dict) -> None:
    base = "License-Analysis/analyzeIncompatibilities/"
    path = run.path(source, base + "mapping.csv")
    pairs = Counter()
    for line_no, row in run.rows(read_csv(path, None), "peatmoss mapping.csv"):
        if len(row) != 4:
            raise InputError(path, line_no, None, f"{len(row)} fields, expected 4 (github_repo,hf_model_id,hf_model_url,hf_model_license)")
        repo, model_id, _url, model_license = row
        if not re.fullmatch(r"github\.com/[^/]+/[^/]+", repo):
            raise InputError(path, line_no, "github_repo", f"expected github.com/owner/name, got {_shown(repo)}")
        dependent = repo.removeprefix("github.com/")
        pairs[dependent, model_id] += 1
        run.write(source, "dependents", {
            "model_id": model_id, "kind": "github", "dependent": dependent, "model_license": model_license or None,
        })
    # Every line is kept so the count matches the paper's 22,861 links; a pair listed
    # twice (with two different licenses) is reported here for the builder and readers.
    repeated = sorted(f"{d} -> {m}" for (d, m), n in pairs.items() if n > 1)
    if repeated:
        run.stats[source["id"]]["dependents_distinct_pairs"] = len(pairs)
        run.note(source, f"mapping.csv lists {len(repeated)} repository-model pair(s) on more than one line "
                         f"(different model_license): {', '.join(_shown(r, 120) for r in repeated)}")

    path = run.path(source, base + "all_gh_licenses.json")
    licenses = json.loads(path.read_text(encoding="utf-8"))
    for repo, repo_licenses in run.rows(licenses.items(), "peatmoss all_gh_licenses.json", len(licenses)):
        if repo.count("/") != 1:  # 'mnt', 'identifyLicense.bash': entries of the scanned folder, not repos
            run.skip(source, "all_gh_licenses.json key is not owner/name")
            continue
        if repo_licenses is not None and not isinstance(repo_licenses, list):
            raise InputError(path, None, repo, "expected a list of license ids or null")
        run.write(source, "repositories", {"repo": repo, "licenses": repo_licenses})

    # The license analysis mapped these ids to its category "other" (GitHub / HF side).
    for rel, kind in (("gh_other.csv", "github"), ("hf_other.csv", "hf")):
        path = run.path(source, base + rel)
        for line_no, row in read_csv(path, None):
            for license_id in row:
                if license_id.strip():
                    run.write(source, "license_categories", {"license_id": license_id.strip(), "category": "other", "type": kind})

    path = run.path(source, "LLM-Pipeline/Accurate_Pipeline/2k_filtered_models.json")
    for model_id, downloads in json.loads(path.read_text(encoding="utf-8")).items():
        run.write(source, "models", {"model_id": model_id, "downloads_30d": _int(downloads, path, None, model_id)})
    run.note(source, "LLM-Pipeline/Accurate_Pipeline/groundTruth.json is byte-identical to "
                     "hf-metadata-extraction's groundTruth.json (same pinned sha256): imported once, there")


# Python import names, to split 'usage1_hf_file_<library>_<api>.csv' (both may hold '_').
KNOWN_LIBRARIES = (
    "allennlp", "asteroid", "bertopic", "diffusers", "fairseq", "flair", "huggingface_hub",
    "huggingface_sb3", "nemo", "open_clip", "paddlenlp", "peft", "pyannote", "sentence_transformers",
    "spacy", "speechbrain", "stanza", "tensorflow_tts", "timm", "transformers",
)


def split_library_api(name: str, path: Path) -> tuple[str, str]:
    libraries = [lib for lib in KNOWN_LIBRARIES if name.startswith(lib + "_")]
    if not libraries:
        raise InputError(path, None, None, f"file name names no known library ({', '.join(KNOWN_LIBRARIES)})")
    library = max(libraries, key=len)
    return library, name[len(library) + 1:]


def import_filter_peatmoss(run: Run, source: dict) -> None:
    header = ["github_url", "file_path", "signature", "static_match"]
    usage1 = [(split_library_api(m.group(1), p), p) for m, p in run.paths(source, r"usage1_hf_file_(.+)\.csv")]
    # usage2_spacy.csv: files that import a spaCy model *package* (e.g. en_core_web_sm) and
    # call its load(), instead of spacy.load("en_core_web_sm") as in usage1_hf_file_spacy_load.
    usage2 = [(("spacy", "model_package.load"), run.path(source, "usage2_spacy.csv"))]
    for (library, api), path in usage1 + usage2:
        for line_no, row in run.rows(read_csv(path, header), f"filter-peatmoss {path.name}"):
            if not re.fullmatch(r"github\.com/[^/]+/[^/]+", row["github_url"]):
                raise InputError(path, line_no, "github_url", f"expected github.com/owner/name, got {_shown(row['github_url'])}")
            run.write(source, "code_usages", {
                "repo": row["github_url"].removeprefix("github.com/"), "file_path": row["file_path"],
                "library": library, "api": api,
                "calls": [c for c in row["signature"].split(";") if c],
                "model_ids": [m for m in row["static_match"].split(";") if m],
            })

    pattern = r"SourceGraphProcessing/script_1_csvs/processed/result_file_import_(.+)\.csv"
    for match, path in run.paths(source, pattern):
        library, api = split_library_api(match.group(1), path)
        with open(path, encoding="utf-8", newline="") as f:
            for line_no, line in enumerate(run.rows(f, f"filter-peatmoss {path.name}"), 1):
                host, _, rest = line.rstrip("\r\n").partition("/")
                parts = rest.split("/", 2)
                if host != "github.com":  # 27 gitlab.com lines and one 'npm/...' line
                    run.skip(source, "code_files line is not a github.com URL")
                    continue
                if len(parts) != 3 or not all(parts):
                    raise InputError(path, line_no, None, "expected github.com/owner/repo/path")
                run.write(source, "code_files", {
                    "repo": f"{parts[0]}/{parts[1]}", "library": library, "api": api,
                    "file_path": unquote(parts[2]),  # Sourcegraph URL-encodes paths (%20, %7B)
                })


def import_openfuture(run: Run, source: dict) -> None:
    pattern = r"output/(general|filtered)/(\d\d)_(\d\d)_(\d{4})(_categories)?\.csv"
    for match, path in run.paths(source, pattern):
        scope, day, month, year, categories = match.groups()
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for line_no, row in enumerate(rows, 2):
            # Older files say license,count,sum; 27_02_2023 says license,repos,downloads,...
            repos = row.get("repos", row.get("count"))
            downloads = row.get("downloads", row.get("sum"))
            if not row.get("license") or repos is None:
                raise InputError(path, line_no, "license", "expected columns license,count,sum or license,repos,downloads")
            run.write(source, "license_stats", {
                "date": f"{year}-{month}-{day}", "scope": scope, "level": "category" if categories else "license",
                "license": row["license"].strip(),  # category names carry trailing blanks
                "repos": _int(repos, path, line_no, "repos"), "downloads": _int(downloads, path, line_no, "downloads"),
            })
    path = run.path(source, "licenses.csv")
    for line_no, row in read_csv(path, ["license_id", "license", "category", "type"]):
        run.write(source, "license_categories", {
            "license_id": row["license_id"].strip(), "name": row["license"].strip() or None,
            "category": row["category"].strip(), "type": row["type"].strip() or None,
        })


def import_esem2024(run: Run, source: dict) -> None:
    path = run.path(source, "data/PeaTMOSS_ANCIENT.db")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        rows = db.execute("SELECT modelId, downloads_last_month FROM PeaTMOSS_ANCIENT ORDER BY rowid").fetchall()
    except sqlite3.Error as e:
        raise InputError(path, None, None, f"cannot read table PeaTMOSS_ANCIENT(modelId, downloads_last_month): {e}") from None
    finally:
        db.close()
    for i, (model_id, downloads) in enumerate(run.rows(rows, "esem2024 PeaTMOSS_ANCIENT.db"), 1):
        if not model_id:
            raise InputError(path, f"row {i}", "modelId", "empty")
        run.write(source, "models", {"model_id": model_id, "downloads_30d": _int(downloads, path, f"row {i}", "downloads_last_month")})

    path = run.path(source, "research_quantitative-analysis-of-hf-main/src/data/number_of_direct_descendant_models_per_download.csv")
    for line_no, row in read_csv(path, ["downloads", "count"]):
        run.write(source, "descendant_counts", {
            "downloads": _int(row["downloads"], path, line_no, "downloads"),
            "descendants": _int(row["count"], path, line_no, "count"),
        })


def import_hf_metadata_extraction(run: Run, source: dict) -> None:
    for rel, method in (("500ModelResult.json", "llm"), ("groundTruth.json", "manual")):
        path = run.path(source, rel)
        for model_id, fields in json.loads(path.read_text(encoding="utf-8")).items():
            if not isinstance(fields, dict):
                # 124 of the 500 are an error message of the LLM pipeline (quota, 404, parse)
                run.skip(source, f"{rel}: an error message instead of metadata")
                continue
            run.write(source, "extracted_metadata", {"model_id": model_id, "method": method, "fields": fields})


def import_sail2024(run: Run, source: dict) -> None:
    facts, rows_seen = ModelFacts(observed_date(source)), set()
    path = run.path(source, "RQ2_result/all_NLP_with_quantization.csv")
    # 'owner' was mangled by a spreadsheet for a few rows (e.g. '24-Jul'); model_name is the full id.
    for line_no, row in run.rows(read_csv(path, ["owner", "model_name", "pipeline", "variants"]), "sail2024 all_NLP"):
        key = tuple(row.values())
        if key in rows_seen:
            run.skip(source, "all_NLP_with_quantization.csv: row repeated exactly")
            continue
        rows_seen.add(key)
        if not row["model_name"]:
            raise InputError(path, line_no, "model_name", "empty")
        facts.add(row["model_name"], {"pipeline_tag": row["pipeline"]}, {"variants": row["variants"]})

    # 380 rows (372 models) the study sampled to check for an empty card; the file holds only
    # the ids, not the outcome, so it marks membership of the sample, not has_card.
    path = run.path(source, "RQ2_result/model_card_empty_or_not.csv")
    for line_no, row in read_csv(path, ["Owner", "model_name"]):
        facts.add(row["model_name"], {}, {"card_check_sample": True})

    # A sample of 382 rows (381 models) with the dataset/metrics fields the study inspected;
    # values are kept under the study's own column names.
    path = run.path(source, "RQ2_result/dataset_sample.csv")
    header = ["Owner", "Model Name", "dataset", "metrics", "evaluation_result", "library_name", "Dataset", "Link_ava"]
    for line_no, row in read_csv(path, header):
        facts.add(row["Model Name"], {"library_name": row["library_name"]}, {
            "dataset": row["dataset"], "metrics": _literal(row["metrics"], path, line_no, "metrics"),
            "evaluation_result": row["evaluation_result"], "Dataset": row["Dataset"], "Link_ava": row["Link_ava"],
        })
    facts.write(run, source)


def import_hn5318_cards(run: Run, source: dict) -> None:
    path = run.path(source, "Dataset/Sample_modelcard/samples_data.json")
    samples = json.loads(path.read_text(encoding="utf-8"))
    for key, sample in run.rows(samples.items(), "hn5318 samples_data.json", len(samples)):
        model_id, tags = sample.get("modelId"), sample.get("tags") or []
        if not model_id or not isinstance(tags, list):
            raise InputError(path, None, f"{key}.modelId/tags", "expected a model id and a list of tags")
        run.write(source, "models", {
            "model_id": model_id, "tags": tags, "license": license_from_tags(tags),
            "downloads_30d": _int(sample.get("downloads"), path, None, f"{key}.downloads"),
            "likes": _int(sample.get("likes"), path, None, f"{key}.likes"),
        })
        # modelcard_text is the README body without its YAML header; the tags carry the metadata
        if sample.get("modelcard_text"):
            run.write(source, "cards", {"model_id": model_id, "text": sample["modelcard_text"], "tags": tags})
        else:
            run.skip(source, "samples_data.json: empty modelcard_text")
        for base, relation in lineage_from_tags(tags):
            run.write(source, "lineage", {"model_id": model_id, "base_model_id": base, "relation": relation})


HFCO2_EXTRA_TEXT = ("source", "training_type", "geographical_location", "environment", "domain", "auto")
HFCO2_EXTRA_NUMBERS = ("datasets_size", "co2_eq_emissions", "co2_reported", "performance_score", "size",
                       "size_efficency", "datasets_size_efficency")


def import_hfco2(run: Run, source: dict) -> None:
    """HFCO2 ids lack their owner ('en_lg' for EricPeter/en_lg): they are kept as spelled.

    A name used by two different models (rows that differ) is ambiguous: its model facts
    are skipped. Exact repeated rows count once. HFClean repeats 47 of the models with
    their full card text, a precise creation time and the tags as one-hot is_<tag> columns.
    """
    facts = ModelFacts(observed_date(source))
    path = run.path(source, "HFCO2.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(enumerate(csv.DictReader(f), 2))
    by_name = defaultdict(dict)
    for line_no, row in rows:
        if not row["modelId"]:
            raise InputError(path, line_no, "modelId", "empty")
        by_name[row["modelId"]].setdefault(tuple(row.values()), (line_no, row))
    run.skip(source, "HFCO2.csv: row repeated exactly", len(rows) - sum(len(d) for d in by_name.values()))
    ambiguous = {name for name, distinct in by_name.items() if len(distinct) > 1}
    for name in ambiguous:
        run.skip(source, "HFCO2.csv: name without owner used by different models", len(by_name[name]))
        run.note(source, f"HFCO2.csv: {_shown(name)} names {len(by_name[name])} different models; their facts are skipped")

    clean_path = run.path(source, "datasets/HFClean.csv")
    with open(clean_path, newline="", encoding="utf-8") as f:
        clean = defaultdict(list)
        for line_no, row in enumerate(csv.DictReader(f), 2):
            clean[row["modelId"]].append((line_no, row))

    for name, distinct in by_name.items():
        if name in ambiguous:
            continue
        line_no, row = next(iter(distinct.values()))
        extra = {k: row[k] for k in HFCO2_EXTRA_TEXT}
        extra.update({k: _number(row[k], path, line_no, k) for k in HFCO2_EXTRA_NUMBERS})
        extra["datasets"] = _literal(row["datasets"], path, line_no, "datasets")
        extra["performance_metrics"] = _literal(row["performance_metrics"], path, line_no, "performance_metrics")
        created = (clean_path, *clean[name][0]) if len(clean.get(name, ())) == 1 else (path, line_no, row)
        facts.add(name, {
            "downloads_30d": _int(row["downloads"], path, line_no, "downloads"),
            "likes": _int(row["likes"], path, line_no, "likes"),
            # 'library_name' holds the repo's library tags, e.g. ['transformers', 'pytorch']
            "tags": _literal(row["library_name"], path, line_no, "library_name"),
            # HFCO2 gives the creation day; HFClean, where it has the model, the exact time
            "created_at": iso_datetime(created[2]["created_at"], created[0], created[1], "created_at"),
        }, extra)

    for name, group in clean.items():
        texts = {row["modelcard_text"] for _, row in group if row["modelcard_text"].strip()}
        line_no, row = group[0]
        if len(texts) == 1:
            tags = [column[3:] for column, value in row.items() if column.startswith("is_") and value not in ("", "0")]
            run.write(source, "cards", {"model_id": name, "text": texts.pop(), "tags": tags})
            if len(group) > 1:
                run.note(source, f"HFClean.csv: {len(group)} rows named {_shown(name)} share one card text: one card")
        elif len(texts) > 1:
            run.skip(source, "HFClean.csv: name with different card texts", len(group))
        if len(group) == 1 and name not in ambiguous:
            facts.add(name, {
                "created_at": iso_datetime(row["created_at"], clean_path, line_no, "created_at"),
                "last_modified": iso_datetime(row["lastModified"], clean_path, line_no, "lastModified"),
            }, {"parameters": _number(row["parameters"], clean_path, line_no, "parameters"),
                **{k: row[k] for k in ("hardware_used", "cloud_provider", "num_of_imgs")}})
    facts.write(run, source)


def import_mistral_family_2025(run: Run, source: dict) -> None:
    path = run.path(source, "ben-scripts/Mistral-Small-24B-Base-2501_finetunes_20250405_001816.csv")
    header = ["", "model_id", "metadata", "depth", "children", "children_count"]
    edges: dict[tuple[str, str], str | None] = {}
    for line_no, row in read_csv(path, header):
        try:
            info = json.loads(row["metadata"])
        except json.JSONDecodeError as e:
            raise InputError(path, line_no, "metadata", f"invalid JSON: {e.msg}") from None
        if info.get("id") != row["model_id"]:
            raise InputError(path, line_no, "metadata", "its id differs from model_id")
        tags = info.get("tags") or []
        card_data = yaml.safe_load(info["card_data"]) if isinstance(info.get("card_data"), str) else info.get("card_data")
        siblings = " ".join(info.get("siblings") or [])
        run.write(source, "models", {
            "model_id": info["id"], "observed": observed_date(source), "author": info.get("author"),
            "created_at": iso_datetime(info.get("created_at"), path, line_no, "metadata.created_at"),
            "last_modified": iso_datetime(info.get("last_modified"), path, line_no, "metadata.last_modified"),
            "sha": info.get("sha"), "downloads_30d": info.get("downloads"),
            "downloads_all_time": info.get("downloads_all_time"), "likes": info.get("likes"),
            "trending_score": info.get("trending_score"), "pipeline_tag": info.get("pipeline_tag"),
            "library_name": info.get("library_name"), "tags": tags,
            "license": license_from_tags(tags) or license_from_tags(f"license:{x}" for x in _as_list((card_data or {}).get("license"))),
            "has_card": "rfilename='README.md'" in siblings,  # siblings are RepoSibling(...) reprs
            "gated": info.get("gated"), "private": info.get("private"), "disabled": info.get("disabled"),
            "parameters": (info.get("safetensors") or {}).get("total"),
            "children_count": _int(row["children_count"], path, line_no, "children_count"),
            "extra": {k: v for k, v in {
                "card_data": card_data, "model_index": info.get("model_index"), "spaces": info.get("spaces") or None,
                "architectures": (info.get("config") or {}).get("architectures"), "tree_depth": _int(row["depth"], path, line_no, "depth"),
            }.items() if v is not None} or None,
        })
        for base, relation in lineage_from_tags(tags):
            edges[info["id"], base] = relation
        for child in _literal(row["children"], path, line_no, "children") or []:
            # children the Hub listed; most also name this parent in their own tags (relation known)
            edges.setdefault((child.removeprefix("https://huggingface.co/"), info["id"]), None)

    # model_data.json is the same family as a tree: it only adds the edges the CSV lacks.
    path = run.path(source, "ben-scripts/model_data.json")
    before = len(edges)
    for i, node in enumerate(json.loads(path.read_text(encoding="utf-8"))["models"]):
        children = node["children"] if isinstance(node["children"], list) else _literal(node["children"], path, None, f"models[{i}].children")
        for child in children:
            edges.setdefault((child.removeprefix("https://huggingface.co/"), node["model_id"]), None)
    run.stats[source["id"]]["lineage_edges_added_by_model_data_json"] = len(edges) - before
    for (child, base), relation in edges.items():
        run.write(source, "lineage", {"model_id": child, "base_model_id": base, "relation": relation,
                                      "observed": observed_date(source)})


IMPORTERS = {
    "icse23": import_icse23,
    "liang2024": import_liang2024,
    "huggingfacer": import_huggingfacer,
    "peatmoss": import_peatmoss,
    "filter-peatmoss": import_filter_peatmoss,
    "openfuture": import_openfuture,
    "esem2024": import_esem2024,
    "hf-metadata-extraction": import_hf_metadata_extraction,
    "sail2024": import_sail2024,
    "hn5318-cards": import_hn5318_cards,
    "hfco2": import_hfco2,
    "mistral-family-2025": import_mistral_family_2025,
}


def import_sources(sources_dir: Path, out: Path, progress: bool = True, pins: list[dict] | None = None) -> dict:
    """Import every pinned source from sources_dir into the raw snapshot folder out.

    Returns the manifest written to out/snapshot.json. `pins` defaults to
    scripts/pinned_sources.json (tests pass a small pin list of their own).
    """
    sources_dir, out = Path(sources_dir), Path(out)
    pins = pins if pins is not None else load_pins()
    unknown = [s["id"] for s in pins if s["id"] not in IMPORTERS]
    if unknown:
        raise ValueError(f"no importer for pinned source(s) {unknown}")
    warn_if_manifest_differs(sources_dir, pins)
    writer = SnapshotWriter(out)
    run = Run(sources_dir, writer, pins, progress)
    try:
        for source in tqdm(pins, desc="sources", unit=" source", file=sys.stderr, disable=not progress):
            IMPORTERS[source["id"]](run, source)
    finally:
        writer.close()

    stats: dict = dict(sorted(writer.counts.items()))
    stats["by_source"] = {}
    for source in pins:
        sid = source["id"]
        entry = dict(sorted(run.stats[sid].items()))
        if run.skipped[sid]:
            entry["skipped"] = dict(sorted(run.skipped[sid].items()))
        if run.notes[sid]:
            entry["notes"] = run.notes[sid]
        stats["by_source"][sid] = entry
    manifest = {
        "name": NAME,
        "producer": PRODUCER,
        "created": run.newest_observation or "unknown",
        "description": DESCRIPTION,
        "sources": [
            {key: source[key] for key in ("id", "title", "repo", "commit", "url", "license", "citation", "snapshot_date")}
            | {"files": run.files_read[source["id"]]}
            for source in pins
        ],
        "stats": stats,
    }
    writer.finish(manifest)
    return {"format": "ptm-reuse-snapshot/1", **manifest}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.import_sources",
        description="Import the pinned research artifacts (scripts/pinned_sources.json) into a raw "
        "snapshot folder (docs/snapshot-format.md). Every file's sha256 is checked before it is read; "
        "a missing or altered file stops the import and says how to get it (make sources).",
    )
    parser.add_argument("--sources", required=True, type=Path,
                        help="folder of the sources, laid out as <owner>+<repo>/<path> (e.g. ../shared/sources)")
    parser.add_argument("--out", required=True, type=Path, help="snapshot folder to write (replaced if it exists)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    try:
        manifest = import_sources(args.sources, args.out, progress=not args.quiet)
    except (SourceError, InputError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    counts = ", ".join(f"{k} {v:,}" for k, v in manifest["stats"].items() if k != "by_source")
    print(f"wrote {args.out}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
