"""F12 from the Hub: a mined snapshot's security scans and author answers -> queries/f12_defenses.sql.

Expected values are recomputed here from the snapshot's record files with the textbook Wilson
formula (and checked against scipy where it is installed), not with the query's SQL.
"""

import json
import math
import sqlite3

import pytest

from build.db import build, connect
from build.findings import NOT_MEASURABLE, compute, load_queries, run
from scripts.mine_hub import main
from tests.fakehub import FakeHub, synthetic_models

FAST = ["--no-progress", "--budget", "0", "--resolve-budget", "0", "--retry-wait", "0.01", "--workers", "4"]


def wilson(x: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = x / n
    center = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return center - half, center + half


def jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    models, readmes = synthetic_models(240)
    orgs = {f"org{i:02d}": {"isVerified": i % 7 == 0} for i in range(0, 97, 2)}  # odd ones are users
    security = {m["id"]: {"scansDone": True, "filesWithIssues": [{"path": "model.pkl", "level": "unsafe"}]}
                for m in models[::9]}
    security.update({m["id"]: {"scansDone": False, "filesWithIssues": []} for m in models[4::50]})
    folder = tmp_path_factory.mktemp("f12")
    with FakeHub(models, readmes, page_size=100, security=security, organizations=orgs) as hub:
        mp = pytest.MonkeyPatch()
        mp.setenv("HF_ENDPOINT", hub.url)
        mp.delenv("HF_TOKEN", raising=False)
        try:
            assert main(["--out", str(folder / "snap"), *FAST, "--no-cards",
                         "--sample-top", "10", "--sample-random", "60", "--seed", "3"]) == 0
        finally:
            mp.undo()
    build(folder / "snap", folder / "hub.db", progress=False)
    return folder


def test_f12_shares_are_wilson_intervals_over_the_random_sample(mined):
    authors = [r for r in jsonl(mined / "snap" / "authors.jsonl") if "random" in r["sample"]]
    orgs = [r for r in authors if r["is_organization"]]
    x_org, n_org = sum(r["is_verified"] for r in orgs), len(orgs)
    scans = [r for r in jsonl(mined / "snap" / "security_scans.jsonl") if "random" in r["sample"]]
    done = [r for r in scans if r.get("scans_done")]
    x_flag, n_flag = sum(bool(r.get("files_with_issues")) for r in done), len(done)
    assert len(authors) == 60 and len(scans) == 60 and 0 < x_org < n_org and 0 < x_flag < n_flag < 60

    conn = connect(mined / "hub.db")
    conn.row_factory = sqlite3.Row
    rows = {r["defense"]: r for r in run(conn, load_queries()["f12_defenses"])}
    org, flag = rows["verified organizations"], rows["malware-scan flags"]
    assert (org["models"], flag["models"]) == (n_org, n_flag)
    assert org["value"] == pytest.approx(x_org / n_org) and flag["value"] == pytest.approx(x_flag / n_flag)
    for row, (x, n) in ((org, (x_org, n_org)), (flag, (x_flag, n_flag))):
        low, high = wilson(x, n)
        assert (row["ci_low"], row["ci_high"]) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))
        assert f"{x} of {n}" in row["summary"] and "random sample" in row["summary"]
    assert f"random sample of {len(authors)} authors, of whom {n_org} are organizations" in org["summary"]
    assert rows["signed commits"]["value"] is None
    assert "does not report commit signatures" in rows["signed commits"]["summary"]

    findings, claims = compute(conn)
    f12 = next(f for f in findings if f["id"] == "F12")
    assert org["summary"] in f12["answer"] and flag["summary"] in f12["answer"] and "n/a" not in f12["answer"]
    claims = {c["id"]: c for c in claims}
    assert claims["F12-verified-organizations"]["computed_value"] == f"{x_org / n_org:.2%}"
    assert claims["F12-signed-commits"]["status"] == NOT_MEASURABLE


def test_wilson_formula_agrees_with_scipy():
    stats = pytest.importorskip("scipy.stats")
    for x, n in ((0, 10), (3, 48), (7, 60), (60, 60)):
        ci = stats.binomtest(x, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert wilson(x, n) == (pytest.approx(ci.low), pytest.approx(ci.high))


def test_without_a_mining_run_f12_says_what_is_not_measurable(tmp_path):
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    from build import schema, summaries
    import sqlite_utils
    db = sqlite_utils.Database(conn)
    schema.create_tables(db)
    for name in schema.SIBLINGS:  # the cards and observations databases, attached as in a build
        conn.execute(f"ATTACH DATABASE ':memory:' AS {name}")
        schema.create_sibling_tables(db, name, attached=True)
    summaries.write(db)  # every build writes them; f12 reads gated_counts
    rows = {r["defense"]: r for r in run(conn, load_queries()["f12_defenses"])}
    assert rows["verified organizations"]["value"] is None
    assert rows["verified organizations"]["summary"].startswith("not measurable from these sources")
    assert rows["malware-scan flags"]["summary"].startswith("not measurable from these sources")
