"""The GitHub miner (scripts/mine_github.py, scripts/github/) against a local fake GitHub API.

Never the internet: GITHUB_API_URL points at tests/fakegithub.py. Waits for rate limits go to a
recording sleep function, so no test waits.
"""

import json
from pathlib import Path

import pytest

from build.db import build, connect
from build.snapshot import read_manifest
from fakegithub import FakeGitHub
from scripts.github.client import GitHubClient, GitHubError
from scripts.github.mine import mine, queries
from scripts import mine_github

import scan_corpus

TOKEN = "ghp_" + "A1b2C3d4" * 4 + "Zz09"  # token-shaped: the builder would redact it if it leaked
REPOS = {f"acme/{name}": {path: text for path, text in files.items() if text is not None}
         for name, files in scan_corpus.CORPUS.items() if name != "hostile"}
FACTS = {"acme/sentiment-app": {"stargazers_count": 42, "license": {"spdx_id": "MIT"}, "fork": True,
                                "archived": True, "pushed_at": "2025-05-01T10:00:00Z", "default_branch": "dev"}}


@pytest.fixture
def api(monkeypatch):
    with FakeGitHub(REPOS, FACTS) as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        yield fake


def client(sleeps=None, **kw) -> GitHubClient:
    return GitHubClient(sleep=(sleeps.append if sleeps is not None else lambda s: None), backoff=0.01, **kw)


def lines(folder: Path, kind: str) -> list[str]:
    path = folder / f"{kind}.jsonl"
    return path.read_text().splitlines() if path.exists() else []


def test_mining_finds_what_the_scanner_finds_in_a_checkout(api, tmp_path):
    out = tmp_path / "gh"
    mine(out, client(), date="2026-02-01", progress=False)
    got = {(c["repo"], c["file_path"], c["line"], c.get("model_id"), c["ref_kind"])
           for c in map(json.loads, lines(out, "code_calls"))}
    # the same files scanned locally by `make scan`
    scan_corpus.write(tmp_path / "src")
    from scripts import scan_code
    scan_code.run(tmp_path / "src", tmp_path / "local", date="2026-02-01", progress=False)
    want = {(f"acme/{c['repo']}", c["file_path"], c["line"], c.get("model_id"), c["ref_kind"])
            for c in map(json.loads, lines(tmp_path / "local", "code_calls")) if c["repo"] != "hostile"}
    assert got == want and len(got) > 40
    calls = [json.loads(x) for x in lines(out, "code_calls")]
    assert all(c["method"] == "github-code-search" and c["repo_kind"] == "github" and len(c["revision"]) == 40
               for c in calls)
    # each file fetched once although several queries find it; each link once
    github = read_manifest(out)["stats"]["github"]
    assert github["files_fetched"] == api.counter["blob"] and github["files_seen_again"] > 0
    deps = [(d["dependent"], d["model_id"]) for d in map(json.loads, lines(out, "dependents"))]
    assert len(deps) == len(set(deps)) and all(d[0].startswith("acme/") for d in deps)
    repos = {r["repo"]: r for r in map(json.loads, lines(out, "repositories"))}
    assert repos["acme/sentiment-app"] == {
        "repo": "acme/sentiment-app", "source": "github-code-search", "method": "github-code-search",
        "observed": "2026-02-01", "licenses": ["MIT"], "stars": 42, "fork": True, "archived": True,
        "pushed_at": "2025-05-01T10:00:00Z", "default_branch": "dev"}
    assert api.counter["repo"] == len(repos)
    # the snapshot builds, and the links are marked with their method
    build(out, tmp_path / "gh.db", progress=False)
    conn = connect(tmp_path / "gh.db")
    assert conn.execute("SELECT DISTINCT method, kind FROM dependents").fetchall() == [("github-code-search", "github")]
    assert conn.execute("SELECT stars, fork FROM repositories WHERE repo = 'acme/sentiment-app'").fetchone() == (42, 1)


def test_the_token_is_sent_and_written_nowhere(api, tmp_path):
    out = tmp_path / "gh"
    mine(out, client(), query_list=["from_pretrained transformers language:Python"], progress=False)
    assert api.authorizations == {f"Bearer {TOKEN}"}
    for path in out.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path


def test_rate_limits_are_waited_out(api):
    sleeps = []
    c = client(sleeps, secondary_wait=60)
    api.inject("search", "secondary", "secondary-no-header", "primary")
    result = c.json("/search/code", {"q": "pipeline transformers language:Python"})
    assert result["total_count"] > 0
    assert sleeps[:2] == [7.0, 60.0]                 # retry-after, then a minute without one
    assert 29 <= sleeps[2] <= 32                     # until x-ratelimit-reset (+1 s)
    assert api.counter["search"] == 4
    assert c.waits["secondary rate limit"] == 67.0
    # a used-up resource is waited for before the next request is sent at all
    c.limits["code_search"] = (0, c.clock() + 10)
    c.json("/search/code", {"q": "x"})
    assert 10 <= sleeps[-1] <= 11.5 and api.counter["search"] == 5


def test_server_errors_are_retried_then_stop_the_run(api):
    sleeps = []
    c = client(sleeps, max_retries=2)
    api.inject("repo", "500", "drop")
    assert c.json("/repos/acme/web-demo")["full_name"] == "acme/web-demo"
    api.inject("repo", "500", "500", "500")
    with pytest.raises(GitHubError, match="HTTP 500 after 3 attempts"):
        c.json("/repos/acme/web-demo")
    assert TOKEN not in str(sleeps)


@pytest.mark.parametrize("fail_on", ["repo", "blob", "search"])
def test_an_interrupted_run_resumes_without_duplicates(api, tmp_path, fail_on):
    some = ["from_pretrained transformers language:Python", "pipeline transformers language:Python",
            "SentenceTransformer sentence_transformers language:Python", '"@huggingface/inference" language:TypeScript']
    clean = tmp_path / "clean"
    mine(clean, client(), query_list=some, date="2026-02-01", progress=False)
    out = tmp_path / "run"
    # succeed a few times, then fail for good in the middle of the run
    api.inject(fail_on, *(["ok"] * 3), *(["500"] * 3))
    with pytest.raises(GitHubError):
        mine(out, client(max_retries=2), query_list=some, date="2026-02-01", progress=False, checkpoint_every=2)
    assert not (out / "snapshot.json").exists()
    mine(out, client(), query_list=some, date="2026-02-01", progress=False)
    for kind in ("code_calls", "code_usages", "code_files", "dependents", "repositories", "repo_libraries"):
        assert sorted(lines(out, kind)) == sorted(lines(clean, kind)), kind
    stats = read_manifest(out)["stats"]
    assert stats["code_calls"] == len(lines(clean, "code_calls"))


def test_the_cli_exits_3_when_stopped_and_resumes(api, tmp_path, capsys):
    api.inject("search", "500")
    out = tmp_path / "cli"
    assert mine_github.main(["--out", str(out), "--no-progress", "--max-retries", "0",
                             "--query", "pipeline transformers language:Python"]) == 3
    assert "resume" in capsys.readouterr().err
    assert mine_github.main(["--out", str(out), "--no-progress", "--query", "pipeline transformers language:Python"]) == 0
    assert read_manifest(out)["producer"] == "scripts.mine_github"


def test_one_query_per_signature_language():
    q = queries()
    assert "from_pretrained transformers language:Python" in q
    assert set(q["from_pretrained transformers language:Python"]) >= {
        "transformers.Auto*.from_pretrained", "transformers.<Model>.from_pretrained"}
    covered = {sig for sigs in q.values() for sig in sigs}
    from build.signatures import SIGNATURES
    assert covered == {s.id for s in SIGNATURES}


def test_progress_is_shown_and_the_console_never_shows_the_token(api, tmp_path, capsys):
    out = tmp_path / "cli"
    query = "from_pretrained transformers language:Python"
    assert mine_github.main(["--out", str(out), "--query", query, "--date", "2026-02-01"]) == 0
    console = capsys.readouterr()
    fetched = read_manifest(out)["stats"]["github"]["files_fetched"]
    assert fetched > 5
    assert f"files: {fetched}" in console.err.replace("\r", "\n")  # the progress bar's last count
    assert query[:40] in console.err                                   # which query it is on
    assert TOKEN not in console.out + console.err


def test_every_row_says_its_source_method_and_date(api, tmp_path):
    out = tmp_path / "gh"
    mine(out, client(), query_list=["pipeline transformers language:Python"], date="2026-02-01", progress=False)
    for kind in ("code_calls", "code_usages", "code_files", "dependents", "repositories", "repo_libraries"):
        rows = [json.loads(x) for x in lines(out, kind)]
        assert rows or kind in ("code_files", "repo_libraries"), kind
        assert all((r["source"], r["method"], r["observed"]) == ("github-code-search", "github-code-search", "2026-02-01")
                   for r in rows), kind
    assert [s["id"] for s in read_manifest(out)["sources"]] == ["github-code-search"]
