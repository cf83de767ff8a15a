"""Two and three ``complaintd run`` instances on one PostgreSQL, one Dovecot, one SMTP sink.

Instances are SIGKILLed and restarted; servers go away and come back.  After each run
the ledger must keep every promise (``fleet.check_ledger``): every message one ticket
event, no ticket twice, gap-free serials, every mail sent; a killed fetcher's mailbox is
taken over within 30 s, and no log shows a secret.  ``make test`` runs the first (small)
one; ``make test-multi`` runs them all.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from complaintd.store.leases import LEASE_SECONDS
from tests.integration.desk import write_config
from tests.integration.fleet import (
    Fleet,
    assert_no_secret,
    check_ledger,
    resent,
    wait_for,
    with_password,
)
from tests.support.dovecot import DovecotServer
from tests.support.postgres import PostgresServer, create_database
from tests.support.samples import generate_mailbox
from tests.support.smtpsink import SmtpSink

pytestmark = [pytest.mark.multi, pytest.mark.postgres]

TAKEOVER_LIMIT = 30.0  # seconds from the holder's death to another instance holding


def make_fleet(
    tmp_path: Path, dovecot: DovecotServer, sink: Any, folder: str, url: str, size: int
) -> Fleet:
    config = write_config(
        tmp_path / "complaintd.toml",
        imap_port=dovecot.port,
        smtp_port=sink.port,
        folder=folder,
        database_url=with_password(url),
    )
    return Fleet(config, url, size)


@pytest.fixture
def stop_fleets() -> Iterator[list[Fleet]]:
    """Every fleet a test made is stopped afterwards, whatever happened."""
    fleets: list[Fleet] = []
    yield fleets
    for fleet in fleets:
        for instance in fleet.instances:
            if instance.process is not None and instance.process.poll() is None:
                instance.process.kill()
                instance.process.wait(timeout=10)


@pytest.fixture
def fleet_of(
    tmp_path: Path,
    dovecot: DovecotServer,
    smtp_sink: Any,
    imap_folder: str,
    pg_url: str,
    stop_fleets: list[Fleet],
) -> Callable[[int], Fleet]:
    """``fleet_of(n)``: n instances on the session's Dovecot, a fresh sink and database."""

    def make(size: int) -> Fleet:
        fleet = make_fleet(tmp_path, dovecot, smtp_sink, imap_folder, pg_url, size)
        stop_fleets.append(fleet)
        return fleet

    return make


def kill_holder_and_time_takeover(fleet: Fleet) -> float:
    """SIGKILL whoever fetches the mailbox; seconds until another instance holds it."""
    pid = wait_for_holder(fleet)
    number = fleet.number_of_pid(pid)
    assert number is not None
    fleet.kill(number)
    started = time.monotonic()
    wait_for(lambda: fleet.holder_pid() not in (None, pid), TAKEOVER_LIMIT + 5, "a takeover", fleet)
    return time.monotonic() - started


def wait_for_holder(fleet: Fleet) -> int:
    """The pid of a live instance holding the mailbox.  A holder killed a moment ago
    still holds the lease until it runs out (20 s): wait for its successor then."""
    wait_for(lambda: live_holder(fleet) is not None, 60, "a live mailbox holder", fleet)
    pid = live_holder(fleet)
    assert pid is not None
    return pid


def live_holder(fleet: Fleet) -> int | None:
    """The holder's pid when it is one of the fleet's running instances, else None."""
    pid = fleet.holder_pid()
    number = None if pid is None else fleet.number_of_pid(pid)
    process = None if number is None else fleet.instances[number].process
    return pid if process is not None and process.poll() is None else None


def finish(fleet: Fleet, messages: int, sink: Any, *, kills_resend: bool) -> None:
    """Wait for the fleet to settle, stop it cleanly, check every promise."""
    wait_for(lambda: fleet.settled(messages), 180, f"{messages} messages settled", fleet)
    running = sum(1 for i in fleet.instances if i.process and i.process.poll() is None)
    wait_for(lambda: fleet.alive() >= running, 30, "every instance up", fleet)
    for code, seconds in fleet.stop_all():
        assert code == 0 and seconds < 10, (code, seconds)
    received = check_ledger(fleet, messages, sink)
    extra = resent(received)
    print(f"{extra} mail(s) sent twice after {fleet.kills} SIGKILL(s)")
    if kills_resend:  # a SIGKILL between the server's 250 and our commit: sent again
        assert extra <= fleet.kills * 4, f"{extra} resent after {fleet.kills} kills"
    else:
        assert extra == 0, "a mail was sent twice"
    assert_no_secret(fleet)


def test_two_instances_share_the_work_and_replace_a_killed_fetcher(
    fleet_of: Callable[[int], Fleet], dovecot: DovecotServer, smtp_sink: Any, imap_folder: str
) -> None:
    fleet = fleet_of(2)
    raws = generate_mailbox(60, seed=16)
    fleet.start(0)
    assert fleet.number_of_pid(wait_for_holder(fleet)) == 0
    fleet.start(1)
    dovecot.append_many("complaints", imap_folder, raws[:30])
    wait_for(lambda: fleet.settled(30), 60, "the first 30 settled", fleet)

    dovecot.append_many("complaints", imap_folder, raws[30:])
    took = kill_holder_and_time_takeover(fleet)
    print(f"takeover after SIGKILL of the holder: {took:.1f} s")
    assert took < TAKEOVER_LIMIT
    assert took > LEASE_SECONDS - 6  # the lease, not luck, decided it
    fleet.start(0)  # back, as a standby now
    finish(fleet, len(raws), smtp_sink, kills_resend=True)
    on_server = dovecot.count("complaints", imap_folder) + dovecot.count(
        "complaints", f"{imap_folder}_done"
    )
    assert on_server == len(raws)


@pytest.mark.slow
def test_three_instances_killed_at_random_lose_and_duplicate_nothing(
    fleet_of: Callable[[int], Fleet], dovecot: DovecotServer, smtp_sink: Any, imap_folder: str
) -> None:
    fleet = fleet_of(3)
    rng = random.Random(16)
    raws = generate_mailbox(1000, seed=17)
    fleet.start_all()
    takeovers = []
    for wave in range(10):
        dovecot.append_many("complaints", imap_folder, raws[wave * 100 : (wave + 1) * 100])
        time.sleep(rng.uniform(0.2, 2.0))
        if wave % 3 == 1:
            takeovers.append(kill_holder_and_time_takeover(fleet))
        else:
            victim = rng.randrange(3)
            process = fleet.instances[victim].process
            if process is not None and process.poll() is None:
                fleet.kill(victim)
        for instance in fleet.instances:  # restart the dead
            if instance.process is None or instance.process.poll() is not None:
                fleet.start(instance.number)
    print(f"{fleet.kills} kills; takeovers {[round(t, 1) for t in takeovers]} s")
    assert max(takeovers) < TAKEOVER_LIMIT
    finish(fleet, len(raws), smtp_sink, kills_resend=True)


@pytest.mark.slow
def test_smtp_down_for_a_while_then_back(
    tmp_path: Path, dovecot: DovecotServer, imap_folder: str, pg_url: str, stop_fleets: list[Fleet]
) -> None:
    with SmtpSink() as sink:
        fleet = make_fleet(tmp_path, dovecot, sink, imap_folder, pg_url, 2)
        stop_fleets.append(fleet)
        fleet.start_all()
        wait_for_holder(fleet)
        sink.stop()
        raws = generate_mailbox(40, seed=18)
        dovecot.append_many("complaints", imap_folder, raws)
        wait_for(
            lambda: (
                fleet.query(
                    "SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts > 0"
                )[0][0]
                > 0
            ),
            60,
            "mail waiting to be retried",
            fleet,
        )
        time.sleep(5)
        sink.start()  # same port
        finish(fleet, len(raws), sink, kills_resend=False)


@pytest.mark.slow
def test_dovecot_restarted_mid_idle(
    tmp_path: Path, smtp_sink: Any, pg_url: str, stop_fleets: list[Fleet]
) -> None:
    with DovecotServer(users={"complaints": "pw"}) as dovecot:
        folder = "INBOX"
        fleet = make_fleet(tmp_path, dovecot, smtp_sink, folder, pg_url, 2)
        stop_fleets.append(fleet)
        raws = generate_mailbox(40, seed=19)
        fleet.start_all()
        dovecot.append_many("complaints", folder, raws[:20])
        wait_for(lambda: fleet.settled(20), 60, "the first 20 settled", fleet)
        time.sleep(1)  # the holder is in IDLE now
        dovecot.restart(down_seconds=3)
        dovecot.append_many("complaints", folder, raws[20:])
        finish(fleet, len(raws), smtp_sink, kills_resend=False)


@pytest.mark.slow
def test_postgres_restarted_mid_pass(
    tmp_path: Path,
    dovecot: DovecotServer,
    smtp_sink: Any,
    imap_folder: str,
    stop_fleets: list[Fleet],
) -> None:
    with PostgresServer() as server:
        create_database(server.url(), "desk")
        url = server.url("desk")
        fleet = make_fleet(tmp_path, dovecot, smtp_sink, imap_folder, url, 2)
        stop_fleets.append(fleet)
        raws = generate_mailbox(300, seed=20)
        fleet.start_all()
        wait_for_holder(fleet)
        dovecot.append_many("complaints", imap_folder, raws)
        wait_for(
            lambda: fleet.query("SELECT count(*) FROM ticket")[0][0] >= 20,
            60,
            "the pass under way",
            fleet,
        )
        server.restart(down_seconds=3)
        finish(fleet, len(raws), smtp_sink, kills_resend=False)
