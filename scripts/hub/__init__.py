"""Parts of the live Hub miner (scripts/mine_hub.py, which holds the command line and run()).

One module per job of a run:
- listing.py: page through /api/models, write each model's records, checkpoint after each page.
- cards.py: decide whether a model's README.md must be downloaded (or carried over) and download it.
- aliases.py: resolve legacy model ids to the repositories' current ids.
- manifest.py: the finished run's snapshot.json.
And what they share:
- context.py: the run's options, run folder and HTTP session (RunContext.commit checkpoints).
- client.py: the HTTP side: request budgets, rate-limit handling, retries, token scrubbing.
- records.py: one Hub model listing entry -> raw snapshot records (models, cards, lineage, dependents).
- checkpoint.py: resuming a killed run and carrying unchanged cards over from a previous snapshot.
"""
