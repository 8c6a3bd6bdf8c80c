"""Fetch the app code of Hugging Face Spaces and scan it -> a raw snapshot.

    python -m scripts.mine_spaces --out SNAPSHOT (--from-snapshot HUB_SNAPSHOT | --space ID ...)

The Spaces are those a Hub mining run lists as dependents (`dependents` records of kind space in
HUB_SNAPSHOT, written by scripts/mine_hub.py), or given with --space. For each Space the client
(huggingface_hub, so HF_ENDPOINT and HF_TOKEN apply) reads its file list and card, and fetches:
the app file the card names (`app_file`, default app.py), any app.py / requirements*.txt /
pyproject.toml / package.json at the top level, and the code files its README names. They are
scanned by scripts/scan/ as `make scan` scans a checkout, so a Space gets evidence (which call
loads which model), not just a name. Records: code_calls, code_usages, code_files, dependents
(kind space, method space-code-scan) and repo_libraries.

Resumable like the GitHub miner (mining/spaces-state.json): a stopped run (exit status 3) goes on
where it stopped when run again with the same --out, writing nothing twice.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

import yaml
from huggingface_hub import HfApi, get_session, hf_hub_url
from huggingface_hub.errors import RepositoryNotFoundError
from huggingface_hub.utils import build_hf_headers
from tqdm import tqdm

from build.snapshot import KINDS, SnapshotWriter, iter_records, read_manifest
from scripts.github.mine import State, _record_counts
from scripts.scan.repo import MAX_BYTES, Scan, language, records, scan_file

SOURCE = "space-code-scan"
METHOD = "space-code-scan"
PRODUCER = "scripts.mine_spaces"
STATE = "mining/spaces-state.json"
MAX_FILES = 20  # per Space: the app, its manifests and the code its README names
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


class SpacesError(Exception):
    """The Hub could not be reached for good; the run stops, resumable."""


def spaces_from_snapshot(folder: Path) -> list[str]:
    manifest = read_manifest(folder)
    return sorted({r["dependent"] for r in iter_records(folder, "dependents", manifest) if r["kind"] == "space"})


def files_to_fetch(siblings: list[str], readme: str | None, card: dict | None) -> list[str]:
    """The app file, top-level manifests and app.py, and the code files the README names."""
    present = set(siblings)
    wanted = [(card or {}).get("app_file") or "app.py", "app.py"]
    wanted += [f for f in siblings if "/" not in f and (PurePosixPath(f).name.lower().startswith("requirements")
                                                        or f in ("pyproject.toml", "package.json", "setup.py"))]
    if readme:
        body = _FRONT_MATTER.sub("", readme)
        wanted += [f for f in siblings if language(f) in ("python", "notebook", "javascript")
                   and re.search(rf"(?<![\w/.-]){re.escape(f)}(?![\w-])", body)]
    chosen = [f for f in dict.fromkeys(wanted) if isinstance(f, str) and f in present]
    return chosen[:MAX_FILES]


def _card(readme: str | None) -> dict:
    m = _FRONT_MATTER.match(readme or "")
    if not m:
        return {}
    try:
        data = yaml.safe_load(m[1])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


class SpaceFetcher:
    def __init__(self, endpoint: str | None = None, token: str | None = None):
        # HF_ENDPOINT read now (huggingface_hub reads it once, at import)
        self.api = HfApi(endpoint=endpoint or os.environ.get("HF_ENDPOINT") or None, token=token)
        self.endpoint = self.api.endpoint
        self.headers = build_hf_headers(token=token)
        self.requests = 0

    def info(self, space: str):
        self.requests += 1
        try:
            return self.api.space_info(space)
        except RepositoryNotFoundError:
            return None
        except Exception as e:  # HTTP errors, and connection errors of huggingface_hub's HTTP library
            if getattr(getattr(e, "response", None), "status_code", None) == 404:
                return None
            raise SpacesError(f"{space}: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}") from None

    def file(self, space: str, filename: str, revision: str | None) -> bytes | None:
        url = hf_hub_url(space, filename, repo_type="space", revision=revision, endpoint=self.endpoint)
        self.requests += 1
        try:
            r = get_session().get(url, headers=self.headers, follow_redirects=True, timeout=30)
        except Exception as e:  # connection errors of whichever HTTP library huggingface_hub uses
            raise SpacesError(f"{space}/{filename}: {type(e).__name__}") from None
        if r.status_code == 404:
            return None
        if r.status_code >= 400:
            raise SpacesError(f"{space}/{filename}: HTTP {r.status_code}")
        return r.content[:MAX_BYTES + 1]


def mine(out: Path, spaces: list[str], fetcher: SpaceFetcher, *, date: str | None = None,
         progress: bool = True) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    state = State(out, STATE)
    date = date or state.data.get("date") or datetime.now(timezone.utc).date().isoformat()
    state.data["date"] = date
    if state.resuming:
        state.truncate()
        (out / "snapshot.json").unlink(missing_ok=True)
    elif any((out / f"{kind}.jsonl").exists() for kind in KINDS):
        raise SystemExit(f"{out}: holds records but no {STATE}; not a Spaces run to resume (choose an empty folder)")
    writer = SnapshotWriter(out, append=True)
    skipped = Counter(state.data.get("skipped", {}))
    try:
        for space in tqdm(spaces, desc="spaces", unit=" spaces", disable=not progress, file=sys.stderr):
            if space in state.repos:
                continue
            info = fetcher.info(space)
            if info is None:
                skipped["space not found"] += 1
            else:
                siblings = [s.rfilename for s in (info.siblings or [])]
                readme = fetcher.file(space, "README.md", info.sha) if "README.md" in siblings else None
                readme_text = readme.decode("utf-8", "replace") if readme else None
                card = _card(readme_text)
                scan = Scan()
                for filename in files_to_fetch(siblings, readme_text, card):
                    data = fetcher.file(space, filename, info.sha)
                    if data is None:
                        skipped["file listed but not found"] += 1
                        continue
                    state.counts["files_fetched"] += 1
                    scan_file(filename, data, scan)
                skipped.update(scan.skipped)
                for kind, record in records(scan, space, "space", SOURCE, METHOD, date):
                    if kind == "code_calls" and info.sha:
                        record["revision"] = info.sha
                    writer.write(kind, record)
                state.counts["spaces_scanned"] += 1
                state.counts["spaces_with_calls"] += bool(scan.calls)
            state.repos.add(space)
            state.data["skipped"] = dict(skipped)
            state.save(writer)
    except BaseException:
        writer.close()  # the last checkpoint is consistent; what came after is cut off on resume
        raise
    counts = {**dict(state.counts), "spaces_listed": len(spaces), "requests_this_run": fetcher.requests}
    writer.finish({
        "name": f"spaces-{date}", "producer": PRODUCER, "created": date,
        "description": "App code of Hugging Face Spaces (the app file, manifests and the files the README "
                       "names), scanned by scripts/scan/ with the reuse signatures of build/signatures.py.",
        "sources": [{"id": SOURCE, "title": "Spaces' app code scanned by scripts/mine_spaces.py",
                     "repo": None, "commit": None, "url": fetcher.endpoint,
                     "license": "per Space (not recorded); evidence lines are short quotations",
                     "citation": "this dataset's Spaces miner (scripts/mine_spaces.py), see docs/dependents.md",
                     "snapshot_date": date, "files": []}],
        "stats": {**_record_counts(out), "spaces": {**counts, "skipped": dict(skipped)}},
    })
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--from-snapshot", type=Path, help="a Hub mining snapshot: its Space dependents")
    ap.add_argument("--space", action="append", default=[], help="a Space id (owner/name); repeatable")
    ap.add_argument("--limit", type=int, help="at most this many Spaces")
    ap.add_argument("--date")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    spaces = list(args.space)
    if args.from_snapshot:
        spaces += spaces_from_snapshot(args.from_snapshot)
    spaces = list(dict.fromkeys(spaces))[: args.limit]
    if not spaces:
        ap.error("no Spaces: give --from-snapshot or --space")
    fetcher = SpaceFetcher()
    try:
        counts = mine(args.out, spaces, fetcher, date=args.date, progress=not args.no_progress)
    except SpacesError as e:
        print(f"stopped: {e}. Run the same command again to resume.", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("interrupted. Run the same command again to resume.", file=sys.stderr)
        return 3
    print(f"{args.out}: {counts.get('spaces_scanned', 0)} Spaces scanned, {counts.get('spaces_with_calls', 0)} "
          f"with calls, {counts.get('files_fetched', 0)} files", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
