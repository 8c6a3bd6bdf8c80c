"""Mine GitHub for code that loads Hugging Face Hub models -> a raw snapshot.

    GITHUB_TOKEN=... python -m scripts.mine_github --out SNAPSHOT [--query Q ...] [--max-pages N]

Code search per reuse signature (build/signatures.py), each candidate file fetched and scanned by
scripts/scan/ (the same extraction as `make scan`), with its repository's stars, license, fork,
archived, pushed date and default branch. The token is read from GITHUB_TOKEN (code search needs
one) and written nowhere. GITHUB_API_URL points the client at another API (the tests' fake). An
interrupted run (Ctrl-C, network down, rate-limited for good) exits with status 3 and resumes
where it stopped when run again with the same --out: nothing is written twice.
See docs/dependents.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.github.client import GitHubClient, GitHubError
from scripts.github.mine import MAX_PAGES, mine, queries


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="raw snapshot folder (resumed if a run stopped there)")
    ap.add_argument("--query", action="append", help="a code-search query (default: one per reuse signature)")
    ap.add_argument("--list-queries", action="store_true", help="print the default queries and exit")
    ap.add_argument("--max-pages", type=int, default=MAX_PAGES, help="result pages (100 files each) per query")
    ap.add_argument("--max-retries", type=int, default=5,
                    help="retries of a request that fails with a server or connection error (backoff 1, 2, 4, ... s)")
    ap.add_argument("--date", help="observation date (default: today, UTC)")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    if args.list_queries:
        for q, sigs in queries().items():
            print(f"{q}\t{', '.join(sigs)}")
        return 0
    client = GitHubClient(max_retries=args.max_retries)
    try:
        counts = mine(args.out, client, query_list=args.query, max_pages=args.max_pages, date=args.date,
                      progress=not args.no_progress)
    except GitHubError as e:
        print(f"stopped: {e}. Run the same command again to resume.", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("interrupted. Run the same command again to resume.", file=sys.stderr)
        return 3
    finally:
        client.close()
    print(f"{args.out}: {counts.get('files_fetched', 0)} files fetched, {counts.get('search_pages', 0)} search pages, "
          f"{client.requests} requests this run; rate-limit waits {dict(client.waits)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
