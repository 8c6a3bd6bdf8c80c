"""Findings from a mined snapshot, and several snapshots in one database (build/combine.py).

A mining run of the local fake Hub (tests/fakehub.py) is the snapshot a new user gets from
`make mine`. Expected values come from the fake Hub's own listing entries, not from the builder.
An earlier run is the same folder with its dates moved back (what the builder sees of a run made
on another day).
"""

import json
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from build.db import build, connect
from build.findings import load_queries, run
from build.snapshot import SnapshotError
from scripts.hub.context import today
from scripts.mine_hub import main
from tests.fakehub import sample_hub
from tests.test_findings import write_small_snapshot

FAST = ["--no-progress", "--budget", "0", "--resolve-budget", "0", "--retry-wait", "0.01", "--workers", "4"]
EARLIER = "2026-06-01"
QUERIES = load_queries()


@pytest.fixture(scope="module")
def mined(tmp_path_factory) -> tuple[Path, list[dict]]:
    """A finished mining run of the sample Hub, and the Hub's listing entries."""
    out = tmp_path_factory.mktemp("mine") / "hub-run"
    mp = pytest.MonkeyPatch()
    try:
        mp.delenv("HF_TOKEN", raising=False)
        with sample_hub(page_size=3) as hub:
            mp.setenv("HF_ENDPOINT", hub.url)
            assert main(["--out", str(out), *FAST]) in (0, 3, 4)  # 3/4: some defenses not fetched
            listing = [dict(m) for m in hub.models.values()]
    finally:
        mp.undo()
    return out, listing


def moved_back(folder: Path, dest: Path, day: str = EARLIER) -> Path:
    """A copy of a mining run whose every date is `day` instead of today."""
    shutil.copytree(folder, dest)
    for path in dest.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".jsonl"):
            path.write_text(path.read_text(encoding="utf-8").replace(today(), day), encoding="utf-8")
    return dest


def rows_of(db_path, name, **params):
    conn = connect(db_path)
    try:
        return run(conn, QUERIES[name], params)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def mined_db(mined, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("db") / "hub.db"
    build(mined[0], path, progress=False)
    return path


def test_a_mining_run_is_a_population(mined, mined_db):
    _, listing = mined
    db = sqlite_utils.Database(connect(mined_db))
    [pop] = list(db["populations"].rows)
    assert (pop["population"], pop["date"]) == ("hub", today())
    assert pop["models"] == len(listing)
    assert pop["downloads"] == sum(m.get("downloads") is not None for m in listing)
    assert {"downloads", "has_card", "task", "license", "created_at", "lineage", "spaces", "cards"} <= set(
        json.loads(pop["fields"]))
    t = {r["measure"]: r for r in db.query("SELECT * FROM trends WHERE population = 'hub'")}
    downloads = sorted(m["downloads"] for m in listing)
    n = len(downloads)
    median = (downloads[(n - 1) // 2] + downloads[n // 2]) / 2
    assert t["models"]["value"] == n and t["median_downloads"]["value"] == median
    assert t["zero_downloads_share"]["value"] == pytest.approx(sum(d == 0 for d in downloads) / n)
    no_task = sum(not m.get("pipeline_tag") for m in listing)
    assert t["no_task_share"]["value"] == pytest.approx(no_task / n)
    with_base = {m["id"] for m in listing if any(tag.startswith("base_model:") for tag in m.get("tags", []))}
    assert t["no_base_model_share"]["value"] == pytest.approx(1 - len(with_base) / n)


def test_findings_follow_a_mined_snapshot(mined_db):
    findings = {r["id"]: r["answer"] for r in sqlite_utils.Database(connect(mined_db))["findings"].rows}
    for finding in ("F1", "F3", "F4", "F6", "F11"):
        assert "n/a" not in findings[finding], (finding, findings[finding])
    assert findings["F1"].startswith("Over the ") and "models of hub (" in findings["F1"] and "No source in this database gives GitHub reuse links" in findings["F1"]
    # the queries that returned nothing because their defaults named offline sources
    for name in ("f01_download_share_by_rank", "f01_downloads_histogram", "f02_reuse_by_popularity",
                 "f04_popular_models_without_card", "f11_models_created_per_month", "f11_practices_by_cohort",
                 "trends", "choose_model"):
        got = rows_of(mined_db, name, **({"task": "text-generation"} if name == "choose_model" else {}))
        assert got, name
    # F3's "missing or inadequate" is measurable over a population with its own card texts
    [f3] = rows_of(mined_db, "f03_card_completeness")
    assert f3["population"] == f3["cards_source"] == "hub" and f3["missing_or_low_share"] is not None


def test_several_snapshots_in_one_database(mined, tmp_path):
    folder, listing = mined
    small = write_small_snapshot(tmp_path / "replication")
    earlier = moved_back(folder, tmp_path / "hub-earlier")
    db_path = tmp_path / "all.db"
    # the replication, two mining runs (both call their source `hub`), and one of them again
    build([small, earlier, folder, folder], db_path, progress=False)
    db = sqlite_utils.Database(connect(db_path))
    later = f"hub-{today()}"
    pops = {r["population"]: r["date"] for r in db["populations"].rows}
    assert pops == {"icse23": "2022-08-15", "huggingfacer": "2022-07-02", "liang2024": "2022-10-01",
                    f"hub-{EARLIER}": EARLIER, later: today()}
    # the run given twice is read once: as many observations as the Hub lists, per run
    counts = dict(db.execute("SELECT source, count(*) FROM model_observations GROUP BY source").fetchall())
    assert counts[later] == counts[f"hub-{EARLIER}"] == len(listing)
    # overlapping models are one models row each, seen by both runs
    bert = db["models"].get("google-bert/bert-base-uncased")
    assert {f"hub-{EARLIER}", later} <= set(json.loads(bert["seen_in"]))
    # the trend runs from 2022 to the newest run; queries default to the newest population
    dates = [d for (d,) in db.execute("SELECT date FROM trends WHERE measure = 'models' ORDER BY date")]
    assert dates[0] == "2022-07-02" and dates[-1] == today() and EARLIER in dates
    [f1] = rows_of(db_path, "f01_reuse_concentration")
    assert (f1["population"], f1["models"]) == (later, len(listing))
    assert [r["population"] for r in rows_of(db_path, "trends", measure="models")][-2:] == [f"hub-{EARLIER}", later]
    facts = dict(db.execute("SELECT key, value FROM snapshot").fetchall())
    described = json.loads(facts["snapshots"])
    assert [d["sources"] for d in described][1:] == [[f"hub-{EARLIER}"], [later]]


def test_one_source_in_two_snapshots_is_read_once(tmp_path):
    small = write_small_snapshot(tmp_path / "a")
    copy = tmp_path / "b"
    shutil.copytree(small, copy)
    manifest = json.loads((copy / "snapshot.json").read_text())
    manifest["description"] = "the same sources, another folder and manifest"
    (copy / "snapshot.json").write_text(json.dumps(manifest))
    build([small, copy], tmp_path / "ab.db", progress=False)
    build(small, tmp_path / "a.db", progress=False)
    both, one = sqlite_utils.Database(connect(tmp_path / "ab.db")), sqlite_utils.Database(connect(tmp_path / "a.db"))
    for table in ("model_observations", "dependents", "cards", "lineage", "populations", "trends"):
        assert both[table].count == one[table].count, table


def test_two_runs_of_one_day_are_refused(mined, tmp_path):
    folder, _ = mined
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    manifest = json.loads((other / "snapshot.json").read_text())
    manifest["sources"][0]["title"] = "Another run"
    manifest["sources"][0]["commit"] = "x"  # a different source with the same id and date
    (other / "snapshot.json").write_text(json.dumps(manifest))
    with pytest.raises(SnapshotError, match="same date"):
        build([folder, other], tmp_path / "x.db", progress=False)
    assert not (tmp_path / "x.db").exists()


def expected_trend_populations(folders: list[Path], renamed: dict[str, str]) -> dict[str, set[str]]:
    """measure -> the registry populations that can give it, from the raw snapshot records (not the
    builder's SQL): each measure needs its fields carried by some model of the population (a top-N share
    more than N download counts; a base model share, lineage records of the population)."""
    from build.populations import MEASURES

    def records(folder: Path, kind: str):  # the raw lines, as json reads them
        path = folder / f"{kind}.jsonl"
        if path.exists():
            with open(path, encoding="utf-8") as f:
                yield from (json.loads(line) for line in f if line.strip())

    column = {"downloads": "downloads_30d", "has_card": "has_card", "task": "pipeline_tag",
              "license": "license", "created_at": "created_at"}
    carried: dict[str, set[str]] = {}
    downloads: dict[str, int] = {}
    for folder in folders:
        manifest = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
        registry = {s["id"] for s in manifest["sources"] if s.get("coverage") == "registry"}
        for record in records(folder, "models"):
            if record["source"] in registry:
                pop = renamed.get(record["source"], record["source"])
                have = carried.setdefault(pop, set())
                have.update(f for f, c in column.items() if record.get(c) is not None)
                downloads[pop] = downloads.get(pop, 0) + (record.get("downloads_30d") is not None)
        for record in records(folder, "lineage"):
            if record["source"] in registry:
                carried.setdefault(renamed.get(record["source"], record["source"]), set()).add("lineage")
    expected = {}
    for measure, (needs, _, _) in MEASURES.items():
        top = int(measure[3:-len("_download_share")]) if measure.startswith("top") else 0
        expected[measure] = {p for p, have in carried.items()
                             if set(needs) <= have and (not top or downloads[p] > top)}
    return expected


@pytest.mark.real_sources
def test_each_trend_measure_is_a_line_over_the_population_dates(mined, real_snapshot, tmp_path):
    """The default replication plus a mining run: the trends canned query, with each measure, has one
    row per population date (what its datasette-vega line chart draws), from 2022 to the run."""
    from build.populations import MEASURES
    from plugins.ptm_findings import chart_spec

    folder, listing = mined
    db_path = tmp_path / "real-and-hub.db"
    build([real_snapshot, folder], db_path, progress=False)
    spec = chart_spec(QUERIES["trends"])
    assert (spec["mark"]["type"], spec["encoding"]["x"]["field"], spec["encoding"]["x"]["type"],
            spec["encoding"]["y"]["field"]) == ("line", "date", "temporal", "value")
    assert set(QUERIES["trends"].params) == {"measure"}
    expected = expected_trend_populations([real_snapshot, folder], {})
    assert expected["models"] >= {"icse23", "huggingfacer", "liang2024", "hub"}
    dates = dict(connect(db_path).execute("SELECT population, date FROM populations"))
    assert dates["hub"] == today() and all(d.startswith("2022") for p, d in dates.items() if p != "hub")
    for measure in MEASURES:
        rows = rows_of(db_path, "trends", measure=measure)
        got = [(r["date"], r["population"]) for r in rows]
        assert got == sorted((dates[p], p) for p in expected[measure]), measure  # one row per population
        assert len({d for d, _ in got}) == len(got), measure                      # ... and per date
        assert all(r["measure"] == measure and r["value"] is not None for r in rows), measure
    # every measure the mining run's fields allow ends at its date (the sample Hub lists fewer than 100
    # models, so it has no top-100 or top-1,000 share)
    ends = {m for m in MEASURES if rows_of(db_path, "trends", measure=m)[-1]["population"] == "hub"}
    assert ends == set(MEASURES) - {"top100_download_share", "top1000_download_share"}
    assert len(listing) < 100
