/* ---
title: "F6: which attributes do models lack? (task, license, datasets, base model, language)"
finding: F6
description: >-
  One row per attribute and source: the models the source describes, how many lack the
  attribute and the share. task: the Hub's pipeline tag in huggingfaceR (2022-07-02) and Liang
  et al. (about 2022-10-01). license: an estimate for the whole registry, 1 - (repositories with
  a license, Open Future's count of 2022-09-27) / (models in Liang et al., about 2022-10-01);
  and the license in card metadata or Hub tags of the card texts (2023-2024 samples).
  datasets, base_model, language: card metadata or Hub tags of the card texts, and the
  "Dataset" column of Adekunle et al.'s 381-model sample (sail2024). Caveats: a base model is
  expected only of derived models; card texts are samples chosen by other studies.
fragment: g.mark=bar&g.x_column=missing_share&g.x_type=quantitative&g.y_column=measure&g.y_type=nominal
labels:
  missing_share: "Share of models lacking it"
  measure: "Attribute / population"
answer: >-
  {by[task/huggingfacer][missing_share]:.1%} of the models in huggingfaceR (2022-07-02) have no
  task; about {by[license/registry estimate][missing_share]:.0%} of the registry had no license
  in late 2022; among the card texts {by[license/card texts][missing_share]:.1%} name no
  license, {by[datasets/card texts][missing_share]:.1%} no training dataset,
  {by[language/card texts][missing_share]:.1%} no language and
  {by[base_model/card texts][missing_share]:.1%} no base model.
claims:
  - id: F6-no-task
    claim: Share of models without a task (huggingfaceR, 2022-07-02)
    cited_in: FINDINGS.md, computed from the huggingfaceR source
    quoted_value: 33.4%
    column: by[task/huggingfacer][missing_share]
    format: "{:.1%}"
    expected: 0.334
  - id: F6-no-license
    claim: Share of model repositories without a license (2022-2023)
    cited_in: Open Future Foundation, AI model licensing (CC0)
    quoted_value: about 70%
    column: by[license/registry estimate][missing_share]
    format: "{:.1%}"
    expected: 0.70
    tolerance: 0.05
    note: >-
      Open Future counts only repositories with a license; the total is Liang et al.'s model
      count of about 2022-10-01, a few days after Open Future's first count.
  - id: F6-datasets-adekunle
    claim: Share of language models that list their training datasets
    cited_in: Adekunle et al. 2024
    quoted_value: only 24% of 52,227 language models
    column: by[datasets/sail2024 sample][present_share]
    format: "{:.1%}"
    expected: 0.24
    why: >-
      The study's artifact records datasets per model only for its 381-model sample (column
      "Dataset", Yes/No); the 24% is over all 52,227 models, which the artifact lists without
      that field.
--- */
WITH cards_meta AS (
  SELECT count(*) AS models,
         sum(license IS NULL) AS no_license,
         sum(coalesce(datasets, '[]') = '[]') AS no_datasets,
         sum(coalesce(language, '[]') = '[]') AS no_language,
         sum(coalesce(base_model, '[]') = '[]') AS no_base_model
  FROM cards
),
measures(measure, attribute, source, observed, models, missing) AS (
  SELECT 'task/' || s.id, 'task', s.id, s.snapshot_date,
         (SELECT count(*) FROM model_observations o WHERE o.source = s.id),
         (SELECT count(*) FROM model_observations o WHERE o.source = s.id AND o.pipeline_tag IS NULL)
  FROM sources s WHERE s.id IN ('huggingfacer', 'liang2024')
  UNION ALL
  SELECT 'license/registry estimate', 'license', 'openfuture + liang2024', '2022-09-27 / 2022-10-01',
         (SELECT count(*) FROM model_observations WHERE source = 'liang2024'),
         (SELECT count(*) FROM model_observations WHERE source = 'liang2024')
         - (SELECT sum(repos) FROM license_stats WHERE scope = 'general' AND level = 'license'
              AND date = (SELECT min(date) FROM license_stats WHERE scope = 'general'))
  UNION ALL SELECT 'license/card texts', 'license', 'cards', NULL, models, no_license FROM cards_meta
  UNION ALL SELECT 'datasets/card texts', 'datasets', 'cards', NULL, models, no_datasets FROM cards_meta
  UNION ALL
  SELECT 'datasets/sail2024 sample', 'datasets', 'sail2024', '2024',
         count(*), sum(json_extract(extra, '$.Dataset') <> 'Yes')
  FROM model_observations WHERE source = 'sail2024' AND json_extract(extra, '$.Dataset') IS NOT NULL
  UNION ALL SELECT 'language/card texts', 'language', 'cards', NULL, models, no_language FROM cards_meta
  UNION ALL SELECT 'base_model/card texts', 'base_model', 'cards', NULL, models, no_base_model FROM cards_meta
)
SELECT measure, attribute, source, observed, models, missing,
       round(1.0 * missing / models, 4) AS missing_share,
       round(1 - 1.0 * missing / models, 4) AS present_share
FROM measures
WHERE models > 0 AND missing IS NOT NULL
