"""Build-time facet counts of the models table: what Datasette's facets would count on every request.

At Hub size (2,000,000 models, docs/benchmarks.md) a facet is a GROUP BY over two million rows, and
a facet of a page filtered on one facet value reads that value's rows from the table: together
more than `facet_time_limit_ms` allows. `write(db)` runs once per build, after the models table,
and fills `facet_counts` with the answers of the pages a Hub user reaches first:

- the whole table: for each facet column of MODEL_FACETS, its values and their model counts
  (`filter_column` and `filter_value` are '');
- the table filtered on one value of one facet column (`?pipeline_tag=text-classification`): for
  each facet column, its values and counts among those models.

The models whose facet column is NULL are counted too (value NULL: a facet column with no value
at all is still known to be counted); Datasette's facet does not show them. `value` and
`filter_value` keep the column's type (1, not '1'): plugins/ptm_serving.py finds the stored value
a page's filter matches with the filter itself (`WHERE column = ? LIMIT 1`, an index seek).
plugins/ptm_serving.py answers a facet of those pages from this table, and any other page (two
filters, a search, another column) by running Datasette's own facet query;
tests/test_model_pages.py checks that both give the same counts. One GROUP BY of the models table
on all the facet columns at once, then the small groups are summed (deterministic: same database,
same rows).
"""

from __future__ import annotations

import sqlite_utils

# The facets of the models table (metadata.yml, tables.models.facets; a test checks they agree).
MODEL_FACETS = ("pipeline_tag", "library_name", "license", "has_card", "gated", "in_paper_snapshot")

CREATE = """
CREATE TABLE facet_counts (
  filter_column TEXT NOT NULL,
  filter_value NOT NULL,
  facet_column TEXT NOT NULL,
  value,
  count INTEGER NOT NULL
)"""
INDEX = "CREATE INDEX idx_facet_counts ON facet_counts (filter_column, filter_value, facet_column, count DESC, value)"


def write(db: sqlite_utils.Database, finish: bool = True) -> int:
    """Create (or replace) and fill `facet_counts`; return its row count. With finish=False, its
    index and statistics are left to index_and_analyze(db): the builder fills the table beside the
    summaries (build/summaries.py), and writes its statistics after theirs, as it always did."""
    columns = ", ".join(f"[{c}]" for c in MODEL_FACETS)
    db.execute("DROP TABLE IF EXISTS facet_counts")
    db.execute("DROP TABLE IF EXISTS temp.facet_groups")
    db.execute(CREATE)
    db.execute(f"CREATE TEMP TABLE facet_groups AS SELECT {columns}, count(*) AS n FROM models GROUP BY {columns}")
    for column in MODEL_FACETS:
        db.execute(f"""INSERT INTO facet_counts SELECT '', '', ?, [{column}], sum(n) FROM temp.facet_groups
                       GROUP BY [{column}] ORDER BY 4""", [column])
    for by in MODEL_FACETS:
        for column in MODEL_FACETS:
            db.execute(f"""INSERT INTO facet_counts SELECT ?, [{by}], ?, [{column}], sum(n) FROM temp.facet_groups
                           WHERE [{by}] IS NOT NULL
                           GROUP BY [{by}], [{column}] ORDER BY 2, 4""", [by, column])
    db.execute("DROP TABLE temp.facet_groups")
    if finish:
        index_and_analyze(db)
    db.conn.commit()
    return db["facet_counts"].count


def index_and_analyze(db: sqlite_utils.Database) -> None:
    """The index of `facet_counts` and its statistics."""
    db.execute(INDEX)
    db.execute("ANALYZE facet_counts")
    db.conn.commit()
