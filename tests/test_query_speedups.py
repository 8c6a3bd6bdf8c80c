"""Canned queries rewritten for speed at Hub scale (docs/benchmarks.md) give the answer of their
plain definition: each is compared, row for row, with the straightforward SQL it replaced, on the
database built from the real sources, for several parameter values."""

import sqlite3

import pytest

from build.findings import load_queries

# The plain definitions: group every reuse link / every lineage edge, then rank.
REFERENCE = {
    "f01_most_reused_models": """
WITH p AS (SELECT CAST(:top_n AS INTEGER) AS top_n),
per_model AS (
  SELECT model_id, count(*) AS links, count(DISTINCT dependent) AS repositories
  FROM dependents WHERE kind = 'github' GROUP BY model_id
),
ranked AS (
  SELECT *, row_number() OVER (ORDER BY repositories DESC, model_id) AS rank, sum(links) OVER () AS all_links
  FROM per_model
)
SELECT printf('%0' || length((SELECT top_n FROM p)) || 'd %s', rank, r.model_id) AS ranked_model,
  r.model_id, r.repositories, r.links, round(1.0 * r.links / r.all_links, 4) AS share_of_links,
  round(1.0 * sum(r.links) OVER (ORDER BY rank) / r.all_links, 4) AS cumulative_share,
  m.downloads_30d, m.downloads_source, m.license, m.has_card
FROM ranked r JOIN models m USING (model_id)
WHERE rank <= (SELECT top_n FROM p) ORDER BY rank""",
    "f07_base_model_fanout": """
WITH p AS (SELECT CAST(:top_n AS INTEGER) AS top_n),
per_base AS (
  SELECT base_model_id AS model_id, count(DISTINCT model_id) AS derived_models,
         count(DISTINCT model_id) FILTER (WHERE relation = 'finetune') AS finetunes,
         count(DISTINCT model_id) FILTER (WHERE relation = 'adapter') AS adapters,
         count(DISTINCT model_id) FILTER (WHERE relation = 'quantized') AS quantized,
         count(DISTINCT model_id) FILTER (WHERE relation = 'merge') AS merges,
         count(DISTINCT model_id) FILTER (WHERE relation IS NULL) AS relation_not_stated,
         group_concat(DISTINCT source) AS sources
  FROM lineage GROUP BY base_model_id
  ORDER BY derived_models DESC, model_id LIMIT (SELECT top_n FROM p)
)
SELECT printf('%0' || length((SELECT top_n FROM p)) || 'd %s', rank() OVER (ORDER BY b.derived_models DESC),
              b.model_id) AS ranked_model,
  rank() OVER (ORDER BY b.derived_models DESC) AS rank, b.*, m.downloads_30d, m.downloads_source
FROM per_base b JOIN models m USING (model_id)
ORDER BY b.derived_models DESC, b.model_id""",
}


@pytest.mark.real_sources
@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("top_n", [None, "5", "50"])
def test_fast_query_gives_the_plain_answer(real_db, name, top_n):
    query = load_queries()[name]
    params = {k: str(v) for k, v in query.params.items()}
    if top_n:
        params["top_n"] = top_n
    conn = sqlite3.connect(real_db)
    got = conn.execute(query.sql, params).fetchall()
    expected = conn.execute(REFERENCE[name], params).fetchall()
    assert got == expected
    assert len(got) == int(params["top_n"])  # the real data has more than 50 reused models and bases
