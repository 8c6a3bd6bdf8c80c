"""Search, model lookup and facets at Hub size: `python -m scripts.bench_browse --help`.

The models table is what these pages read, so the benchmark's database is the models table of a
database built from the synthetic snapshot (`python -m scripts.bench_scale synth-build
--synth-models 200000 --work DIR` writes DIR/synth-200000.db), copied `--copies` times with the
ids suffixed (`-r1`, `-r2`, ...), in a database of this project's schema (build/schema.py: its
indexes, full-text index and ANALYZE) with its facet counts (build/facets.py). The other tables are empty. The synthetic snapshot has no
`gated`: it is drawn here (5% auto, 5% manual), so that its facet has values to count.

Then Datasette, configured like `make serve` and driven in-process, answers each page once, in
order, with a pause between requests (the facets' background runs, plugins/ptm_serving.py, get
the time a reader's next click would give them): a facet page is asked for three times, cold and
warm. Prints one line per page (wall ms, the process's CPU ms, status, facets answered) and the
load average; nothing here asserts a time. docs/benchmarks.md records the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_models_db(synth_db: Path, out: Path, copies: int) -> int:
    import sqlite_utils

    from build import facets, schema

    if out.exists():
        out.unlink()
    db = sqlite_utils.Database(out)
    schema.create_tables(db)
    db.conn.execute("ATTACH ? AS src", (str(synth_db),))
    have = {row[1] for row in db.conn.execute("PRAGMA src.table_info(models)")}
    columns = [c for c in schema.TABLES["models"]["columns"] if c in have and c != "gated"]
    for k in range(copies):
        select = ", ".join(f"model_id || '-r{k}'" if c == "model_id" and k else c for c in columns)
        db.conn.execute(
            f"INSERT INTO models ({', '.join(columns)}, gated) SELECT {select}, "
            "CASE abs(random()) % 20 WHEN 0 THEN 'auto' WHEN 1 THEN 'manual' ELSE 'false' END FROM src.models")
        db.conn.commit()
    db.conn.execute("DETACH src")
    schema.ensure_db_shape(db)
    db.conn.execute("ANALYZE")
    db.conn.commit()
    start = time.process_time()
    rows = facets.write(db)  # the build-time facet counts (build/facets.py), as the builder writes them
    print(json.dumps({"facet_counts_rows": rows, "facet_counts_cpu_s": round(time.process_time() - start, 1)}),
          flush=True)
    return db["models"].count


def pages_for(db: Path, word: str) -> list[str]:
    """The pages: ids and an author taken from the database itself, and `word` (a common one)."""
    conn = sqlite3.connect(db)
    try:
        top = conn.execute("SELECT model_id FROM models ORDER BY downloads_30d DESC LIMIT 1").fetchone()[0]
        author = conn.execute("SELECT author FROM models WHERE author IS NOT NULL "
                              "GROUP BY author ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    t = f"/{db.stem}/models"
    return [
        f"/models/{top}", f"/models/{top.upper()}", "/models/nobody/no-such-model",
        f"/-/search?q={top}", f"/-/search?q={top.upper()}",
        f"/-/search?q={author}&all=1", f"/-/search?q={word}&all=1", f"/-/search?q={top[:-1]}&all=1",
        f"{t}.json?_size=0", f"{t}.json?_size=0", f"{t}.json?_size=0",
        f"{t}.json?_size=0&pipeline_tag=text-classification", f"{t}.json?_size=0&pipeline_tag=text-classification",
        f"{t}.json?_size=0&pipeline_tag=text-classification", t,
    ]


async def run_pages(db: Path, pages: list[str], pause: float) -> list[dict]:
    import yaml
    from datasette.app import Datasette

    from build.settings import load

    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text())
    metadata["databases"] = {db.stem: metadata["databases"]["ptm_reuse"]}
    ds = Datasette([], immutables=[str(db)], metadata=metadata, plugins_dir=str(ROOT / "plugins"),
                   template_dir=str(ROOT / "templates"), settings=load())
    await ds.invoke_startup()
    out = []
    for page in pages:
        start, cpu = time.perf_counter(), time.process_time()
        response = await ds.client.get(page)
        ms = round((time.perf_counter() - start) * 1000, 1)
        cpu_ms = round((time.process_time() - cpu) * 1000, 1)  # the process's CPU (SQL threads too)
        row = {"page": page, "ms": ms, "cpu_ms": cpu_ms, "status": response.status_code}
        if ".json" in page:
            row["facets_answered"] = len(response.json().get("facet_results", {}))
        out.append(row)
        print(json.dumps(row), flush=True)
        await asyncio.sleep(pause)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_browse", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--from-db", type=Path, help="a database built from the synthetic snapshot")
    parser.add_argument("--copies", type=int, default=10, help="copies of its models (default 10)")
    parser.add_argument("--db", type=Path, required=True, help="the benchmark's database (made from --from-db)")
    parser.add_argument("--word", default="model", help="a word most ids hold (default: model, as in the synthetic ids)")
    parser.add_argument("--pause", type=float, default=3.0, help="seconds between requests (default 3)")
    args = parser.parse_args(argv)
    if args.from_db:
        print(json.dumps({"models": make_models_db(args.from_db, args.db, args.copies)}), flush=True)
    print(json.dumps({"load_average_before": os.getloadavg()}), flush=True)
    asyncio.run(run_pages(args.db, pages_for(args.db, args.word), args.pause))
    print(json.dumps({"load_average_after": os.getloadavg()}), flush=True)
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
