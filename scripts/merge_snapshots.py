"""Join raw snapshots into one, so that one database holds several methods side by side.

    python -m scripts.merge_snapshots --out SNAPSHOT IN1 IN2 [...]

Each input is read and validated (build/snapshot.py); the records of each kind are copied in input
order, and the manifests' `sources` lists joined. A source id may appear in two inputs only if the
entries are the same (the same source read twice); otherwise the merge stops naming both inputs,
as records could not say which entry they cite. `created` is the newest input's; `stats` keeps each
input's stats under its name. Used to compare the dependents methods (docs/dependents.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from build.snapshot import KINDS, SnapshotError, SnapshotWriter, iter_records, read_manifest


def merge(inputs: list[Path], out: Path) -> dict:
    manifests = [read_manifest(folder) for folder in inputs]
    sources: dict[str, tuple[dict, Path]] = {}
    for folder, manifest in zip(inputs, manifests):
        for source in manifest["sources"]:
            seen = sources.get(source["id"])
            if seen and seen[0] != source:
                raise SnapshotError(f"{folder / 'snapshot.json'}: source {source['id']!r} differs from the one "
                                    f"in {seen[1] / 'snapshot.json'}; a merged snapshot cannot hold both")
            sources.setdefault(source["id"], (source, folder))
    if out.resolve() in {f.resolve() for f in inputs}:
        raise SystemExit(f"{out}: is one of the inputs")
    writer = SnapshotWriter(out)
    for kind in KINDS:
        for folder, manifest in zip(inputs, manifests):
            for record in iter_records(folder, kind, manifest):
                writer.write(kind, record)
    created = max((m.get("created") or "" for m in manifests), default="") or None
    manifest = {
        "name": "+".join(m["name"] for m in manifests), "producer": "scripts.merge_snapshots",
        "created": created,
        "description": "Merged from: " + "; ".join(f"{m['name']} ({m['producer']})" for m in manifests),
        "sources": [s for s, _ in sources.values()],
        "stats": {**dict(sorted(writer.counts.items())), "inputs": {m["name"]: m.get("stats") for m in manifests}},
    }
    writer.finish(manifest)
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("inputs", type=Path, nargs="+")
    args = ap.parse_args(argv)
    try:
        manifest = merge(args.inputs, args.out)
    except SnapshotError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"{args.out}: {manifest['stats']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
