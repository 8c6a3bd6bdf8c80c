/* ---
title: "F5: how many model cards report evaluation results machine-readably, by task?"
finding: F5
description: >-
  One named card sample (parameter sample; empty = the largest card sample in the database,
  hn5318's 758 cards of 2024 by default; HFCO2's 44 cards of 2023 are another, never pooled
  with it), parsed by build/cards.py and grouped by task (the card's own pipeline_tag, else
  the model's; "none" when neither says). For each task: how many cards report evaluation
  results as machine-readable model-index metadata (or carry the Hub's model-index tag), how
  many only in the text, as a table of metrics (prose_table) or in prose (prose_text: the
  Trainer's "achieves the following results on the evaluation set" list, or a metric named with
  its value), and how many report any; each share with its denominator (cards) and a 95%
  Wilson interval (_low, _high), since most tasks have a few dozen cards;
  prose_text_trainer_list: the prose_text cards whose text is the Trainer's results list. The first row
  covers every task. Tasks with fewer than min_cards cards (default 5) are left out of the
  per-task rows. Caveat: a sample of cards studied for their quality, not the registry; the
  paper counted every model of August 2022.
fragment: g.mark=bar&g.x_column=task&g.x_type=nominal&g.y_column=machine_readable_share&g.y_type=quantitative
params:
  sample: ""
  min_cards: 5
answer: >-
  Of the {cards:,} model cards sampled by {sample:dated}, {machine_readable:,}
  ({machine_readable_share:.1%}, 95% interval {machine_readable_low:.1%}–{machine_readable_high:.1%})
  report evaluation results as machine-readable metadata and {prose_only:,}
  ({prose_only_share:.1%}) only in the text ({prose_table:,} as a table, {prose_text:,} in prose,
  {prose_text_trainer_list:,} of them the Trainer's "results on the evaluation set" list), so {any_evaluation:,} ({any_share:.1%}) report any
  evaluation. Per task the samples are small: text-generation
  {by[text-generation][machine_readable_share]:.1%} machine-readable of
  {by[text-generation][cards]:,} cards, text-classification
  {by[text-classification][machine_readable_share]:.1%} of {by[text-classification][cards]:,}.
claims:
  - id: F5-token-classification
    claim: Share of token-classification models whose card reports evaluation results
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Fig. 7"
    quoted_value: 526 of 3,130 (17%)
    column: by[token-classification][machine_readable_share]
    n: by[token-classification][cards]
    format: "{:.1%}"
    expected: 0.168
    tolerance: 0.005
    why: >-
      This counts a 2023-2024 sample of cards (hn5318), a few dozen per task, not every model
      of August 2022.
    over: {source: "by[token-classification][sample]", unit: cards}
  - id: F5-text-classification
    claim: Share of text-classification models whose card reports evaluation results
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Fig. 7"
    quoted_value: 872 of 8,764 (10%)
    column: by[text-classification][machine_readable_share]
    n: by[text-classification][cards]
    format: "{:.1%}"
    expected: 0.0995
    tolerance: 0.005
    why: >-
      This counts a 2023-2024 sample of cards (hn5318), a few dozen per task, not every model
      of August 2022.
    over: {source: "by[text-classification][sample]", unit: cards}
  - id: F5-asr
    claim: Share of automatic-speech-recognition models whose card reports evaluation results
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Fig. 7"
    quoted_value: 618 of 3,919 (16%)
    column: by[automatic-speech-recognition][machine_readable_share]
    n: by[automatic-speech-recognition][cards]
    format: "{:.1%}"
    expected: 0.158
    tolerance: 0.005
    why: >-
      This counts a 2023-2024 sample of cards (hn5318), a few dozen per task, not every model
      of August 2022.
    over: {source: "by[automatic-speech-recognition][sample]", unit: cards}
  - id: F5-overall
    claim: Share of models that report evaluation results, over all tasks
    cited_in: "paper (Jiang et al., ICSE 2023, doi:10.1109/ICSE48619.2023.00074), Table IV"
    quoted_value: less than 0.1%
    column: machine_readable_share
    n: cards
    format: "{:.1%}"
    expected: 0.001
    tolerance: 0.001
    why: >-
      The card sample here was drawn by later studies of card quality, which favours
      documented, popular models (and by 2024 the Trainer wrote model-index metadata itself);
      the paper counted every model of August 2022.
    over: {source: sample, unit: cards}
--- */
WITH chosen AS (
  SELECT coalesce(nullif((SELECT sample FROM p), ''),
                  (SELECT source FROM card_evaluations GROUP BY source ORDER BY sum(cards) DESC, source LIMIT 1)) AS sample
),
-- card_evaluations: cards per sample and task, counted by the builder (build/summaries.py)
c AS (SELECT * FROM card_evaluations WHERE source = (SELECT sample FROM chosen)),
per_task AS (
  SELECT task, cards, machine_readable, prose_table, prose_text, trainer_list
  FROM c WHERE cards >= (SELECT min_cards FROM p)
),
everything AS (
  SELECT 'all tasks' AS task, sum(cards) AS cards, sum(machine_readable) AS machine_readable,
         sum(prose_table) AS prose_table, sum(prose_text) AS prose_text, sum(trainer_list) AS trainer_list
  FROM c HAVING sum(cards) > 0
),
shares AS (
  SELECT k, task, cards, machine_readable, prose_table, prose_text, trainer_list,
         prose_table + prose_text AS prose_only,
         machine_readable + prose_table + prose_text AS any_evaluation,
         1.0 * machine_readable / cards AS pm, 1.0 * (machine_readable + prose_table + prose_text) / cards AS pa,
         1.96 * 1.96 / cards AS z2n
  FROM (SELECT 0 AS k, * FROM everything UNION ALL SELECT 1, * FROM per_task)
)
-- 95% Wilson interval: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.96
SELECT task, (SELECT sample FROM chosen) AS sample, cards,
       machine_readable, round(pm, 4) AS machine_readable_share,
       round((pm + z2n / 2 - 1.96 * sqrt(pm * (1 - pm) / cards + z2n / cards / 4)) / (1 + z2n), 4) AS machine_readable_low,
       round((pm + z2n / 2 + 1.96 * sqrt(pm * (1 - pm) / cards + z2n / cards / 4)) / (1 + z2n), 4) AS machine_readable_high,
       prose_only, round(1.0 * prose_only / cards, 4) AS prose_only_share, prose_table, prose_text,
       trainer_list AS prose_text_trainer_list,
       any_evaluation, round(pa, 4) AS any_share,
       round((pa + z2n / 2 - 1.96 * sqrt(pa * (1 - pa) / cards + z2n / cards / 4)) / (1 + z2n), 4) AS any_low,
       round((pa + z2n / 2 + 1.96 * sqrt(pa * (1 - pa) / cards + z2n / cards / 4)) / (1 + z2n), 4) AS any_high
FROM shares
ORDER BY k, cards DESC, task
