"""Import the pinned research artifacts into a raw snapshot (producer 1).

    python -m scripts.import_sources --sources DIR --out SNAPSHOT_DIR

One module per source (scripts/importers/<source>.py, each with an `import_source(run, source)`),
the run's bookkeeping in scripts/importers/common.py, Hub facts read by build/hubfacts.py.

Reads every source listed in scripts/pinned_sources.json from DIR (laid out as
DIR/<owner>+<repo>/<path>, like ../shared/sources), verifying each file's sha256 before
reading it, and writes the raw snapshot (docs/snapshot-format.md) with
build.snapshot.SnapshotWriter. Each record keeps the id of the source it came from.

The output is deterministic: the same sources give byte-identical files. Records follow
the order of the source files (file lists are sorted), and the manifest's `created` is
the newest observation date, never the wall-clock time.

What the importer decides, per source, is documented where it is done, in each source's module and
summarised in the manifest's `stats` (record counts, skipped rows with their reason).
Untrusted text (model ids, card text) is copied as it is: the raw snapshot is a
faithful copy and the builder redacts token-shaped strings. Nothing here prints such
text: error messages pass values through build.hubfacts.mask().
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from build.snapshot import SnapshotWriter
from scripts.importers import (
    esem2024, filter_peatmoss, hf_metadata_extraction, hfco2, hn5318_cards, huggingfacer, icse23, liang2024,
    mistral_family_2025, openfuture, peatmoss, sail2024,
)
from scripts.importers.common import InputError, Run
from scripts.sources import SourceError, load_pins, warn_if_manifest_differs

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

# Pinned source id (scripts/pinned_sources.json) -> its importer.
IMPORTERS = {
    "icse23": icse23.import_source,
    "liang2024": liang2024.import_source,
    "huggingfacer": huggingfacer.import_source,
    "peatmoss": peatmoss.import_source,
    "filter-peatmoss": filter_peatmoss.import_source,
    "openfuture": openfuture.import_source,
    "esem2024": esem2024.import_source,
    "hf-metadata-extraction": hf_metadata_extraction.import_source,
    "sail2024": sail2024.import_source,
    "hn5318-cards": hn5318_cards.import_source,
    "hfco2": hfco2.import_source,
    "mistral-family-2025": mistral_family_2025.import_source,
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
            {key: source[key] for key in ("id", "title", "repo", "commit", "url", "license", "citation", "snapshot_date",
                                          "coverage") if key in source}
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
