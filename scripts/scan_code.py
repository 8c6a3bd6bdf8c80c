"""Scan local code for the calls that load Hugging Face Hub models -> a raw snapshot.

    python -m scripts.scan_code --src FOLDER --out SNAPSHOT [--layout repos|single|owner-repos]
                                [--repo-kind local|github|space] [--source-id ID] [--date YYYY-MM-DD]
    make scan SRC=FOLDER OUT=SNAPSHOT

FOLDER's subfolders are the repositories (`--layout repos`, the default); `--layout single`
scans FOLDER as one repository; `--layout owner-repos` takes FOLDER/<owner>/<name> (a folder of
GitHub clones kept as owner/name). The snapshot holds code_calls, code_usages, code_files,
dependents and repo_libraries records (docs/snapshot-format.md) that `make db SNAPSHOT=OUT`
builds into the database, and the manifest's stats count the files scanned and skipped, by
reason. The method is build/signatures.py; docs/dependents.md explains it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from build.snapshot import SnapshotWriter
from scripts.scan.repo import Scan, records, scan_tree

PRODUCER = "scripts.scan_code"
METHOD = "scanner"


def repositories(src: Path, layout: str) -> list[tuple[str, Path]]:
    """(repository name, folder) pairs, sorted by name."""
    if layout == "single":
        return [(src.resolve().name, src)]
    found = []
    for child in sorted(p for p in src.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")):
        if layout == "owner-repos":
            found += [(f"{child.name}/{g.name}", g) for g in sorted(child.iterdir())
                      if g.is_dir() and not g.is_symlink() and not g.name.startswith(".")]
        else:
            found.append((child.name, child))
    return found


def source_entry(source_id: str, date: str, src: Path) -> dict:
    return {"id": source_id, "title": f"Code scan of {src.name} by scripts/scan_code.py (build/signatures.py)",
            "repo": None, "commit": None, "url": None,
            "license": "per scanned repository (not recorded)",
            "citation": "this dataset's scanner (scripts/scan_code.py), see docs/dependents.md",
            "snapshot_date": date, "files": []}


def scan_summary(total: Scan, repos: int) -> dict:
    ref_kinds = Counter(call.ref_kind for _, call in total.calls)
    return {"repositories": repos, "files": dict(sorted(total.files.items())),
            "bytes": dict(sorted(total.bytes.items())), "skipped": dict(sorted(total.skipped.items())),
            "calls_by_ref_kind": dict(sorted(ref_kinds.items()))}


def run(src: Path, out: Path, *, layout: str = "repos", repo_kind: str = "local",
        source_id: str = "code-scan", date: str | None = None, progress: bool = True) -> dict:
    if not src.is_dir():
        raise SystemExit(f"{src}: not a folder")
    date = date or datetime.now(timezone.utc).date().isoformat()
    repos = repositories(src, layout)
    writer = SnapshotWriter(out)
    total = Scan()
    for name, folder in tqdm(repos, desc="repositories", unit=" repos", disable=not progress, file=sys.stderr):
        scan = scan_tree(folder)
        for kind, record in records(scan, name, repo_kind, source_id, METHOD, date):
            writer.write(kind, record)
        scan.calls = [(f"{name}/{p}", c) for p, c in scan.calls]
        total.merge(scan)
    summary = scan_summary(total, len(repos))
    writer.finish({
        "name": f"code-scan-{src.resolve().name}-{date}", "producer": PRODUCER, "created": date,
        "description": f"Calls that load Hugging Face Hub models in {len(repos)} repositories under "
                       f"{src.resolve().name}, found by scripts/scan_code.py with the signatures of "
                       "build/signatures.py.",
        "sources": [source_entry(source_id, date, src)],
        "stats": {**dict(sorted(writer.counts.items())), "scan": summary},
    })
    return summary


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, required=True, help="folder of repositories (or one repository)")
    ap.add_argument("--out", type=Path, required=True, help="raw snapshot folder to write")
    ap.add_argument("--layout", choices=("repos", "single", "owner-repos"), default="repos")
    ap.add_argument("--repo-kind", default="local",
                    help="dependents.kind of the repositories: local (default), github or space")
    ap.add_argument("--source-id", default="code-scan")
    ap.add_argument("--date", help="observation date (default: today, UTC)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    summary = run(args.src, args.out, layout=args.layout, repo_kind=args.repo_kind,
                  source_id=args.source_id, date=args.date, progress=not args.quiet)
    skipped = sum(summary["skipped"].values())
    print(f"{args.out}: {summary['repositories']} repositories, {sum(summary['files'].values())} files scanned, "
          f"{sum(summary['calls_by_ref_kind'].values())} calls ({summary['calls_by_ref_kind']}), "
          f"{skipped} skipped ({summary['skipped']})", file=sys.stderr)


if __name__ == "__main__":
    main()
