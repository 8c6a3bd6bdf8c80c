"""`make refresh` (scripts/refresh.py) twice in a row against the fake Hub, the second time after changes.

Expected changes and measures come from the fake Hub's own data, not from the report's SQL.
"""

import json
import statistics
from pathlib import Path

import pytest

from scripts import refresh
from tests.fakehub import api_model, readme_for, sample_hub

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--no-progress", "--budget", "0", "--resolve-budget", "0", "--retry-wait", "0.01", "--workers", "4",
        "--sample-top", "2", "--sample-random", "5"]


def expected_measures(hub) -> dict:
    downloads = sorted((m["downloads"] for m in hub.models.values()), reverse=True)
    total = sum(downloads)
    return {"models": len(downloads), "median_downloads": statistics.median(downloads),
            "zero_downloads_share": sum(d == 0 for d in downloads) / len(downloads),
            "top10_download_share": sum(downloads[:10]) / total}


def test_refresh_twice_reports_exactly_the_changes(monkeypatch, tmp_path, capsys):
    snaps = tmp_path / "snapshots"
    with sample_hub(page_size=5) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-a"), *FAST]) == 0
        first = capsys.readouterr().out
        assert "(no previous run)" in first and f"Models: {len(hub.models)} " in first
        before = expected_measures(hub)

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

        report_file = tmp_path / "report.json"
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-b"),
                             "--report", str(report_file), *FAST]) == 0
        readmes_fetched = {k for k in hub.counts() if k.startswith("readme:")}
        after = expected_measures(hub)

    result = json.loads(report_file.read_text())
    assert result["previous"] == str(snaps / "hub-a")  # found by itself: the newest finished run
    assert result["changes"] == {"new": [fresh], "removed": ["example-org/empty-card"], "changed": [changed]}
    assert readmes_fetched == {f"readme:{fresh}", f"readme:{changed}"}
    assert result["cards"] == {"fetched": 2, "carried_over": 6}
    for key, value in before.items():
        assert result["before"][key] == pytest.approx(value), key
    for key, value in after.items():
        assert result["after"][key] == pytest.approx(value), key
    printed = capsys.readouterr().out
    assert f"Models: 1 new, 1 removed, 1 changed (new commit)" in printed
    assert f"new: {fresh}" in printed and "removed: example-org/empty-card" in printed
    assert "Cards: 2 downloaded, 6 carried over unchanged" in printed
    assert (snaps / "hub-a.db").exists() and (snaps / "hub-b.db").exists()


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
    conn = sqlite3.connect(db)
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
        assert refresh.main(["--snapshots", str(snaps), "--out", str(snaps / "hub-all-2"), *FAST,
                             "--report", str(tmp_path / "r.json")]) == 0
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["previous"] == str(snaps / "hub-all")  # not the newer run filtered to one author
    assert result["changes"] == {"new": [], "removed": [], "changed": []}
