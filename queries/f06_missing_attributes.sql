/* ---
title: "F6: which attributes do models lack? (task, license, datasets, base model, language)"
finding: F6
description: >-
  One row per attribute and source: the models the source describes, how many lack the
  attribute and the share. task, license, base_model: over each registry population that gives
  the field (the populations table; the newest first): the Hub's pipeline tag, the license, the
  base models a mining run records. license, registry estimate: 1 - (repositories with a
  license, Open Future's count of its first date) / (models of the registry population closest
  to that date);
  and the license in card metadata or Hub tags of the card texts (2023-2024 samples).
  datasets, base_model, language: card metadata or Hub tags of the card texts, and the
  "Dataset" column of Adekunle et al.'s 381-model sample (sail2024). Unknown is not missing:
  the card texts of a source none of whose cards records an attribute (HFCO2's texts come
  without license or dataset tags) are counted in unknown, not in models or missing. Card
  texts are counted per source, never pooled across samples: the row "attribute/card texts" is
  the largest card sample that records the attribute, the others are named by source.
  kind says what the denominator is (a registry listing, a sample, an estimate from two
  listings); samples carry a 95% Wilson interval of the missing share (missing_low,
  missing_high). Caveats: a base model is expected only of derived models; card texts are
  samples chosen by other studies.
fragment: g.mark=bar&g.x_column=missing_share&g.x_type=quantitative&g.y_column=measure&g.y_type=nominal
labels:
  missing_share: "Share of models lacking it"
  measure: "Attribute / population"
answer: >-
  {missing_share:.1%} of the {models:,} models of {source} ({observed}) have no task;
  {license_sentence}; of the {by[license/card texts][models]:,} sampled card texts of
  {by[license/card texts][source]} ({by[license/card texts][observed]}), {by[license/card texts][missing_share]:.1%} (95% interval
  {by[license/card texts][missing_low]:.1%}–{by[license/card texts][missing_high]:.1%}) name
  no license, {by[datasets/card texts][missing_share]:.1%} no training dataset,
  {by[language/card texts][missing_share]:.1%} no language and
  {by[base_model/card texts][missing_share]:.1%} no base model; {by[license/card texts][unknown]:,}
  card texts from a source that records no licenses are left out as unknown, not counted as
  missing.
claims:
  - id: F6-no-task
    claim: Share of models without a task (huggingfaceR, 2022-07-02)
    cited_in: "computed from the source: huggingfaceR data set models_with_downloads (github.com/farach/huggingfaceR, 2022-07-02)"
    quoted_value: 33.4%
    column: by[task/huggingfacer][missing_share]
    format: "{:.1%}"
    expected: 0.334
    over: {source: "by[task/huggingfacer][source]", date: "by[task/huggingfacer][observed]", n: "by[task/huggingfacer][models]", unit: models}
  - id: F6-no-license
    claim: Share of model repositories without a license (2022-2023)
    cited_in: Open Future Foundation, AI model licensing (github.com/Open-Future-Foundation/AI-model-licensing, CC0)
    quoted_value: about 70%
    column: by[license/registry estimate][missing_share]
    format: "{:.1%}"
    expected: 0.70
    tolerance: 0.05
    note: >-
      Open Future counts only repositories with a license; the total is Liang et al.'s model
      count of about 2022-10-01, a few days after Open Future's first count.
    over: {source: "by[license/registry estimate][source]", date: "by[license/registry estimate][observed]", n: "by[license/registry estimate][models]", unit: models}
  - id: F6-datasets-adekunle
    claim: Share of language models that list their training datasets
    cited_in: "Adekunle et al. 2024, arXiv:2409.10472"
    quoted_value: only 24% of 52,227 language models
    column: by[datasets/sail2024 sample][present_share]
    n: by[datasets/sail2024 sample][models]
    format: "{:.1%}"
    expected: 0.24
    why: >-
      The study's artifact records datasets per model only for its 381-model sample (column
      "Dataset", Yes/No); the 24% is over all 52,227 models, which the artifact lists without
      that field.
    over: {source: "by[datasets/sail2024 sample][source]", date: "by[datasets/sail2024 sample][observed]", n: "by[datasets/sail2024 sample][models]", unit: models}
--- */
WITH card_sources AS (  -- per card source: its cards, and how many record each attribute (build/summaries.py)
  SELECT source, cards, license, datasets, language, base_model FROM card_attribute_counts
),
missing AS (  -- per source: its models without a task, a license or a base model (build/summaries.py)
  SELECT * FROM missing_attribute_counts
),
card_attributes(attribute, source, cards, present) AS (
  SELECT 'license', source, cards, license FROM card_sources
  UNION ALL SELECT 'datasets', source, cards, datasets FROM card_sources
  UNION ALL SELECT 'language', source, cards, language FROM card_sources
  UNION ALL SELECT 'base_model', source, cards, base_model FROM card_sources
),
card_rows AS (  -- a source none of whose cards records the attribute does not carry it: unknown
  SELECT attribute, source, cards, present,
         row_number() OVER (PARTITION BY attribute ORDER BY cards DESC, source) AS size_rank,
         (SELECT coalesce(sum(u.cards), 0) FROM card_attributes u
           WHERE u.attribute = a.attribute AND u.present = 0) AS unknown
  FROM card_attributes a WHERE present > 0
),
lic AS (  -- Open Future's first count of repositories with a license
  SELECT date, sum(repos) AS repos FROM license_stats WHERE scope = 'general' AND level = 'license'
    AND date = (SELECT min(date) FROM license_stats WHERE scope = 'general')
  HAVING date IS NOT NULL
),
near AS (  -- the registry population closest in date to it
  SELECT q.population, q.date, q.models FROM populations q, lic WHERE q.models > 0
  ORDER BY abs(julianday(q.date) - julianday(substr(lic.date, 1, 10))), q.population LIMIT 1
),
measures(measure, attribute, source, observed, kind, models, missing, unknown) AS (
  SELECT 'task/' || pp.population, 'task', pp.population, pp.date, 'registry listing', pp.models,
         coalesce((SELECT no_task FROM missing WHERE source = pp.population), 0), 0
  FROM populations pp WHERE pp.task > 0
  UNION ALL
  SELECT 'license/' || pp.population, 'license', pp.population, pp.date, 'registry listing', pp.models,
         coalesce((SELECT no_license FROM missing WHERE source = pp.population), 0), 0
  FROM populations pp WHERE pp.license > 0
  UNION ALL
  SELECT 'base_model/' || pp.population, 'base_model', pp.population, pp.date, 'registry listing', pp.models,
         coalesce((SELECT no_base_model FROM missing WHERE source = pp.population), 0), 0
  FROM populations pp WHERE pp.lineage > 0
  UNION ALL
  SELECT 'license/registry estimate', 'license', 'openfuture + ' || near.population, lic.date || ' / ' || near.date,
         'estimate from two listings', near.models, near.models - lic.repos, 0
  FROM lic, near
  UNION ALL
  SELECT attribute || CASE size_rank WHEN 1 THEN '/card texts' ELSE '/card texts ' || source END,
         attribute, c.source, s.snapshot_date, 'sample', cards, cards - present, unknown
  FROM card_rows c LEFT JOIN sources s ON s.id = c.source
  UNION ALL
  SELECT 'datasets/sail2024 sample', 'datasets', 'sail2024', '2024', 'sample',
         count(*), sum(json_extract(extra, '$.Dataset') <> 'Yes'),
         (SELECT count(*) FROM model_observations WHERE source = 'sail2024') - count(*)
  FROM model_observations WHERE source = 'sail2024' AND json_extract(extra, '$.Dataset') IS NOT NULL
),
shares AS (
  SELECT *, 1.0 * missing / models AS p, 1.96 * 1.96 / models AS z2n FROM measures
  WHERE models > 0 AND missing IS NOT NULL
)
SELECT measure, attribute, source, observed, kind, models, missing, unknown,
       round(p, 4) AS missing_share,
       round(1 - p, 4) AS present_share,
       CASE WHEN kind = 'sample' THEN round((p + z2n / 2 - 1.96 * sqrt(p * (1 - p) / models + z2n / models / 4)) / (1 + z2n), 4) END AS missing_low,
       CASE WHEN kind = 'sample' THEN round((p + z2n / 2 + 1.96 * sqrt(p * (1 - p) / models + z2n / models / 4)) / (1 + z2n), 4) END AS missing_high,
       -- the answer's license clause: the newest population that gives licenses, else the estimate
       coalesce(
         (SELECT printf('%.1f%% of the %,d models of %s (%s) have no license', 100.0 * s.p, s.models, s.source, s.observed)
            FROM shares s WHERE s.attribute = 'license' AND s.kind = 'registry listing'
            ORDER BY s.observed DESC LIMIT 1),
         (SELECT printf('about %.0f%% of the registry had no license (%s, %s)', 100.0 * s.p, s.source, s.observed)
            FROM shares s WHERE s.measure = 'license/registry estimate'),
         'no registry population of this database gives licenses') AS license_sentence
FROM shares
ORDER BY instr('task license datasets language base_model', attribute), kind, observed DESC, measure
