"""The one vocabulary of Hub facts (build/hubfacts.py), table by table, and the same Hub facts
read through the three paths that use it: the importer, the miner and the card parser."""

import hashlib
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from build import hubfacts
from build.cards import analyze
from build.hubfacts import (
    BadModelId, BadTimestamp, base_model_from_tag, license_id, license_of, mask, model_id, parse_tags, spdx_id,
    timestamp,
)
from build.snapshot import iter_records, read_manifest
from scripts.importers import import_sources
from scripts.mine_hub import main as mine_main
from scripts.sources import load_pins
from tests.fakehub import FakeHub, api_entry

FIXTURES = Path(__file__).parent / "fixtures" / "import"


# --- licenses ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("mit", "mit"),
    ("MIT", "mit"),                                   # the Hub's id, whatever the case
    (" Apache-2.0 ", "apache-2.0"),
    ("openrail++", "openrail++"),                     # Hub ids without an SPDX id are kept
    ("llama3.1", "llama3.1"),
    ("other", "other"),
    ("0bsd", "0BSD"),                                 # not a Hub id, but an SPDX id: SPDX's spelling
    ("My Own License", "My Own License"),             # anything else: kept as written, stripped
    (["mit", "apache-2.0"], "apache-2.0 AND mit"),   # several: sorted, joined with AND
    (["apache-2.0", "MIT", "mit"], "apache-2.0 AND mit"),
    (["mit"], "mit"),
    ("", None), ("   ", None), (None, None), ([], None),
    (3, None), ([None, ""], None),
])
def test_license_id(value, expected):
    assert license_id(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("apache-2.0", "Apache-2.0"), ("mit", "MIT"), ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"),
    ("gpl-3.0", "GPL-3.0"),                           # SPDX's deprecated id is what the Hub's id says
    ("odbl", "ODbL-1.0"), ("lgpl-lr", "LGPLLR"),      # Hub ids spelled differently in SPDX
    ("openrail", None), ("llama2", None), ("other", None), ("unknown", None), ("bsd", None),
    ("mit AND apache-2.0", None), ("", None), (None, None),
])
def test_spdx_id(value, expected):
    assert spdx_id(value) == expected


def test_every_hub_license_is_its_own_canonical_id():
    for hub_id in hubfacts.HUB_LICENSES:
        assert hub_id == hub_id.lower() and license_id(hub_id.upper()) == hub_id


@pytest.mark.parametrize("card, tags, expected", [
    ("apache-2.0", ["license:mit"], "apache-2.0"),    # the card's metadata first
    (None, ["license:mit"], "mit"),
    (["MIT", "Apache-2.0"], [], "apache-2.0 AND mit"),
    (None, ["license:mit", "license:apache-2.0"], "apache-2.0 AND mit"),
    ("", ["license:cc-by-4.0"], "cc-by-4.0"),
    (None, [], None),
])
def test_license_of(card, tags, expected):
    assert license_of(card, tags) == expected


# --- tags and base models ---------------------------------------------------------------------

@pytest.mark.parametrize("tag, expected", [
    ("base_model:a/b", ("a/b", None)),
    ("base_model:finetune:a/b", ("a/b", "finetune")),
    ("base_model:adapter:a/b", ("a/b", "adapter")),
    ("base_model:quantized:a/b", ("a/b", "quantized")),
    ("base_model:merge:a/b", ("a/b", "merge")),
    ("base_model:foo:z/w", ("z/w", None)),            # unknown relation: still the base, relation unsaid
    ("base_model:gpt2", ("gpt2", None)),              # a legacy id without owner
    ("base_model:x:y:z", None),                       # ':' is never part of a model id
    ("base_model:", None), ("base_model:finetune:", None), ("base_model:  ", None),
    ("base_model:a\x00b", None),
    ("license:mit", None), ("dataset:base_model:y", None), (None, None),
])
def test_base_model_from_tag(tag, expected):
    assert base_model_from_tag(tag) == expected


def test_parse_tags():
    hub = parse_tags([
        "transformers", "license:mit", "license:Apache-2.0", "license:mit", "base_model:a/b", "base_model:finetune:a/b",
        "base_model:quantized:c/d", "base_model:c/d", "base_model:foo:z/w", "dataset:squad", "dataset:squad",
        "dataset:glue", "arxiv:1810.04805", "region:us", "en", 7, "license:",
    ])
    assert hub.license == "apache-2.0 AND mit"
    assert hub.licenses == ["mit", "apache-2.0"]
    assert hub.base_models == {"a/b": "finetune", "c/d": "quantized", "z/w": None}
    assert hub.datasets == ["squad", "glue"]
    assert hub.arxiv == ["1810.04805"] and hub.regions == ["us"]
    assert hub.other == ["transformers", "en"]
    assert parse_tags([]) == hubfacts.HubTags()


def test_model_ids_the_vocabulary_accepts_are_the_ones_the_snapshot_contract_accepts():
    from build.snapshot import check_model_id

    for value in ["a/b", "gpt2", "a" * 1024, "a" * 1025, "", "  ", "a\x00b", "a\nb", "a\x7fb", "a\x85b", "ü/x"]:
        try:
            accepted = model_id(value) == value
        except BadModelId:
            accepted = False
        assert accepted == (check_model_id(value) is None), repr(value)


# --- timestamps -------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("2022-06-19 14:04:18+00:00", "2022-06-19T14:04:18Z"),   # a ModelInfo dump, a pandas CSV
    ("2024-02-23T13:51:24.000Z", "2024-02-23T13:51:24Z"),    # the Hub API
    ("2024-02-23T13:51:24.123456+00:00", "2024-02-23T13:51:24Z"),
    ("2022-06-19T16:04:18+02:00", "2022-06-19T14:04:18Z"),   # to UTC
    ("2022-06-19T14:04:18", "2022-06-19T14:04:18Z"),         # no zone: UTC
    ("2019-10-03", "2019-10-03"),                            # a date stays a date
    (datetime(2022, 6, 19, 14, 4, 18, 999, tzinfo=timezone.utc), "2022-06-19T14:04:18Z"),
    (datetime(2022, 6, 19, 16, 4, 18, tzinfo=timezone(timedelta(hours=2))), "2022-06-19T14:04:18Z"),
    (date(2019, 10, 3), "2019-10-03"),
    ("", None), (None, None),
])
def test_timestamp(value, expected):
    assert timestamp(value) == expected


@pytest.mark.parametrize("value", ["yesterday", "2022-13-01", "2022-02-30", "12:00", 1655647458, ["2022-06-19"]])
def test_timestamp_refuses(value):
    with pytest.raises(BadTimestamp):
        timestamp(value)


# --- model ids --------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("google-bert/bert-base-uncased", "google-bert/bert-base-uncased"),
    ("  gpt2\n", "gpt2"),
    ("a" * hubfacts.MAX_MODEL_ID_LENGTH, "a" * hubfacts.MAX_MODEL_ID_LENGTH),
    ("someone/ü-модель", "someone/ü-модель"),
])
def test_model_id(value, expected):
    assert model_id(value) == expected


@pytest.mark.parametrize("value, message", [
    ("", "model id is empty"),
    ("   \t", "model id is only whitespace"),
    ("a/b\x00c", "model id contains a NUL character"),
    ("a/b\x1bc", "model id contains a control character"),
    ("a" * (5 * 2**20), "model id is 5,242,880 characters long (at most 1,024)"),
    (None, "model id is a NoneType, not text"),
    (42, "model id is a int, not text"),
])
def test_model_id_refuses(value, message):
    with pytest.raises(BadModelId, match=f"^{re.escape(message)}$"):
        model_id(value)


# --- token redaction --------------------------------------------------------------------------

def test_redaction_is_the_builders_one_pattern():
    from build import redact

    token = "hf_" + "A1" * 17
    assert hubfacts.redact is redact.redact and hubfacts.TOKEN_PATTERN is redact.TOKEN_PATTERN
    assert hubfacts.redact(f"key {token}.") == (f"key {redact.REPLACEMENT}.", 1)
    assert token not in mask(f"a/{token}") and "[token-shaped string]" in mask(f"a/{token}")
    assert mask("x" * 100) == repr("x" * 60 + "...")


# --- one input, three paths -------------------------------------------------------------------

CARD_YAML = "license:\n- MIT\n- apache-2.0\nbase_model:\n- org/base\n- other/second\nbase_model_relation: finetune\n"
DUMP = {  # a huggingface_hub ModelInfo saved as JSON, as the studies save them
    "id": "someone/derived-model", "author": "someone", "sha": "a" * 40,
    "created_at": "2024-02-23 13:51:24.123000+00:00", "last_modified": "2024-03-01 08:00:00+00:00",
    "private": False, "gated": False, "disabled": False, "downloads": 1234, "downloads_all_time": 99999,
    "likes": 7, "trending_score": 2, "library_name": "transformers", "pipeline_tag": "text-generation",
    "tags": ["transformers", "license:mit", "license:apache-2.0", "base_model:org/base",
             "base_model:finetune:org/base", "base_model:foo:third/model", "dataset:squad", "arxiv:1810.04805",
             "region:us"],
    "card_data": CARD_YAML,
    "siblings": ["RepoSibling(rfilename='README.md', size=None, blob_id=None, lfs=None)",
                 "RepoSibling(rfilename='config.json', size=None, blob_id=None, lfs=None)"],
    "spaces": ["someone/demo-space"],
    "safetensors": {"parameters": {"BF16": 1000}, "total": 1000},
}
README = f"---\n{CARD_YAML}---\n\n# derived-model\n\nA fine-tune.\n"
KEYS_COMPARED = ("model_id", "author", "sha", "created_at", "last_modified", "downloads_30d", "downloads_all_time",
                 "likes", "trending_score", "pipeline_tag", "library_name", "tags", "license", "has_card", "gated",
                 "private", "disabled", "parameters")


def _records(folder, kind):
    return [{k: v for k, v in r.items() if k not in ("source", "observed")}
            for r in iter_records(folder, kind, read_manifest(folder))]


def _import(tmp_path) -> Path:
    """The importer path: DUMP in a one-row copy of the Mistral-family source, pinned by its own sha256."""
    pin = next(p for p in load_pins(FIXTURES / "pinned_sources.json") if p["id"] == "mistral-family-2025")
    folder = tmp_path / "sources" / pin["repo"].replace("/", "+") / "ben-scripts"
    folder.mkdir(parents=True)
    csv_path = folder / "Mistral-Small-24B-Base-2501_finetunes_20250405_001816.csv"
    import csv
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["", "model_id", "metadata", "depth", "children", "children_count"])
        writer.writerow(["0", DUMP["id"], json.dumps(DUMP), "1", "[]", ""])
    (folder / "model_data.json").write_text(json.dumps({"models": []}), encoding="utf-8")
    files = []
    for entry in pin["files"]:
        data = (folder.parent / entry["path"]).read_bytes()
        files.append({**entry, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
    out = tmp_path / "imported"
    import_sources(tmp_path / "sources", out, progress=False, pins=[{**pin, "files": files}])
    return out


def _mine(tmp_path, monkeypatch) -> Path:
    """The miner path: DUMP served by a fake Hub as the API lists it, with the README it was read from."""
    out = tmp_path / "mined"
    monkeypatch.delenv("HF_TOKEN", raising=False)
    with FakeHub([api_entry(DUMP)], {DUMP["id"]: README}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        assert mine_main(["--out", str(out), "--no-progress", "--budget", "0", "--resolve-budget", "0"]) == 0
    return out


def test_importer_miner_and_card_parser_read_the_same_facts(tmp_path, monkeypatch):
    imported, mined = _import(tmp_path), _mine(tmp_path, monkeypatch)

    (imp_model,), (mined_model,) = _records(imported, "models"), _records(mined, "models")
    assert {k: imp_model.get(k) for k in KEYS_COMPARED} == {k: mined_model.get(k) for k in KEYS_COMPARED}
    assert mined_model["license"] == "apache-2.0 AND mit"
    assert mined_model["created_at"] == "2024-02-23T13:51:24Z" and mined_model["last_modified"] == "2024-03-01T08:00:00Z"

    lineage = sorted(_records(imported, "lineage"), key=lambda r: r["base_model_id"])
    assert lineage == sorted(_records(mined, "lineage"), key=lambda r: r["base_model_id"])
    assert [(r["base_model_id"], r.get("relation")) for r in lineage] == [
        ("org/base", "finetune"), ("other/second", "finetune"), ("third/model", None)]

    spaces = _records(imported, "dependents")
    assert spaces == _records(mined, "dependents") == [
        {"model_id": DUMP["id"], "kind": "space", "dependent": "someone/demo-space", "model_license": "apache-2.0 AND mit"}]

    # The card path, on the README the miner fetched: its front matter, then the tags alone.
    (card,) = _records(mined, "cards")
    from_front_matter = analyze(card["text"], card["tags"])["card"]
    assert from_front_matter["license"] == mined_model["license"]
    assert set(from_front_matter["base_model"]) == {"org/base", "other/second"}  # the card's own list
    from_tags = analyze("# derived-model\n\nA fine-tune.\n", DUMP["tags"])["card"]
    assert from_tags["metadata_source"] == "tags"
    assert from_tags["license"] == mined_model["license"]
    assert set(from_tags["base_model"]) == {"org/base", "third/model"} == set(parse_tags(DUMP["tags"]).base_models)
    assert from_tags["datasets"] == ["squad"]


def test_importer_refuses_a_bad_model_id_naming_file_line_field(tmp_path):
    bad = tmp_path / "ids"
    bad.write_text("ok/model\n   \n", encoding="utf-8")
    from scripts.importers.common import InputError, checked_model_id

    with pytest.raises(InputError, match=r"^.*ids:2: field 'model_id': model id is only whitespace$"):
        for line_no, line in enumerate(bad.read_text().splitlines(), 1):
            checked_model_id(line, bad, line_no, "model_id")
