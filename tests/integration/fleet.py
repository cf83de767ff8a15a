"""Several ``complaintd run`` instances on one PostgreSQL ledger, one Dovecot, one SMTP sink.

Used by the multi-instance tests and ``tools/bench_instances.py``: start, SIGKILL and
restart instances, watch who holds a mailbox, and check what the ledger and the SMTP sink
ended with (every message one ticket event, serials gap-free, every mail sent).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg2

# Secrets the instances are given; no log line may ever show them.
DB_PASSWORD = "Db-Pa55word-never-logged"
TOKEN_SECRET = "fleet-token-secret-never-logged"


def with_password(url: str) -> str:
    """``url`` with the database password (the test cluster trusts, so it is ignored)."""
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{DB_PASSWORD}@{host}"


@dataclass
class Instance:
    """One ``complaintd run`` process and its log file."""

    number: int
    log: Path
    process: subprocess.Popen[bytes] | None = None
    kills: int = 0


@dataclass
class Fleet:
    """N instances sharing ``config``; ``url`` reaches their ledger for checks."""

    config: Path
    url: str
    size: int
    cpus: Sequence[int] | None = None  # pin instance i to cpus[i % len] with taskset
    instances: list[Instance] = field(default_factory=list)

    def __post_init__(self) -> None:
        directory = self.config.parent
        self.instances = [Instance(i, directory / f"instance-{i}.log") for i in range(self.size)]

    def environment(self) -> dict[str, str]:
        env = os.environ.copy()
        env["COMPLAINTD_TOKEN_SECRET"] = TOKEN_SECRET
        env["COMPLAINTD_IMAP_PASSWORD"] = "pw"
        env.pop("COMPLAINTD_NOW", None)
        return env

    def start(self, number: int) -> Instance:
        """Start instance ``number`` (again)."""
        instance = self.instances[number]
        command = [sys.executable, "-m", "complaintd", "--config", str(self.config), "run"]
        if self.cpus:
            command = ["taskset", "-c", str(self.cpus[number % len(self.cpus)]), *command]
        with instance.log.open("ab") as log:
            instance.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=log, env=self.environment()
            )
        return instance

    def start_all(self) -> None:
        for number in range(self.size):
            self.start(number)

    def kill(self, number: int) -> None:
        """SIGKILL instance ``number``: no clean-up of any kind."""
        process = self.instances[number].process
        assert process is not None and process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        self.instances[number].kills += 1

    def stop_all(self, timeout: float = 15.0) -> list[tuple[int, float]]:
        """SIGTERM every running instance; (exit status, seconds to exit) of each."""
        running = [i.process for i in self.instances if i.process and i.process.poll() is None]
        asked = time.monotonic()
        for process in running:
            process.send_signal(signal.SIGTERM)
        outcomes = []
        for process in running:
            code = process.wait(timeout=timeout)
            outcomes.append((code, time.monotonic() - asked))
        return outcomes

    def number_of_pid(self, pid: int) -> int | None:
        for instance in self.instances:
            if instance.process is not None and instance.process.pid == pid:
                return instance.number
        return None

    @property
    def kills(self) -> int:
        return sum(instance.kills for instance in self.instances)

    def logs(self) -> str:
        return "".join(i.log.read_text(errors="replace") for i in self.instances if i.log.exists())

    # -- the ledger ---------------------------------------------------------------------

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        connection = psycopg2.connect(self.url, connect_timeout=5)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql, tuple(parameters))
                return list(cursor.fetchall())
        finally:
            connection.close()

    def holder_pid(self, mailbox: str = "complaints") -> int | None:
        """The pid of the live instance holding ``mailbox`` (None: nobody)."""
        try:
            rows = self.query(
                "SELECT holder FROM mailbox_lease WHERE mailbox = %s"
                " AND holder IS NOT NULL AND lease_until >= now() AT TIME ZONE 'UTC'",
                (mailbox,),
            )
        except psycopg2.Error:
            return None  # tables not there yet
        return int(rows[0][0].split(":")[1]) if rows else None

    def alive(self) -> int:
        """How many instances beat within the last 20 s and did not stop."""
        try:
            rows = self.query(
                "SELECT count(*) FROM instance WHERE stopped_at IS NULL"
                " AND heartbeat_at >= now() AT TIME ZONE 'UTC' - interval '20 seconds'"
            )
        except psycopg2.Error:
            return 0
        return int(rows[0][0])

    def settled(self, messages: int) -> bool:
        """Every message fetched and processed, and every mail sent."""
        try:
            [(fetched, waiting, unsent)] = self.query(
                "SELECT (SELECT count(*) FROM inbound_message),"
                " (SELECT count(*) FROM inbound_message WHERE status = 'pending'),"
                " (SELECT count(*) FROM outbox WHERE status != 'sent')"
            )
        except psycopg2.Error:
            return False
        return bool(fetched == messages and waiting == 0 and unsent == 0)


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, fleet: Fleet | None = None
) -> float:
    """Poll ``condition`` until true; return the seconds it took; fail with the logs."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            logs = fleet.logs()[-6000:] if fleet else ""
            raise AssertionError(f"{what}: not within {timeout} s\n{logs}")
        time.sleep(0.1)
    return time.monotonic() - started


def check_ledger(fleet: Fleet, messages: int, sink: Any) -> Counter[str]:
    """The promises of a run: every message one ticket event, no ticket twice, serials
    gap-free, every mail sent and received; return how often each Message-ID arrived."""
    rows = fleet.query("SELECT id, uid, status FROM inbound_message")
    assert len(rows) == messages and len({uid for _, uid, _ in rows}) == messages
    assert {status for _, _, status in rows} <= {"processed", "duplicate"}
    twice = fleet.query(
        "SELECT inbound_id FROM message WHERE inbound_id IS NOT NULL"
        " GROUP BY inbound_id HAVING count(*) > 1"
    )
    assert twice == [], f"inbound rows with two messages: {twice}"
    traceless = fleet.query(
        "SELECT i.id FROM inbound_message i WHERE NOT EXISTS"
        " (SELECT 1 FROM message m WHERE m.inbound_id = i.id) AND NOT EXISTS"
        " (SELECT 1 FROM event e WHERE e.inbound_id = i.id)"
    )
    assert traceless == [], f"inbound rows that left no trace: {traceless}"
    same_mail = fleet.query(
        "SELECT message_id FROM message WHERE direction = 'in' AND message_id IS NOT NULL"
        " GROUP BY message_id HAVING count(*) > 1"
    )
    assert same_mail == [], f"a message became two ticket messages: {same_mail}"
    numbers = [number for (number,) in fleet.query("SELECT number FROM ticket")]
    by_period: dict[str, list[int]] = {}
    for number in numbers:
        _prefix, period, serial = number.split("-")
        by_period.setdefault(period, []).append(int(serial))
    for serials in by_period.values():
        assert sorted(serials) == list(range(1, len(serials) + 1)), "serials with gaps"
    outbox = fleet.query("SELECT message_id, status FROM outbox")
    assert outbox and {status for _, status in outbox} == {"sent"}
    received = Counter(m.parsed()["Message-ID"].strip("<>") for m in sink.messages if m.accepted)
    missing = [mid for mid, _ in outbox if received[mid] == 0]
    assert missing == [], f"{len(missing)} mails marked sent never arrived"
    return received


def resent(received: Counter[str]) -> int:
    """How many mails arrived more than once (extra copies)."""
    return sum(count - 1 for count in received.values())


def assert_no_secret(fleet: Fleet) -> None:
    logs = fleet.logs()
    assert logs, "no log at all"
    for secret in (DB_PASSWORD, TOKEN_SECRET):
        assert secret not in logs, "a secret is in the log"
