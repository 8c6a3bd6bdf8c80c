"""What makes the builder fast must not change what it builds (docs/benchmarks.md, "Hub scale").

- Records parsed and cards analysed in worker processes (build/db.py _RecordPool) give the same two
  databases, row for row, as in the main process, whatever the chunking; a card that fails and a bad
  record are reported with their file and line, the first in the file first.
- build/cards.py's cache of parsed bodies and its split prose-results search give what the plain
  parse and the one regex give.
No timing is asserted here: the figures are in docs/benchmarks.md, from scripts/bench_scale.py.
"""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build import cards
from build.db import build, cards_db_path, connect
from build.snapshot import SnapshotWriter

FIXTURE_CARDS = Path(__file__).parent / "fixtures" / "cards"
TOKEN = "hf_" + "Q" * 34


def dump(path: Path) -> list[str]:
    conn = connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def card_snapshot(folder: Path) -> Path:
    """Cards of every fixture text, with and without tags, repeated (a later record replaces an
    earlier one), with a token to redact, under case-variant ids (merged by build/identity.py)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURE_CARDS.glob("*.md"))]
    assert len(texts) >= 5
    w = SnapshotWriter(folder)
    for i in range(60):
        text = texts[i % len(texts)] + (f"\n\n## Notes {i}\n\nkey {TOKEN}\n" if i % 7 == 0 else "")
        w.write("cards", {"source": "s", "model_id": f"Org/m{i % 45}" if i % 2 else f"org/m{i % 45}",
                          "text": text, "tags": ["license:mit", f"dataset:d{i}"] if i % 3 else None})
    w.write("models", {"source": "s", "model_id": "org/m1", "observed": "2024-01-01", "downloads_30d": 5})
    w.finish({"name": "cards", "producer": "tests", "created": "2024-01-01", "description": "cards",
              "sources": [{"id": "s", "title": "s", "license": "CC0-1.0", "files": []}]})
    return folder


@pytest.fixture(scope="module")
def inline_build(tmp_path_factory):
    snap = card_snapshot(tmp_path_factory.mktemp("snap") / "cards")
    db = tmp_path_factory.mktemp("inline") / "ptm_reuse.db"
    mp = pytest.MonkeyPatch()
    mp.setattr("build.db.POOL_MIN_BYTES", 2**40)  # never a pool
    try:
        build(snap, db, progress=False)
    finally:
        mp.undo()
    return snap, dump(db), dump(cards_db_path(db))


@pytest.mark.parametrize("chunk, task, per_commit", [(512, 32, 8), (7, 3, 8), (7, 3, 2), (1, 1, 1), (1, 1, 3)])
def test_records_handled_in_worker_processes_give_the_same_databases(inline_build, tmp_path, monkeypatch, chunk, task,
                                                                      per_commit):
    """Whatever the chunking, and however many workers' shards one transaction writes (a repeated
    card's later record replaces the earlier one's row and sections within one transaction too)."""
    snap, main, texts = inline_build
    monkeypatch.setattr("build.db.SHARDS_PER_COMMIT", per_commit)
    monkeypatch.setattr("build.db.POOL_MIN_BYTES", 0)
    monkeypatch.setattr("build.db.WORKERS", 2)
    monkeypatch.setattr("build.db.CARD_CHUNK", chunk)
    monkeypatch.setattr("build.db.CARD_TASK", task)
    monkeypatch.setattr("build.db.CHUNK", chunk)
    monkeypatch.setattr("build.db.TASK", task)
    db = tmp_path / "ptm_reuse.db"
    build(snap, db, progress=False)
    assert len(main) > 100 and dump(db) == main
    assert dump(cards_db_path(db)) == texts
    conn = connect(db)
    assert conn.execute("SELECT count(*) FROM cards").fetchone()[0] > 20  # the case variants merged
    assert conn.execute("SELECT redacted FROM redactions WHERE table_name = 'card_texts'").fetchone() == (9,)


def test_rows_from_the_workers_and_from_the_main_process_keep_their_order(tmp_path, monkeypatch):
    """Two snapshots of the same kinds, the first's files handled by the workers and the second's (small)
    in the main process: the shards not yet written go first, so the rows (the ids of numbered tables,
    the rowids of card_texts) are in the order of a build without workers."""
    def snapshot(folder: Path, source: str, n: int) -> Path:
        w = SnapshotWriter(folder)
        for i in range(n):
            w.write("cards", {"source": source, "model_id": f"org/m{i % 30}", "text": f"# M {i}\n\nwords {i}\n"})
            w.write("dependents", {"source": source, "model_id": f"org/m{i % 30}", "kind": "github",
                                   "dependent": f"r/{source}{i}"})
        w.finish({"name": source, "producer": "tests", "created": "2024-01-01", "description": source,
                  "sources": [{"id": source, "title": source, "license": "CC0-1.0", "files": []}]})
        return folder
    snaps = [snapshot(tmp_path / "big", "a", 40), snapshot(tmp_path / "small", "b", 3)]
    monkeypatch.setattr("build.db.POOL_MIN_BYTES", 2**40)
    build(snaps, tmp_path / "inline.db", progress=False)
    monkeypatch.setattr("build.db.POOL_MIN_BYTES", max(p.stat().st_size for p in snaps[1].glob("*.jsonl")) + 1)
    monkeypatch.setattr("build.db.WORKERS", 2)
    monkeypatch.setattr("build.db.CARD_CHUNK", 5)
    monkeypatch.setattr("build.db.CARD_TASK", 2)
    monkeypatch.setattr("build.db.CHUNK", 5)
    monkeypatch.setattr("build.db.TASK", 2)
    build(snaps, tmp_path / "pool.db", progress=False)
    assert dump(tmp_path / "pool.db") == dump(tmp_path / "inline.db")
    assert dump(cards_db_path(tmp_path / "pool.db")) == dump(cards_db_path(tmp_path / "inline.db"))
    conn = connect(cards_db_path(tmp_path / "pool.db"))
    assert [r[0] for r in conn.execute("SELECT source FROM card_texts ORDER BY rowid")][-3:] == ["b"] * 3


def test_a_card_that_fails_in_a_worker_is_reported_with_its_line(inline_build, tmp_path, monkeypatch):
    snap, _, _ = inline_build
    analyze = cards.analyze

    def failing(text, tags=()):
        if "Notes 14" in text:
            raise ValueError("boom")
        return analyze(text, tags)

    monkeypatch.setattr("build.cards.analyze", failing)  # before the workers are forked: they have it
    monkeypatch.setattr("build.db.POOL_MIN_BYTES", 0)
    monkeypatch.setattr("build.db.WORKERS", 2)
    monkeypatch.setattr("build.db.CARD_CHUNK", 4)
    db = tmp_path / "ptm_reuse.db"
    with pytest.raises(RuntimeError, match=r"cards\.jsonl:15: build\.cards\.analyze\(\) failed on this card: ValueError\('boom'\)"):
        build(snap, db, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing half-written


def test_the_body_cache_gives_what_the_parse_gives():
    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURE_CARDS.glob("*.md"))]
    cards._BODY_CACHE.clear()
    first = [cards.analyze(t, ["license:mit"]) for t in texts]
    again = [cards.analyze(t, ["license:mit"]) for t in texts]  # every body from the cache now
    assert first == again
    body = texts[0].split("\n---\n", 1)[-1]
    got = cards._parse_body_cached(body)
    got["sections"].append({"changed": True})  # a caller changing its copy changes nothing cached
    assert cards._parse_body_cached(body) == cards._parse_body(body)


@pytest.mark.parametrize("tags", [(), ("license:mit", "dataset:squad", "en", "text-classification", "peft",
                                       "transformers", "base_model:finetune:org/base", "model-index"),
                                  ("license:MIT", "license:apache-2.0", "vit", "no")])
def test_the_tags_metadata_cache_gives_what_the_tags_give(tags):
    # A card without front matter takes its metadata from its tags alone: cached by the tags.
    got = cards._tags_metadata(tags)
    assert got == cards._metadata({}, list(tags))
    got[0]["tags"].append("changed")  # a caller changing its copy changes nothing cached
    assert cards._tags_metadata(tags) == cards._metadata({}, list(tags))


def test_the_cached_score_is_explains():
    # analyze() takes the score and its reasons from a cache keyed by the fields explain() reads.
    for path in sorted(FIXTURE_CARDS.glob("*.md")):
        for tags in ([], ["license:mit", "dataset:squad", "text-classification"]):
            card = cards.analyze(path.read_text(encoding="utf-8"), tags)["card"]
            items = cards.explain(card)
            assert card["score"] == round(float(sum(i["weight"] for i in items if i["met"])), 2)
            assert card["score_reasons"] == [
                f"+{i['weight']:.2f} {i['item']}: {i['evidence']}" if i["met"] else f"+0.00 {i['item']}: missing"
                for i in items]


PROSE = [
    "It achieves the following results on the evaluation set:\n- Loss: 0.61\n- Accuracy: 0.9",
    "It ACHIEVES the following results on the evaluation set:\n- Loss: nan",
    "achieves the following results on the evaluation set:\n* F1: {'a': 1}",
    "The model reaches an accuracy of 97.5% on the test set.", "F1: 0.97", "a 97% accuracy",
    "macro-F1 (dev) = 88.1", "BLEU is about 30", "accuracy", "no numbers here", "42 apples",
    "It achieves the following results on the evaluation set:\nnothing", "Perplexity: ~ 12", "ſcore 3",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PROSE + ["\n", " ", "1", "accuracy ", ":", "=", "%", "of ", "K", "ı"]), max_size=12))
def test_the_split_prose_results_search_is_the_one_regex(parts):
    text = "".join(parts)
    assert cards._has_prose_results(text) == (cards._PROSE_RESULTS.search(text) is not None)


@pytest.mark.parametrize("text", PROSE)
def test_the_split_prose_results_search_on_examples(text):
    assert cards._has_prose_results(text) == (cards._PROSE_RESULTS.search(text) is not None)


def test_the_fixture_snapshot_built_with_workers_is_the_same(tmp_path, monkeypatch):
    fixture = Path(__file__).parent / "fixtures" / "snapshot"
    build(fixture, tmp_path / "a.db", progress=False)
    monkeypatch.setattr("build.db.POOL_MIN_BYTES", 0)
    monkeypatch.setattr("build.db.WORKERS", 2)
    monkeypatch.setattr("build.db.CHUNK", 2)
    monkeypatch.setattr("build.db.TASK", 1)
    build(fixture, tmp_path / "b.db", progress=False)
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")
    assert dump(tmp_path / "a_cards.db") == dump(tmp_path / "b_cards.db")
    assert dump(tmp_path / "a_observations.db") == dump(tmp_path / "b_observations.db")


@pytest.mark.parametrize("case", ["truncated", "invalid JSON", "missing field", "unknown source", "lone surrogate",
                                  "after blank lines", "5 MB model id", "bad id in a list of ids"])
def test_bad_input_through_the_workers_names_the_same_line(tmp_path, monkeypatch, case):
    import shutil

    from test_build import BAD_INPUTS, append
    from build.snapshot import SnapshotError

    snap = tmp_path / "snap"
    shutil.copytree(Path(__file__).parent / "fixtures" / "snapshot", snap)
    file, text, expected = BAD_INPUTS[case]
    append(snap / file, text)
    append(snap / file, "{not json}\n" if case != "truncated" else "")  # a second bad line after it
    monkeypatch.setattr("build.db.POOL_MIN_BYTES", 0)
    monkeypatch.setattr("build.db.WORKERS", 2)
    monkeypatch.setattr("build.db.CHUNK", 2)
    monkeypatch.setattr("build.db.TASK", 1)
    with pytest.raises(SnapshotError) as e:
        build(snap, tmp_path / "out" / "ptm_reuse.db", progress=False)
    for part in expected:
        assert part in str(e.value)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_the_benchmark_sets_each_kinds_load_beside_executemany(tmp_path):
    """scripts/bench_scale.py reads the build's own step lines ("loaded KIND: N s") to set each
    kind's load beside executemany of the same records: a change of that line's format would
    silently drop kinds from the comparison."""
    import sys

    from scripts.bench_scale import count_records, executemany_baseline, load_phase, run_build_measured

    fixture = Path(__file__).parent / "fixtures" / "snapshot"
    build_run = run_build_measured([sys.executable, "-m", "build", str(fixture), str(tmp_path / "f.db"), "--force"],
                                   tmp_path / "build.log")
    records = count_records(fixture)
    baseline = executemany_baseline(fixture, tmp_path / "baseline.db")
    assert baseline["rows"] == sum(records.values())
    assert set(baseline["seconds_per_kind"]) == set(records)
    phase = load_phase(build_run["steps"], records, baseline)
    present = {kind for kind, n in records.items() if n}
    assert set(phase["kinds"]) == present
    assert phase["records"] == sum(records[kind] for kind in present)
    for kind, figures in phase["kinds"].items():
        assert figures["records"] == records[kind]
        assert figures["build_s"] >= 0 and figures["executemany_s"] is not None


# ---------------------------------------------------------------- rows by the record's shape

def fixture_lines() -> list[tuple[str, bytes]]:
    """Every fixture record, and model records with tokens in a value, a list, an object, written
    as they are or with \\u escapes (which the quick check leaves to the careful path)."""
    fixture = Path(__file__).parent / "fixtures" / "snapshot"
    lines = [(path.stem, line) for path in sorted(fixture.glob("*.jsonl"))
             for line in path.read_bytes().splitlines(keepends=True) if line.strip()]
    for record in [{"model_id": f"a/{TOKEN}", "source": "alpha", "has_card": True, "gated": False},
                   {"model_id": "a/b", "source": "alpha", "tags": ["x", f"k {TOKEN}"], "private": "auto"},
                   {"model_id": "a/b", "source": "alpha", "extra": {TOKEN: [1, TOKEN]}, "likes": 3},
                   {"model_id": "a/b", "source": "alpha", "license": "hf_ghp_github_pat_", "tags": []},
                   {"model_id": "a/b", "source": "alpha", "has_card": "", "likes": ""}]:  # "": taken as missing
        for ascii_only in (False, True):
            text = json.dumps(record, ensure_ascii=ascii_only)
            lines.append(("models", (text + "\n").encode()))
            lines.append(("models", (text.replace("hf_", "\\u0068f_").replace("a/", "a\\/") + "\n").encode()))
    return lines


def test_rows_made_by_the_records_shape_are_the_careful_paths_rows(monkeypatch):
    from build import db, snapshot

    lines = fixture_lines()
    contexts = {kind: db._Context(kind, f"{kind}.jsonl", frozenset({"alpha", "beta", "gamma"}), frozenset(), {})
                for kind, _ in lines}

    def rows():
        return [repr(db._line_rows(contexts[kind], i, line)) for i, (kind, line) in enumerate(lines)]

    quick = rows()
    assert sum(snapshot.signature(kind, json.loads(line), line) is not None for kind, line in lines) > len(lines) / 2
    monkeypatch.setattr(snapshot, "signature", lambda kind, record, line: None)
    assert rows() == quick
    assert sum("[REDACTED]" in row for row in quick) >= 12
