"""The admins' reports: the daily digest and the monthly hot-spot report.

Both read the ledger with a handful of GROUP BY queries on indexed columns
(:mod:`.queries`), turn the rows into the typed contexts of :mod:`.contexts`, draw their
charts (:mod:`.charts`) and go out through the outbox once per period (:mod:`.send`).
"""
