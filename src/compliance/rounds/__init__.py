"""Rounds of inspection: what makes a finding *this* violation across runs.

- :mod:`~compliance.rounds.key` — the secret that student ids are hashed with;
- :mod:`~compliance.rounds.fingerprint` — a finding's stable fingerprint;
- :mod:`~compliance.rounds.baseline` — new / unchanged / fixed against an earlier report;
- :mod:`~compliance.rounds.history` — every run recorded in an SQLite database;
- :mod:`~compliance.rounds.ledger` — the rectification ledger (整改台账) from the history;
- :mod:`~compliance.rounds.evidence` — what was run, on which files, with what.
"""
