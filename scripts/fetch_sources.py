"""Download the pinned source files (for users without ../shared/sources).

    python -m scripts.fetch_sources --dest DIR [--base-url URL]

Every non-derived file of scripts/pinned_sources.json is fetched from
<base-url>/<owner>/<repo>/<commit>/<path> (by default raw.githubusercontent.com, which
serves a repository's files at a commit) into DIR/<owner>+<repo>/<path>, the layout the
importer reads. Each file is checked against its pinned sha256 and only then moved into
place (written to a temporary file, then renamed), so DIR never holds a partial or
wrong file. Files already present with the right sha256 are skipped, so a second run
only fetches what is missing. Transient errors (connection failures, timeouts, HTTP 429
and 5xx) are retried a few times. DIR/SOURCES.json is written to describe the folder (unless it has one).
The exit status is non-zero, and every failed file is named, if anything failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from tqdm import tqdm

from scripts.sources import load_pins, manifest_for, sha256_of, source_folder

DEFAULT_BASE_URL = "https://raw.githubusercontent.com"
RETRIES = 3
TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class _Transient(Exception):
    """A failure worth retrying."""


def file_url(base_url: str, source: dict, path: str) -> str:
    return f"{base_url.rstrip('/')}/{source['repo']}/{source['commit']}/{quote(path)}"


def _download(client: httpx.Client, url: str, tmp: Path, bar: tqdm) -> str:
    """Stream url into tmp; return its sha256. Raises _Transient for retryable failures."""
    digest = hashlib.sha256()
    received = 0
    try:
        with client.stream("GET", url) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise _Transient(f"HTTP {response.status_code}")
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code} for {url}")
            with open(tmp, "wb") as f:
                for chunk in response.iter_bytes():
                    f.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
                    received += len(chunk)
    except httpx.TransportError as e:  # connection refused/reset, timeouts, cut-off bodies
        bar.update(-received)  # the retry counts these bytes again
        raise _Transient(f"{type(e).__name__}: {e}") from None
    return digest.hexdigest()


def fetch_file(client: httpx.Client, base_url: str, source: dict, entry: dict, dest: Path,
               bar: tqdm, retries: int = RETRIES, backoff: float = 1.0) -> None:
    """Download one pinned file into dest, verified and atomically renamed into place."""
    target = dest / source_folder(source) / entry["path"]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    url = file_url(base_url, source, entry["path"])
    try:
        for attempt in range(1, retries + 1):
            try:
                actual = _download(client, url, tmp, bar)
                break
            except _Transient as e:
                if attempt == retries:
                    raise RuntimeError(f"{e} for {url} (after {retries} attempts)") from None
                time.sleep(backoff * 2 ** (attempt - 1))
        if actual != entry["sha256"]:
            raise RuntimeError(f"sha256 is {actual}, expected {entry['sha256']} (from {url})")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def fetch(dest: str | Path, base_url: str = DEFAULT_BASE_URL, pins: list[dict] | None = None,
          progress: bool = True, retries: int = RETRIES, backoff: float = 1.0) -> list[str]:
    """Fetch every missing or wrong non-derived pinned file into dest; return the failures.

    Each failure is "<owner>+<repo>/<path>: <what went wrong>".
    """
    dest = Path(dest)
    pins = pins if pins is not None else load_pins()
    todo = []
    for source in pins:
        for entry in source["files"]:
            if entry["derived"]:
                continue
            target = dest / source_folder(source) / entry["path"]
            if not (target.is_file() and sha256_of(target) == entry["sha256"]):
                todo.append((source, entry))
    failures = []
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True) as client, tqdm(
        total=sum(e["bytes"] for _, e in todo), unit="B", unit_scale=True,
        desc="sources", disable=not progress, file=sys.stderr,
    ) as bar:
        for source, entry in todo:
            bar.set_postfix_str(entry["path"][-40:])
            try:
                fetch_file(client, base_url, source, entry, dest, bar, retries, backoff)
            except Exception as e:  # any failure is reported per file; the others still run
                failures.append(f"{source_folder(source)}/{entry['path']}: {e}")
    manifest = dest / "SOURCES.json"
    if not manifest.exists():  # never overwrite a real one (../shared/sources has its own)
        dest.mkdir(parents=True, exist_ok=True)
        tmp = manifest.with_name("SOURCES.json.tmp")
        tmp.write_text(json.dumps(manifest_for(pins), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, manifest)
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.fetch_sources",
        description=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dest", required=True, type=Path,
                        help="folder to fill, laid out as DIR/<owner>+<repo>/<path> (e.g. ../shared/sources)")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL,
                        help=f"server that serves <owner>/<repo>/<commit>/<path> (default {DEFAULT_BASE_URL})")
    args = parser.parse_args(argv)
    failures = fetch(args.dest, args.base_url)
    for failure in failures:
        print(f"failed: {failure}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} file(s) failed; run the command again to retry them", file=sys.stderr)
        return 1
    print(f"all pinned files are in {args.dest} and match their sha256", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
