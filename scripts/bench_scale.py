"""Benchmarks at Hub scale: `python -m scripts.bench_scale synth-build synth-queries serve-load [--work DIR]`.

Prints one JSON line per figure (and, with --json FILE, writes them all); docs/benchmarks.md
records them. Nothing here asserts a time.

  synth-build    generate the synthetic snapshot (scripts.synth, --synth-models, default full size:
                 2,000,000 models), build it in its own process (wall time, peak RSS, rows/s), and
                 insert the same records with plain sqlite3 executemany in the same run (rows/s: the
                 whole build's, and its load phase's kind by kind beside executemany's of that kind)
  synth-queries  every canned query on that database: median of 5 runs (ms), and the query plan
                 (EXPLAIN QUERY PLAN) of the slowest
  serve-load     `datasette serve` as `make serve` runs it, 16 connections for 60 s on loopback with
                 a mix of pages, canned queries as JSON, and HEAD and GET of the download: requests/s,
                 p50, p99, errors (on the default database, and on the synthetic one when built)

Loopback only; every loop is bounded by a count or a deadline.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# --- build ---------------------------------------------------------------------------------------

def count_records(snapshot: Path) -> dict:
    counts = {}
    for path in sorted(snapshot.glob("*.jsonl")):
        with open(path, "rb") as f:
            counts[path.stem] = sum(1 for _ in f)
    return counts


def executemany_baseline(snapshot: Path, db: Path, batch: int = 10_000) -> dict:
    """The same records, parsed from the same JSONL files and inserted with plain sqlite3
    executemany, one table per kind, one transaction: what SQLite alone costs."""
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    rows = 0
    per_kind: dict[str, float] = {}  # kind -> seconds, to set beside the build's load of that kind
    start = time.perf_counter()
    for path in sorted(snapshot.glob("*.jsonl")):
        kind_start = time.perf_counter()
        columns: list[str] | None = None
        pending: list[tuple] = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                if columns is None:
                    from build.snapshot import KINDS

                    columns = list(KINDS[path.stem])
                    conn.execute(f'CREATE TABLE "{path.stem}" ({", ".join(c + " ANY" for c in columns)})')
                    insert = f'INSERT INTO "{path.stem}" VALUES ({", ".join("?" * len(columns))})'
                pending.append(tuple(json.dumps(v) if isinstance(v, (list, dict)) else v
                                     for v in (record.get(c) for c in columns)))
                if len(pending) >= batch:
                    conn.executemany(insert, pending)
                    rows += len(pending)
                    pending = []
        if pending:
            conn.executemany(insert, pending)
            rows += len(pending)
        per_kind[path.stem] = round(time.perf_counter() - kind_start, 1)
    conn.commit()
    seconds = time.perf_counter() - start
    conn.close()
    size = db.stat().st_size
    db.unlink()
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds), "db_mib": round(size / 2**20),
            "seconds_per_kind": per_kind}


def load_phase(steps: list[str], records: dict, baseline: dict) -> dict:
    """The build's load of each kind (its "loaded KIND: N s" step lines) beside the baseline's
    executemany of the same kind: the like-for-like part of the comparison. The build's later steps
    (indexes, identity, the models table, full-text indexes, summaries) have no counterpart in the
    baseline, so the whole build's rows/s is the stricter figure; both are reported."""
    loaded = {}
    for line in steps:
        match = re.match(r"loaded (\w+): ([\d.]+) s", line)
        if match and records.get(match[1]):
            loaded[match[1]] = float(match[2])
    kinds = {kind: {"records": records[kind], "build_s": loaded[kind],
                    "executemany_s": baseline["seconds_per_kind"].get(kind),
                    "build_vs_executemany": (round(baseline["seconds_per_kind"][kind] / loaded[kind], 2)
                                             if loaded[kind] and baseline["seconds_per_kind"].get(kind) else None)}
             for kind in sorted(loaded)}
    build_s = sum(loaded.values())
    base_s = sum(baseline["seconds_per_kind"].get(kind, 0) for kind in loaded)
    n = sum(records[kind] for kind in loaded)
    return {"kinds": kinds, "records": n, "build_s": round(build_s, 1), "executemany_s": round(base_s, 1),
            "build_rows_per_s": round(n / build_s) if build_s else None,
            "build_vs_executemany": round(base_s / build_s, 2) if build_s else None}


def _tree_pss_kib(pid: int) -> int:
    """Memory of a process and all its descendants (the build's workers), KiB: the sum of their
    proportional set sizes (PSS: a page shared by the forked workers is counted once in all)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += next(int(line.split()[1]) for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()
                          if line.startswith("Pss:"))
        except (OSError, StopIteration):
            pass
        todo += children.get(p, [])
    return total


def run_build_measured(cmd: list[str], log: Path) -> dict:
    """Run the build; wall seconds, CPU seconds (it and its workers), the peak of the whole process
    tree's memory (PSS, sampled every second: the main process and its workers together),
    and the build's own step times (its progress output, kept in `log`)."""
    start = time.perf_counter()
    before = os.times()
    with open(log, "w") as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_pss_kib(proc.pid))
            time.sleep(1)
    seconds = time.perf_counter() - start
    after = os.times()
    if proc.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{log.read_text()[-2000:]}")
    steps = [line.strip() for line in log.read_text().replace("\r", "\n").splitlines() if line.startswith("  ")]
    return {"seconds": round(seconds, 2),
            "cpu_seconds": round(after.children_user + after.children_system - before.children_user
                                 - before.children_system, 1),
            "peak_tree_pss_mib": round(peak / 1024, 1), "steps": steps}


def bench_synth_build(work: Path, n_models: int, sources: Path, run_measured) -> dict:
    snapshot, db = work / f"synth-{n_models}", work / f"synth-{n_models}.db"
    if not (snapshot / "snapshot.json").exists():
        gen = run_measured([sys.executable, "-m", "scripts.synth", str(snapshot), "--models", str(n_models),
                            "--sources", str(sources), "--quiet"])
    else:
        gen = {"reused": str(snapshot)}
    records = count_records(snapshot)
    load = {"load_avg_before": os.getloadavg()}  # the machine is shared: say how busy it was
    build = run_build_measured([sys.executable, "-m", "build", str(snapshot), str(db), "--force"],
                               work / f"synth-{n_models}.build.log")
    total = sum(records.values())
    build["rows_per_s"] = round(total / build["seconds"])
    load["load_avg_after_build"] = os.getloadavg()
    baseline = executemany_baseline(snapshot, work / "baseline.db")
    load["load_avg_after_executemany"] = os.getloadavg()
    files = {p.name: round(p.stat().st_size / 2**20, 1) for p in sorted(work.glob(f"synth-{n_models}*.db"))}
    return {"models": n_models, "generate": gen, "records": records, "records_total": total, "build": build,
            "executemany": baseline, "build_vs_executemany": round(build["rows_per_s"] / baseline["rows_per_s"], 2),
            "load_phase": load_phase(build["steps"], records, baseline),
            **load,
            "db_mib": files, "snapshot_mib": round(sum(p.stat().st_size for p in snapshot.iterdir()) / 2**20)}


# --- queries -------------------------------------------------------------------------------------

def bench_synth_queries(db: Path, repeat: int = 5, plans: int = 3) -> dict:
    from build.findings import load_queries

    from build.db import attach_siblings

    conn = sqlite3.connect(f"file:{db}?immutable=1", uri=True)
    attach_siblings(conn, db, mode="immutable")  # the cards and observations databases, as when served
    out = {}
    for name, query in load_queries().items():
        params = {k: str(v) for k, v in query.params.items()}  # as Datasette passes them
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            conn.execute(query.sql, params).fetchall()
            times.append((time.perf_counter() - start) * 1000)
        out[name] = round(statistics.median(times), 1)
    slowest = sorted(out, key=out.get, reverse=True)[:plans]
    queries = load_queries()
    plan = {name: [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + queries[name].sql,
                                                  {k: str(v) for k, v in queries[name].params.items()})]
            for name in slowest}
    return {"median_ms": out, "over_250ms": sorted(n for n, ms in out.items() if ms > 250), "plans": plan}


# --- serving -------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, extra: list[str] | None = None, inspect: bool = True):
    from build.settings import as_flags, load

    datasette = Path(sys.executable).with_name("datasette")
    inspect_file = db.with_name(db.name + ".inspect.json")
    from build.db import sibling_paths

    # the sibling databases (cards, observations), served beside it
    files = [str(db)] + [str(p) for p in sibling_paths(db).values() if p.exists()]
    if inspect and (not inspect_file.exists() or inspect_file.stat().st_mtime < db.stat().st_mtime):
        subprocess.run([str(datasette), "inspect", *files, "--inspect-file", str(inspect_file)], check=True)
    port = _free_port()
    proc = subprocess.Popen([str(datasette), "serve", *(x for f in files for x in ("-i", f)),
                             *(["--inspect-file", str(inspect_file)] if inspect else []),
                             "--metadata", "metadata.yml", "--plugins-dir", "plugins", "--template-dir", "templates",
                             *as_flags(load()), *(extra or []), "-h", "127.0.0.1", "-p", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/-/versions.json")
            c.getresponse().read()
            c.close()
            return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("datasette serve did not start within 120 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def load_mix(db_name: str) -> list[tuple[str, str]]:
    return [
        ("GET", "/"),
        ("GET", f"/{db_name}/models"),
        ("GET", f"/{db_name}/models?_facet=pipeline_tag&_facet=library_name"),
        ("GET", f"/{db_name}/f01_most_reused_models.json"),
        ("GET", f"/{db_name}/f11_models_created_per_month.json"),
        ("HEAD", f"/{db_name}.db"),
        ("GET", f"/{db_name}.db"),
    ]


def run_load(port: int, mix: list[tuple[str, str]], connections: int = 16, seconds: float = 60,
             timeout: float = 30) -> dict:
    """`connections` threads, each with one keep-alive connection, cycling through the mix until the
    deadline; every response is read to its end."""
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    by_path: dict[str, list[float]] = {}
    errors: list[str] = []

    def worker(k: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        i = k
        while time.monotonic() < deadline:
            method, path = mix[i % len(mix)]
            i += 1
            start = time.perf_counter()
            try:
                conn.request(method, path)
                response = conn.getresponse()
                while response.read(2**20):
                    pass
                ok = response.status in (200, 304)
            except (OSError, http.client.HTTPException) as e:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                response = type("R", (), {"status": type(e).__name__})
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                by_path.setdefault(f"{method} {path}", []).append(elapsed)
                if not ok:
                    errors.append(f"{method} {path}: {response.status}")
        conn.close()

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 5)
    wall = time.monotonic() - start
    lat = sorted(latencies)

    def pct(values, p):
        return round(values[min(len(values) - 1, int(p * len(values)))] * 1000) if values else None

    return {"connections": connections, "seconds": round(wall, 1), "requests": len(lat),
            "requests_per_s": round(len(lat) / wall, 1), "p50_ms": pct(lat, 0.5), "p99_ms": pct(lat, 0.99),
            "errors": len(errors), "error_examples": errors[:5],
            "by_request": {k: {"n": len(v), "p50_ms": pct(sorted(v), 0.5), "p99_ms": pct(sorted(v), 0.99)}
                           for k, v in by_path.items()}}


def bench_serve_load(db: Path, seconds: float = 60, connections: int = 16, extra: list[str] | None = None,
                     inspect: bool = True) -> dict:
    proc, port = start_server(db, extra, inspect)
    try:
        mix = load_mix(db.stem)
        for method, path in mix:  # warm: one of each, not measured
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            c.request(method, path)
            r = c.getresponse()
            while r.read(2**20):
                pass
            c.close()
        return {"db": db.name, "db_mib": round(db.stat().st_size / 2**20), "settings_extra": extra or [],
                "inspect_file": inspect,
                **run_load(port, mix, connections, seconds)}
    finally:
        stop_server(proc)


def main(argv=None) -> int:
    import argparse
    import tempfile

    from scripts.bench import DEFAULT_SOURCES, bench_import_build, machine, run_measured

    parser = argparse.ArgumentParser(prog="python -m scripts.bench_scale", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", nargs="*", default=["synth-build", "synth-queries", "serve-load"],
                        help="benchmarks to run (default: all three)")
    parser.add_argument("--synth-models", type=int, default=2_000_000, help="models in the synthetic snapshot")
    parser.add_argument("--load-seconds", type=float, default=60, help="duration of each serve-load run")
    parser.add_argument("--db", type=Path, help="serve-load: the default database (default: import and build it)")
    parser.add_argument("--synth-db", type=Path,
                        help="synth-queries: time the queries on this database, already built (no synth-build)")
    parser.add_argument("--work", type=Path, help="keep work files here (a synthetic snapshot found here is reused)")
    parser.add_argument("--sources", type=Path, default=Path(os.environ.get("PTM_SOURCES", DEFAULT_SOURCES)))
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    results: dict = {"machine": machine()}
    print(json.dumps(results["machine"]), flush=True)
    with tempfile.TemporaryDirectory(prefix="ptm-bench-scale-") as tmp:
        work = args.work.resolve() if args.work else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        db = args.db.resolve() if args.db else None
        synth_db = None
        if "synth-build" in args.which or ("synth-queries" in args.which and not args.synth_db):
            results["synth_build"] = bench_synth_build(work, args.synth_models, args.sources, run_measured)
            synth_db = work / f"synth-{args.synth_models}.db"
            print("synth-build", json.dumps(results["synth_build"]), flush=True)
        if "synth-queries" in args.which:
            results["synth_queries"] = bench_synth_queries(args.synth_db or synth_db)
            print("synth-queries", json.dumps(results["synth_queries"]), flush=True)
        if "serve-load" in args.which:
            if db is None:
                results["import_build"] = bench_import_build(args.sources, work)
                db = work / "ptm_reuse.db"
            results["serve_load"] = [bench_serve_load(d, args.load_seconds) for d in (db, synth_db) if d]
            for run in results["serve_load"]:
                print("serve-load", json.dumps(run), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
