"""Hostile input: the builder and the tools end with one clear line or succeed, never a traceback.

A hypothesis strategy makes bad snapshots out of the fixture snapshot: bytes that are not UTF-8,
records with a field replaced by a hostile value (integers beyond 64 bits, lone surrogates, deep
nesting, NaN, wrong types, very long or blank or NUL-holding ids), blank lines, lines that are not
objects. Each is built over a good database, which must stay as it was whenever the build fails.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build.db import build, connect, sibling_paths
from build.snapshot import KINDS, SnapshotError

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "snapshot"
KIND_FILES = sorted(p.name for p in FIXTURE.glob("*.jsonl"))


def _deep(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


# Hostile JSON values, as JSON text (some are not valid JSON on purpose).
HOSTILE_VALUES = st.one_of(
    st.sampled_from([
        str(2 ** 70), str(-(2 ** 64)), "1e400", "-1e400", "NaN", "Infinity", "-Infinity",
        '"\\ud800"', '"a\\udfffb"', '"\\u0000"', '"   "', '""', "null", "true", "[]", "{}",
        '"' + "x" * 300_000 + '"', _deep(100_000), _deep(40), _deep(900), '{"a": ' * 50 + "1" + "}" * 50,
        '"2022-13-45"', '"not a date"', "[1, 2]", '["a", null]', '{"k": "\\ud800"}', "1.5", "-0",
    ]),
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: json.dumps(f)),
    st.text(max_size=30).map(lambda t: json.dumps(t, ensure_ascii=True)),
    st.lists(st.text(max_size=5), max_size=3).map(json.dumps),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3).map(json.dumps),
)


@st.composite
def hostile_lines(draw) -> tuple[str, bytes]:
    """(file name, bytes to add to it)."""
    name = draw(st.sampled_from(KIND_FILES + ["snapshot.json"]))
    if name == "snapshot.json":  # a manifest field, or a field of its first source, made hostile
        manifest = json.loads((FIXTURE / name).read_text(encoding="utf-8"))
        where = draw(st.sampled_from(["manifest", "source"]))
        obj = manifest if where == "manifest" else manifest["sources"][0]
        field = draw(st.sampled_from(sorted(obj) + ["new"]))
        body = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in obj.items() if k != field)
        text = "{" + body + (", " if body else "") + f"{json.dumps(field)}: {draw(HOSTILE_VALUES)}" + "}"
        if where == "source":
            rest = {k: v for k, v in manifest.items() if k != "sources"}
            text = json.dumps(rest)[:-1] + ', "sources": [' + text + "]}"
        return name, text.encode("utf-8", "surrogatepass")
    kind = name.removesuffix(".jsonl")
    how = draw(st.sampled_from(["field", "field", "field", "bytes", "blank+field", "not an object", "extra field"]))
    good = json.loads((FIXTURE / name).read_text(encoding="utf-8").splitlines()[0])
    if how == "bytes":
        return name, draw(st.binary(min_size=1, max_size=200)) + b"\n"
    if how == "not an object":
        return name, draw(HOSTILE_VALUES).encode("utf-8", "surrogatepass") + b"\n"
    field = draw(st.sampled_from(sorted(KINDS[kind]) + ["nonexistent"])) if how == "extra field" \
        else draw(st.sampled_from(sorted(KINDS[kind])))
    body = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in good.items() if k != field)
    line = "{" + body + (", " if body else "") + f"{json.dumps(field)}: {draw(HOSTILE_VALUES)}" + "}\n"
    prefix = "\n  \n" if how == "blank+field" else ""
    return name, (prefix + line).encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    """The fixture snapshot and a good database, and its cards database, built from it (kept as
    bytes to compare, in a tuple: hypothesis prints the fixture's repr when a case fails)."""
    root = tmp_path_factory.mktemp("hostile")
    db_path = root / "out" / "ptm_reuse.db"
    build(FIXTURE, db_path, progress=False)
    return root, tuple(p.read_bytes() for p in (db_path, *sibling_paths(db_path).values()))


@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(changes=st.lists(hostile_lines(), min_size=1, max_size=2), at_start=st.booleans())
def test_a_hostile_snapshot_gets_a_clear_error_or_builds(good, changes, at_start):
    root, good_bytes = good
    snap = root / "snap"
    shutil.rmtree(snap, ignore_errors=True)
    shutil.copytree(FIXTURE, snap)
    for name, data in changes:
        path = snap / name
        if name == "snapshot.json":
            path.write_bytes(data)
        else:
            path.write_bytes(data + path.read_bytes() if at_start else path.read_bytes() + data)
    db_path = root / "out" / "ptm_reuse.db"
    paths = (db_path, *sibling_paths(db_path).values())  # the main database, the cards and observations ones
    for path, data in zip(paths, good_bytes):
        path.write_bytes(data)
    try:
        build(snap, db_path, progress=False, force=True)
    except SnapshotError as e:  # anything else fails the test: a traceback
        message = str(e)
        assert "\n" not in message and len(message) < 400, message
        file, line = message.split(":")[:2]
        assert Path(file).parent == snap, message  # names the file
        if file.endswith(".jsonl"):  # and the line of a record; the manifest is one document
            assert line.isdigit(), message
        assert tuple(p.read_bytes() for p in paths) == good_bytes  # the good databases are kept
    else:
        conn = connect(db_path)
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()
    assert sorted(p.name for p in db_path.parent.iterdir()) == \
        ["ptm_reuse.db", "ptm_reuse_cards.db", "ptm_reuse_observations.db"]  # nothing half-written


# ---------------------------------------------------------------- the same through the command line

@pytest.mark.parametrize("name, data, expected", [
    ("models.jsonl", b'{"source": "beta", "model_id": "a/\xff"}\n', "models.jsonl:9: not UTF-8"),
    ("models.jsonl", b'{"source": "beta", "model_id": "a/b", "likes": 1180591620717411303424}\n',
     "models.jsonl:9: field 'likes'"),
    ("cards.jsonl", b'{"source": "beta", "model_id": "a/b", "text": "\\ud800"}\n', "cards.jsonl:3: field 'text'"),
    ("models.jsonl", b'{"source": "beta", "model_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
     "models.jsonl:9: invalid JSON: nested too deeply"),
    ("lineage.jsonl", b'\n\n{"source": "beta", "model_id": "a\\u0000b", "base_model_id": "c"}\n',
     "lineage.jsonl:6: field 'model_id'"),
])
def test_the_build_command_prints_one_line_and_exits_non_zero(tmp_path, name, data, expected):
    snap = Path(shutil.copytree(FIXTURE, tmp_path / "snap"))
    with open(snap / name, "ab") as f:
        f.write(data)
    result = subprocess.run([sys.executable, "-m", "build", snap, tmp_path / "x.db", "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert expected in result.stderr
    assert not (tmp_path / "x.db").exists()


# ---------------------------------------------------------------- the card checker

def run_cards(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "build.cards", *map(str, args)], cwd=ROOT,
                          capture_output=True, timeout=timeout)


def test_the_card_checker_reads_a_bounded_part_of_an_endless_file():
    from build.cards import MAX_CARD_BYTES

    result = run_cards("/dev/zero")
    assert result.returncode == 0
    assert f"only the first {MAX_CARD_BYTES // 2 ** 20} MiB were read" in result.stderr.decode()
    card = json.loads(result.stdout)["card"]
    assert "only the first" in card["parse_error"]


def test_the_card_checker_names_what_it_cannot_read(tmp_path):
    result = run_cards(tmp_path, tmp_path / "missing.md")
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert f"{tmp_path}: cannot read".encode() in result.stderr
    assert f"{tmp_path / 'missing.md'}: cannot read".encode() in result.stderr


def test_make_card_takes_a_path_with_spaces_and_quotes(tmp_path):
    folder = tmp_path / "a path" / "with a space's \"quote\" $(echo x) `id`"
    folder.mkdir(parents=True)
    card = folder / "README.md"
    shutil.copyfile(Path(__file__).parent / "fixtures" / "cards" / "model_index.md", card)
    result = subprocess.run(["make", "-s", "-o", "venv", "card", f"CARD={card}", f"PY={sys.executable}"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["path"] == str(card)


@pytest.mark.parametrize("name", ["snapshot.json", "models.jsonl"])
def test_a_snapshot_file_that_never_ends_is_refused(tmp_path, name):
    snap = Path(shutil.copytree(FIXTURE, tmp_path / "snap"))
    (snap / name).unlink()
    (snap / name).symlink_to("/dev/zero")
    with pytest.raises(SnapshotError, match=f"{name}: not a regular file"):
        build(snap, tmp_path / "x.db", progress=False)
