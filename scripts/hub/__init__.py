"""Parts of the live Hub miner (scripts/mine_hub.py).

- client.py: the HTTP side: request budgets, rate-limit handling, retries, token scrubbing.
- records.py: one Hub model listing entry -> raw snapshot records (models, cards, lineage, dependents).
- checkpoint.py: resuming a killed run and carrying unchanged cards over from a previous snapshot.
"""
