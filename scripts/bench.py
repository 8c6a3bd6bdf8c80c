"""Benchmarks anyone can rerun: `make bench` (or `python -m scripts.bench --help`).

Prints one line per figure and, with --json FILE, writes them all as JSON. The figures
recorded in docs/benchmarks.md come from this script. Nothing here asserts a time:
the numbers are for people to read and compare with the targets in the docs.

  import-build  the default snapshot: import from the real sources, then build (each in
                its own process: wall time and peak RSS)
  scaling       build synthetic snapshots of growing size: peak RSS should stay roughly flat
  cards         model-card parsing and scoring over the real card texts (cards/second, one core);
                with --cards-file, also over the first --cards-limit cards of a snapshot
  queries       every canned query against the default database (ms)
  pages         the home page, model pages, the search and the models table with its facets, from
                Datasette in-process on the default database (ms); --pages-db FILE for another database
  miner         card fetching against a local fake Hub with 20 ms latency
  hub-down      a local fake Hub killed in the middle of a run: seconds until the miner gives up
                (resumably), then the resume
  scanner       the code scanner (scripts/scan/) on real Python source, MB/second on one core.
                Every file is read into memory first; then `scan_file` (pre-filter, decoding,
                finding and parsing statements, reading the calls) is timed in CPU time over
                passes totalling at least --scanner-seconds (3) CPU seconds per corpus; printed:
                the median pass, the slowest and fastest, and the load average. Corpora: the
                standard library of this Python (no file loads a model: the byte pre-filter skips
                them), the code that loads models here (every .py file of this environment's
                site-packages that imports a signature module and holds one of its calls, and the labelled
                corpus of tests/scan_corpus.py: every file goes past the pre-filter), and with
                --code DIR... every .py file under those folders (checkouts of your choice)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = ROOT.parent / "shared" / "sources"


# A child's ru_maxrss counts the memory it inherited by fork() before exec(), so the command is
# started from a small wrapper process, not from this one (which holds the benchmark's own data).
_MEASURE = ("import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(rc)")


def run_measured(cmd: list[str]) -> dict:
    """Run a command in its own process; return wall seconds and its peak RSS (MiB)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return {"seconds": round(seconds, 2), "peak_rss_mib": round(int(proc.stdout.split()[-1]) / 1024, 1)}


def bench_import_build(sources: Path, work: Path) -> dict:
    snapshot, db = work / "snapshot", work / "ptm_reuse.db"
    imp = run_measured([sys.executable, "-m", "scripts.import_sources", "--sources", str(sources),
                        "--out", str(snapshot), "--quiet"])
    bld = run_measured([sys.executable, "-m", "build", str(snapshot), str(db), "--quiet", "--force"])
    return {"import": imp, "build": bld, "db_mib": round(db.stat().st_size / 2**20, 1)}


def write_synthetic_snapshot(folder: Path, n_models: int) -> None:
    """A snapshot shaped like a Hub mining run: n models, a card for every 4th, links and lineage."""
    from build.snapshot import SnapshotWriter

    w = SnapshotWriter(folder)
    card = "---\nlicense: mit\n---\n# Model\n\n## Intended uses & limitations\n\nMore information needed\n"
    for i in range(n_models):
        mid = f"org{i % 5000}/model-{i}"
        w.write("models", {"source": "synthetic", "model_id": mid, "observed": "2026-11-28",
                           "downloads_30d": (i * 7919) % 100000, "pipeline_tag": "text-classification",
                           "tags": ["transformers", "license:mit"], "has_card": i % 4 == 0})
        if i % 4 == 0:
            w.write("cards", {"source": "synthetic", "model_id": mid, "text": card})
        if i % 10 == 0:
            w.write("dependents", {"source": "synthetic", "model_id": mid, "kind": "github",
                                   "dependent": f"user{i % 997}/repo{i % 31}"})
        if i and i % 3 == 0:
            w.write("lineage", {"source": "synthetic", "model_id": mid,
                                "base_model_id": f"org{(i // 3) % 5000}/model-{i // 3}", "relation": "finetune"})
    w.finish({"name": f"synthetic-{n_models}", "producer": "scripts.bench", "created": "2026-11-28",
              "description": "synthetic benchmark snapshot",
              "sources": [{"id": "synthetic", "title": "synthetic benchmark data", "license": "CC0-1.0",
                           "files": []}]})


def bench_scaling(work: Path, sizes: list[int]) -> dict:
    out = {}
    for n in sizes:
        snap = work / f"synthetic-{n}"
        write_synthetic_snapshot(snap, n)
        out[n] = run_measured([sys.executable, "-m", "build", str(snap), str(work / f"synthetic-{n}.db"),
                               "--quiet", "--force"])
    return out


def real_card_texts(sources: Path) -> list[str]:
    import csv

    csv.field_size_limit(2**31 - 1)
    samples = json.loads((sources / "hn5318+model_card_analysis/Dataset/Sample_modelcard/samples_data.json").read_text())
    texts = [r["modelcard_text"] for r in samples.values() if r.get("modelcard_text")]
    with open(sources / "thijsnulle+sse-project2/datasets/HFClean.csv", newline="", encoding="utf-8") as f:
        texts += [r["modelcard_text"] for r in csv.DictReader(f) if r["modelcard_text"].strip()]
    return texts


def bench_cards(texts: list, repeat: int = 3) -> dict:
    """Time build.cards.analyze() over card texts (or (text, tags) pairs) on one core.

    Like timeit, it keeps the best of `repeat` passes (other processes only
    ever slow a pass down), in CPU seconds of this process; the caches (the
    parsed bodies, headings, prose lines) are cleared before each pass so that
    none profits from an earlier one (within a pass, cards profit from the
    ones before, as in a build). Load averages before and after are noted.
    """
    from build import cards

    items = [(t, ()) if isinstance(t, str) else t for t in texts]
    best_cpu = best_wall = float("inf")
    load = os.getloadavg()
    for _ in range(repeat):
        cards.canonical_section.cache_clear()
        cards._line_kind.cache_clear()
        cards._has_prose_results.cache_clear()
        cards._BODY_CACHE.clear()
        cpu, wall = time.process_time(), time.perf_counter()
        for text, tags in items:
            cards.analyze(text, tags)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return {"cards": len(items), "repeat": repeat, "seconds": round(best_cpu, 3),
            "wall_seconds": round(best_wall, 3),
            "cards_per_second": round(len(items) / best_cpu) if best_cpu else None,
            "load_before": [round(x, 2) for x in load], "load_after": [round(x, 2) for x in os.getloadavg()]}


def snapshot_cards(path: Path, limit: int) -> list[tuple[str, list]]:
    """(text, tags) of the first `limit` records of a snapshot's cards.jsonl."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if len(out) >= limit:
                break
            record = json.loads(line)
            out.append((record["text"], record.get("tags") or []))
    return out


def bench_queries(db_path: str | Path, repeat: int = 5) -> dict[str, float]:
    """Milliseconds each canned query takes on db_path with its default parameters (best of `repeat`).

    The target is under 200 ms each on the default database.
    """
    import sqlite3

    from build.db import attach_siblings
    from build.findings import load_queries, run as run_query

    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    attach_siblings(conn, db_path)  # the cards and observations databases, as when served
    try:
        out = {}
        for name, query in load_queries().items():
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                run_query(conn, query)
                best = min(best, time.perf_counter() - start)
            out[name] = round(best * 1000, 1)
        return out
    finally:
        conn.close()


def bench_miner(models: int = 3000, workers: int = 8, latency: float = 0.02) -> dict:
    """Mine a fake Hub (tests/fakehub.py, in its own process) that adds `latency` seconds to every
    request, then mine it again with the first snapshot as --previous.

    Card throughput is measured by the fake Hub, from the first README request it receives to the
    last README it answers, and set against the ceiling the concurrency allows (workers / latency).
    Beside it: the same downloads made by a bare thread pool (what this machine's HTTP stack allows
    without the miner), and the whole first run's rate (listing, start-up and writing included).
    The re-run of an unchanged Hub should make no README request.
    """
    # The fake Hub is test code: only this benchmark imports it, never the miner.
    import httpx2
    from huggingface_hub import hf_hub_url

    from scripts.hub.client import HubSession
    from scripts.hub.defenses import SampleSpec
    from scripts.mine_hub import Options, run
    from tests.fakehub import synthetic_models

    hub = subprocess.Popen(
        [sys.executable, "-m", "tests.fakehub", "--synthetic", str(models), "--latency", str(latency)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        url = hub.stdout.readline().strip()

        def counts(reset: bool = True) -> dict:
            return httpx2.get(f"{url}/_fake/counts", params={"reset": 1} if reset else None).json()

        # No defenses sample: this measures the listing and the cards only.
        common = dict(endpoint=url, workers=workers, budgets={"api": 0, "resolvers": 0}, progress=False,
                      sample=SampleSpec(0, 0))
        with HubSession(url, None, common["budgets"], connections=workers + 2) as session, \
                ThreadPoolExecutor(workers) as pool:
            readmes = [hf_hub_url(m["id"], "README.md", revision=m["sha"], endpoint=url)
                       for m in synthetic_models(models)[0]]
            list(pool.map(session.get, readmes))
        bare = counts()
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            first = run(Options(out=Path(tmp) / "first", **common))
            first_s = time.perf_counter() - start
            mined = counts()
            start = time.perf_counter()
            run(Options(out=Path(tmp) / "second", previous=Path(tmp) / "first", **common))
            second_s = time.perf_counter() - start
            rerun = counts()
    finally:
        hub.terminate()
        hub.wait()
    cards = first["stats"]["cards_fetched"]
    ceiling = workers / latency
    return {
        "models": models, "workers": workers, "latency_s": latency,
        "ceiling_cards_per_s": round(ceiling, 1),
        "bare_pool_cards_per_s": round(bare["readme"] / bare["span:readme"], 1),
        "cards_per_s": round(cards / mined["span:readme"], 1),
        "efficiency": round(cards / mined["span:readme"] / ceiling, 3),
        "first_run_s": round(first_s, 3),
        "first_run_cards_per_s": round(cards / first_s, 1),
        "first_run_requests": {"list": mined.get("list", 0), "readme": mined.get("readme", 0)},
        "rerun_s": round(second_s, 3),
        "rerun_requests": {"list": rerun.get("list", 0), "readme": rerun.get("readme", 0)},
    }


def bench_hub_down(models: int = 3000, latency: float = 0.02, kill_after: int = 500) -> dict:
    """Kill a fake Hub (its own process) once the miner (its own process, default options: 8 workers,
    5 retries from 1 s) has fetched `kill_after` cards; measure the seconds from the kill to the
    miner's exit, and its exit status (3: stopped, resumable). Then start a Hub again and resume:
    the run completes, with each model once.

    Before the miner counted connection failures in a row, the same experiment took 99 s: every
    card in flight spent its ~23 s of retries (1 + 2 + 4 + 8 + 8 s) first.
    """
    import httpx2

    def start_hub(port: int = 0):
        proc = subprocess.Popen([sys.executable, "-m", "tests.fakehub", "--synthetic", str(models),
                                 "--latency", str(latency), "--port", str(port)],
                                stdout=subprocess.PIPE, text=True, cwd=ROOT)
        return proc, proc.stdout.readline().strip()

    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        hub, url = start_hub()
        miner = subprocess.Popen([sys.executable, "-m", "scripts.mine_hub", "--out", str(out), "--no-progress",
                                  "--budget", "0", "--resolve-budget", "0"],
                                 cwd=ROOT, env={**env, "HF_ENDPOINT": url},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while httpx2.get(f"{url}/_fake/counts").json().get("readme", 0) < kill_after:
                time.sleep(0.01)
            hub.kill()
            killed = time.perf_counter()
            hub.wait()
            status = miner.wait(timeout=600)
            gave_up_s = time.perf_counter() - killed
        finally:
            miner.kill()
            hub.kill()
        done_before = sum(1 for _ in open(out / "models.jsonl"))
        hub, url = start_hub(int(url.rsplit(":", 1)[1]))  # the Hub is back, at the same address
        try:
            start = time.perf_counter()
            resumed = subprocess.run([sys.executable, "-m", "scripts.mine_hub", "--out", str(out), "--no-progress",
                                      "--budget", "0", "--resolve-budget", "0"],
                                     cwd=ROOT, env={**env, "HF_ENDPOINT": url}, capture_output=True).returncode
            resume_s = time.perf_counter() - start
        finally:
            hub.kill()
        ids = [json.loads(line)["model_id"] for line in open(out / "models.jsonl")]
    return {"models": models, "killed_after_cards": kill_after, "gave_up_s": round(gave_up_s, 2),
            "exit_status": status, "models_done_when_stopped": done_before,
            "resume_exit_status": resumed, "resume_s": round(resume_s, 2),
            "models_after_resume": len(ids), "duplicates": len(ids) - len(set(ids))}


PAGES = ["/", "/models/gpt2", "/models/bert-base-uncased", "/models/SpanBERT/spanbert-large-cased",
         "/models/no-such/model", "/-/search?q=gpt2", "/-/search?q=bert&all=1", "/-/search?q=sentiment",
         "/ptm_reuse/models"]


def bench_pages(db_path: str | Path, repeat: int = 3, pages: list[str] = PAGES) -> dict[str, float]:
    """Milliseconds Datasette (configured like `make serve`, in-process) takes to answer each page
    (best of `repeat`): the home page, model pages, the search, and the models table with its facets.
    The target is under 500 ms each on the default database."""
    import asyncio

    import yaml
    from datasette.app import Datasette

    from build.settings import load as load_settings

    db_path = Path(db_path)
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text())
    if db_path.stem != "ptm_reuse":  # metadata.yml describes the database by its name
        metadata["databases"] = {db_path.stem: metadata["databases"]["ptm_reuse"]}
        pages = [p.replace("/ptm_reuse/", f"/{db_path.stem}/") for p in pages]

    async def run() -> dict[str, float]:
        ds = Datasette([], immutables=[str(db_path)], metadata=metadata, plugins_dir=str(ROOT / "plugins"),
                       template_dir=str(ROOT / "templates"), settings=load_settings())
        await ds.invoke_startup()
        out = {}
        for page in pages:
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                response = await ds.client.get(page)
                best = min(best, time.perf_counter() - start)
                if response.status_code not in (200, 302, 404):
                    raise SystemExit(f"{page}: HTTP {response.status_code}")
            out[page] = round(best * 1000, 1)
        return out

    return asyncio.run(run())


def _cpu_passes(run, min_seconds: float, min_passes: int = 3) -> list[float]:
    """CPU seconds (time.process_time) of each pass of run(), passes repeated until they total at
    least min_seconds (and at least min_passes): one pass of a small corpus is too short to time."""
    passes: list[float] = []
    while len(passes) < min_passes or sum(passes) < min_seconds:
        start = time.process_time()
        run()
        passes.append(time.process_time() - start)
    return passes


def _rate(mb: float, passes: list[float]) -> dict:
    """MB per CPU second of the median pass, and of the slowest and fastest."""
    return {"mb_per_second": round(mb / statistics.median(passes), 1),
            "mb_per_second_min": round(mb / max(passes), 1), "mb_per_second_max": round(mb / min(passes), 1),
            "passes": len(passes), "cpu_seconds_median": round(statistics.median(passes), 4),
            "cpu_seconds_total": round(sum(passes), 2)}


def bench_scanner(code: list[Path] = (), min_seconds: float = 3.0) -> dict:
    """MB of Python source the scanner gets through per CPU second (one core), on real corpora.

    Every file is read into memory first; a pass times `scan_file` on each file's bytes (the
    pre-filter, decoding, finding and parsing statements, reading the calls), in CPU time
    (time.process_time, so other processes on the machine do not count). Passes repeat until
    they total at least `min_seconds` CPU seconds; the figure is the median pass, with the
    slowest and fastest."""
    import ast
    import sysconfig
    import warnings

    warnings.simplefilter("ignore", SyntaxWarning)

    from scripts.scan.python import may_match
    from scripts.scan.repo import SKIP_DIRS, Scan, scan_file

    sys.path.insert(0, str(ROOT / "tests"))
    import scan_corpus

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    site = Path(sysconfig.get_paths()["purelib"])
    with tempfile.TemporaryDirectory(prefix="ptm-bench-corpus-") as tmp:
        labelled = scan_corpus.write(Path(tmp))
        corpora = {
            "python_stdlib": [(p, p.read_bytes()) for p in sorted(stdlib.rglob("*.py"))
                              if "site-packages" not in p.parts and p.is_file()],
            "model_loading_code": [(p, d) for root in (site, labelled) for p in sorted(root.rglob("*.py"))
                                   if p.is_file() and not p.is_symlink() and may_match(d := p.read_bytes())],
        }
    for folder in code:
        corpora[f"code:{folder}"] = [(p, p.read_bytes()) for p in sorted(Path(folder).rglob("*.py"))
                                     if p.is_file() and not p.is_symlink()
                                     and not SKIP_DIRS.intersection(p.relative_to(folder).parts)]
    result = {}
    for name, files in corpora.items():
        files = [(p.as_posix(), data) for p, data in files]  # read before timing
        mb = sum(len(data) for _, data in files) / 1e6
        scans: list[Scan] = []

        def scan_all() -> None:
            scan = Scan()
            for path, data in files:
                scan_file(path, data, scan)
            scans.append(scan)

        passes = _cpu_passes(scan_all, min_seconds)
        scan = scans[-1]
        # the reference: CPython parsing every file past the pre-filter whole (what the scanner did before
        # it read statements; it shows how fast this machine parses at the moment)
        past = [data for _, data in files if may_match(data)]

        def parse_all() -> None:
            for data in past:
                try:
                    ast.parse(data)
                except (SyntaxError, ValueError, RecursionError):
                    pass

        reference = _cpu_passes(parse_all, min_seconds / 3) if past else None
        past_mb = sum(map(len, past)) / 1e6
        result[name] = {
            "files": len(files), "mb": round(mb, 2), **_rate(mb, passes),
            "past_prefilter_share": round(past_mb / mb, 3) if mb else None,
            "whole_file_ast_parse_mb_per_second": round(past_mb / statistics.median(reference), 1) if reference else None,
            "calls": len(scan.calls), "skipped": sum(scan.skipped.values()),
            "files_where_reading_statements_differs": _statement_path_differences(past)}
    return result


def print_scanner(result: dict, load: dict) -> None:
    """The scanner's figures, one line per corpus."""
    print(f"scanner: MB of Python source per CPU second, median pass (slowest-fastest); "
          f"load average {load['before'][0]:.2f} before, {load['after'][0]:.2f} after")
    print(f"  {'corpus':<28} {'files':>6} {'MB':>7} {'MB/s':>6} {'(min-max)':>13} {'passes':>6} "
          f"{'past filter':>11} {'ast.parse MB/s':>14} {'calls':>6} {'differ':>6}")
    for name, r in result.items():
        spread = f"({r['mb_per_second_min']}-{r['mb_per_second_max']})"
        reference = r["whole_file_ast_parse_mb_per_second"]
        print(f"  {name:<28} {r['files']:>6} {r['mb']:>7} {r['mb_per_second']:>6} {spread:>13} {r['passes']:>6} "
              f"{r['past_prefilter_share']:>11} {'-' if reference is None else reference:>14} {r['calls']:>6} "
              f"{r['files_where_reading_statements_differs']:>6}")


def _statement_path_differences(datas: list[bytes]) -> int:
    """Files (of those that parse whole) where reading statement by statement finds other calls than
    parsing the whole file (scripts/scan/python.py): should be 0."""
    from scripts.scan.python import SkipFile, fragment_calls, full_calls

    def key(calls):
        return [(c.line, c.signature.id, c.model_ref, c.ref_kind, c.model_id, c.task, c.evidence) for c in calls]

    differ = 0
    for data in datas:
        fragments = fragment_calls(data)
        if fragments is None:
            continue
        try:
            whole = full_calls(data)
        except SkipFile:
            continue
        differ += key(fragments) != key(whole)
    return differ


def machine() -> dict:
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(int(mem) / 2**20, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", nargs="*",
                        default=["import-build", "cards", "queries", "pages", "miner", "hub-down", "scanner",
                                 "scaling"],
                        help="benchmarks to run (default: all)")
    parser.add_argument("--sources", type=Path, default=Path(os.environ.get("PTM_SOURCES", DEFAULT_SOURCES)),
                        help="the pinned research artifacts (default: ../shared/sources)")
    parser.add_argument("--sizes", default="100000,400000,1600000",
                        help="synthetic snapshot sizes (models) for the scaling benchmark")
    parser.add_argument("--pages-db", type=Path, help="the database for the pages benchmark (default: the one built here)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--cards-file", type=Path,
                        help="cards: also time the first --cards-limit records of this cards.jsonl (e.g. "
                             "/tmp/ptm-bench/synth-200000/cards.jsonl, the synthetic full-size cards)")
    parser.add_argument("--cards-limit", type=int, default=20000, help="records of --cards-file (default 20000)")
    parser.add_argument("--code", type=Path, nargs="*", default=[],
                        help="scanner: also scan every .py file under these folders (checkouts)")
    parser.add_argument("--scanner-seconds", type=float, default=3.0,
                        help="scanner: time each corpus over passes totalling at least this many CPU "
                             "seconds (default 3); the figure is the median pass")
    args = parser.parse_args(argv)

    results: dict = {"machine": machine()}
    print(json.dumps(results["machine"]))
    with tempfile.TemporaryDirectory(prefix="ptm-bench-") as tmp:
        work = Path(tmp)
        db = None
        if "import-build" in args.which or "queries" in args.which or ("pages" in args.which and not args.pages_db):
            results["import_build"] = bench_import_build(args.sources, work)
            db = work / "ptm_reuse.db"
            print("import-build", json.dumps(results["import_build"]))
        if "cards" in args.which:
            results["cards"] = bench_cards(real_card_texts(args.sources))
            print("cards", json.dumps(results["cards"]))
            if args.cards_file:
                results["cards_file"] = bench_cards(snapshot_cards(args.cards_file, args.cards_limit))
                print("cards-file", json.dumps(results["cards_file"]))
        if "queries" in args.which:
            results["queries"] = bench_queries(db)
            print("queries", json.dumps(results["queries"]))
        if "pages" in args.which:
            results["pages"] = bench_pages(args.pages_db or db)
            print("pages", json.dumps(results["pages"]))
        if "miner" in args.which:
            results["miner"] = bench_miner()
            print("miner", json.dumps(results["miner"]))
        if "hub-down" in args.which:
            results["hub_down"] = bench_hub_down()
            print("hub-down", json.dumps(results["hub_down"]))
        if "scanner" in args.which:
            load = [round(x, 2) for x in os.getloadavg()]
            results["scanner"] = bench_scanner(code=args.code, min_seconds=args.scanner_seconds)
            results["scanner_load_average"] = {"before": load, "after": [round(x, 2) for x in os.getloadavg()]}
            print_scanner(results["scanner"], results["scanner_load_average"])
        if "scaling" in args.which:
            sizes = [int(s) for s in args.sizes.split(",")]
            results["scaling"] = bench_scaling(work, sizes)
            print("scaling", json.dumps(results["scaling"]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
