"""Shared fixtures.

- `sources_dir`: the pinned research artifacts (../shared/sources, or $PTM_SOURCES).
- `real_snapshot` / `real_db`: the default snapshot imported from the real sources and the
  database built from it, once per test session (the integration tests and the Datasette
  tests use them; nothing is faked).
- `real_ds`: that Datasette on `real_db`, started once (mark its tests with `on_real_db`).
- `fixture_snapshot` / `fixture_db`: the same import and build on tests/fixtures/import (a few
  rows of every pinned source), which needs no real sources.
- `served`: a Datasette on the fixture database and, where the real sources are there, on the
  real one (`.ds`, `.db_path`, `.real`): a test taking it runs on both (mark it `on_served_db`).
- `datasette_for(db_path)`: a Datasette configured exactly as `make serve` configures it
  (metadata.yml, plugins/, templates/, settings.json), driven in-process.
- `datasette_server(db_path)`: the same as a real `datasette serve` subprocess on a free loopback
  port (immutable, with its inspect file, as `make serve` runs it); yields its base URL.
- `chromium`: Debian's headless Chromium, run on one URL (the browser tests; skipped without it,
  except on CI, where `make browser` must have installed it).
"""

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = ROOT.parent / "shared" / "sources"


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    path = Path(os.environ.get("PTM_SOURCES", DEFAULT_SOURCES))
    if not (path / "SOURCES.json").exists():
        pytest.skip(f"real sources not found at {path} (set PTM_SOURCES or run `make sources`)")
    return path


@pytest.fixture(scope="session")
def real_snapshot(sources_dir, tmp_path_factory) -> Path:
    from scripts.import_sources import import_sources

    out = tmp_path_factory.mktemp("snapshot") / "icse23-replication-2022"
    import_sources(sources_dir, out, progress=False)
    return out


@pytest.fixture(scope="session")
def real_db(real_snapshot, tmp_path_factory) -> Path:
    from build.db import build

    db_path = tmp_path_factory.mktemp("db") / "ptm_reuse.db"
    build(real_snapshot, db_path, progress=False)
    return db_path


FIXTURE_IMPORT = ROOT / "tests" / "fixtures" / "import"


@pytest.fixture(scope="session")
def fixture_snapshot(tmp_path_factory) -> Path:
    from scripts.import_sources import import_sources
    from scripts.sources import load_pins

    out = tmp_path_factory.mktemp("fixture-import") / "snap"
    import_sources(FIXTURE_IMPORT / "sources", out, progress=False,
                   pins=load_pins(FIXTURE_IMPORT / "pinned_sources.json"))
    return out


@pytest.fixture(scope="session")
def fixture_db(fixture_snapshot, tmp_path_factory) -> Path:
    from build.db import build

    db_path = tmp_path_factory.mktemp("fixture-db") / "ptm_reuse.db"
    build(fixture_snapshot, db_path, progress=False)
    return db_path


def make_datasette(db_path: Path):
    """A Datasette instance configured like `make serve` (immutable: allows the .db download)."""
    from datasette.app import Datasette

    from build.settings import load as load_settings

    from build.db import sibling_paths

    # the sibling databases the build writes beside it (cards, observations), served too
    siblings = [str(p) for p in sibling_paths(db_path).values() if p.exists()]
    return Datasette(
        [],
        immutables=[str(db_path), *siblings],
        metadata=yaml.safe_load((ROOT / "metadata.yml").read_text()),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        settings=load_settings(),
    )


@pytest.fixture(scope="session")
def datasette_for():
    return make_datasette


def on_real_db(test):
    """Mark a test that uses `real_ds`: it runs on the real sources, in the session's event loop."""
    return pytest.mark.real_sources(pytest.mark.asyncio(loop_scope="session")(test))


def on_served_db(test):
    """Mark a test that uses `served`: it runs on the fixture database and the real one."""
    return pytest.mark.asyncio(loop_scope="session")(test)


@pytest.fixture(scope="session", params=["fixture", pytest.param("real", marks=pytest.mark.real_sources)])
async def served(request):
    """A Datasette on the fixture database, then on the real one (skipped without sources)."""
    db_path = request.getfixturevalue(f"{request.param}_db")
    ds = make_datasette(db_path)
    await ds.invoke_startup()
    return SimpleNamespace(ds=ds, db_path=db_path, real=request.param == "real")


@pytest.fixture(scope="session")
async def real_ds(real_db):
    """One Datasette on the real database, shared by the tests of the whole session."""
    ds = make_datasette(real_db)
    await ds.invoke_startup()
    return ds


@contextmanager
def datasette_server(db_path: Path):
    """`datasette serve` as `make serve` runs it (immutable, inspect file, metadata.yml, plugins/,
    templates/, settings.json) on a free loopback port, started as the serving benchmark starts
    it (scripts/bench_scale.py); yields its base URL."""
    from scripts.bench_scale import start_server, stop_server

    proc, port = start_server(db_path)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--hide-scrollbars"]


@pytest.fixture
def chromium(tmp_path):
    """chromium(url, *flags) runs headless Chromium on url (its own profile in tmp_path) and returns
    the finished process (stdout: what --dump-dom printed; stderr: the log, with the console's
    lines when --enable-logging=stderr is given)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing on CI: `make browser` installs it")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    profile = tmp_path / "chromium-profile"

    def run(url: str, *flags: str) -> subprocess.CompletedProcess:
        result = subprocess.run([str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *flags, url],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        return result

    return run
