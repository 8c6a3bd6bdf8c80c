"""Registry populations, trends and model identity (build/populations.py, build/identity.py).

Values are recomputed independently of the project's SQL: from the raw source files in
../shared/sources (Liang et al.'s parquet with pyarrow, PeaTMOSS's mapping with csv), from the
importer's snapshot records read with json, or from small hand-made snapshots whose expected
rows are worked out in the comments.
"""

import csv
import json
import sqlite3
import statistics
from collections import defaultdict
from pathlib import Path

import pytest
import sqlite_utils

from build.db import build, connect
from build.findings import load_queries, run
from build.identity import MIN_MOVED_NAMES
from build.snapshot import SnapshotWriter

QUERIES = load_queries()
LIANG = "Weixin-Liang+AI-model-card-analysis-HuggingFace/data/model_info.parquet"
PEATMOSS_MAPPING = "PurdueDualityLab+PeaTMOSS-Artifact/License-Analysis/analyzeIncompatibilities/mapping.csv"


def rows_of(db_path: Path, name: str, **params) -> list[dict]:
    conn = connect(db_path)
    try:
        return run(conn, QUERIES[name], params)
    finally:
        conn.close()


def liang_rows(sources_dir: Path) -> list[dict]:
    """Liang et al.'s models, one per repository: ids matched case-insensitively, as the Hub does
    (the file lists muhtasham/Bert-Tiny-... with task "unknown" and muhtasham/bert-tiny-... with
    token-classification: one model, and a value the other row knows is not unknown)."""
    import pyarrow.parquet as pq

    merged: dict[str, dict] = {}
    for r in pq.read_table(sources_dir / LIANG).to_pylist():
        kept = merged.setdefault(r["modelId"].lower(), dict(r))
        for field, value in r.items():
            if kept[field] in (None, "unknown") and value not in (None, "unknown"):
                kept[field] = value
    return list(merged.values())


# ---------------------------------------------------------------- a hand-made snapshot

def write(folder: Path, records: dict, sources: list[dict]) -> Path:
    w = SnapshotWriter(folder)
    for kind, recs in records.items():
        for r in recs:
            w.write(kind, r)
    w.finish({"name": folder.name, "producer": "tests", "created": "2024-01-01", "description": "test",
              "sources": [{"title": s["id"], "license": "CC0-1.0", "files": [], **s} for s in sources]})
    return folder


MOVED = ["bert-base-uncased", "bert-base-cased", "gpt2", "roberta-base", "t5-small"]  # MIN_MOVED_NAMES of them


@pytest.fixture(scope="module")
def identity_db(tmp_path_factory) -> sqlite_utils.Database:
    """old: a 2022 registry population; new: a 2024 one; notes: a sample without dates.

    - The five legacy ids of `old` reappear in `new` under `neworg/` only (neworg lists nothing in
      2022): five moves, as many as MIN_MOVED_NAMES. `copier/gpt2` also appears in `new` only, but
      copier holds one legacy name: no move.
    - `Org/Model` (old) and `org/model` (new) differ by case: one model, spelled as the newest
      population spells it (`org/model`); `old` also lists `dup/X` and `dup/x`: one model, one row.
    - `en_lg` (notes) has no owner and no population lists it: not a Hub id.
    """
    assert len(MOVED) == MIN_MOVED_NAMES
    old = [{"source": "old", "model_id": m, "observed": "2022-08-01", "downloads_30d": 10 + i, "has_card": True}
           for i, m in enumerate(MOVED)]
    old += [{"source": "old", "model_id": "Org/Model", "observed": "2022-08-01", "downloads_30d": 5, "has_card": False},
            {"source": "old", "model_id": "dup/X", "observed": "2022-08-01", "downloads_30d": 1},
            {"source": "old", "model_id": "dup/x", "observed": "2022-08-01", "downloads_30d": 2}]
    new = [{"source": "new", "model_id": f"neworg/{m}", "observed": "2024-05-01", "downloads_30d": 100}
           for m in MOVED]
    new += [{"source": "new", "model_id": "org/model", "observed": "2024-05-01", "downloads_30d": 0},
            {"source": "new", "model_id": "copier/gpt2", "observed": "2024-05-01", "downloads_30d": 0}]
    notes = [{"source": "notes", "model_id": "en_lg", "downloads_30d": 3}]
    links = [{"source": "notes", "model_id": "bert-base-uncased", "kind": "github", "dependent": "u/r"},
             {"source": "notes", "model_id": "ORG/MODEL", "kind": "github", "dependent": "u/r"}]
    folder = write(tmp_path_factory.mktemp("snap") / "identity", {"models": old + new + notes, "dependents": links}, [
        {"id": "old", "snapshot_date": "2022-08-01", "coverage": "registry"},
        {"id": "new", "snapshot_date": "2024-05-01", "coverage": "registry"},
        {"id": "notes", "snapshot_date": "unknown", "coverage": "sample"}])
    path = tmp_path_factory.mktemp("db") / "identity.db"
    build(folder, path, progress=False)
    return sqlite_utils.Database(connect(path))


def test_aliases_of_moves_and_case(identity_db):
    aliases = {r["old_id"]: (r["new_id"], r["reason"]) for r in identity_db["model_aliases"].rows}
    assert aliases == {
        **{m: (f"neworg/{m}", "namespace move") for m in MOVED},
        "Org/Model": ("org/model", "case"), "ORG/MODEL": ("org/model", "case"), "dup/X": ("dup/x", "case"),
    } or aliases == {
        **{m: (f"neworg/{m}", "namespace move") for m in MOVED},
        "Org/Model": ("org/model", "case"), "ORG/MODEL": ("org/model", "case"), "dup/x": ("dup/X", "case"),
    }
    for r in identity_db["model_aliases"].rows:
        assert r["evidence"] and r["old_id"] in r["evidence"] and r["new_id"] in r["evidence"]


def test_a_one_name_move_needs_the_models_family(tmp_path):
    """No owner holds MIN_MOVED_NAMES twins here.
    - `camembert-base` (2022) reappears in 2024 under `team/` and `copy/`; team also publishes
      `team/camembert-bio-base` (the family), copy nothing else: camembert-base moved to team.
    - `xlnet-base-cased` reappears under `a/` and `b/`, neither publishing its family: left alone.
    - `t5-small` reappears under `c/`, which also holds `c/t5-small-ft`, but c listed `c/old` in
      2022: an owner that existed before the move is a copier, not a move."""
    old = [{"source": "old", "model_id": m, "observed": "2022-08-01", "downloads_30d": 1}
           for m in ("camembert-base", "xlnet-base-cased", "t5-small", "c/old")]
    new = [{"source": "new", "model_id": m, "observed": "2024-05-01", "downloads_30d": 1}
           for m in ("team/camembert-base", "team/camembert-bio-base", "copy/camembert-base",
                     "a/xlnet-base-cased", "b/xlnet-base-cased", "c/t5-small", "c/t5-small-ft")]
    folder = write(tmp_path / "family", {"models": old + new}, [
        {"id": "old", "snapshot_date": "2022-08-01", "coverage": "registry"},
        {"id": "new", "snapshot_date": "2024-05-01", "coverage": "registry"}])
    build(folder, tmp_path / "family.db", progress=False)
    aliases = {r["old_id"]: r for r in sqlite_utils.Database(connect(tmp_path / "family.db"))["model_aliases"].rows}
    assert {old: a["new_id"] for old, a in aliases.items()} == {"camembert-base": "team/camembert-base"}
    assert "team also holds camembert-bio-base of the camembert family, which copy" in aliases["camembert-base"]["evidence"]


def test_every_table_uses_the_canonical_id(identity_db):
    ids = {r["model_id"] for r in identity_db["models"].rows}
    assert not ids & {r["old_id"] for r in identity_db["model_aliases"].rows}
    assert "copier/gpt2" in ids and "gpt2" not in ids
    # the legacy link now reaches the successor, and the differently cased one the canonical spelling
    assert {(r["model_id"], r["dependent"]) for r in identity_db["dependents"].rows} == {
        ("neworg/bert-base-uncased", "u/r"), ("org/model", "u/r")}
    moved = identity_db["models"].get("neworg/bert-base-uncased")
    assert json.loads(moved["seen_in"]) == ["new", "notes", "old"]
    # one source listing two spellings of one repository: one observation
    assert identity_db.execute("SELECT count(*) FROM model_observations WHERE lower(model_id) = 'dup/x'").fetchone()[0] == 1


def test_names_that_are_not_hub_ids_are_flagged_and_not_counted(identity_db):
    flags = {r["model_id"]: r["is_hub_id"] for r in identity_db["models"].rows}
    assert flags.pop("en_lg") == 0
    assert set(flags.values()) == {1}
    # old lists 5 + Org/Model + dup/x = 7 models; new 5 + org/model + copier/gpt2 = 7
    pops = {r["population"]: r for r in identity_db["populations"].rows}
    assert set(pops) == {"old", "new"}  # notes is a sample
    assert (pops["old"]["models"], pops["new"]["models"]) == (7, 7)
    assert (pops["old"]["date"], pops["new"]["date"]) == ("2022-08-01", "2024-05-01")
    assert json.loads(pops["old"]["fields"]) == ["downloads", "has_card"]
    assert json.loads(pops["new"]["fields"]) == ["downloads"]


def test_model_identity_query_lists_merges_and_names(identity_db):
    got = rows_of(Path(identity_db.conn.execute("PRAGMA database_list").fetchone()[2]), "model_identity")
    merged = [r for r in got if r["kind"] == "merged"]
    assert len(merged) == identity_db["model_aliases"].count
    [names] = [r for r in got if r["kind"] == "not a Hub id"]
    assert (names["source"], names["names"]) == ("notes", 1)


def test_queries_default_to_the_newest_population_with_the_fields(identity_db):
    path = Path(identity_db.conn.execute("PRAGMA database_list").fetchone()[2])
    # downloads: new (2024) is newer than old (2022)
    [f1] = rows_of(path, "f01_reuse_concentration")
    assert (f1["population"], f1["observed"], f1["models"]) == ("new", "2024-05-01", 7)
    # card presence: only old has it
    [f3] = rows_of(path, "f03_card_completeness")
    assert (f3["population"], f3["models"], f3["with_card"]) == ("old", 6, 5)  # dup/x says nothing
    # a parameter still picks any population
    [f1_old] = rows_of(path, "f01_reuse_concentration", population="old")
    assert f1_old["models"] == 7


def test_trends_hand_worked(identity_db):
    t = {(r["population"], r["measure"]): r for r in identity_db["trends"].rows}
    # new: downloads 100 x5, 0, 0 -> median 100, 2 of 7 zero, top-10 not computed (7 models)
    assert t["new", "median_downloads"]["value"] == 100
    assert (t["new", "zero_downloads_share"]["numerator"], t["new", "zero_downloads_share"]["denominator"]) == (2, 7)
    assert ("new", "top10_download_share") not in t
    assert ("new", "card_share") not in t  # new does not say whether models have cards
    # old: cards 5 of 6 that say; downloads of those with a card 10+11+12+13+14 = 60 of 65
    assert t["old", "card_share"]["value"] == pytest.approx(5 / 6)
    assert t["old", "card_download_share"]["value"] == pytest.approx(60 / 65)


# ---------------------------------------------------------------- the real sources

@pytest.mark.real_sources
def test_liang_population_from_the_parquet(real_db, sources_dir):
    liang = liang_rows(sources_dir)
    db = sqlite_utils.Database(connect(real_db))
    pop = db["populations"].get("liang2024")
    assert pop["date"] == "2022-10-01"
    assert pop["models"] == len(liang) == 74_969
    assert pop["has_card"] == sum(r["has_modelcard"] is not None for r in liang)
    assert pop["task"] == sum(r["task_category"] not in (None, "unknown") for r in liang)
    assert pop["created_at"] == sum(r["creation_time"] is not None for r in liang)
    assert (pop["license"], pop["lineage"]) == (0, 0)  # Liang et al. give neither: no license measure
    t = {r["measure"]: r for r in db.query("SELECT * FROM trends WHERE population = 'liang2024'")}
    downloads = sorted(int(r["downloads"]) for r in liang if r["downloads"] is not None)
    assert t["median_downloads"]["value"] == statistics.median(downloads)
    assert t["zero_downloads_share"]["value"] == pytest.approx(downloads.count(0) / len(downloads))
    assert t["top10_download_share"]["value"] == pytest.approx(sum(downloads[-10:]) / sum(downloads))
    assert t["top1000_download_share"]["value"] == pytest.approx(sum(downloads[-1000:]) / sum(downloads))
    cards = [r for r in liang if r["has_modelcard"] is not None]
    assert t["card_share"]["value"] == pytest.approx(sum(r["has_modelcard"] for r in cards) / len(cards))
    assert round(t["card_share"]["value"], 4) == 0.4283
    with_card = sum(int(r["downloads"]) for r in cards if r["has_modelcard"] and r["downloads"] is not None)
    assert t["card_download_share"]["value"] == pytest.approx(with_card / sum(downloads))
    assert round(t["card_download_share"]["value"], 3) == 0.905
    assert t["no_task_share"]["value"] == pytest.approx(
        sum(r["task_category"] in (None, "unknown") for r in liang) / len(liang))
    september = sum(r["creation_time"] is not None and r["creation_time"].strftime("%Y-%m") == "2022-09" for r in liang)
    assert t["models_created_last_month"]["value"] == september
    assert "no_license_share" not in t and "no_base_model_share" not in t


@pytest.mark.real_sources
def test_population_defaults_and_identity_on_the_real_db(real_db, real_snapshot):
    db = sqlite_utils.Database(connect(real_db))
    assert {r["population"] for r in db["populations"].rows} == {"icse23", "liang2024", "huggingfacer"}
    # Case variants and legacy moves, recomputed in Python from the importer's records.
    ids = defaultdict(set)  # id -> sources
    for path in real_snapshot.glob("*.jsonl"):
        with open(path, encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                for key in ("model_id", "base_model_id"):
                    if r.get(key):
                        ids[r[key]].add(r["source"])
                for m in r.get("model_ids") or ():
                    ids[m].add(r["source"])
    by_lower = defaultdict(list)
    for m in ids:
        by_lower[m.lower()].append(m)
    case_aliases = sum(len(v) - 1 for v in by_lower.values() if len(v) > 1)
    aliases = {r["old_id"]: r for r in db["model_aliases"].rows}
    reasons = defaultdict(int)
    for r in aliases.values():
        reasons[r["reason"]] += 1
    assert reasons["case"] == case_aliases == 9
    assert aliases["EleutherAI/gpt-j-6b"]["new_id"] == "EleutherAI/gpt-j-6B"  # Liang et al.'s spelling
    # Legacy ids of the 2022 populations whose name the Hub's 2024 organisations took over.
    pops = {"icse23", "liang2024", "huggingfacer"}
    legacy = {m for m, s in ids.items() if "/" not in m and s & pops}
    moved = {m for m in legacy for o in HUB_2024_MOVES if f"{o}/{m}" in ids}
    assert reasons["namespace move"] == len(moved) == 50
    assert aliases["bert-base-uncased"]["new_id"] == "google-bert/bert-base-uncased"
    assert aliases["gpt2"]["new_id"] == "openai-community/gpt2"
    assert aliases["camembert-base"]["new_id"] == "almanach/camembert-base"
    # no copier was taken for a successor
    assert {a["new_id"].split("/")[0] for a in aliases.values() if a["reason"] == "namespace move"} == set(HUB_2024_MOVES)
    # names without owner that no population lists: HFCO2's 1,417 and a few in code and samples
    not_hub = {m for m, s in ids.items() if "/" not in m and not s & pops}
    assert db.execute("SELECT count(*) FROM models WHERE is_hub_id = 0").fetchone()[0] == len(not_hub)
    hfco2_names = {m for m in not_hub if ids[m] == {"hfco2"}}
    assert len(hfco2_names) >= 1_400 and "en_lg" in not_hub


# The organisations the Hub moved its canonical legacy models to in 2024 (public knowledge, the
# expected answer; build/identity.py does not use this list).
HUB_2024_MOVES = ("google-bert", "FacebookAI", "openai-community", "distilbert", "albert", "google-t5", "almanach")


def raw_model_ids(sources_dir: Path) -> dict[str, set[str]]:
    """Every model id the 2022 registry listings and the 2024 samples name, read from the raw
    files with pyarrow and csv/json: {"2022": ids, "2024": ids, "other": ids}."""
    import glob

    import pyarrow.parquet as pq

    ids = {"2022": set(), "2024": set(), "other": set()}
    ids["2022"] |= {r["modelId"] for r in pq.read_table(sources_dir / LIANG, columns=["modelId"]).to_pylist()}
    with open(sources_dir / "farach+huggingfaceR/derived/models_with_downloads.csv", newline="", encoding="utf-8") as f:
        ids["2022"] |= {r["model"] for r in csv.DictReader(f)}
    for path in sorted(glob.glob(str(sources_dir / "PurdueDualityLab+ICSE-23-PTM-Artifact/data/hftorrent_8-15-2022/splitRepoNames/x*"))):
        with open(path, encoding="utf-8") as f:
            ids["2022"] |= {line.strip() for line in f if line.strip()}
    sail = sources_dir / "SAILResearch+wip-24-adekunle-lm-release/RQ2_result"
    for name, column in (("all_NLP_with_quantization.csv", "model_name"), ("dataset_sample.csv", "Model Name"),
                         ("model_card_empty_or_not.csv", "model_name")):
        with open(sail / name, newline="", encoding="utf-8") as f:
            ids["2024"] |= {r[column] for r in csv.DictReader(f)}
    hn = sources_dir / "hn5318+model_card_analysis/Dataset/Sample_modelcard/sample_model_name.json"
    ids["2024"] |= set(json.loads(hn.read_text(encoding="utf-8")).values())
    with open(sources_dir / PEATMOSS_MAPPING, newline="", encoding="utf-8") as f:
        ids["other"] |= {row[1] for row in csv.reader(f)}
    esem = sqlite3.connect(sources_dir / "PurdueDualityLab+ptm-quantify-esem-2024/data/PeaTMOSS_ANCIENT.db")
    ids["other"] |= {m for (m,) in esem.execute("SELECT modelId FROM PeaTMOSS_ANCIENT")}
    esem.close()
    ids["other"] |= set(json.loads((sources_dir / "PurdueDualityLab+hf-metadata-extraction/500ModelResult.json")
                                   .read_text(encoding="utf-8")))
    return ids


@pytest.mark.real_sources
def test_namespace_moves_recomputed_from_the_raw_files(real_db, sources_dir):
    """Issue #9: "50 legacy ids of the 2022 sources have namespaced twins that appear only in 2024
    sources". Recomputed here from the raw files, not from the importer's records or our SQL."""
    raw = raw_model_ids(sources_dir)
    legacy = {m for m in raw["2022"] if "/" not in m}
    named_2022 = {m.lower() for m in raw["2022"]}
    twins = defaultdict(set)  # legacy id -> namespaced twins that only the 2024 sources name
    for m in raw["2024"] - raw["2022"] - raw["other"]:
        if "/" in m and m.lower() not in named_2022:
            name = m.split("/", 1)[1]
            for old in legacy:
                if old.lower() == name.lower():
                    twins[old].add(m)
    assert len(twins) == 50
    aliases = {r["old_id"]: r for r in sqlite_utils.Database(connect(real_db))["model_aliases"].rows
               if r["reason"] == "namespace move"}
    assert set(aliases) == set(twins)  # every one merged, nothing else
    for old, alias in aliases.items():
        assert alias["new_id"] in twins[old]
        assert alias["new_id"].split("/")[0] in HUB_2024_MOVES, (old, alias["new_id"])
        assert old in alias["evidence"] and alias["new_id"] in alias["evidence"]
    # the one move no organisation of several names shows: CamemBERT's team took its model alone,
    # beside a user's copy of it
    assert twins["camembert-base"] == {"almanach/camembert-base", "aniryou/camembert-base"}
    assert "camembert-bio-base" in aliases["camembert-base"]["evidence"]
    # the successors carry what the legacy id had: Liang et al.'s downloads and card
    moved = sqlite_utils.Database(connect(real_db))["models"].get("almanach/camembert-base")
    assert "liang2024" in json.loads(moved["seen_in"])


@pytest.mark.real_sources
def test_f2_card_shares_over_liang_alone(real_db, sources_dir):
    """Over Liang et al.'s models only: reused (named by a PeaTMOSS link) or not, with a card."""
    liang = liang_rows(sources_dir)
    reused = set()
    with open(sources_dir / PEATMOSS_MAPPING, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            reused.add(row[1].lower())
    # legacy ids and their successors are one model: PeaTMOSS names both spellings
    other = [r["has_modelcard"] for r in liang if r["modelId"].lower() not in reused and r["has_modelcard"] is not None]
    [row] = rows_of(real_db, "f02_popularity_vs_reuse")
    assert row["population"] == "liang2024"
    assert row["card_share_other"] == round(sum(other) / len(other), 4)
    assert round(row["card_share_other"], 3) == 0.421


@pytest.mark.real_sources
def test_f1_link_count_from_the_mapping(real_db, sources_dir):
    with open(sources_dir / PEATMOSS_MAPPING, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    [f1] = rows_of(real_db, "f01_reuse_concentration")
    assert f1["link_rows"] == len(rows) == 22_861
    assert f1["link_repos"] == len({r[0] for r in rows})
    assert f1["link_sources"] == "peatmoss"


@pytest.mark.real_sources
def test_choose_model_ranks_one_population_and_keeps_unknown_libraries(real_db, sources_dir):
    liang = liang_rows(sources_dir)
    top = sorted((r for r in liang if r["task_category"] == "text-classification" and r["downloads"] is not None),
                 key=lambda r: -r["downloads"])
    got = rows_of(real_db, "choose_model", library="transformers", top_n="5")
    assert {r["population"] for r in got} == {"liang2024"}
    assert [r["downloads_30d"] for r in got] == [int(r["downloads"]) for r in top[:5]]
    assert top[0]["downloads"] > 1_000_000
    assert {r["library_status"] for r in got} <= {"matches", "unknown"}


# ---------------------------------------------------------------- F4 and F11 sentences

def test_f4_and_f11_say_plainly_when_no_population_answers(tmp_path):
    """A database whose only source is an undated sample: no population gives downloads, card
    presence or creation dates, and the headline sentences say so instead of printing n/a."""
    folder = write(tmp_path / "sample-only", {"models": [
        {"source": "notes", "model_id": "a/b", "downloads_30d": 3, "has_card": True, "created_at": "2023-01-02"}]},
        [{"id": "notes", "snapshot_date": "unknown", "coverage": "sample"}])
    build(folder, tmp_path / "s.db", progress=False)
    findings = {r["id"]: r["answer"] for r in sqlite_utils.Database(connect(tmp_path / "s.db"))["findings"].rows}
    assert findings["F4"] == ("No registry population of this database gives download counts and card presence, "
                              "so how many of the most downloaded models lack a model card is not measured.")
    assert findings["F11"] == ("No registry population of this database gives both creation dates and card "
                               "presence, so card presence by creation year is not measured.")
    # a source named by the parameter that lacks the field says which one it is
    [f11] = rows_of(tmp_path / "s.db", "f11_practices_by_cohort", population="nowhere")
    assert f11["sentence"] == ("nowhere (date unknown) gives no creation dates with card presence, so card "
                               "presence by creation year is not measured.")


def test_f4_and_f11_sentences_hand_worked(identity_db):
    """identity_db's `old` (2022-08-01) is the only population with card presence: downloads 10..14
    for the five moved legacy models (cards), 5 for Org/Model (no card), 1 and 2 for dup/X, dup/x
    (one model, card unknown)."""
    path = Path(identity_db.conn.execute("PRAGMA database_list").fetchone()[2])
    [f4] = rows_of(path, "f04_popular_but_undocumented", top_n="3", model_id="Org/Model")
    # the top 3 are the moved models with 14, 13, 12 downloads, all with a card; Org/Model (5) is 6th
    assert f4["sentence"] == (
        "0 of the 3 most downloaded models of old (2022-08-01; ranked among its 7 models with a 30-day "
        "download count) have no model card. The paper's example Org/Model ranks #6 of 7 there with 5 "
        "downloads in 30 days and no model card.")
    [f4] = rows_of(path, "f04_popular_but_undocumented", top_n="100", model_id="nobody/none")
    assert f4["ranked"] == 7 and f4["sentence"].startswith(
        "1 of the 7 most downloaded models of old (2022-08-01; ranked among its 7 models with a 30-day "
        "download count) have no model card; for 1 of them the population does not say whether they have one. "
        "The paper's example nobody/none has no download count in old.")


@pytest.mark.real_sources
def test_f4_and_f11_sentences_from_the_parquet(real_db, sources_dir):
    liang = liang_rows(sources_dir)
    counted = sorted((r for r in liang if r["downloads"] is not None), key=lambda r: -r["downloads"])
    assert counted[99]["downloads"] > counted[100]["downloads"]  # no tie at the cut
    without = sum(r["has_modelcard"] is False for r in counted[:100])
    [spanbert] = [r for r in liang if r["modelId"] == "SpanBERT/spanbert-large-cased"]
    rank = 1 + sum(r["downloads"] > spanbert["downloads"] for r in counted)
    findings = {r["id"]: r["answer"] for r in sqlite_utils.Database(connect(real_db))["findings"].rows}
    assert findings["F4"] == (
        f"{without} of the 100 most downloaded models of liang2024 (2022-10-01; ranked among its "
        f"{len(counted):,} models with a 30-day download count) have no model card. The paper's example "
        f"SpanBERT/spanbert-large-cased ranks #{rank} of {len(counted):,} there with "
        f"{int(spanbert['downloads']):,} downloads in 30 days and no model card.")
    years = defaultdict(list)
    for r in liang:
        if r["creation_time"] is not None:
            years[r["creation_time"].year].append(r["has_modelcard"])
    last3 = "; ".join(f"{len(v):,} models in {y}, {100 * sum(v) / len(v):.1f}% of them with a model card"
                      for y, v in sorted(years.items(), reverse=True)[:3])
    newest = max(r["creation_time"] for r in liang if r["creation_time"] is not None)
    assert findings["F11"] == (
        f"In liang2024 (2022-10-01), of the {sum(map(len, years.values())):,} models with a creation date, "
        f"by the year their repository was created: {last3} (the last year to {newest:%Y-%m-%d}).")


@pytest.mark.real_sources
def test_case_twins_names_and_lineage_recomputed_from_the_raw_files(real_db, sources_dir):
    """Issue #9, point 3, from the raw files: 9 ids differ only by case, lineage was split the same
    way, 1,417 HFCO2 names have no owner and are not Hub ids."""
    from tests.test_statistics import HN5318, base_models_in_tags, filter_peatmoss_calls, mistral_family_edges

    raw = raw_model_ids(sources_dir)
    named = raw["2022"] | raw["2024"] | raw["other"]
    usages, _ = filter_peatmoss_calls(sources_dir)
    named |= {m for models in usages.values() for m in models}
    family = mistral_family_edges(sources_dir)
    cards = json.loads((sources_dir / HN5318).read_text(encoding="utf-8")).values()
    hn5318 = {(card["modelId"], base) for card in cards for base in base_models_in_tags(card["tags"])}
    edges = family | hn5318
    named |= {m for edge in edges for m in edge}
    hfco2 = set()
    csv.field_size_limit(1 << 30)
    for name in ("HFCO2.csv", "datasets/HFClean.csv"):
        with open(sources_dir / "thijsnulle+sse-project2" / name, newline="", encoding="utf-8") as f:
            hfco2 |= {r["modelId"] for r in csv.DictReader(f)}
    named |= hfco2

    by_lower = defaultdict(set)
    for m in named:
        by_lower[m.lower()].add(m)
    twins = {k: v for k, v in by_lower.items() if len(v) > 1}
    assert sum(len(v) - 1 for v in twins.values()) == 9
    db = sqlite_utils.Database(connect(real_db))
    aliases = {r["old_id"]: r["new_id"] for r in db["model_aliases"].rows}
    model_ids = {r["model_id"] for r in db.query("SELECT model_id FROM models")}
    for spellings in twins.values():
        kept = spellings & model_ids
        assert len(kept) == 1, spellings  # one model per repository
        assert all(aliases[m] in kept for m in spellings - kept)
    # lineage: every raw edge is one edge between canonical ids (EleutherAI/gpt-neo-125m as
    # hn5318 tags it is Liang et al.'s EleutherAI/gpt-neo-125M; Uncensored-Frank-33b is -33B)
    canonical = {m.lower(): (spellings & model_ids).pop() for m, spellings in twins.items()}
    lineage = {(r["model_id"], r["base_model_id"]) for r in db["lineage"].rows}
    expected = {(canonical.get(c.lower(), aliases.get(c, c)), canonical.get(b.lower(), aliases.get(b, b)))
                for c, b in edges}
    assert lineage == {e for e in expected if e[0] != e[1]}
    # names without owner that no 2022 listing has: HFCO2's, and none of them counted as a model
    not_hub = {m for m in hfco2 if "/" not in m and m not in raw["2022"]}
    flagged = {r["model_id"] for r in db.query("SELECT model_id FROM models WHERE is_hub_id = 0")}
    assert flagged == not_hub and len(not_hub) == 1_417 and "en_lg" in not_hub


@pytest.mark.real_sources
def test_f3_combined_figure_is_not_computed_across_populations(real_db, sources_dir):
    """Issue #9, point 7: the 90.6% multiplied Liang et al.'s 2022 card presence by a score share
    of 2023-24 card samples. Over the replication's sources no population has its own card texts,
    so the combined figure is not given; the card presence is Liang et al.'s own (from the parquet)."""
    liang = liang_rows(sources_dir)
    known = [r["has_modelcard"] for r in liang if r["has_modelcard"] is not None]
    [f3] = rows_of(real_db, "f03_card_completeness")
    assert (f3["population"], f3["models"], f3["with_card"]) == ("liang2024", len(known), sum(known))
    assert f3["cards_source"] != f3["population"] and f3["missing_or_low_share"] is None
    claims = {r["id"]: r for r in sqlite_utils.Database(connect(real_db))["paper_claims"].rows}
    assert claims["F3-inadequate-documentation"]["status"] == "not measurable from these sources"
    assert claims["F3-inadequate-documentation"]["computed_value"] is None
    answer = sqlite_utils.Database(connect(real_db))["findings"].get("F3")["answer"]
    assert "90.6" not in answer and f"{sum(known):,} of {len(known):,} models" in answer


@pytest.mark.real_sources
def test_every_claim_says_what_it_is_computed_over(real_db, sources_dir):
    """paper_claims.computed_over: population or named sample, date, denominator, from the data.
    The denominators are recounted from the raw files."""
    claims = {r["id"]: r for r in sqlite_utils.Database(connect(real_db))["paper_claims"].rows}
    assert [c for c, r in claims.items() if r["computed_value"] is not None and not r["computed_over"]] == []
    with open(sources_dir / "farach+huggingfaceR/derived/models_with_downloads.csv", newline="", encoding="utf-8") as f:
        counted = sum(r["downloads"] != "" for r in csv.DictReader(f))
    assert claims["F1-median-downloads"]["computed_over"] == f"huggingfacer (2022-07-02), {counted:,} models with a download count"
    known = [r for r in liang_rows(sources_dir) if r["has_modelcard"] is not None]
    assert claims["F3-card-share-liang"]["computed_over"] == f"liang2024 (2022-10-01), {len(known):,} models"
    cards = json.loads((sources_dir / "hn5318+model_card_analysis/Dataset/Sample_modelcard/samples_data.json")
                       .read_text(encoding="utf-8"))
    assert claims["F5-overall"]["computed_over"] == f"hn5318-cards (2024), {len(cards):,} cards"
    with open(sources_dir / PEATMOSS_MAPPING, newline="", encoding="utf-8") as f:
        links = sum(1 for _ in csv.reader(f))
    assert claims["F1-top10-link-share"]["computed_over"] == f"peatmoss (2023), {links:,} GitHub reuse links"


@pytest.mark.real_sources
def test_f7_dataset_fanout_counts_one_sample_from_the_raw_file(real_db, sources_dir):
    """F7's dataset fan-out pooled every sample's dataset tags; it now counts one named sample, by
    default the one with the most dataset links: HFCO2's datasets column, recounted from the csv
    (a name HFCO2 gives to two different models is skipped, as the importer does)."""
    import ast
    from collections import Counter

    with open(sources_dir / "thijsnulle+sse-project2/HFCO2.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    versions = defaultdict(set)
    for r in rows:
        versions[r["modelId"]].add(tuple(r.values()))
    links = set()
    for r in rows:
        if len(versions[r["modelId"]]) == 1 and r["datasets"]:
            links |= {(r["modelId"], str(d).lower()) for d in ast.literal_eval(r["datasets"]) if str(d).strip()}
    counts = Counter(d for _, d in links)
    expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    got = rows_of(real_db, "f07_dataset_fanout")
    assert {r["source"] for r in got} == {"hfco2"}
    assert [(r["dataset"], r["models"]) for r in got] == expected
    assert expected[0] == ("gsarti/change_it", 15) and expected[1][1] == 15  # a tie, listed in name order
    claims = {r["id"]: r for r in sqlite_utils.Database(connect(real_db))["paper_claims"].rows}
    assert claims["F7-dataset-fanout"]["computed_over"] == claims["F7-top-dataset"]["computed_over"] == "hfco2 (2023-04)"
