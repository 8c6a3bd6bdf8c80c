/* ---
title: "F5: how many model cards report evaluation results machine-readably, by task?"
finding: F5
description: >-
  For every card text this database holds (758 cards sampled by hn5318 in 2024 and 44 from
  HFCO2, 2023, parsed by build/cards.py), grouped by task (the card's own pipeline_tag, else the
  model's; "none" when neither says), how many report evaluation results as machine-readable
  model-index metadata (or carry the Hub's model-index tag), how many only as a table of
  metrics in the text, and the shares. The first row covers every task. Tasks with fewer than
  min_cards cards (default 5) are left out of the per-task rows. Caveat: a sample of cards
  studied for their quality, not the registry; the paper counted every model of August 2022.
fragment: g.mark=bar&g.x_column=task&g.x_type=nominal&g.y_column=machine_readable_share&g.y_type=quantitative
labels:
  task: "Task"
  machine_readable_share: "Share of cards with machine-readable results"
params:
  min_cards: 5
answer: >-
  Of {cards:,} model cards, {machine_readable:,} ({machine_readable_share:.1%}) report
  evaluation results as machine-readable metadata and {prose_only:,} ({prose_only_share:.1%})
  only as a table in the text; for text-generation the share is
  {by[text-generation][machine_readable_share]:.1%}, for text-classification
  {by[text-classification][machine_readable_share]:.1%}.
claims:
  - id: F5-token-classification
    claim: Share of token-classification models whose card reports evaluation results
    cited_in: paper (Jiang et al., ICSE 2023), Fig. 7
    quoted_value: 526 of 3,130 (17%)
    column: by[token-classification][machine_readable_share]
    format: "{:.1%}"
    expected: 0.168
    tolerance: 0.005
    why: >-
      This counts a 2023-2024 sample of cards (hn5318, HFCO2), a few dozen per task, not every
      model of August 2022.
    note: A few dozen cards per task, so an agreement or a difference may be chance.
  - id: F5-text-classification
    claim: Share of text-classification models whose card reports evaluation results
    cited_in: paper (Jiang et al., ICSE 2023), Fig. 7
    quoted_value: 872 of 8,764 (10%)
    column: by[text-classification][machine_readable_share]
    format: "{:.1%}"
    expected: 0.0995
    tolerance: 0.005
    why: >-
      This counts a 2023-2024 sample of cards (hn5318, HFCO2), a few dozen per task, not every
      model of August 2022.
    note: A few dozen cards per task, so an agreement or a difference may be chance.
  - id: F5-asr
    claim: Share of automatic-speech-recognition models whose card reports evaluation results
    cited_in: paper (Jiang et al., ICSE 2023), Fig. 7
    quoted_value: 618 of 3,919 (16%)
    column: by[automatic-speech-recognition][machine_readable_share]
    format: "{:.1%}"
    expected: 0.158
    tolerance: 0.005
    why: >-
      This counts a 2023-2024 sample of cards (hn5318, HFCO2), a few dozen per task, not every
      model of August 2022.
    note: A few dozen cards per task, so an agreement or a difference may be chance.
  - id: F5-overall
    claim: Share of models that report evaluation results, over all tasks
    cited_in: paper (Jiang et al., ICSE 2023), Table IV
    quoted_value: less than 0.1%
    column: machine_readable_share
    format: "{:.1%}"
    expected: 0.001
    tolerance: 0.001
    why: >-
      The card sample here was drawn by later studies of card quality, which favours
      documented, popular models (and by 2024 the Trainer wrote model-index metadata itself);
      the paper counted every model of August 2022.
--- */
WITH c AS (
  SELECT coalesce(c.pipeline_tag, m.pipeline_tag, 'none') AS task,
         c.eval_reporting = 'model-index' AS machine_readable,
         c.eval_reporting = 'prose-table' AS prose_only
  FROM cards c JOIN models m USING (model_id)
),
per_task AS (
  SELECT task, count(*) AS cards, sum(machine_readable) AS machine_readable, sum(prose_only) AS prose_only
  FROM c GROUP BY task HAVING count(*) >= (SELECT min_cards FROM p)
),
everything AS (
  SELECT 'all tasks' AS task, count(*) AS cards, sum(machine_readable) AS machine_readable,
         sum(prose_only) AS prose_only
  FROM c HAVING count(*) > 0
)
SELECT task, cards, machine_readable, round(1.0 * machine_readable / cards, 4) AS machine_readable_share,
       prose_only, round(1.0 * prose_only / cards, 4) AS prose_only_share
FROM (SELECT 0 AS k, * FROM everything UNION ALL SELECT 1, * FROM per_task)
ORDER BY k, cards DESC, task
