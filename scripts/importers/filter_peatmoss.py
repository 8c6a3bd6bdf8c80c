"""filter-peatmoss (dulaninw/filter-peatmoss): Sourcegraph code usages and code files per library API.

The files were found by Sourcegraph, as the artifact's SourceGraphProcessing/script_1.sh says: one
`src search "context:global select:file visibility:public count:all lang:Python content:'import
<library>' AND <api>\\("` per library and API (hence METHOD, sourcegraph-code-search).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from scripts.importers.common import InputError, Run, _shown, read_csv
from scripts.importers.peatmoss import METHOD


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


def import_source(run: Run, source: dict) -> None:
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
                "model_ids": [m for m in row["static_match"].split(";") if m], "method": METHOD,
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
                    "method": METHOD,
                })
