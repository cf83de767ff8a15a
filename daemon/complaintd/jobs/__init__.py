"""Timed work: business time, chasers and escalation, the promise, follow-up and surveys.

Every job decides from the ledger at the injected clock's ``now`` (so ``--now`` drives it)
and claims each mail it sends under a unique key in the transaction of its outbox row.
"""
