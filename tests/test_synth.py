"""The synthetic hub-sized snapshot generator (scripts/synth.py), at a small size: deterministic
for a seed, shaped as the issue asks (read back from the JSONL files it wrote, not from its own
counters), and built by the builder."""

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from scripts.synth import MAX_DEPTH, POPULATIONS, generate
from build.db import connect

pytestmark = pytest.mark.real_sources  # the shapes and card texts come from the real sources

N = 4000


def records(folder: Path, kind: str) -> list[dict]:
    path = folder / f"{kind}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def snap(sources_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "a"
    generate(out, N, seed=7, sources=sources_dir)
    return out


def test_deterministic_for_a_seed(snap, sources_dir, tmp_path):
    generate(tmp_path / "b", N, seed=7, sources=sources_dir)
    assert digest(tmp_path / "b") == digest(snap)
    generate(tmp_path / "c", N, seed=8, sources=sources_dir)
    assert digest(tmp_path / "c")["models.jsonl"] != digest(snap)["models.jsonl"]


def test_shapes(snap, sources_dir):
    models = records(snap, "models")
    latest = [m for m in models if m["source"] == "hub-synth"]
    assert len(latest) == N and len({m["model_id"] for m in latest}) == N
    # several dated populations, each the models created before its date
    by_source = Counter(m["source"] for m in models)
    for source, observed in POPULATIONS:
        older = [m for m in models if m["source"] == source]
        assert 0 < len(older) < N / 5, source
        assert all(m["created_at"][:10] < observed.isoformat() and m["observed"] == observed.isoformat() for m in older)
    assert set(by_source) == {"hub-synth"} | {s for s, _ in POPULATIONS}
    # heavy-tailed downloads: the top 1% of models hold most downloads, the median model few
    downloads = sorted((m["downloads_30d"] for m in latest), reverse=True)
    assert sum(downloads[: N // 100]) > 0.5 * sum(downloads)
    assert downloads[N // 2] < downloads[0] / 1000
    # the real task mix: many tasks, none dominant, unknown tasks included
    tasks = Counter(m["pipeline_tag"] for m in latest)
    assert len(tasks) > 15 and max(tasks.values()) < 0.5 * N and tasks[None] > 0
    # 40% with cards, whose texts are real card texts' pieces of varied lengths
    cards = records(snap, "cards")
    assert 0.36 * N < len(cards) < 0.44 * N
    assert {c["model_id"] for c in cards} == {m["model_id"] for m in latest if m["has_card"]}
    lengths = sorted(len(c["text"]) for c in cards)
    assert lengths[len(lengths) // 10] < 1000 < 5000 < lengths[-len(lengths) // 10]
    real = (sources_dir / "hn5318+model_card_analysis/Dataset/Sample_modelcard/samples_data.json").read_text()
    real_lines = set(line for r in json.loads(real).values() for line in (r.get("modelcard_text") or "").splitlines()
                     if len(line) > 40)
    from_real = sum(any(line in real_lines for line in c["text"].splitlines()) for c in cards)
    assert from_real > 0.3 * len(cards)
    # 30% with a base model, the four relations, chains up to depth 6 (read from the edges)
    lineage = records(snap, "lineage")
    assert 0.2 * N < len(lineage) <= 0.3 * N * 1.1
    assert {e["relation"] for e in lineage} == {"finetune", "adapter", "quantized", "merge"}
    base = {e["model_id"]: e["base_model_id"] for e in lineage}
    assert set(base.values()) <= {m["model_id"] for m in latest}

    def depth(m):
        d = 0
        while m in base:
            m, d = base[m], d + 1
        return d

    depths = Counter(depth(m) for m in base)
    assert max(depths) == MAX_DEPTH and min(depths) == 1
    # reuse rows over repositories, popular models reused more; and Spaces
    deps = records(snap, "dependents")
    github = [d for d in deps if d["kind"] == "github"]
    assert len(github) == N // 2 and len({d["dependent"] for d in github}) <= 0.15 * N
    assert any(d["kind"] == "space" for d in deps)
    assert len({(d["model_id"], d["kind"], d["dependent"]) for d in deps}) == len(deps)
    reuse = Counter(d["model_id"] for d in github)
    by_downloads = sorted(latest, key=lambda m: -m["downloads_30d"])
    top = sum(reuse[m["model_id"]] for m in by_downloads[: N // 10])
    assert top > 0.3 * len(github)
    repos = records(snap, "repositories")
    assert {d["dependent"] for d in github} <= {r["repo"] for r in repos}


def test_it_builds(snap, tmp_path):
    import sqlite3

    from build.db import build

    build(snap, tmp_path / "synth.db", progress=False)
    conn = connect(tmp_path / "synth.db")
    assert conn.execute("SELECT count(*) FROM models").fetchone()[0] == N
    assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] == len(records(snap, "cards"))
    assert conn.execute("SELECT count(DISTINCT source) FROM model_observations").fetchone()[0] == 1 + len(POPULATIONS)
    # every synthetic source lists the registry at its date, so the population queries answer on it
    populations = dict(conn.execute("SELECT population, models FROM populations").fetchall())
    assert set(populations) == {"hub-synth"} | {source for source, _ in POPULATIONS}
    assert populations["hub-synth"] == N
    assert conn.execute("SELECT count(DISTINCT population) FROM trends").fetchone()[0] == 1 + len(POPULATIONS)
