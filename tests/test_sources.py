"""The pinned sources: the pin list, sha256 verification, and the downloader.

The downloader is tested against a local HTTP server started here on 127.0.0.1 that
serves a temp folder laid out like raw.githubusercontent.com (<owner>/<repo>/<commit>/<path>).
"""

import json
import re
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scripts import fetch_sources
from scripts.sources import (
    PINS_PATH, SourceError, SourcesManifestWarning, load_pins, manifest_differences, manifest_for,
    sha256_of, source_folder, verify, warn_if_manifest_differs,
)

FIXTURES = Path(__file__).parent / "fixtures" / "import"
FIXTURE_SOURCES = FIXTURES / "sources"


@pytest.fixture
def fixture_pins():
    return load_pins(FIXTURES / "pinned_sources.json")


@pytest.fixture
def sources_copy(tmp_path):
    """A writable copy of the fixture sources."""
    return Path(shutil.copytree(FIXTURE_SOURCES, tmp_path / "sources"))


# --- the pin list ------------------------------------------------------------------------

def test_pins_describe_every_source_with_provenance(fixture_pins):
    pins = load_pins()
    # the import fixture has a few rows of every pinned source, from the same repository and commit
    assert [(s["id"], s["repo"], s["commit"]) for s in pins] == [
        (s["id"], s["repo"], s["commit"]) for s in fixture_pins]
    for source in pins:
        assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]), source["id"]
        assert source["url"] == f"https://github.com/{source['repo']}/tree/{source['commit']}"
        for field in ("title", "license", "citation", "snapshot_date", "about"):
            assert source[field], (source["id"], field)
        paths = [f["path"] for f in source["files"]]
        assert len(paths) == len(set(paths)), source["id"]
        for entry in source["files"]:
            assert re.fullmatch(r"[0-9a-f]{64}", entry["sha256"]) and entry["bytes"] > 0
            assert entry["derived"] == entry["path"].startswith("derived/")


@pytest.mark.real_sources
def test_pins_agree_with_the_shared_manifest(sources_dir):
    assert manifest_differences(sources_dir) == []


@pytest.mark.real_sources
def test_every_pinned_file_of_the_shared_sources_verifies(sources_dir):
    for source in load_pins():
        for entry in source["files"]:
            rel = f"{source_folder(source)}/{entry['path']}"
            assert verify(sources_dir, rel) == sources_dir / rel


# --- verify() ------------------------------------------------------------------------------

def test_verify_returns_the_path_of_an_intact_file(fixture_pins):
    rel = "PurdueDualityLab+ICSE-23-PTM-Artifact/data/transformed packages.csv"
    assert verify(FIXTURE_SOURCES, rel, fixture_pins) == FIXTURE_SOURCES / rel


def test_verify_names_a_missing_file_and_how_to_get_it(fixture_pins, sources_copy):
    rel = "farach+huggingfaceR/data/models_with_downloads.rda"
    (sources_copy / rel).unlink()
    with pytest.raises(SourceError) as error:
        verify(sources_copy, rel, fixture_pins)
    message = str(error.value)
    assert str(sources_copy / rel) in message and "missing" in message
    assert "make sources" in message
    expected = next(f["sha256"] for s in fixture_pins for f in s["files"] if f["path"] == "data/models_with_downloads.rda")
    assert expected in message


def test_verify_names_an_altered_file_with_both_hashes(fixture_pins, sources_copy):
    rel = "PurdueDualityLab+PeaTMOSS-Artifact/License-Analysis/analyzeIncompatibilities/mapping.csv"
    path = sources_copy / rel
    expected = sha256_of(path)
    path.write_bytes(path.read_bytes().replace(b"apache-2.0", b"mit"))
    with pytest.raises(SourceError) as error:
        verify(sources_copy, rel, fixture_pins)
    message = str(error.value)
    assert str(path) in message and expected in message and sha256_of(path) in message
    assert "make sources" in message


def test_verify_refuses_a_file_that_is_not_pinned(fixture_pins):
    with pytest.raises(SourceError, match="not a pinned file"):
        verify(FIXTURE_SOURCES, "farach+huggingfaceR/data/other.rda", fixture_pins)


# --- SOURCES.json beside the files -------------------------------------------------------

def test_a_manifest_made_from_the_pins_agrees_with_them(fixture_pins, tmp_path):
    (tmp_path / "SOURCES.json").write_text(json.dumps(manifest_for(fixture_pins)))
    assert manifest_differences(tmp_path, fixture_pins) == []


def test_a_disagreeing_manifest_is_reported_with_a_warning(fixture_pins, tmp_path):
    manifest = manifest_for(fixture_pins)
    manifest["sources"][0]["commit"] = "0" * 40
    manifest["sources"][1]["files"][0]["sha256"] = "f" * 64
    del manifest["sources"][2]
    (tmp_path / "SOURCES.json").write_text(json.dumps(manifest))
    with pytest.warns(SourcesManifestWarning, match="disagrees"):
        problems = warn_if_manifest_differs(tmp_path, fixture_pins)
    repo0, repo1, repo2 = (fixture_pins[i]["repo"] for i in range(3))
    assert f"{repo0}: commit is {'0' * 40!r} in SOURCES.json, pinned {fixture_pins[0]['commit']!r}" in problems
    assert f"{repo1}/{fixture_pins[1]['files'][0]['path']}: sha256 differs from the pin" in problems
    assert f"{repo2}: pinned, not in SOURCES.json" in problems
    assert len(problems) == 3


def test_no_manifest_means_nothing_to_compare(tmp_path):
    assert manifest_differences(tmp_path) == []


# --- the downloader, against a local server ------------------------------------------------

class _Server:
    """Serves a folder over HTTP on 127.0.0.1; records request paths; can fail some at first."""

    def __init__(self, root: Path):
        self.root, self.requests, self.fail_first = root, [], {}
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                if server.fail_first.get(self.path, 0) > 0:
                    server.fail_first[self.path] -= 1
                    self.send_error(503)
                    return
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


@pytest.fixture
def remote(tmp_path, fixture_pins):
    """Two pinned sources laid out as <owner>/<repo>/<commit>/<path>, served locally."""
    pins = [s for s in fixture_pins if s["id"] in ("icse23", "huggingfacer")]
    root = tmp_path / "remote"
    for source in pins:
        for entry in source["files"]:
            target = root / source["repo"] / source["commit"] / entry["path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(FIXTURE_SOURCES / source_folder(source) / entry["path"], target)
    server = _Server(root)
    yield server, pins
    server.stop()


def _served(pins, source_id, path, root):
    source = next(s for s in pins if s["id"] == source_id)
    return root / source["repo"] / source["commit"] / path


def test_fetch_downloads_verified_files_and_names_the_bad_one(remote, tmp_path):
    server, pins = remote
    bad = _served(pins, "icse23", "data/top_downloads/top20npm_downloads.csv", server.root)
    bad.write_bytes(bad.read_bytes() + b"tampered,1\n")
    dest = tmp_path / "dest"

    failures = fetch_sources.fetch(dest, server.url, pins, progress=False, backoff=0)

    assert len(failures) == 1
    assert failures[0].startswith("PurdueDualityLab+ICSE-23-PTM-Artifact/data/top_downloads/top20npm_downloads.csv: sha256 is ")
    assert not (dest / "PurdueDualityLab+ICSE-23-PTM-Artifact/data/top_downloads/top20npm_downloads.csv").exists()
    assert not list(dest.rglob("*.part"))
    for source in pins:
        for entry in source["files"]:
            rel = f"{source_folder(source)}/{entry['path']}"
            if entry["derived"]:  # conversions made beside the sources are never requested
                assert not (dest / rel).exists()
                assert not any(entry["path"] in r for r in server.requests)
            elif "top20npm" not in rel:
                assert verify(dest, rel, pins)
    # the space in 'transformed packages.csv' is URL-quoted
    assert any(r.endswith("/data/transformed%20packages.csv") for r in server.requests)
    assert manifest_differences(dest, pins) == []  # it wrote a SOURCES.json describing the folder


def test_a_second_fetch_only_requests_what_is_missing_or_wrong(remote, tmp_path):
    server, pins = remote
    dest = tmp_path / "dest"
    assert fetch_sources.fetch(dest, server.url, pins, progress=False, backoff=0) == []
    wrong = dest / "farach+huggingfaceR/data/models_with_downloads.rda"
    wrong.write_bytes(b"not the pinned bytes")
    server.requests.clear()

    assert fetch_sources.fetch(dest, server.url, pins, progress=False, backoff=0) == []
    assert [r.rsplit("/", 1)[-1] for r in server.requests] == ["models_with_downloads.rda"]
    assert verify(dest, "farach+huggingfaceR/data/models_with_downloads.rda", pins)


def test_fetch_retries_transient_errors(remote, tmp_path):
    server, pins = remote
    source = next(s for s in pins if s["id"] == "huggingfacer")
    server.fail_first[f"/{source['repo']}/{source['commit']}/data/models_with_downloads.rda"] = 2
    assert fetch_sources.fetch(tmp_path / "dest", server.url, pins, progress=False, backoff=0, retries=3) == []
    assert sum(r.endswith("models_with_downloads.rda") for r in server.requests) == 3


def test_fetch_gives_up_after_the_retries_and_reports_the_file(remote, tmp_path):
    server, pins = remote
    source = next(s for s in pins if s["id"] == "huggingfacer")
    server.fail_first[f"/{source['repo']}/{source['commit']}/data/models_with_downloads.rda"] = 5
    failures = fetch_sources.fetch(tmp_path / "dest", server.url, pins, progress=False, backoff=0, retries=2)
    assert failures == [
        f"farach+huggingfaceR/data/models_with_downloads.rda: HTTP 503 for "
        f"{server.url}/{source['repo']}/{source['commit']}/data/models_with_downloads.rda (after 2 attempts)"
    ]


def test_fetch_cli_exits_non_zero_naming_the_missing_file(remote, tmp_path, monkeypatch, capsys):
    server, pins = remote
    _served(pins, "huggingfacer", "data/models_with_downloads.rda", server.root).unlink()
    monkeypatch.setattr(fetch_sources, "load_pins", lambda: pins)
    monkeypatch.setattr(fetch_sources, "fetch", partial(fetch_sources.fetch, progress=False, backoff=0))

    status = fetch_sources.main(["--dest", str(tmp_path / "dest"), "--base-url", server.url])

    err = capsys.readouterr().err
    assert status == 1
    assert "failed: farach+huggingfaceR/data/models_with_downloads.rda: HTTP 404" in err


def test_fetch_never_overwrites_an_existing_manifest(remote, tmp_path):
    server, pins = remote
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "SOURCES.json").write_text('{"sources": []}')
    fetch_sources.fetch(dest, server.url, pins, progress=False, backoff=0)
    assert (dest / "SOURCES.json").read_text() == '{"sources": []}'


def test_fetch_help_explains_the_layout(capsys):
    with pytest.raises(SystemExit):
        fetch_sources.main(["--help"])
    out = capsys.readouterr().out
    assert "<owner>/<repo>/<commit>/<path>" in out and "sha256" in out and "--base-url" in out


def test_the_downloader_fetches_the_pinned_sources_by_default(tmp_path):
    """Without a pin list of its own, fetch() asks for every file scripts/pinned_sources.json pins."""
    (tmp_path / "empty").mkdir()
    server = _Server(tmp_path / "empty")  # answers 404 to everything
    try:
        failures = fetch_sources.fetch(tmp_path / "dest", server.url, progress=False, backoff=0, retries=1)
    finally:
        server.stop()
    pinned = json.loads(PINS_PATH.read_text())["sources"]
    expected = {f"{source_folder(s)}/{f['path']}" for s in pinned for f in s["files"] if not f["derived"]}
    assert {failure.split(": HTTP 404")[0] for failure in failures} == expected
