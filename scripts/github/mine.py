"""GitHub code search -> candidate files -> the scanner's extraction -> a raw snapshot.

For each reuse signature (build/signatures.py) a code-search query finds candidate files (the
called name and the module, in the signature's language; signatures sharing a query search once).
Each file is fetched by its blob sha (so a file seen by two queries is fetched once), scanned by
scripts/scan/ exactly as `make scan` scans a checkout, and its repository's facts are fetched once
(stars, license, fork, archived, pushed date, default branch).

Resuming: `<out>/mining/github-state.json` is the checkpoint, replaced atomically after the record
files are flushed. It holds the byte size of each record file, the next page of each query, and
the files, repositories and links already done. On resume each record file is cut back to its
checkpointed size (whatever was written after the last checkpoint is dropped, and redone), so a
run interrupted at any point and resumed writes every record once.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from build.redact import redact
from build.signatures import JS_PACKAGE_ALIASES, SIGNATURES, Signature
from build.snapshot import KINDS, SnapshotWriter
from scripts.scan.repo import Scan, records, scan_file

from .client import GitHubClient, GitHubError

SOURCE = "github-code-search"
METHOD = "github-code-search"
PRODUCER = "scripts.mine_github"
STATE = "mining/github-state.json"
PER_PAGE = 100
MAX_PAGES = 10  # GitHub's code search gives at most 1,000 results a query


def queries(signatures: tuple[Signature, ...] = SIGNATURES) -> dict[str, list[str]]:
    """query -> the ids of the signatures it searches for."""
    out: dict[str, list[str]] = {}
    for sig in signatures:
        if sig.language == "python":
            name = sig.function if re.fullmatch(r"\w+", sig.function) else None
            terms = f"{name} {sig.module}" if name else sig.module
            for language in ("Python", '"Jupyter Notebook"'):
                out.setdefault(f"{terms} language:{language}", []).append(sig.id)
        else:
            packages = [sig.module] + [old for old, new in JS_PACKAGE_ALIASES.items() if new == sig.module]
            for package in packages:
                for language in ("JavaScript", "TypeScript"):
                    out.setdefault(f'"{package}" {sig.api if sig.api != "model" else ""} language:{language}'
                                   .replace("  ", " "), []).append(sig.id)
    return out


class State:
    """A mining run's checkpoint (also used by scripts/mine_spaces.py, with its own file name)."""

    def __init__(self, folder: Path, name: str = STATE):
        self.folder = folder
        self.path = folder / name
        self.data = {"sizes": {}, "pages": {}, "files": [], "repos": [], "links": [], "counts": {}}
        if self.path.exists():
            self.data.update(json.loads(self.path.read_text()))
        self.files = set(self.data["files"])
        self.repos = set(self.data["repos"])
        self.links = {tuple(x) for x in self.data["links"]}
        self.counts = Counter(self.data["counts"])

    @property
    def resuming(self) -> bool:
        return self.path.exists()

    def truncate(self) -> None:
        """Cut every record file back to its checkpointed size (drops what came after)."""
        for kind in KINDS:
            path = self.folder / f"{kind}.jsonl"
            size = self.data["sizes"].get(kind, 0)
            if path.exists() and path.stat().st_size > size:
                with open(path, "r+b") as f:
                    f.truncate(size)

    def save(self, writer: SnapshotWriter) -> None:
        writer.flush()
        self.data.update(
            sizes={kind: (self.folder / f"{kind}.jsonl").stat().st_size for kind in KINDS
                   if (self.folder / f"{kind}.jsonl").exists()},
            files=sorted(self.files), repos=sorted(self.repos), links=sorted(self.links),
            counts=dict(self.counts))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, sort_keys=True))
        os.replace(tmp, self.path)


def source_entry(date: str, base_url: str) -> dict:
    return {"id": SOURCE, "title": "GitHub code search per reuse signature, files scanned by scripts/scan/",
            "repo": None, "commit": None, "url": base_url if "api.github.com" in base_url else None,
            "license": "per repository (see the repositories table); evidence lines are short quotations",
            "citation": "this dataset's GitHub miner (scripts/mine_github.py), see docs/dependents.md",
            "snapshot_date": date, "files": []}


def mine(out: Path, client: GitHubClient, *, query_list: list[str] | None = None, max_pages: int = MAX_PAGES,
         date: str | None = None, progress: bool = True, checkpoint_every: int = 1) -> dict:
    """Mine into `out` (resuming a previous interrupted run there); return the run's counters."""
    out.mkdir(parents=True, exist_ok=True)
    state = State(out)
    date = date or state.data.get("date") or datetime.now(timezone.utc).date().isoformat()
    state.data["date"] = date
    if state.resuming:
        state.truncate()
        (out / "snapshot.json").unlink(missing_ok=True)
    elif any((out / f"{kind}.jsonl").exists() for kind in KINDS):
        raise SystemExit(f"{out}: holds records but no {STATE}; not a GitHub mining run to resume "
                         "(choose an empty folder)")
    writer = SnapshotWriter(out, append=True)
    all_queries = queries()
    query_list = query_list or list(all_queries)
    skipped = Counter(state.data.get("skipped", {}))
    since_checkpoint = 0
    bar = tqdm(desc="files", unit=" files", disable=not progress, file=sys.stderr)
    try:
        for query in query_list:
            page = state.data["pages"].get(query, 1)
            while page and page <= max_pages:
                bar.set_postfix_str(f"{query[:40]} p{page}")
                result = client.json("/search/code", {"q": query, "per_page": PER_PAGE, "page": page})
                items = (result or {}).get("items") or []
                state.counts["search_pages"] += 1
                for item in items:
                    repo = (item.get("repository") or {}).get("full_name")
                    path, sha = item.get("path"), item.get("sha")
                    if not (repo and path and sha):
                        skipped["search item without repository, path or sha"] += 1
                        continue
                    key = f"{repo}\0{path}\0{sha}"
                    if key in state.files:
                        state.counts["files_seen_again"] += 1
                        continue
                    _one_file(client, writer, state, repo, path, sha, date, skipped)
                    state.files.add(key)
                    bar.update(1)
                    since_checkpoint += 1
                    if since_checkpoint >= checkpoint_every:
                        state.data["skipped"] = dict(skipped)
                        state.save(writer)
                        since_checkpoint = 0
                more = len(items) == PER_PAGE and page * PER_PAGE < min((result or {}).get("total_count", 0), 1000)
                page = page + 1 if more else 0
                state.data["pages"][query] = page
                state.data["skipped"] = dict(skipped)
                state.save(writer)
    except BaseException:
        # No checkpoint here: the last one is a consistent point (a file is done with all its
        # records); whatever was written since is cut off on resume and done again.
        writer.close()
        bar.close()
        raise
    bar.close()
    counts = {**dict(state.counts), "requests_this_run": client.requests,
              "rate_limit_waits_s": {k: round(v, 1) for k, v in client.waits.items()}}
    writer.finish({
        "name": f"github-{date}", "producer": PRODUCER, "created": date,
        "description": "GitHub files that load Hugging Face Hub models: code search per reuse signature "
                       "(build/signatures.py), each file scanned by scripts/scan/, with the facts of its repository.",
        "sources": [source_entry(date, client.base_url)],
        "stats": {**_record_counts(out), "github": {**counts, "skipped": dict(skipped)}},
    })
    return counts


def _record_counts(out: Path) -> dict:
    counts = {}
    for kind in KINDS:
        path = out / f"{kind}.jsonl"
        if path.exists():
            with open(path, "rb") as f:
                counts[kind] = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return counts


def _one_file(client: GitHubClient, writer: SnapshotWriter, state: State, repo: str, path: str, sha: str,
              date: str, skipped: Counter) -> None:
    blob = client.json(f"/repos/{repo}/git/blobs/{sha}")
    if not blob or blob.get("encoding") != "base64":
        skipped["file not fetched (gone, or not base64)"] += 1
        return
    try:
        data = base64.b64decode(blob.get("content") or "")
    except ValueError:
        skipped["file content is not base64"] += 1
        return
    state.counts["files_fetched"] += 1
    scan = Scan()
    scan_file(path, data, scan)
    skipped.update(scan.skipped)
    for kind, record in records(scan, repo, "github", SOURCE, METHOD, date):
        if kind == "code_calls":
            record["revision"] = sha
        if kind == "dependents":
            link = (repo.lower(), record["model_id"])
            if link in state.links:
                continue
            state.links.add(link)
        writer.write(kind, record)
    if repo not in state.repos:
        info = client.json(f"/repos/{repo}")
        state.repos.add(repo)
        if info:
            spdx = ((info.get("license") or {}).get("spdx_id"))
            writer.write("repositories", {k: v for k, v in {
                "repo": info.get("full_name") or repo, "source": SOURCE, "method": METHOD, "observed": date,
                "licenses": [spdx] if spdx and spdx != "NOASSERTION" else None,
                "stars": info.get("stargazers_count"), "fork": info.get("fork"), "archived": info.get("archived"),
                "pushed_at": info.get("pushed_at"), "default_branch": info.get("default_branch"),
            }.items() if v is not None})
        else:
            skipped["repository facts not found"] += 1
