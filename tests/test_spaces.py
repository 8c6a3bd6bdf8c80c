"""The Spaces miner (scripts/mine_spaces.py) against a local fake Hub (tests/fakespaces.py)."""

import json
from pathlib import Path

import pytest

from build.db import build, connect
from build.snapshot import SnapshotWriter, read_manifest
from fakespaces import SHA, FakeSpaces
from scripts import mine_spaces
from scripts.mine_spaces import SpaceFetcher, SpacesError, files_to_fetch, mine

SPACES = {
    "demo/sentiment": {
        "README.md": "---\ntitle: Sentiment\nsdk: gradio\napp_file: main.py\n---\n"
                     "The model is loaded in `main.py`; helpers live in utils/loader.py. Not app.py.\n",
        "main.py": 'import gradio as gr\nfrom transformers import pipeline\n'
                   'clf = pipeline("sentiment-analysis", model="cardiffnlp/twitter-roberta-base-sentiment")\n',
        "utils/loader.py": 'from sentence_transformers import SentenceTransformer\n'
                           'emb = SentenceTransformer("all-MiniLM-L6-v2")\n',
        "unused.py": 'from transformers import AutoModel\nAutoModel.from_pretrained("never/fetched")\n',
        "requirements.txt": "transformers\nsentence-transformers==3.0.0\ngradio\n",
        "weights.bin": b"\x00" * 100,
    },
    "demo/plain": {
        "README.md": "---\nsdk: streamlit\n---\nA demo.\n",
        "app.py": 'import spacy\nnlp = spacy.load("en_core_web_sm")\nMODEL = "./local"\n',
    },
    "demo/no-code": {"README.md": "just a README\n"},
}


@pytest.fixture
def hub():
    with FakeSpaces(SPACES) as fake:
        yield fake


def lines(folder: Path, kind: str) -> list[dict]:
    path = folder / f"{kind}.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_files_to_fetch_are_the_app_manifests_and_files_the_readme_names():
    siblings = ["README.md", "main.py", "app.py", "utils/loader.py", "other.py", "requirements.txt", "x/requirements.txt"]
    readme = "---\napp_file: main.py\n---\nSee utils/loader.py and my_other.py.\n"
    assert files_to_fetch(siblings, readme, {"app_file": "main.py"}) == [
        "main.py", "app.py", "requirements.txt", "utils/loader.py"]


def test_spaces_listed_by_the_hub_miner_get_evidence(hub, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    hub_snapshot = tmp_path / "hub"
    w = SnapshotWriter(hub_snapshot)
    for space in ["demo/sentiment", "demo/plain", "demo/no-code", "demo/gone"]:
        w.write("dependents", {"source": "hub-live", "model_id": "some/model", "kind": "space", "dependent": space})
    w.write("dependents", {"source": "hub-live", "model_id": "some/model", "kind": "github", "dependent": "not/a-space"})
    w.finish({"name": "hub", "producer": "test", "sources": [{"id": "hub-live"}]})
    out = tmp_path / "spaces"
    assert mine_spaces.main(["--out", str(out), "--from-snapshot", str(hub_snapshot), "--no-progress",
                             "--date", "2026-03-01"]) == 0
    calls = {(c["repo"], c["file_path"], c.get("model_id"), c["ref_kind"]) for c in lines(out, "code_calls")}
    assert calls == {
        ("demo/sentiment", "main.py", "cardiffnlp/twitter-roberta-base-sentiment", "hub-id"),
        ("demo/sentiment", "utils/loader.py", "sentence-transformers/all-MiniLM-L6-v2", "bare-name"),
        ("demo/plain", "app.py", "spacy/en_core_web_sm", "bare-name"),
    }
    assert all(c["revision"] == SHA and c["method"] == "space-code-scan" and c["repo_kind"] == "space"
               for c in lines(out, "code_calls"))
    assert {(d["dependent"], d["kind"], d["method"]) for d in lines(out, "dependents")} == {
        ("demo/sentiment", "space", "space-code-scan"), ("demo/plain", "space", "space-code-scan")}
    assert {(r["repo"], r["library"]) for r in lines(out, "repo_libraries")} == {
        ("demo/sentiment", "transformers"), ("demo/sentiment", "sentence-transformers")}
    stats = read_manifest(out)["stats"]["spaces"]
    assert stats["spaces_listed"] == 4 and stats["spaces_scanned"] == 3 and stats["spaces_with_calls"] == 2
    assert stats["skipped"] == {"space not found": 1}
    build(out, tmp_path / "s.db", progress=False)
    conn = connect(tmp_path / "s.db")
    assert conn.execute("SELECT space_dependents FROM models WHERE model_id = 'spacy/en_core_web_sm'").fetchone() == (1,)


def test_a_stopped_run_resumes_without_duplicates(hub, tmp_path):
    spaces = ["demo/sentiment", "demo/plain", "demo/no-code"]
    clean = tmp_path / "clean"
    mine(clean, spaces, SpaceFetcher(endpoint=hub.url), date="2026-03-01", progress=False)
    out = tmp_path / "run"
    hub.inject("file", "ok", "ok", "ok", "ok", "500")  # the Hub fails in the middle of the first Space's files
    with pytest.raises(SpacesError):
        mine(out, spaces, SpaceFetcher(endpoint=hub.url), date="2026-03-01", progress=False)
    hub.inject("info", "ok", "500")                    # ... and again on the second Space
    with pytest.raises(SpacesError):
        mine(out, spaces, SpaceFetcher(endpoint=hub.url), date="2026-03-01", progress=False)
    mine(out, spaces, SpaceFetcher(endpoint=hub.url), date="2026-03-01", progress=False)
    for kind in ("code_calls", "dependents", "code_usages", "repo_libraries"):
        assert sorted(map(json.dumps, lines(out, kind))) == sorted(map(json.dumps, lines(clean, kind))), kind


def test_several_snapshots_in_one_database_compare_the_methods(hub, tmp_path):
    """Spaces found by the Hub API list and by scanning their code, built together (build/combine.py)."""
    from build.findings import load_queries, run
    listed = tmp_path / "hub"
    w = SnapshotWriter(listed)
    for space, model in [("demo/sentiment", "cardiffnlp/twitter-roberta-base-sentiment"),
                         ("demo/sentiment", "other/model"), ("demo/plain", "spacy/en_core_web_sm")]:
        w.write("dependents", {"source": "hub-live", "model_id": model, "kind": "space", "dependent": space})
    w.finish({"name": "hub", "producer": "test", "created": "2026-02-01",
              "sources": [{"id": "hub-live", "snapshot_date": "2026-02-01"}]})
    scanned = tmp_path / "spaces"
    mine(scanned, ["demo/sentiment", "demo/plain"], SpaceFetcher(endpoint=hub.url), date="2026-03-01", progress=False)
    # Both runs cite a source `hub-live` of their own: the ids collide and each becomes hub-live-<date>.
    clash = tmp_path / "clash"
    w = SnapshotWriter(clash)
    w.write("dependents", {"source": "hub-live", "model_id": "spacy/en_core_web_sm", "kind": "space",
                           "dependent": "demo/other"})
    w.finish({"name": "clash", "producer": "test", "created": "2026-04-01",
              "sources": [{"id": "hub-live", "title": "another", "snapshot_date": "2026-04-01"}]})

    def by_method(folders, db):
        build(folders, db, progress=False)
        rows = run(connect(db), load_queries()["f09_dependents_by_method"])
        return {(r["found_by"], r["compared_with"]):
                (r["links"], r["common_dependents"], r["links_on_common"], r["confirmed"]) for r in rows}

    # listed given twice: read once
    assert by_method([listed, scanned, listed], tmp_path / "both.db") == {
        # the Hub lists 3 links on the 2 Spaces; the code scan confirms 2 of them
        ("hub-live / published list", "space-code-scan / space-code-scan"): (3, 2, 3, 2),
        # the code scan finds 3 links (a SentenceTransformer the Hub does not list); the Hub has 2
        ("space-code-scan / space-code-scan", "hub-live / published list"): (3, 2, 3, 2),
    }
    conn = connect(tmp_path / "both.db")
    assert conn.execute("SELECT count(*) FROM dependents WHERE source = 'hub-live'").fetchone() == (3,)
    got = by_method([listed, scanned, clash], tmp_path / "three.db")
    assert ("hub-live-2026-02-01 / published list", "space-code-scan / space-code-scan") in got
    assert {s for pair in got for s in pair} == {"hub-live-2026-02-01 / published list",
                                                 "hub-live-2026-04-01 / published list",
                                                 "space-code-scan / space-code-scan"}


def test_progress_dates_and_the_token(hub, tmp_path, monkeypatch, capsys):
    """Progress on the console; every row with its source, method and date; HF_TOKEN sent, written nowhere."""
    token = "hf_" + "AbCdEfGhIj" * 3 + "KlMn"
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_TOKEN", token)
    out = tmp_path / "spaces"
    assert mine_spaces.main(["--out", str(out), "--space", "demo/sentiment", "--space", "demo/plain",
                             "--date", "2026-03-01"]) == 0
    console = capsys.readouterr()
    assert "spaces: 100%" in console.err and "2/2" in console.err
    assert hub.authorizations == {f"Bearer {token}"}
    assert token not in console.out + console.err
    for path in out.rglob("*"):
        if path.is_file():
            assert token not in path.read_text(errors="replace"), path
    for kind in ("code_calls", "code_usages", "dependents", "repo_libraries"):
        rows = lines(out, kind)
        assert rows and all((r["source"], r["method"], r["observed"]) == ("space-code-scan", "space-code-scan",
                                                                          "2026-03-01") for r in rows), kind
