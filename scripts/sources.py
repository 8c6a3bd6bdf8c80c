"""The pinned research artifacts: load the pins, verify files before they are read.

scripts/pinned_sources.json lists every source (our id, title, citation, the GitHub
repository and commit) and every file of it with its sha256. A file on disk lives at
<sources_dir>/<owner>+<repo>/<path>, the layout of ../shared/sources and of what
scripts/fetch_sources.py downloads. Nothing is read unverified: the importer calls
verify() on each file first, so an altered or missing file stops the import with a
message that says what to do, instead of silently changing the dataset.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

PINS_PATH = Path(__file__).resolve().with_name("pinned_sources.json")
FIX_HINT = "run `make sources` (python -m scripts.fetch_sources --dest DIR) to download the pinned files"


class SourceError(Exception):
    """A source file is missing, altered, or not pinned. The message names the file."""


class SourcesManifestWarning(UserWarning):
    """The SOURCES.json beside the files disagrees with the project's pins."""


def load_pins(path: str | Path = PINS_PATH) -> list[dict]:
    """The pinned sources, in the order the importer processes them."""
    return json.loads(Path(path).read_text(encoding="utf-8"))["sources"]


def source_folder(source: dict) -> str:
    """The folder name of a source inside the sources dir: <owner>+<repo>."""
    return source["repo"].replace("/", "+")


def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def find_pin(pins: list[dict], path: str | Path) -> tuple[dict, dict]:
    """(source, file entry) of a path given as <owner>+<repo>/<path in repo>."""
    folder, _, inner = Path(path).as_posix().partition("/")
    for source in pins:
        if source_folder(source) == folder:
            for entry in source["files"]:
                if entry["path"] == inner:
                    return source, entry
    raise SourceError(f"{path}: not a pinned file (see {PINS_PATH.name}); only pinned files are read")


def verify(sources_dir: str | Path, path: str | Path, pins: list[dict] | None = None) -> Path:
    """Check the sha256 of <sources_dir>/<path> against its pin; return the full path.

    `path` is relative to the sources dir: <owner>+<repo>/<path in repo>.
    """
    source, entry = find_pin(pins if pins is not None else load_pins(), path)
    full = Path(sources_dir) / path
    pinned = f"{source['repo']}@{source['commit'][:12]}:{entry['path']}"
    if not full.is_file():
        raise SourceError(
            f"{full}: missing (pinned file {pinned}, sha256 {entry['sha256']}); {FIX_HINT}, "
            "or pass the folder that holds them (--sources / SOURCES=...)"
        )
    actual = sha256_of(full)
    if actual != entry["sha256"]:
        raise SourceError(
            f"{full}: sha256 is {actual}, expected {entry['sha256']} (pinned file {pinned}); "
            f"the file was altered or is a different version: restore it, or delete it and {FIX_HINT}"
        )
    return full


def manifest_differences(sources_dir: str | Path, pins: list[dict] | None = None) -> list[str]:
    """How <sources_dir>/SOURCES.json disagrees with the pins (empty if it agrees or is absent)."""
    path = Path(sources_dir) / "SOURCES.json"
    if not path.exists():
        return []
    pins = pins if pins is not None else load_pins()
    theirs = {s["repo"]: s for s in json.loads(path.read_text(encoding="utf-8"))["sources"]}
    ours = {s["repo"]: s for s in pins}
    problems = [f"{repo}: in SOURCES.json, not pinned" for repo in sorted(theirs.keys() - ours.keys())]
    problems += [f"{repo}: pinned, not in SOURCES.json" for repo in sorted(ours.keys() - theirs.keys())]
    for repo in sorted(ours.keys() & theirs.keys()):
        a, b = ours[repo], theirs[repo]
        for field in ("commit", "license"):
            if a[field] != b[field]:
                problems.append(f"{repo}: {field} is {b[field]!r} in SOURCES.json, pinned {a[field]!r}")
        a_files = {f["path"]: f for f in a["files"]}
        b_files = {f["path"]: f for f in b["files"]}
        for p in sorted(a_files.keys() ^ b_files.keys()):
            problems.append(f"{repo}/{p}: {'pinned only' if p in a_files else 'in SOURCES.json only'}")
        for p in sorted(a_files.keys() & b_files.keys()):
            for field in ("sha256", "bytes", "derived"):
                if a_files[p][field] != b_files[p].get(field):
                    problems.append(f"{repo}/{p}: {field} differs from the pin")
    return problems


def warn_if_manifest_differs(sources_dir: str | Path, pins: list[dict] | None = None) -> list[str]:
    """Warn (SourcesManifestWarning) when SOURCES.json disagrees with the pins; return the problems.

    A disagreement is a warning, not an error: the pins decide what is read, and each
    file is still verified against them.
    """
    problems = manifest_differences(sources_dir, pins)
    if problems:
        shown = "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
        warnings.warn(
            f"{Path(sources_dir) / 'SOURCES.json'} disagrees with {PINS_PATH.name}: {shown}",
            SourcesManifestWarning,
            stacklevel=2,
        )
    return problems


def manifest_for(pins: list[dict]) -> dict:
    """A SOURCES.json describing the pinned files, for a folder that fetch_sources filled."""
    return {
        "about": "Files downloaded by scripts/fetch_sources.py from the pinned commits; "
        "derived/ files are not upstream files and are not downloaded.",
        "sources": [
            {
                "dir": source_folder(s),
                "repo": s["repo"],
                "commit": s["commit"],
                "license": s["license"],
                "about": s["about"],
                "files": [dict(f) for f in s["files"]],
            }
            for s in pins
        ],
    }
