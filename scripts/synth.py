"""A hub-sized synthetic raw snapshot, deterministic for a seed: `python -m scripts.synth OUT [--size full]`.

For benchmarks (scripts.bench) and scale tests: the same seed, sources and size give the same bytes.
Shapes come from the real sources (../shared/sources), the values are drawn at random:

- models: today's Hub population (`hub-synth`, observed 2026-11-28) of N models, created over
  2019-2026 with the Hub's exponential growth; downloads drawn from the real 30-day download
  counts of the liang2024 population (heavy-tailed: most near 0, a few in the millions) and tasks
  from its task mix (unknown tasks included); plus three older dated populations named after the
  real ones (`huggingfacer` 2022-07-02, `icse23` 2022-08-15, `liang2024` 2022-10-01) holding the
  models created before their date, so the trend and population queries have something to scan.
- cards: 40% of the models, each text built from the real card texts (hn5318 and HFCO2): one real
  card's front matter and a random subset of its sections, sometimes with sections of a second
  card, so lengths and sections vary like the real ones.
- lineage: 30% of the models have a base model, by the four relations (finetune, adapter,
  quantized, merge), in chains up to depth 6.
- dependents: 1,000,000 GitHub reuse rows (at N = 2,000,000) over 300,000 repositories (with
  their licenses), popular models reused more; and Spaces (a fifth as many rows).

Sizes: `small` (20,000 models, for tests), `full` (2,000,000, for benchmarks), or --models N;
every other count scales with N.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

from build.snapshot import SnapshotWriter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = ROOT.parent / "shared" / "sources"
SIZES = {"small": 20_000, "full": 2_000_000}
LATEST = date(2026, 11, 28)
FIRST = date(2019, 1, 1)
# older populations: (source id, observed date), named after the real sources of those dates
POPULATIONS = [("huggingfacer", date(2022, 7, 2)), ("icse23", date(2022, 8, 15)), ("liang2024", date(2022, 10, 1))]
CARD_SHARE, LINEAGE_SHARE = 0.40, 0.30
GITHUB_ROWS_PER_MODEL, REPOS_PER_MODEL, SPACE_SHARE = 0.5, 0.15, 0.2
RELATIONS = [("finetune", 0.55), ("adapter", 0.2), ("quantized", 0.18), ("merge", 0.07)]
MAX_DEPTH = 6
LICENSES = [("apache-2.0", 30), ("mit", 20), (None, 35), ("cc-by-4.0", 4), ("openrail", 3), ("llama2", 2),
            ("gpl-3.0", 2), ("cc-by-nc-4.0", 2), ("other", 2)]
LIBRARIES = [("transformers", 50), ("diffusers", 8), ("sentence-transformers", 5), ("peft", 8),
             ("gguf", 6), (None, 18), ("timm", 2), ("keras", 2), ("pytorch", 1)]
REPO_LICENSES = [(["MIT"], 30), (None, 40), (["Apache-2.0"], 15), (["GPL-3.0"], 6), (["BSD-3-Clause"], 4),
                 (["MIT", "Apache-2.0"], 2), (["AGPL-3.0"], 1), (["CC-BY-NC-4.0"], 2)]
_SECTION = re.compile(r"(?m)^(?=#{1,3} )")


class SynthError(Exception):
    pass


def real_shapes(sources: Path) -> dict:
    """The real download counts and task mix (liang2024), and the real card texts."""
    import pyarrow.parquet as pq

    from scripts.bench import real_card_texts

    path = sources / "Weixin-Liang+AI-model-card-analysis-HuggingFace/data/model_info.parquet"
    if not path.exists():
        raise SynthError(f"{path}: not found (the real sources are needed for the shapes; --sources)")
    table = pq.read_table(path, columns=["downloads", "task_category"]).to_pydict()
    downloads = sorted(int(d or 0) for d in table["downloads"])
    tasks: dict = {}
    for t in table["task_category"]:
        t = None if t in (None, "unknown") else t
        tasks[t] = tasks.get(t, 0) + 1
    return {"downloads": downloads, "tasks": sorted(tasks.items(), key=lambda kv: (-kv[1], str(kv[0]))),
            "cards": real_card_texts(sources)}


def _chooser(rng: random.Random, weighted):
    values = [v for v, _ in weighted]
    cum, total = [], 0
    for _, w in weighted:
        total += w
        cum.append(total)
    return lambda: values[bisect.bisect_right(cum, rng.random() * total)]


def _created(rng: random.Random) -> date:
    """Creation dates growing exponentially (the Hub roughly doubles every year)."""
    span = (LATEST - FIRST).days
    u = rng.random()
    # inverse CDF of an exponential density on [0, span] with rate ln 2 / 365 days
    rate = 0.693 / 365
    import math
    day = math.log(1 + u * (math.exp(rate * span) - 1)) / rate
    return FIRST + timedelta(days=int(day))


def _card_text(rng: random.Random, cards: list[str], parts: list[list[str]]) -> str:
    i = rng.randrange(len(cards))
    sections = parts[i]
    head, body = (sections[0], sections[1:]) if sections and not sections[0].startswith("#") else ("", sections)
    if body:
        keep = [s for s in body if rng.random() < 0.75] or body[:1]
    else:
        keep = []
    if rng.random() < 0.25:  # sections borrowed from another card
        other = parts[rng.randrange(len(parts))]
        keep += [s for s in other if s.startswith("#") and rng.random() < 0.3]
    if rng.random() < 0.1:
        head = ""  # no front matter
    text = head + "".join(keep)
    return text if text.strip() else cards[i]


def generate(out: Path, n_models: int, seed: int = 0, sources: Path = DEFAULT_SOURCES, progress: bool = False) -> dict:
    """Write the synthetic snapshot of n_models models into OUT; returns the record counts."""
    rng = random.Random(seed)
    shapes = real_shapes(Path(sources))
    downloads, cards = shapes["downloads"], shapes["cards"]
    parts = [_SECTION.split(text) for text in cards]
    task = _chooser(rng, shapes["tasks"])
    license_ = _chooser(rng, LICENSES)
    library = _chooser(rng, LIBRARIES)
    relation = _chooser(rng, RELATIONS)
    repo_license = _chooser(rng, REPO_LICENSES)
    n_orgs = max(n_models // 40, 10)

    w = SnapshotWriter(out)
    # Models are generated in creation order, so a base model is always older than its derivative.
    created = sorted(_created(rng) for _ in range(n_models))
    depth = bytearray(n_models)
    derived: list[int] = []
    ids: list[str] = []
    dl: list[int] = []
    for i in range(n_models):
        org = int(n_orgs * rng.random() ** 2)
        mid = f"org{org}/model-{i}"
        ids.append(mid)
        d30 = downloads[rng.randrange(len(downloads))]
        d30 = int(d30 * (0.5 + rng.random()))  # jitter, keeping the tail's shape
        dl.append(d30)
        lic, lib, tag = license_(), library(), task()
        has_card = rng.random() < CARD_SHARE
        tags = ([lib] if lib else []) + ([f"license:{lic}"] if lic else [])
        base = None
        if i and rng.random() < LINEAGE_SHARE:
            # older models are based on more; a third of the edges extend a recent derivative
            # (fine-tune families: a quantized fine-tune of a merge of ...); chains stop at MAX_DEPTH
            if derived and rng.random() < 0.35:
                j = derived[-1 - int(min(len(derived), 50) * rng.random())]
            else:
                j = int(i * rng.random() ** 3)
            if depth[j] < MAX_DEPTH:
                base = j
                depth[i] = depth[j] + 1
                derived.append(i)
                tags.append(f"base_model:{ids[j]}")
        when = created[i].isoformat()
        record = {"source": "hub-synth", "model_id": mid, "observed": LATEST.isoformat(), "author": f"org{org}",
                  "created_at": f"{when}T12:00:00Z", "last_modified": f"{when}T12:00:00Z",
                  "downloads_30d": d30, "downloads_all_time": d30 * (1 + (LATEST - created[i]).days // 30),
                  "likes": d30 // 500, "pipeline_tag": tag, "library_name": lib, "tags": tags,
                  "license": lic, "has_card": has_card}
        w.write("models", record)
        for source, observed in POPULATIONS:
            if created[i] < observed:
                w.write("models", {"source": source, "model_id": mid, "observed": observed.isoformat(),
                                   "author": f"org{org}", "created_at": f"{when}T12:00:00Z",
                                   "downloads_30d": d30 // 4, "pipeline_tag": tag, "has_card": has_card,
                                   **({"in_paper_snapshot": True} if source == "icse23" else {})})
        if has_card:
            w.write("cards", {"source": "hub-synth", "model_id": mid, "observed": LATEST.isoformat(),
                              "text": _card_text(rng, cards, parts), "tags": tags})
        if base is not None:
            w.write("lineage", {"source": "hub-synth", "model_id": mid, "base_model_id": ids[base],
                                "relation": relation(), "observed": LATEST.isoformat()})
        if progress and i % 100_000 == 0:
            print(f"models {i:,}", file=sys.stderr)

    # Reuse: popular models are reused more (a model's chance grows with its downloads' rank).
    order = sorted(range(n_models), key=lambda k: -dl[k])
    n_repos = max(int(n_models * REPOS_PER_MODEL), 10)
    seen = set()
    for kind, rows in (("github", int(n_models * GITHUB_ROWS_PER_MODEL)),
                       ("space", int(n_models * GITHUB_ROWS_PER_MODEL * SPACE_SHARE))):
        written = 0
        while written < rows:
            m = order[int(n_models * rng.random() ** 4)]
            r = int(n_repos * rng.random() ** 1.5)
            dependent = f"user{r % 9973}/repo-{r}" if kind == "github" else f"space-user{r % 7919}/space-{r}"
            key = (m, kind, dependent)
            if key in seen:
                continue
            seen.add(key)
            w.write("dependents", {"source": "hub-synth", "model_id": ids[m], "kind": kind, "dependent": dependent,
                                   "observed": LATEST.isoformat()})
            written += 1
    seen.clear()
    for r in range(n_repos):
        w.write("repositories", {"source": "hub-synth", "repo": f"user{r % 9973}/repo-{r}",
                                 "licenses": repo_license(), "observed": LATEST.isoformat()})

    sources_meta = [
        {"id": "hub-synth", "title": f"synthetic Hub population of {n_models:,} models (seed {seed})",
         "repo": None, "commit": None, "url": "https://github.com/", "license": "CC0-1.0",
         "citation": "synthetic: python -m scripts.synth", "snapshot_date": LATEST.isoformat(), "files": [],
         "coverage": "registry"},
    ] + [{"id": source, "title": f"synthetic population named after the real '{source}' source "
          f"(the synthetic models created before {observed})", "repo": None, "commit": None,
          "url": "https://github.com/", "license": "CC0-1.0", "citation": "synthetic: python -m scripts.synth",
          "snapshot_date": observed.isoformat(), "files": [], "coverage": "registry"}
        for source, observed in POPULATIONS]
    w.finish({"name": f"synth-{n_models}-seed{seed}", "producer": "scripts.synth", "created": LATEST.isoformat(),
              "description": f"Synthetic hub-sized snapshot ({n_models:,} models, seed {seed}) for benchmarks: "
                             "shapes from the real sources, values drawn at random. Not data about the Hub.",
              "sources": sources_meta})
    return dict(w.counts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.synth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, metavar="OUT", help="snapshot folder to write")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--models", type=int, help="number of models (overrides --size)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sources", type=Path, default=Path(os.environ.get("PTM_SOURCES", DEFAULT_SOURCES)))
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        counts = generate(args.out, args.models or SIZES[args.size], args.seed, args.sources, not args.quiet)
    except SynthError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(json.dumps(counts), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
