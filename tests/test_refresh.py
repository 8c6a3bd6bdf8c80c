"""`make refresh` (scripts/refresh.py) twice in a row against the fake Hub, the second time after changes.

Expected changes and measures come from the fake Hub's own data, not from the report's SQL.
"""

import json
import re
import statistics
from pathlib import Path

import pytest

from build.snapshot import SnapshotWriter
from scripts import mine_hub, refresh
from tests.fakehub import api_model, readme_for, sample_hub
from build.db import connect

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--no-progress", "--budget", "0", "--resolve-budget", "0", "--retry-wait", "0.01", "--workers", "4",
        "--sample-top", "2", "--sample-random", "5"]


def expected_measures(hub) -> dict:
    downloads = sorted((m["downloads"] for m in hub.models.values()), reverse=True)
    total = sum(downloads)
    return {"models": len(downloads), "median_downloads": statistics.median(downloads),
            "zero_downloads_share": sum(d == 0 for d in downloads) / len(downloads),
            "top10_download_share": sum(downloads[:10]) / total}


def on_day(monkeypatch, day: str) -> None:
    """The miner's clock: every record it writes is observed on `day` (each run its own date)."""
    from scripts.hub import aliases, context, listing, manifest

    for module in (context, listing, aliases, manifest, mine_hub):
        monkeypatch.setattr(module, "today", lambda: day)


def base_snapshot(folder: Path) -> Path:
    """A small stand-in for the 2022 replication: one registry population dated 2022-08-15."""
    w = SnapshotWriter(folder)
    for model_id, downloads in [("openai-community/gpt2", 900), ("google-bert/bert-base-uncased", 700),
                                ("old-org/gone", 0)]:
        w.write("models", {"model_id": model_id, "source": "old2022", "downloads_30d": downloads,
                           "observed": "2022-08-15"})
    w.finish({"name": "old-2022", "producer": "test", "created": "2022-08-15",
              "sources": [{"id": "old2022", "title": "a 2022 listing", "snapshot_date": "2022-08-15",
                           "coverage": "registry"}]})
    return folder


def trends(db: Path) -> dict[str, dict[str, float]]:
    conn = connect(db)
    try:
        out: dict[str, dict[str, float]] = {}
        for date, measure, value in conn.execute("SELECT date, measure, value FROM trends"):
            out.setdefault(date, {})[measure] = value
        return out
    finally:
        conn.close()


def test_refresh_twice_reports_exactly_the_changes(monkeypatch, tmp_path, capsys):
    snaps = tmp_path / "snapshots"
    base = base_snapshot(snaps / "icse23-replication-2022")  # the default --base: found by itself
    with sample_hub(page_size=5) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        on_day(monkeypatch, "2026-11-01")
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-a"), *FAST]) == 0
        first = capsys.readouterr().out
        assert "(no previous run)" in first and f"Models: {len(hub.models)} " in first
        assert "Trends: 2 dates, 2022-08-15 to 2026-11-01 (old2022, hub)" in first
        before = expected_measures(hub)
        assert set(trends(snaps / "hub-a.db")) == {"2022-08-15", "2026-11-01"}

        # The Hub changes: a new model, a deleted one, a new commit to another, new download counts.
        fresh = "new-org/fresh-model"
        hub.models[fresh] = api_model(fresh, created="2026-11-30T10:00:00.000Z", downloads=42,
                                      library_name="transformers", tags=["transformers", "region:us"])
        hub.readmes[fresh] = readme_for(fresh, {"license": "mit"}, "A new model.")
        del hub.models["example-org/empty-card"]
        changed = "openai-community/gpt2"
        hub.update(changed, sha="d" * 40, readme="---\nlicense: mit\n---\n# GPT-2, retrained\n")
        hub.models["google-bert/bert-base-uncased"]["downloads"] += 1000  # not a change of the repository
        hub.reset_counts()

        on_day(monkeypatch, "2026-12-01")
        report_file = tmp_path / "report.json"
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-b"),
                             "--report", str(report_file), *FAST]) == 0
        readmes_fetched = {k for k in hub.counts() if k.startswith("readme:")}
        after = expected_measures(hub)
        expected_new_month = sum(m["createdAt"].startswith("2026-11") for m in hub.models.values())

    result = json.loads(report_file.read_text())
    assert result["previous"] == str(snaps / "hub-a")  # found by itself: the newest finished run
    # One database with every population: the base, the earlier run and the new one.
    assert result["built_from"] == [str(base), str(snaps / "hub-a"), str(snaps / "hub-b")]
    assert (result["previous_population"], result["population"]) == ("hub-2026-11-01", "hub-2026-12-01")
    old, new = trends(snaps / "hub-a.db"), trends(snaps / "hub-b.db")
    assert set(new) - set(old) == {"2026-12-01"} and set(old) <= set(new)  # exactly one date gained
    assert [t["date"] for t in result["trends"]] == ["2022-08-15", "2026-11-01", "2026-12-01"]
    for date in old:  # the earlier populations' measures are the same in the new database
        assert new[date] == pytest.approx(old[date]), date

    assert result["changes"] == {"new": [fresh], "removed": ["example-org/empty-card"], "changed": [changed]}
    assert readmes_fetched == {f"readme:{fresh}", f"readme:{changed}"}
    assert result["cards"] == {"fetched": 2, "carried_over": 6}
    for key, value in before.items():
        assert result["before"][key] == pytest.approx(value), key
        assert new["2026-11-01"][key] == pytest.approx(value), key
    for key, value in after.items():
        assert result["after"][key] == pytest.approx(value), key
        assert new["2026-12-01"][key] == pytest.approx(value), key
    assert result["after"]["models_created_last_month"] == expected_new_month == 1  # the fresh model
    assert new["2022-08-15"]["models"] == 3 and new["2022-08-15"]["median_downloads"] == 700
    printed = capsys.readouterr().out
    assert f"Models: 1 new, 1 removed, 1 changed (new commit)" in printed
    assert f"new: {fresh}" in printed and "removed: example-org/empty-card" in printed
    assert "changed: openai-community/gpt2" in printed
    assert "Cards: 2 downloaded, 6 carried over unchanged" in printed
    assert "(hub-2026-11-01 -> hub-2026-12-01)" in printed
    for key, label in refresh.MEASURES.items():  # each headline measure, before and after
        assert re.search(rf"^{re.escape(label)} +{re.escape(refresh._fmt(key, result['before'][key]))} +"
                         rf"{re.escape(refresh._fmt(key, result['after'][key]))}$", printed, re.M), key
    assert "Trends: 3 dates, 2022-08-15 to 2026-12-01 (old2022, hub-2026-11-01, hub-2026-12-01)" in printed


def test_a_second_run_the_same_day_replaces_that_days_population(monkeypatch, tmp_path):
    snaps = tmp_path / "snapshots"
    with sample_hub(page_size=5) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        on_day(monkeypatch, "2026-11-01")
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-a"), *FAST, "--no-base"]) == 0
        del hub.models["example-org/empty-card"]
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-a-2"), *FAST, "--no-base",
                             "--report", str(tmp_path / "r.json")]) == 0
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["built_from"] == [str(snaps / "hub-a-2")]  # one date, one population: the newer run
    assert result["trends"] == [{"date": "2026-11-01", "population": "hub"}]
    # the previous run is not in that database: compared with from its own
    assert result["changes"] == {"new": [], "removed": ["example-org/empty-card"], "changed": []}
    assert result["before"]["models"] == result["after"]["models"] + 1


def test_a_missing_base_stops_before_mining(tmp_path, capsys):
    assert refresh.main(["--snapshots", str(tmp_path), "--base", str(tmp_path / "nowhere"), *FAST]) == 1
    assert "nowhere/snapshot.json: no such file" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_refresh_resumes_an_unfinished_run_and_stops_without_building(monkeypatch, tmp_path):
    snaps = tmp_path / "snapshots"
    with sample_hub(page_size=5) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        original = hub._list  # the listing's second page fails on both tries of the first run
        calls = []

        def first_page_only(h, query):
            calls.append(1)
            if "cursor" in query and len(calls) <= 3:
                return hub._send(h, 500, {"error": "Internal Error"})
            return original(h, query)

        monkeypatch.setattr(hub, "_list", first_page_only)
        assert refresh.main(["--snapshots", str(snaps), *FAST, "--retries", "1"]) == 3
        [unfinished] = [p for p in snaps.iterdir() if p.is_dir()]
        assert not list(snaps.glob("*.db"))
        assert refresh.main(["--snapshots", str(snaps), *FAST, "--retries", "1"]) == 0
        assert [p for p in snaps.iterdir() if p.is_dir()] == [unfinished]  # resumed, not a new run
        assert (snaps / f"{unfinished.name}.db").exists()


def test_refresh_workflow_is_off_until_a_maintainer_starts_it():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "refresh.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"workflow_dispatch"}  # no schedule, no push: manual dispatch only
    steps = " ".join(step.get("run", "") for step in workflow["jobs"]["refresh"]["steps"])
    assert "make refresh" in steps and "build.parquet" in steps


def test_measures_come_from_the_trends_table_when_the_database_has_one(tmp_path):
    import sqlite3

    db = tmp_path / "t.db"
    conn = connect(db)
    conn.execute("CREATE TABLE model_observations (model_id TEXT, source TEXT, downloads_30d INTEGER, "
                 "has_card INTEGER, pipeline_tag TEXT, license TEXT)")
    conn.execute("CREATE TABLE lineage (model_id TEXT, source TEXT)")
    conn.executemany("INSERT INTO model_observations VALUES (?, 'hub', ?, 1, 'x', 'mit')", [("a/1", 3), ("a/2", 0)])
    conn.commit()
    computed = refresh.headline_measures(db, "hub")
    assert computed["models"] == 2 and computed["zero_downloads_share"] == 0.5 and computed["median_downloads"] == 1.5
    # build/populations.py's table, once there, is what the report reads (a measure it lacks stays unknown).
    conn.execute("CREATE TABLE trends (population TEXT, measure TEXT, value REAL)")
    conn.executemany("INSERT INTO trends VALUES ('hub', ?, ?)", [("models", 2), ("median_downloads", 1.5)])
    conn.commit()
    from_trends = refresh.headline_measures(db, "hub")
    assert from_trends["models"] == 2 and from_trends["median_downloads"] == 1.5
    assert from_trends["zero_downloads_share"] is None


def test_the_previous_run_has_the_same_filters(monkeypatch, tmp_path):
    snaps = tmp_path / "snapshots"
    with sample_hub(page_size=5) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-all"), *FAST]) == 0
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-mistral"), *FAST,
                             "--author", "mistralai"]) == 0
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-first3"), *FAST,
                             "--limit", "3", "--report", str(tmp_path / "r3.json")]) == 0
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-all-2"), *FAST,
                             "--report", str(tmp_path / "r.json")]) == 0
    first3 = json.loads((tmp_path / "r3.json").read_text())
    assert first3["previous"] is None  # no earlier run cut short at 3 models
    assert first3["built_from"] == [str(snaps / "hub-first3")]  # only the runs cut at 3 models
    assert first3["after"]["models"] == 3
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["previous"] == str(snaps / "hub-all")  # not the newer runs filtered to one author or cut short
    assert result["changes"] == {"new": [], "removed": [], "changed": []}


def test_the_report_has_every_measure_of_the_trends_table():
    from build import populations

    assert list(refresh.MEASURES) == list(populations.MEASURES)
