"""The snapshot contract (build/snapshot.py): one declaration of every field's type, checked by
the writer as records are written and by the reader the builder uses; atomic snapshot folders."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from build import schema
from build.snapshot import (
    KINDS, MAX_MODEL_ID_CHARS, SnapshotError, SnapshotWriter, iter_records, read_manifest,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "snapshot"
MANIFEST = {"name": "t", "producer": "tests", "created": "2024-01-01", "description": "test",
            "sources": [{"id": "s", "title": "s", "license": "CC0-1.0", "files": []}]}


def good_snapshot(folder: Path, model_id: str = "a/b") -> Path:
    w = SnapshotWriter(folder)
    w.write("models", {"source": "s", "model_id": model_id, "downloads_30d": 3})
    w.finish(MANIFEST)
    return folder


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- one declaration

def test_every_record_table_takes_its_columns_from_the_declaration():
    for kind, fields in KINDS.items():
        table = schema.TABLES[schema.KIND_TABLES[kind]]
        renamed = schema.RENAMED.get(schema.KIND_TABLES[kind], {})
        columns = table["columns"]
        if kind == "cards":  # a card's text is in the cards database (docs/database.md)
            assert "text" not in columns
            columns = {**columns, "text": schema.CARDS_TABLES["card_texts"]["columns"]["text"]}
        for name, field in fields.items():
            assert columns[renamed.get(name, name)] is field.type, (kind, name)
        assert fields["source"].required, kind


# ---------------------------------------------------------------- the writer checks on write

@pytest.mark.parametrize("kind, record, expected", [
    ("models", {"source": "s", "model_id": "a/b", "downloads_30d": "many"},
     ['models record 2 ("a/b")', "'downloads_30d'", "\"many\"", "an integer"]),
    ("models", {"source": "s", "model_id": "a/b", "likes": 2 ** 70}, ["'likes'", "64 bits"]),
    ("models", {"source": "s", "model_id": "a/b", "trending_score": float("nan")}, ["'trending_score'", "nan"]),
    ("models", {"source": "s", "model_id": "a/b", "has_card": "yes"}, ["'has_card'", "true or false"]),
    ("models", {"source": "s", "model_id": "a/b", "tags": ["x", 1]}, ["'tags'", "a list of strings"]),
    ("models", {"source": "s", "model_id": "a/b", "wat": 1}, ["unknown field", '"wat"']),
    ("models", {"source": "s", "model_id": "a/\ud800"}, ["'model_id'", "surrogate"]),
    ("models", {"source": "s", "model_id": "x" * (MAX_MODEL_ID_CHARS + 1)}, ["'model_id'", "at most 1024"]),
    ("models", {"source": "s", "model_id": " "}, ["'model_id'", "blank"]),
    ("models", {"source": "s", "model_id": "a/b\x00"}, ["'model_id'", "control characters"]),
    ("models", {"source": "s", "model_id": " a/b"}, ["'model_id'", "white space"]),
    ("models", {"source": "s"}, ["missing required field 'model_id'"]),
    ("cards", {"source": "s", "model_id": "a/b", "text": "x\udfffy"}, ["cards record 1", "'text'", "surrogate"]),
    ("lineage", {"source": "s", "model_id": "a/b", "base_model_id": "c", "observed": "yesterday"},
     ["'observed'", "an ISO date"]),
    ("extracted_metadata", {"source": "s", "model_id": "a/b", "method": "llm", "fields": {"a": [[[[1]]]] * 1}}, None),
    ("registry_downloads", {"source": "s", "registry": "npm", "figure": "all", "downloads": True},
     ["'downloads'", "an integer"]),
    ("nonsense", {"source": "s"}, ["unknown record kind"]),
])
def test_the_writer_fails_at_the_record_it_writes(tmp_path, kind, record, expected):
    w = SnapshotWriter(tmp_path / "snap")
    w.write("models", {"source": "s", "model_id": "ok/first"})
    if expected is None:
        w.write(kind, record)
        return
    with pytest.raises(SnapshotError) as e:
        w.write(kind, record)
    for part in expected:
        assert part in str(e.value)
    assert "\n" not in str(e.value) and len(str(e.value)) < 300
    w.write("models", {"source": "s", "model_id": "ok/second"})  # the writer goes on after a refusal
    w.finish(MANIFEST)
    assert [r["model_id"] for r in iter_records(tmp_path / "snap", "models")] == ["ok/first", "ok/second"]


def test_finish_refuses_sources_the_manifest_does_not_list(tmp_path):
    good = good_snapshot(tmp_path / "snap")
    before = listing(good)
    w = SnapshotWriter(good)
    w.write("models", {"source": "elsewhere", "model_id": "a/b"})
    with pytest.raises(SnapshotError, match="elsewhere"):
        w.finish(MANIFEST)
    w.abort()
    assert listing(good) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]


def test_the_reader_checks_the_manifest(tmp_path):
    folder = good_snapshot(tmp_path / "snap")
    manifest = json.loads((folder / "snapshot.json").read_text())
    for change, expected in [
        ({"sources": [{"title": "no id"}]}, "sources[0]: missing required field 'id'"),
        ({"sources": "s"}, "field 'sources'"),
        ({"sources": [{"id": "s", "files": [{"bytes": 3}]}]}, "sources[0].files[0]: missing required field 'path'"),
        ({"sources": [{"id": "s", "files": [{"path": "p", "bytes": "3"}]}]}, "'bytes'"),
        ({"sources": [{"id": "s"}, {"id": "s"}]}, "twice"),
        ({"name": 5}, "'name'"),
    ]:
        (folder / "snapshot.json").write_text(json.dumps({**manifest, **change}))
        with pytest.raises(SnapshotError, match=expected.replace("[", r"\[").replace("]", r"\]")):
            read_manifest(folder)
    (folder / "snapshot.json").write_bytes(b'{"format": "\xff"}')
    with pytest.raises(SnapshotError, match="not UTF-8"):
        read_manifest(folder)
    (folder / "snapshot.json").write_text("[" * 100_000)
    with pytest.raises(SnapshotError, match="nested too deeply"):
        read_manifest(folder)


# ---------------------------------------------------------------- atomic snapshot folders

def test_a_new_snapshot_replaces_the_old_one_whole(tmp_path):
    folder = good_snapshot(tmp_path / "snap", "old/model")
    (folder / "lineage.jsonl").write_text('{"source": "s", "model_id": "old/x", "base_model_id": "old/y"}\n')
    w = SnapshotWriter(folder)
    w.write("models", {"source": "s", "model_id": "new/model"})
    # until finish(), the old snapshot is there, whole
    assert [r["model_id"] for r in iter_records(folder, "models")] == ["old/model"]
    w.finish(MANIFEST)
    assert [r["model_id"] for r in iter_records(folder, "models")] == ["new/model"]
    assert not (folder / "lineage.jsonl").exists()  # nothing of the old one is left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]


def test_a_failed_producer_leaves_the_good_snapshot(tmp_path):
    folder = good_snapshot(tmp_path / "snap")
    before = listing(folder)
    with pytest.raises(RuntimeError):
        with SnapshotWriter(folder) as w:
            w.write("models", {"source": "s", "model_id": "half/written"})
            raise RuntimeError("a source file is altered")
    assert listing(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap"]


def test_temporary_folders_of_killed_producers_are_removed(tmp_path):
    folder = good_snapshot(tmp_path / "snap")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".snap.tmp-{int(dead.stdout)}"
    stale.mkdir()
    (stale / "models.jsonl").write_text("{}\n")
    alive = tmp_path / f".snap.tmp-{os.getppid()}"  # a live process's: left alone
    alive.mkdir()
    good_snapshot(folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "snap"]


def test_append_mode_writes_in_place_for_producers_that_resume(tmp_path):
    folder = tmp_path / "run"
    w = SnapshotWriter(folder, append=True)
    w.write("models", {"source": "s", "model_id": "a/1"})
    w.flush()
    assert (folder / "models.jsonl").read_text().count("\n") == 1  # on disk at once, in the folder itself
    w.close()
    w = SnapshotWriter(folder, append=True)  # a resumed run appends
    w.write("models", {"source": "s", "model_id": "a/2"})
    w.finish(MANIFEST)
    assert [r["model_id"] for r in iter_records(folder, "models")] == ["a/1", "a/2"]


def test_a_failed_import_keeps_the_good_snapshot(tmp_path):
    """`make snapshot` with one altered source file: the import fails, the snapshot stays as it was."""
    import shutil

    fixtures = Path(__file__).parent / "fixtures" / "import"
    sources = Path(shutil.copytree(fixtures / "sources", tmp_path / "sources"))
    out = tmp_path / "snapshots" / "snap"
    script = ("import sys; from pathlib import Path; from scripts.import_sources import import_sources; "
              "from scripts.sources import load_pins; "
              "import_sources(Path(sys.argv[1]), Path(sys.argv[2]), progress=False, "
              "pins=load_pins(Path(sys.argv[3])))")
    args = [sys.executable, "-c", script, sources, out, fixtures / "pinned_sources.json"]
    assert subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300).returncode == 0
    before = listing(out)
    assert "models.jsonl" in before
    from scripts.sources import load_pins, source_folder

    last = load_pins(fixtures / "pinned_sources.json")[-1]  # read last: the others are written by then
    altered = sources / source_folder(last) / last["files"][0]["path"]
    altered.write_bytes(altered.read_bytes() + b"\naltered\n")
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0 and "sha256" in result.stderr
    assert listing(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["snap"]  # no temporary folder left


def test_the_cards_table_declares_exactly_the_fields_the_card_parser_returns():
    from build import cards

    python_types = {int: int, float: float, bool: bool, str: str, list: list}
    texts = [p.read_text() for p in sorted((Path(__file__).parent / "fixtures" / "cards").glob("*.md"))]
    for text in texts + ["", "---\nlicense: [a, b]\nmodel-index: 3\n---\n"]:
        card = cards.analyze(text, ["license:mit"])["card"]
        assert list(card) == list(schema.CARD_FIELDS)
        for name, value in card.items():
            if value is not None:
                assert type(value) is python_types[schema.CARD_FIELDS[name]], (name, value)
    columns = schema.TABLES["cards"]["columns"]
    assert set(schema.CARD_FIELDS) & set(_record_fields("cards")) == set()  # no clash: record tags are hub_tags
    assert all(columns[name] is t for name, t in schema.CARD_FIELDS.items())


def _record_fields(kind):
    renamed = schema.RENAMED.get(schema.KIND_TABLES[kind], {})
    return [renamed.get(name, name) for name in KINDS[kind]]


# ---------------------------------------------------------------- the quick check (build/snapshot.py signature())

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from build import snapshot  # noqa: E402

TOKEN_TEXT = st.sampled_from(["hf_" + "a" * 34, "x ghp_" + "B" * 36, "github_pat_" + "c" * 22, "gh", "a_b"])
TEXT = st.one_of(st.text(max_size=8), TOKEN_TEXT, st.from_regex(r"[!-~][ -~]{0,6}[!-~]", fullmatch=True),
                 st.sampled_from(["", " ", " a/b", "a/b ", "a\nb", "\ud800", "x" * 1025, "2022", "2022-08-15T1"]))
ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-2 ** 64, 2 ** 64), st.sampled_from([2 ** 63 - 1, 2 ** 63, -2 ** 63 - 1]),
    st.floats(), TEXT, st.lists(st.one_of(TEXT, st.integers(), st.none()), max_size=3),
    st.dictionaries(TEXT, st.one_of(st.integers(-2 ** 70, 2 ** 70), TEXT, st.floats()), max_size=2),
    st.just({"a": json.loads("[" * 33 + "1" + "]" * 33)}))


ID = st.one_of(st.from_regex(r"[!-~][ -~]{0,6}[!-~]", fullmatch=True), TEXT)
INT = st.one_of(st.integers(-9, 9), st.integers(-2 ** 64, 2 ** 64))
TYPED = {str: TEXT, snapshot.MODEL_ID: ID, int: INT, float: st.one_of(INT, st.floats()), bool: st.booleans(),
         snapshot.DATE: st.one_of(st.sampled_from(["2022", "2022-08", "2022-08-15", "2022-08-15T00:00:00Z"]), TEXT),
         snapshot.BOOL_OR_TEXT: st.one_of(st.booleans(), TEXT), list: st.lists(TEXT, max_size=3),
         snapshot.MODEL_IDS: st.lists(ID, max_size=3), dict: st.dictionaries(TEXT, st.one_of(INT, TEXT), max_size=2)}


@st.composite
def records(draw):
    """(kind, record, line): a record of a kind with each declared field absent, or of any value,
    sometimes an undeclared field, written as a producer would (or with every non-ASCII character escaped)."""
    kind = draw(st.sampled_from(sorted(KINDS)))
    record = {name: draw(TYPED[field.type] if draw(st.integers(0, 5)) else ANY_VALUE)
              for name, field in KINDS[kind].items() if field.required or draw(st.integers(0, 2))}
    if draw(st.integers(0, 9)) == 0:
        record["undeclared"] = 1
    sort_keys = draw(st.booleans())
    text = json.dumps(record, ensure_ascii=draw(st.booleans()), sort_keys=sort_keys)
    if not snapshot._has_surrogate(text):
        return kind, record, (text + "\n").encode("utf-8")
    return kind, record, (json.dumps(record, sort_keys=sort_keys) + "\n").encode("utf-8")  # written \ud800, as JSON can


def careful(kind, record) -> str | None:
    try:
        snapshot.check_record(kind, record, "f.jsonl:1")
    except SnapshotError as e:
        return str(e)
    return None


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(records())
def test_the_quick_check_passes_only_what_the_careful_checks_pass_and_names_the_same_problem(case):
    kind, record, line = case
    decoded = json.loads(line)  # NaN and infinities as the decoder reads them, to compare
    expected = careful(kind, decoded)
    if snapshot.signature(kind, decoded, line) is not None:
        assert expected is None, (line, expected)
    try:
        got = snapshot.parse_line(kind, line, "f.jsonl:1")
    except SnapshotError as e:
        got_message = str(e)
    else:
        got_message = None
        assert got == decoded
    if expected is None or "invalid JSON" not in (got_message or ""):  # NaN / Infinity stop the reader first
        assert got_message == expected, line


@pytest.mark.parametrize("line, field", [
    (b'{"model_id": "a/b", "source": "s", "downloads_30d": 9223372036854775808}', "downloads_30d"),
    (b'{"model_id": "a/b", "source": "s", "trending_score": 1e400}', "trending_score"),
    (b'{"model_id": "a/b", "source": "s", "license": "\\ud800"}', "license"),
    (b'{"model_id": "a/b", "source": "s", "tags": ["x", 1]}', "tags"),
    (b'{"model_id": "a/b ", "source": "s"}', "model_id"),
    (b'{"model_id": "a/b", "source": ""}', "source"),
    (b'{"model_id": "a/b", "source": "s", "observed": "08/15/2022"}', "observed"),
    (b'{"model_id": "a/b", "source": "s", "has_card": 1}', "has_card"),
    (b'{"model_id": "a/b", "source": "s", "extra": {"k": ' + b"[" * 40 + b"]" * 40 + b'}}', "extra"),
])
def test_a_record_the_quick_check_refuses_gets_the_careful_message(line, field):
    record = json.loads(line)
    assert snapshot.signature("models", record, line + b"\n") is None
    with pytest.raises(SnapshotError) as e:
        snapshot.parse_line("models", line + b"\n", "models.jsonl:5")
    assert str(e.value) == careful("models", record).replace("f.jsonl:1", "models.jsonl:5")
    assert str(e.value).startswith(f"models.jsonl:5: field '{field}'") or f"'{field}'" in str(e.value)


def test_the_quick_check_answers_the_common_records():
    for path in sorted(FIXTURE.glob("*.jsonl")):
        lines = [line for line in path.read_bytes().splitlines(keepends=True) if line.strip()]
        shapes = [snapshot.signature(path.stem, json.loads(line), line) for line in lines]
        assert sum(s is not None for s in shapes) >= len(lines) / 2, path.name
