"""The build fills the summary tables (build/summaries.py) on two connections at once; the rows are
those one connection alone gives, and a failure on either connection fails the build's step."""

import shutil
import sqlite3
import threading
import time

import pytest
import sqlite_utils

from build import summaries
from build.db import connect, sibling_paths


def _copy(db_path, folder):
    """The database and its siblings, copied (the session's database is shared by other tests)."""
    for path in [db_path, *sibling_paths(db_path).values()]:
        shutil.copy(path, folder / path.name)
    return folder / db_path.name


def _tables(conn):
    return {name: conn.execute(f"SELECT * FROM [{name}] ORDER BY rowid").fetchall() for name in summaries.SUMMARIES}


@pytest.mark.parametrize("which", ["fixture", pytest.param("real", marks=pytest.mark.real_sources)])
def test_the_build_two_connections_give_the_rows_of_one(request, which, tmp_path):
    built = request.getfixturevalue(f"{which}_db")
    with connect(built) as conn:
        by_build = _tables(conn)
    copy = _copy(built, tmp_path)
    with sqlite_utils.Database(connect(copy, mode="rw")) as db:
        summaries.write(db)  # one connection: the plain way
        alone = _tables(db.conn)
    assert by_build == alone
    assert sum(len(rows) for rows in alone.values()) > 0


def test_jobs_run_every_summary_once_and_keep_what_shares_a_temp_table_together():
    jobs = summaries.jobs()
    assert sorted(name for job in jobs for name in job) == sorted(summaries.SUMMARIES)
    for table in summaries.TEMP_TABLES:
        readers = [job for job in jobs if any(f"temp.{table}" in summaries.SUMMARIES[n][1] for n in job)]
        assert len(readers) == 1, table
    job_of = {name: i for i, job in enumerate(jobs) for name in job}
    # lineage_bases reads lineage_sources: after it, on the same connection
    assert job_of["lineage_bases"] == job_of["lineage_sources"]
    assert jobs[job_of["lineage_sources"]].index("lineage_sources") < jobs[job_of["lineage_bases"]].index("lineage_bases")
    assert len(jobs) > 2  # there is something to share between two connections


def _wal_copy(fixture_db, tmp_path):
    copy = _copy(fixture_db, tmp_path)
    db = sqlite_utils.Database(connect(copy, mode="rw"))
    db.execute("PRAGMA main.journal_mode = WAL")
    return copy, db


def test_a_helper_that_cannot_connect_fails_the_write(fixture_db, tmp_path):
    copy, db = _wal_copy(fixture_db, tmp_path)

    def broken():
        raise sqlite3.OperationalError("unable to open database file")

    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        summaries.write(db, connect=broken)
    db.close()


def test_when_this_connection_fails_the_helper_is_interrupted_and_the_error_raised(fixture_db, tmp_path):
    copy, db = _wal_copy(fixture_db, tmp_path)
    failed_at, late = [], []

    def helper_connection():
        conn = connect(copy, mode="ro")

        def crawl():  # the helper crawls (100 ms each 100 steps: its share takes over 100 such steps)
            time.sleep(0.1)
            if failed_at and time.monotonic() - failed_at[0] > 3:
                late.append(True)  # not interrupted: give up
                return 1
            return 0

        conn.set_progress_handler(crawl, 100)
        return conn

    def failing():
        failed_at.append(time.monotonic())
        raise KeyboardInterrupt

    before = threading.active_count()
    with pytest.raises(KeyboardInterrupt):
        summaries.write(db, connect=helper_connection, alongside=failing)
    assert not late
    assert threading.active_count() == before  # the helper thread has ended
    db.close()


def test_with_a_helper_the_rows_are_those_of_one_connection(fixture_db, tmp_path):
    copy, db = _wal_copy(fixture_db, tmp_path)
    used = []

    def helper_connection():
        conn = connect(copy, mode="ro")
        used.append(conn)
        return conn

    summaries.write(db, connect=helper_connection)
    two = _tables(db.conn)
    summaries.write(db)
    assert _tables(db.conn) == two
    assert used  # the helper did run
    db.close()
