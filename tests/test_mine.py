"""The live Hub miner (scripts/mine_hub.py) against a local fake Hub (tests/fakehub.py).

Expected values are computed from the fake Hub's own data (its listing entries, READMEs and
redirects), not from the miner's code.
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from huggingface_hub.hf_api import ModelInfo

from build.snapshot import KINDS, iter_records, read_manifest
from scripts.hub.client import HUB_QUOTAS, Budget, HubSession
from scripts.hub.records import base_models
from scripts.hub.defenses import draw
from scripts.mine_hub import EXIT_FAILURES, EXIT_STOPPED, main
from tests.fakehub import FakeHub, models_from_model_info_csv, sample_hub, synthetic_models
from build.db import connect

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--no-progress", "--budget", "0", "--resolve-budget", "0", "--retry-wait", "0.01", "--workers", "4"]
SMALL_SAMPLE = ["--sample-top", "5", "--sample-random", "10"]
TOKEN = "hf_" + "TestTokenNeverWrittenAnywhere1234567"  # shaped like a real one: hf_ + 34 letters/digits


@pytest.fixture(autouse=True)
def no_token(monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)


@pytest.fixture
def hub():
    with sample_hub(page_size=3) as fake:
        yield fake


def mine(monkeypatch, hub, out, *args) -> int:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    return main(["--out", str(out), *FAST, *args])


def records(folder, kind) -> list[dict]:
    return list(iter_records(folder, kind, read_manifest(folder)))


def by_id(folder, kind="models") -> dict[str, dict]:
    return {r["model_id"]: r for r in records(folder, kind)}


def comparable(folder) -> dict[str, list]:
    """Every record of every kind, without the observation date, sorted: for comparing two runs."""
    out = {}
    for kind in KINDS:
        rows = [json.dumps({k: v for k, v in r.items() if k != "observed"}, sort_keys=True)
                for r in records(folder, kind)]
        out[kind] = sorted(rows)
    return out


def readme_text(hub, model_id):
    value = hub.readmes[model_id]
    return value if isinstance(value, str) and value.strip() else None


# --- end to end -----------------------------------------------------------------------------------

def test_sample_hub_end_to_end(monkeypatch, hub, tmp_path):
    aliases_file = tmp_path / "legacy.txt"
    aliases_file.write_text("# legacy ids\nbert-base-uncased\ngpt2\nroberta-base\nmistralai/Mistral-7B-v0.1\n")
    out = tmp_path / "snap"
    assert mine(monkeypatch, hub, out, "--resolve-aliases", str(aliases_file)) == 0

    manifest = read_manifest(out)
    [source] = manifest["sources"]
    assert source["id"] == "hub" and source["title"] == "Hugging Face Hub API"
    assert source["url"] == "https://huggingface.co"
    assert source["license"] == "Hub metadata; each model's own license applies"
    assert manifest["producer"] == "scripts.mine_hub" and manifest["name"] == "snap"
    observed = {r["observed"] for kind in ("models", "cards", "lineage", "dependents", "aliases")
                for r in records(out, kind)}
    assert observed == {manifest["created"]} == {source["snapshot_date"]}
    for kind in KINDS:
        assert manifest["stats"].get(kind, 0) == len(records(out, kind))
    assert manifest["stats"]["failures"] == 0
    assert not (out / "mining" / "state.json").exists()

    models = by_id(out)
    assert set(models) == set(hub.models)
    for model_id, entry in hub.models.items():
        record = models[model_id]
        assert record["sha"] == entry["sha"]
        assert record["downloads_30d"] == entry["downloads"]
        assert record["likes"] == entry["likes"]
        assert record["tags"] == entry["tags"]
        assert record["gated"] == entry["gated"]
        assert record.get("parameters") == (entry.get("safetensors") or {}).get("total")
        assert record.get("children_count") == entry.get("childrenModelCount")
        assert record["extra"]["files"] == [s["rfilename"] for s in entry["siblings"]]

    # Cards: text exactly as served, at the listed sha; the outcome of every other answer.
    cards = by_id(out, "cards")
    assert {m: c["text"] for m, c in cards.items()} == \
        {m: readme_text(hub, m) for m in hub.models if readme_text(hub, m)}
    assert all(cards[m]["sha"] == hub.models[m]["sha"] for m in cards)
    for model_id, entry in hub.models.items():
        readme, record = hub.readmes[model_id], models[model_id]
        listed_readme = any(s["rfilename"] == "README.md" for s in entry["siblings"])
        if not listed_readme or readme == 404 or (isinstance(readme, str) and not readme.strip()):
            assert record["has_card"] is False, model_id
        elif readme in (401, 403):
            assert "has_card" not in record, model_id
            assert record["extra"]["card_status"] == ("gated" if entry["gated"] else "private")
        else:
            assert record["has_card"] is True, model_id

    # Lineage: every base_model:<relation>:<id> tag of the Hub, with its relation.
    lineage = {(r["model_id"], r["base_model_id"]): r.get("relation") for r in records(out, "lineage")}
    expected = {}
    for model_id, entry in hub.models.items():
        for tag in entry["tags"]:
            parts = tag.split(":")
            if parts[0] == "base_model" and len(parts) == 3:
                expected[(model_id, parts[2])] = parts[1]
    assert lineage == expected
    assert set(expected.values()) == {"finetune", "adapter", "quantized", "merge"}

    spaces = {(r["model_id"], r["dependent"]) for r in records(out, "dependents")}
    assert spaces == {(m, s) for m, e in hub.models.items() for s in e.get("spaces", [])}
    assert {r["kind"] for r in records(out, "dependents")} == {"space"}

    aliases = {r["old_id"]: r["new_id"] for r in records(out, "aliases")}
    assert aliases == {old: hub.aliases[old] for old in ("bert-base-uncased", "gpt2")}
    assert manifest["stats"]["aliases_not_found"] == 1  # roberta-base is not on this Hub
    assert manifest["stats"]["aliases_unchanged"] == 1  # mistralai/Mistral-7B-v0.1 was never renamed


def test_real_model_info_family(monkeypatch, sources_dir, tmp_path):
    """The 2025 model_info records of a real fine-tune family, served as the Hub API would."""
    path = (sources_dir / "hamidahoderinwale+model_metadata_analyses" / "ben-scripts"
            / "Mistral-Small-24B-Base-2501_finetunes_20250405_001816.csv")
    models, readmes = models_from_model_info_csv(path)
    with FakeHub(models, readmes, page_size=10) as fake:
        assert mine(monkeypatch, fake, tmp_path / "family") == 0
    out = tmp_path / "family"
    recorded = by_id(out)
    assert set(recorded) == {m["id"] for m in models}
    lineage = {(r["model_id"], r["base_model_id"], r.get("relation")) for r in records(out, "lineage")}
    tagged = {(m["id"], t.split(":", 2)[2], t.split(":", 2)[1]) for m in models for t in m["tags"]
              if t.startswith("base_model:") and t.count(":") == 2}
    assert tagged and tagged <= lineage
    spaces = {(r["model_id"], r["dependent"]) for r in records(out, "dependents")}
    assert spaces == {(m["id"], s) for m in models for s in m.get("spaces", [])}
    for m in models:
        assert recorded[m["id"]]["gated"] == m["gated"]
        assert recorded[m["id"]].get("children_count") == m.get("childrenModelCount")
        assert recorded[m["id"]].get("parameters") == (m.get("safetensors") or {}).get("total")


def test_builder_accepts_the_snapshot(monkeypatch, hub, tmp_path):
    import sqlite_utils

    from build import db as db_module

    assert mine(monkeypatch, hub, tmp_path / "snap") == 0
    db_module.build(tmp_path / "snap", tmp_path / "hub.db", progress=False)
    db = sqlite_utils.Database(connect(tmp_path / "hub.db"))
    assert db["models"].count == len(hub.models)
    assert db["lineage"].count == len(records(tmp_path / "snap", "lineage"))


# --- errors ---------------------------------------------------------------------------------------

def test_server_errors_and_drops_are_retried_then_recorded(monkeypatch, hub, tmp_path):
    bert, gpt2 = "google-bert/bert-base-uncased", "openai-community/gpt2"
    mistral, sst2 = "mistralai/Mistral-7B-v0.1", "textattack/bert-base-uncased-SST-2"
    hub.inject("readme", bert, "500", "500")   # recovers on the third try
    hub.inject("readme", gpt2, "drop")         # recovers on the second try
    hub.inject("readme", mistral, *["500"] * 3)  # 3 tries with --retries 2: fails
    hub.inject("readme", sst2, *["drop"] * 3)
    out = tmp_path / "first"
    assert mine(monkeypatch, hub, out, "--retries", "2") == EXIT_FAILURES

    counts = hub.counts()
    assert counts[f"readme:{bert}"] == 3 and counts[f"readme:{gpt2}"] == 2
    models = by_id(out)
    assert models[bert]["has_card"] is True and models[gpt2]["has_card"] is True
    failed = {m for m, r in models.items() if r["extra"]["card_status"] == "failed"}
    assert failed == {mistral, sst2}
    assert all("has_card" not in models[m] for m in failed)
    failures = [json.loads(line) for line in (out / "mining" / "failures.jsonl").read_text().splitlines()]
    assert {(f["what"], f["model_id"]) for f in failures} == {("card", mistral), ("card", sst2)}
    assert read_manifest(out)["stats"]["failures"] == 2

    # The next run downloads what failed (and only that); the rest is carried over.
    hub.clear_faults()
    hub.reset_counts()
    assert mine(monkeypatch, hub, tmp_path / "second", "--previous", str(out)) == 0
    assert {k for k in hub.counts() if k.startswith("readme:")} == {f"readme:{mistral}", f"readme:{sst2}"}
    assert by_id(tmp_path / "second", "cards")[mistral]["text"] == hub.readmes[mistral]
    assert read_manifest(tmp_path / "second")["stats"]["failures"] == 0


def test_429_waits_as_told_for_every_worker(monkeypatch, hub, tmp_path):
    hub.inject("readme", None, "429")  # blocks README downloads for 1 s; the Hub says so in its headers
    out = tmp_path / "snap"
    assert mine(monkeypatch, hub, out, "--retries", "1") == 0
    counts = hub.counts()
    # With one retry, a card whose retry came before the block's end would fail: none did. No worker
    # met the block twice (the pause of the whole bucket is checked in test_rate_limit_headers_...).
    assert 1 <= counts["status 429"] <= 4
    stats = read_manifest(out)["stats"]
    assert stats["failures"] == 0 and stats["requests"]["rate_limited"] == counts["status 429"]
    assert set(by_id(out, "cards")) == {m for m in hub.models if readme_text(hub, m)}


def test_listing_failure_stops_resumably_and_resume_drops_partial_lines(monkeypatch, hub, tmp_path):
    out = tmp_path / "snap"
    original = hub._list  # the first page is served; page 2 fails on both tries of the first run
    calls = []

    def failing_second_page(h, query):
        calls.append(query)
        if "cursor" in query and len(calls) <= 3:
            return hub._send(h, 500, {"error": "Internal Error"})
        return original(h, query)

    monkeypatch.setattr(hub, "_list", failing_second_page)
    assert mine(monkeypatch, hub, out, "--retries", "1") == EXIT_STOPPED
    assert not (out / "snapshot.json").exists()
    first_page = [m["id"] for m in list(hub.models.values())[:3]]
    assert sorted(r["model_id"] for r in iter_records(out, "models")) == sorted(first_page)
    failures = (out / "mining" / "failures.jsonl").read_text()
    assert '"what": "list"' in failures

    # A kill in the middle of a write leaves records after the checkpoint, one of them cut off.
    with open(out / "models.jsonl", "a") as f:
        f.write(json.dumps({"source": "hub", "model_id": "ghost/model"}) + "\n" + '{"source": "hub", "mod')
    with open(out / "lineage.jsonl", "a") as f:
        f.write(json.dumps({"source": "hub", "model_id": "ghost/model", "base_model_id": "x/y"}) + "\n")

    assert mine(monkeypatch, hub, out) == 0
    models = [r["model_id"] for r in records(out, "models")]
    assert sorted(models) == sorted(hub.models)  # each once; the ghost and the cut-off line are gone
    assert "ghost/model" not in {r["model_id"] for r in records(out, "lineage")}
    # The failed page is in the log, but nothing is left for the next run to retry.
    assert [json.loads(line)["what"] for line in (out / "mining" / "failures.jsonl").read_text().splitlines()] == ["list"]
    assert read_manifest(out)["stats"]["failures"] == 0


def test_token_is_sent_but_never_written(monkeypatch, tmp_path, capsys):
    pasted = "hf_" + "SomebodyPastedTheirTokenInACard0123"  # someone else's token, in a card and a Space name
    with sample_hub(page_size=3, echo_auth=True) as fake:
        fake.inject("readme", "openai-community/gpt2", *["500"] * 2)  # its error message quotes the token
        bert = "google-bert/bert-base-uncased"
        fake.readmes[bert] += f"\nlogin with HF_TOKEN={pasted}\n"
        fake.models[bert]["spaces"].append(f"someone/{pasted}")
        monkeypatch.setenv("HF_TOKEN", TOKEN)
        out = tmp_path / "snap"
        assert mine(monkeypatch, fake, out, "--retries", "1") == EXIT_FAILURES
        assert fake.authorizations == {f"Bearer {TOKEN}"}
    failures = (out / "mining" / "failures.jsonl").read_text()
    assert "openai-community/gpt2" in failures and "[REDACTED]" in failures
    for path in out.rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
            assert pasted.encode() not in path.read_bytes(), path  # masked by the miner, not only the builder
    assert "login with HF_TOKEN=[REDACTED]" in by_id(out, "cards")[bert]["text"]
    assert read_manifest(out)["stats"]["masked_tokens"] == 2
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err


# --- resuming and re-running ---------------------------------------------------------------------

def _start_miner(url: str, out: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    env["HF_ENDPOINT"] = url
    with open(log, "ab") as stderr:
        return subprocess.Popen([sys.executable, "-m", "scripts.mine_hub", "--out", str(out), *FAST, *SMALL_SAMPLE],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def _kill_after(hub: FakeHub, proc: subprocess.Popen, readmes: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while hub.counts().get("readme", 0) < readmes:
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the miner made no progress"
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_kill_9_and_resume_loses_and_duplicates_nothing(monkeypatch, tmp_path):
    n, page_size, workers = 300, 20, 4
    models, readmes = synthetic_models(n)
    log = tmp_path / "stderr.log"
    with FakeHub(models, readmes, page_size=page_size, latency=0.01) as fake:
        out = tmp_path / "killed"
        for readme_count in (60, 170):  # kill twice, at different points
            _kill_after(fake, _start_miner(fake.url, out, log), readme_count, log)
            assert (out / "mining" / "state.json").exists() and not (out / "snapshot.json").exists()
        proc = _start_miner(fake.url, out, log)
        assert proc.wait(timeout=120) == 0, log.read_text()
        # Resumed, not restarted: a kill loses at most the cards of the two pages in flight.
        assert fake.counts()["readme"] <= n + 2 * (2 * page_size + workers)
        assert mine(monkeypatch, fake, tmp_path / "reference", *SMALL_SAMPLE) == 0

    resumed, reference = comparable(out), comparable(tmp_path / "reference")
    for kind, rows in resumed.items():
        assert len(rows) == len(set(rows)), f"duplicate {kind} records"
    assert resumed == reference
    assert len(resumed["models"]) == 300 and len(resumed["cards"]) == 300


def test_unchanged_hub_costs_list_calls_only(monkeypatch, hub, tmp_path):
    first, second, third = tmp_path / "first", tmp_path / "second", tmp_path / "third"
    assert mine(monkeypatch, hub, first) == 0
    hub.reset_counts()
    assert mine(monkeypatch, hub, second, "--previous", str(first)) == 0
    counts = hub.counts()
    assert counts.get("readme", 0) == 0 and counts["list"] >= 1
    assert comparable(second) == comparable(first)
    assert read_manifest(second)["stats"]["cards_carried"] == len(records(first, "cards"))

    # One repository gets a new commit: only its card is downloaded again.
    changed = "textattack/bert-base-uncased-SST-2"
    hub.update(changed, sha="f" * 40, readme="---\nlicense: mit\n---\n# Retrained\n")
    hub.reset_counts()
    assert mine(monkeypatch, hub, third, "--previous", str(second)) == 0
    assert {k: v for k, v in hub.counts().items() if k.startswith("readme")} == {"readme": 1, f"readme:{changed}": 1}
    assert by_id(third, "cards")[changed]["text"] == "---\nlicense: mit\n---\n# Retrained\n"

    # Mining a finished folder again uses it as the previous snapshot, then replaces it.
    hub.reset_counts()
    assert mine(monkeypatch, hub, third) == 0
    assert hub.counts().get("readme", 0) == 0
    assert not (third / "mining" / "previous").exists()
    assert by_id(third, "cards")[changed]["sha"] == "f" * 40


# --- options --------------------------------------------------------------------------------------

def test_filters_limit_and_created_since(monkeypatch, hub, tmp_path):
    for option, value, key in (("--author", "mistralai", "author"), ("--task", "text-generation", "pipeline_tag")):
        out = tmp_path / value
        assert mine(monkeypatch, hub, out, option, value) == 0
        assert set(by_id(out)) == {m for m, e in hub.models.items() if e.get(key) == value}
    assert mine(monkeypatch, hub, tmp_path / "peft", "--library", "peft") == 0
    assert set(by_id(tmp_path / "peft")) == {m for m, e in hub.models.items() if "peft" in e["tags"]}

    assert mine(monkeypatch, hub, tmp_path / "four", "--limit", "4") == 0
    assert len(records(tmp_path / "four", "models")) == 4
    # the limit that stopped the listing is recorded (refresh compares runs cut at the same count)
    four = read_manifest(tmp_path / "four")
    assert four["stats"]["limit"] == 4 and "Only the first 4 models of the listing" in four["description"]
    assert mine(monkeypatch, hub, tmp_path / "all", "--limit", str(len(hub.models) + 1)) == 0
    assert "limit" not in read_manifest(tmp_path / "all")["stats"]  # a limit the listing never reached

    hub.reset_counts()
    assert mine(monkeypatch, hub, tmp_path / "recent", "--created-since", "2024-01-01") == 0
    assert set(by_id(tmp_path / "recent")) == {m for m, e in hub.models.items() if e["createdAt"] >= "2024-01-01"}
    pages = -(-len(hub.models) // hub.page_size)
    assert hub.counts()["list"] < pages  # newest first: the listing stopped at the first older model


def test_no_cards(monkeypatch, hub, tmp_path):
    out = tmp_path / "snap"
    assert mine(monkeypatch, hub, out, "--no-cards") == 0
    assert hub.counts().get("readme", 0) == 0
    assert records(out, "cards") == []
    models = by_id(out)
    for model_id, entry in hub.models.items():
        assert models[model_id]["has_card"] == any(s["rfilename"] == "README.md" for s in entry["siblings"])
        if entry.get("cardData"):
            assert models[model_id]["extra"]["card_data"] == entry["cardData"]


def test_aliases_from_a_previous_database(monkeypatch, hub, tmp_path):
    db_path = tmp_path / "old.db"
    with connect(db_path) as db:
        db.execute("create table models (model_id text primary key)")
        db.executemany("insert into models values (?)",
                       [("bert-base-uncased",), ("gpt2",), ("mistralai/Mistral-7B-v0.1",)])
    out = tmp_path / "snap"
    assert mine(monkeypatch, hub, out, "--limit", "1", "--resolve-aliases", str(db_path)) == 0
    assert {r["old_id"]: r["new_id"] for r in records(out, "aliases")} == hub.aliases
    looked_up = {k for k in hub.counts() if k.startswith("info:")}
    # Only the ids without an owner were looked up (each redirected to its new id).
    assert looked_up == {f"info:{i}" for i in hub.aliases} | {f"info:{i}" for i in hub.aliases.values()}


def test_bad_inputs_name_the_file(monkeypatch, hub, tmp_path, capsys):
    bad = tmp_path / "ids.txt"
    bad.write_text("gpt2\nnot an id\n")
    assert mine(monkeypatch, hub, tmp_path / "a", "--limit", "1", "--resolve-aliases", str(bad)) == 1
    assert f"{bad}:2" in capsys.readouterr().err

    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "models.jsonl").write_text('{"source": "x", "model_id": "a/b"}\n')
    assert mine(monkeypatch, hub, foreign) == 1
    assert str(foreign) in capsys.readouterr().err

    interrupted = tmp_path / "interrupted"
    hub.inject("list", None, "500", "500")
    assert mine(monkeypatch, hub, interrupted, "--retries", "1", "--author", "mistralai") == EXIT_STOPPED
    assert mine(monkeypatch, hub, interrupted, "--author", "google-bert") == 1
    assert "same filters" in capsys.readouterr().err


def test_help_explains_every_option():
    result = subprocess.run([sys.executable, "-m", "scripts.mine_hub", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    text = " ".join(result.stdout.split())
    for option in ("--out", "--limit", "--author", "--task", "--library", "--created-since", "--workers",
                   "--budget", "--resolve-budget", "--no-cards", "--previous", "--resolve-aliases"):
        assert option in text
    assert "HF_TOKEN" in text and "HF_ENDPOINT" in text and "snapshots/hub-<UTC date>" in text
    for plan in ("anonymous", "free", "pro"):
        for quota in HUB_QUOTAS[plan].values():
            assert f"{quota}" in text


# --- parts ----------------------------------------------------------------------------------------

def test_request_unsent_on_a_closed_client_is_sent_again(monkeypatch, hub):
    """After a ConnectError huggingface_hub closes its shared client; another worker's request, about
    to leave on it, fails unsent with a RuntimeError. It is sent again; other RuntimeErrors are bugs."""
    import scripts.hub.client as client

    real, calls = client.http_backoff, []

    def closed_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        return real(*args, **kwargs)

    def broken(*args, **kwargs):
        raise RuntimeError("something else")

    with HubSession(hub.url, None, {"api": 0, "resolvers": 0}) as session:
        monkeypatch.setattr(client, "http_backoff", closed_once)
        assert session.get(f"{hub.url}/api/models/openai-community/gpt2").json()["id"] == "openai-community/gpt2"
        assert len(calls) == 2
        monkeypatch.setattr(client, "http_backoff", broken)
        with pytest.raises(RuntimeError, match="something else"):
            session.get(f"{hub.url}/api/models/openai-community/gpt2")


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_budget_spaces_requests_and_pauses_for_everyone():
    clock = FakeClock()
    budget = Budget(per_window=10, window=300, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(21):
        budget.acquire()
        starts.append(clock.now)
    # No more than 10 starts in any 300 s window (+1 for the window's closed end).
    assert max(sum(1 for s in starts if t <= s < t + 300) for t in starts) <= 10
    budget.pause(1000)
    budget.acquire()
    assert clock.now >= starts[-1] + 1000
    assert Budget(0, clock=clock, sleep=clock.sleep).acquire() == 0


def test_rate_limit_headers_pause_the_bucket(hub):
    session = HubSession(hub.url, None, {"api": 0, "resolvers": 0})
    clock = FakeClock()
    session.budgets["resolvers"] = Budget(0, clock=clock, sleep=clock.sleep)

    class Response:
        status_code = 200
        headers = {"RateLimit": '"resolvers";r=0;t=42', "RateLimit-Policy": '"fixed window";"resolvers";q=3000;w=300'}

    session._on_response(Response())
    session.budgets["resolvers"].acquire()
    assert clock.now == 43  # the reset time plus a second, as huggingface_hub's backoff waits

    class TooMany:  # a 429 with only the standard header
        status_code = 429
        headers = {"Retry-After": "7"}
        request = httpx2.Request("GET", f"{hub.url}/org/model/resolve/main/README.md")

    session._on_response(TooMany())
    session.budgets["resolvers"].acquire()
    assert clock.now == 43 + 8


def test_base_models_from_tags_card_and_base_models_property():
    info = ModelInfo(
        id="me/child",
        tags=["base_model:a/quantized-from", "base_model:quantized:a/quantized-from", "base_model:b/plain"],
        cardData={"base_model": ["a/quantized-from", "c/only-in-card"], "base_model_relation": "adapter"},
        baseModels={"relation": "merge", "models": [{"id": "d/only-in-property"}]},
    )
    assert base_models(info) == {"a/quantized-from": "quantized", "b/plain": None,
                                 "d/only-in-property": "merge", "c/only-in-card": "adapter"}
    assert base_models(ModelInfo(id="me/self", cardData={"base_model": "me/self"})) == {}


# --- defenses (F12) -------------------------------------------------------------------------------

def test_draw_takes_the_top_and_a_seeded_random_sample():
    population = {f"m{i}": i for i in range(100)}
    parts = draw(population, top=3, n_random=10, seed=7)
    assert [m for m, p in parts.items() if "top" in p] == ["m99", "m98", "m97"]
    randoms = [m for m, p in parts.items() if "random" in p]
    assert len(randoms) == 10 and randoms == [m for m, p in draw(population, 3, 10, 7).items() if "random" in p]
    assert randoms != [m for m, p in draw(population, 3, 10, 8).items() if "random" in p]
    # Uniform over the whole population: the top is not excluded, and a model in both parts is asked once.
    assert draw({"a": 5, "b": 1}, top=1, n_random=2, seed=0) == {"a": ["top", "random"], "b": ["random"]}


def test_defense_requests_are_those_huggingface_hub_sends_and_the_fake_answers_its_fields(monkeypatch, hub, tmp_path):
    """F12's two calls, checked against the installed huggingface_hub (see docs/mining.md, "Defenses (F12)"):
    the miner sends exactly the requests HfApi.model_info(id, securityStatus=True) and
    HfApi.get_organization_overview(name) send, and every key the fake Hub answers with is one that
    huggingface_hub's ModelInfo / Organization read (by the camelCase name the API uses)."""
    import inspect
    import re

    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.hf_api import ModelInfo, Organization

    assert mine(monkeypatch, hub, tmp_path / "snap", "--sample-top", "2", "--sample-random", "100") == 0
    mined = {(kind, path) for kind, path in hub.requested if kind == "org" or "securityStatus" in path}
    hub.reset_counts()
    api = HfApi(endpoint=hub.url, token=False)
    for model_id in {r["model_id"] for r in records(tmp_path / "snap", "security_scans")}:
        api.model_info(model_id, securityStatus=True)
    for name in {r["author"] for r in records(tmp_path / "snap", "authors")}:
        try:
            api.get_organization_overview(name)
        except HfHubHTTPError:
            pass
    assert {kind for kind, _ in mined} == {"info", "org"}
    assert set(hub.requested) == mined  # the same paths and queries, byte for byte

    def keys_read(cls) -> set[str]:  # the API keys the class's __init__ takes: kwargs.pop("securityRepoStatus", ...)
        return set(re.findall(r'kwargs\.pop\("(\w+)"', inspect.getsource(cls.__init__)))

    assert "securityRepoStatus" in keys_read(ModelInfo) and "isVerified" in keys_read(Organization)
    for name, overview in hub.organizations.items():
        served = json.loads(hub_get(hub, f"/api/organizations/{name}/overview"))
        assert set(served) - {"_id"} <= keys_read(Organization), name  # _id: the Hub's object id, kept as is
        assert served["isVerified"] is overview["isVerified"] and Organization(**served).is_verified is served["isVerified"]
    info = json.loads(hub_get(hub, "/api/models/SpanBERT/spanbert-large-cased?securityStatus=true"))
    assert info["securityRepoStatus"] == {"scansDone": True, "filesWithIssues": [
        {"path": "pytorch_model.bin", "level": "suspicious"}]}
    assert ModelInfo(**info).security_repo_status == info["securityRepoStatus"]
    assert "securityRepoStatus" not in json.loads(hub_get(hub, "/api/models/SpanBERT/spanbert-large-cased"))


def hub_get(hub, path: str) -> str:
    from urllib.request import urlopen

    with urlopen(hub.url + path) as response:
        return response.read().decode()


def test_defenses_are_mined_as_huggingface_hub_reads_them(monkeypatch, hub, tmp_path):
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError

    out = tmp_path / "snap"
    assert mine(monkeypatch, hub, out, "--sample-top", "2", "--sample-random", "100") == 0
    models = by_id(out)
    scans = by_id(out, "security_scans")
    # A sample of 100 from 12 models takes all of them; the top 2 by downloads are marked so.
    assert set(scans) == set(hub.models)
    top2 = sorted(hub.models, key=lambda m: -hub.models[m]["downloads"])[:2]
    assert {m for m, r in scans.items() if "top" in r["sample"]} == set(top2)
    api = HfApi(endpoint=hub.url, token=False)
    for model_id, record in scans.items():
        expected = api.model_info(model_id, securityStatus=True).security_repo_status
        assert record["scans_done"] == expected["scansDone"]
        assert record["files_with_issues"] == {f["path"]: f["level"] for f in expected["filesWithIssues"]}
        assert record["sha"] == models[model_id]["sha"]
    assert scans["SpanBERT/spanbert-large-cased"]["files_with_issues"] == {"pytorch_model.bin": "suspicious"}

    authors = {r["author"]: r for r in records(out, "authors")}
    assert set(authors) == {e["author"] for e in hub.models.values()}
    for name, record in authors.items():
        try:
            verified = api.get_organization_overview(name).is_verified
        except HfHubHTTPError:
            assert record["is_organization"] is False and "is_verified" not in record
        else:
            assert record["is_organization"] is True and record["is_verified"] == verified
    stats = read_manifest(out)["stats"]
    assert stats["sample"] == {"top": 2, "random": 100, "seed": 2022}
    assert stats["sample_models_listed"] == 12 and stats["sample_authors_listed"] == len(authors)

    # Cached: a run with this one as previous asks again only about the repository with a new commit
    # (and the scan that was not done yet); authors were asked less than 30 days ago.
    changed = "openai-community/gpt2"
    hub.update(changed, sha="e" * 40, readme=hub.readmes[changed])
    hub.set_security(changed, {"scansDone": True, "filesWithIssues": [{"path": "x.pkl", "level": "unsafe"}]})
    hub.reset_counts()
    assert mine(monkeypatch, hub, tmp_path / "next", "--previous", str(out),
                "--sample-top", "2", "--sample-random", "100") == 0
    asked = {k.split(":", 1)[1] for k in hub.counts() if k.startswith("info:")}
    assert asked == {changed, "example-org/readme-deleted"}
    assert hub.counts().get("org", 0) == 0
    assert by_id(tmp_path / "next", "security_scans")[changed]["files_with_issues"] == {"x.pkl": "unsafe"}
    assert records(tmp_path / "next", "authors") == records(out, "authors")

    # The builder loads them.
    from build.db import build
    import sqlite_utils
    build(tmp_path / "next", tmp_path / "hub.db", progress=False)
    db = sqlite_utils.Database(connect(tmp_path / "hub.db"))
    assert db["security_scans"].count == 12 and db["authors"].count == len(authors)


def test_no_sample_makes_no_defenses_requests(monkeypatch, hub, tmp_path):
    assert mine(monkeypatch, hub, tmp_path / "snap", "--sample-top", "0", "--sample-random", "0") == 0
    assert hub.counts().get("info", 0) == 0 and hub.counts().get("org", 0) == 0
    assert records(tmp_path / "snap", "security_scans") == []


# --- failing loudly -------------------------------------------------------------------------------

def test_failures_exit_4_with_the_count_and_the_command_that_retries(monkeypatch, hub, tmp_path, capsys):
    hub.inject("readme", "openai-community/gpt2", *["500"] * 2)
    hub.inject("org", "mistralai", *["500"] * 2)
    out = tmp_path / "snap"
    assert mine(monkeypatch, hub, out, "--retries", "1") == EXIT_FAILURES
    err = capsys.readouterr().err
    assert "2 not fetched (1 author, 1 card;" in err
    command = err.strip().splitlines()[-1].strip()
    assert command.startswith("python -m scripts.mine_hub --out ") and "--retries 1" in command
    stats = read_manifest(out)["stats"]
    assert stats["failures"] == 2 and stats["failures_by_what"] == {"author": 1, "card": 1}

    # That command fetches exactly what failed.
    hub.reset_counts()
    assert main(shlex.split(command)[3:]) == 0
    assert {k for k in hub.counts() if k.startswith(("readme:", "org:"))} == {"readme:openai-community/gpt2",
                                                                              "org:mistralai"}


def test_hub_down_stops_at_once_and_resumes(monkeypatch, tmp_path):
    models, readmes = synthetic_models(60)
    with FakeHub(models, readmes, page_size=60) as fake:  # one page: no listing answer between the failures
        fake.inject("readme", None, *["drop"] * 1000)  # every README request: the connection closes
        out = tmp_path / "snap"
        assert mine(monkeypatch, fake, out, "--down-after", "6", "--retry-wait", "2") == EXIT_STOPPED
        counts = fake.counts()
        # No retry storm: after 6 failures in a row every worker stops at its next attempt (a retry
        # would have waited 2 s first, then been refused without a request).
        assert counts["readme"] <= 6 + 4
        assert not (out / "snapshot.json").exists()
        failures = [json.loads(line) for line in (out / "mining" / "failures.jsonl").read_text().splitlines()]
        assert [f["what"] for f in failures] == ["list"] and "down" in failures[0]["error"]
        fake.clear_faults()
        assert mine(monkeypatch, fake, out) == 0
        assert mine(monkeypatch, fake, tmp_path / "reference") == 0
    assert comparable(out) == comparable(tmp_path / "reference")


def test_request_counters_add_up_across_resumes(monkeypatch, hub, tmp_path):
    out = tmp_path / "snap"
    hub.inject("list", None, "500", "500")  # the first run stops at the first page (two tries)
    assert mine(monkeypatch, hub, out, "--retries", "1") == EXIT_STOPPED
    assert mine(monkeypatch, hub, out, "--retries", "1") == 0
    counts = hub.counts()
    requests = read_manifest(out)["stats"]["requests"]
    assert requests["api"] == counts["list"] + counts.get("info", 0) + counts.get("org", 0)
    assert requests["resolvers"] == counts["readme"]
    assert requests["server_errors"] == counts["status 500"] == 2


def test_remining_a_finished_folder_keeps_its_aliases(monkeypatch, hub, tmp_path):
    legacy = tmp_path / "legacy.txt"
    legacy.write_text("bert-base-uncased\ngpt2\n")
    out = tmp_path / "snap"
    assert mine(monkeypatch, hub, out, "--resolve-aliases", str(legacy)) == 0
    before = records(out, "aliases")
    assert len(before) == 2
    hub.reset_counts()
    assert mine(monkeypatch, hub, out) == 0
    assert records(out, "aliases") == before
    assert not {"info:bert-base-uncased", "info:gpt2"} & set(hub.counts())  # not asked again
    assert read_manifest(out)["stats"]["aliases_carried"] == 2


def test_progress_total_becomes_the_listed_count(monkeypatch, hub, tmp_path, capsys):
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    args = [a for a in FAST if a != "--no-progress"]
    assert main(["--out", str(tmp_path / "snap"), *args, "--sample-top", "0", "--sample-random", "0"]) == 0
    err = capsys.readouterr().err
    assert f"{len(hub.models)}/{len(hub.models)}" in err
