"""The fuzz harness's mutated mail stored for real: fetch row -> intake -> ledger.

tests/fuzz checks the pure stages; this takes the same hostile inputs through
``process_pending`` into SQLite and the throwaway PostgreSQL, where a NUL or a lone
surrogate in any text column fails the insert and the message would be quarantined.
Every input must end as processed, never ``failed``.  ``FUZZ_LEDGER_EXAMPLES`` sets how
many inputs (default 40 each, derandomized; ``FUZZ_PROFILE=long``, as ``make fuzz``
sets it, makes them random and 500 each).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from complaintd.clock import FixedClock
from complaintd.config.loader import load_config
from complaintd.fetch.ledger import FetchedMessage, load_state, reset_for_uidvalidity, store_batch
from complaintd.runtime import Runtime, open_runtime
from complaintd.store.db import close_database
from complaintd.store.models import InboundMessage
from tests.fuzz.mutations import Mutation, Seed, mutate, mutations, seeds
from tests.integration.desk import write_config

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
_UIDS = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def runtime(request: pytest.FixtureRequest, tmp_path: Path, desk_env: None) -> Iterator[Runtime]:
    """A desk's runtime on an empty ledger of each kind (no server is contacted)."""
    url = (
        f"sqlite:///{tmp_path}/ledger.db"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_url")
    )
    path = write_config(
        tmp_path / "complaintd.toml", imap_port=1, smtp_port=1, folder="INBOX", database_url=url
    )
    yield open_runtime(load_config(path), FixedClock(NOW))
    close_database()


LONG = os.environ.get("FUZZ_PROFILE", "ci") == "long"


@settings(
    max_examples=int(os.environ.get("FUZZ_LEDGER_EXAMPLES", "500" if LONG else "40")),
    derandomize=not LONG,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # one ledger for all inputs, on purpose
    ],
)
@given(seed=seeds, changes=mutations)
def test_mutated_mail_is_stored_never_quarantined(
    runtime: Runtime, seed: Seed, changes: list[Mutation]
) -> None:
    from complaintd.workflow.pipeline import process_pending

    raw = mutate(seed[1], changes)
    state = load_state("complaints", "INBOX")
    reset_for_uidvalidity(state, 1)
    [(inbound_id, _)] = store_batch(
        runtime.database, state, "complaint", [FetchedMessage(next(_UIDS), raw)], NOW
    )
    process_pending(runtime)
    row = InboundMessage.get_by_id(inbound_id)
    not_mail = row.error is not None and "PermanentError" in row.error
    assert row.status != "failed" or not_mail, (seed[0], changes, row.error)
