"""The Prometheus endpoint (``[metrics] listen``), served by ``complaintd run``.

Two kinds of figures:

* what this process did since it started - counters of mail fetched, tickets created,
  mail sent and mail failed for good, and histograms of fetch-to-ticket latency and of
  the SMTP transaction - kept in memory (several instances: sum them in PromQL);
* what the ledger says now - the figures of ``complaintd status`` - read from the
  database at each scrape (:class:`LedgerCollector`), so every instance reports the
  same, and one scrape target is enough for them.

Names follow the Prometheus conventions: ``complaintd_`` prefix, ``_total`` counters,
base units (``_seconds``).  Sample alert rules: ``config/complaintd.rules.yml``.
"""

from __future__ import annotations

import logging
from collections import Counter as Counts
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric

from complaintd.outbox.sender import Delivery
from complaintd.runtime import Runtime
from complaintd.store.db import close_database
from complaintd.store.models import InboundMessage, Ticket
from complaintd.store.outbox_status import DeliveryOutcome
from complaintd.workflow.pipeline import PassStats

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry()

MAIL_FETCHED = Counter(
    "complaintd_mail_fetched",
    "Messages fetched from IMAP and committed to the ledger by this instance.",
    ["mailbox"],
    registry=REGISTRY,
)
TICKETS_CREATED = Counter(
    "complaintd_tickets_created", "Tickets created by this instance.", registry=REGISTRY
)
MAIL_SENT = Counter(
    "complaintd_mail_sent", "Mails the SMTP server accepted (250).", registry=REGISTRY
)
MAIL_FAILED = Counter(
    "complaintd_mail_failed",
    "Mails that failed for good (5xx, or 4xx past the retry deadline).",
    registry=REGISTRY,
)
FETCH_TO_TICKET = Histogram(
    "complaintd_fetch_to_ticket_seconds",
    "From a message's commit to the ledger to the commit of the ticket it created.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900),
    registry=REGISTRY,
)
SEND = Histogram(
    "complaintd_send_seconds",
    "One SMTP transaction (MAIL FROM to the answer to DATA) that the server accepted.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)


def count_fetched(mailbox: str, count: int) -> None:
    """``count`` messages of ``mailbox`` were committed."""
    MAIL_FETCHED.labels(mailbox=mailbox).inc(count)


def count_processed(stats: PassStats) -> None:
    """New tickets of a processing slice, and how long each waited since its fetch."""
    if not stats.tickets:
        return
    TICKETS_CREATED.inc(len(stats.tickets))
    rows = (
        InboundMessage.select(InboundMessage.fetched_at, InboundMessage.processed_at)
        .join(Ticket, on=InboundMessage.ticket == Ticket.id)
        .where(Ticket.number.in_(stats.tickets) & InboundMessage.processed_at.is_null(False))
    )
    for row in rows:
        FETCH_TO_TICKET.observe(max(0.0, (row.processed_at - row.fetched_at).total_seconds()))


def count_sent(counts: Counts[str]) -> None:
    """Final outcomes of a flush, by outbox status."""
    MAIL_SENT.inc(counts.get("sent", 0))
    MAIL_FAILED.inc(counts.get("failed", 0))


def observe_deliveries(deliveries: list[Delivery]) -> None:
    """The duration of every accepted SMTP transaction."""
    for delivery in deliveries:
        if delivery.outcome == DeliveryOutcome.SENT:
            SEND.observe(delivery.seconds)


def _timestamp(value: str | None) -> float | None:
    return None if value is None else datetime.fromisoformat(value).timestamp()


def ledger_metrics(document: dict[str, Any]) -> Iterator[Metric]:
    """The ``status`` document as gauges (pure)."""

    def gauge(name: str, text: str, labels: Iterable[str] = ()) -> GaugeMetricFamily:
        return GaugeMetricFamily(f"complaintd_{name}", text, labels=list(labels))

    held = gauge("mailbox_held", "1 when a live instance holds the mailbox's lease.", ["mailbox"])
    idle = gauge(
        "mailbox_idle", "1 when the mailbox is watched by IMAP IDLE, 0 polled.", ["mailbox"]
    )
    check = gauge(
        "mailbox_last_check_age_seconds",
        "Since the server was last asked for new mail.",
        ["mailbox"],
    )
    lag = gauge(
        "mailbox_fetch_lag_seconds",
        "How long the newest fetched message had waited on the server.",
        ["mailbox"],
    )
    stale = gauge(
        "mailbox_stale", "1 when nobody fetched the mailbox for 10 poll intervals.", ["mailbox"]
    )
    for mailbox in document["mailboxes"]:
        name = [mailbox["name"]]
        held.add_metric(name, 1 if mailbox["holder"] else 0)
        idle.add_metric(name, 1 if mailbox["mode"] == "idle" else 0)
        stale.add_metric(name, 1 if mailbox["stale"] else 0)
        if mailbox["since_last_check_seconds"] is not None:
            check.add_metric(name, mailbox["since_last_check_seconds"])
        if mailbox["lag_seconds"] is not None:
            lag.add_metric(name, mailbox["lag_seconds"])
    yield from (held, idle, check, lag, stale)

    inbound, outbox = document["inbound"], document["outbox"]
    singles = (
        ("inbound_pending", "Fetched messages waiting to be processed.", inbound["pending"]),
        (
            "inbound_quarantined",
            "Inbound messages that failed (inbound failed).",
            inbound["failed"],
        ),
        (
            "inbound_oldest_waiting_seconds",
            "Age of the oldest message waiting.",
            inbound["oldest_waiting_seconds"],
        ),
        (
            "outbox_oldest_waiting_seconds",
            "Age of the oldest mail not yet sent.",
            outbox["oldest_waiting_seconds"],
        ),
        (
            "outbox_oldest_failed_seconds",
            "Age of the oldest mail that failed for good.",
            outbox["oldest_failed_seconds"],
        ),
        ("instances_alive", "Instances whose heartbeat is fresh.", len(document["instances"])),
        (
            "needs_attention",
            "Things status says need a human (status exits 1).",
            len(document["needs_attention"]),
        ),
    )
    for metric, text, value in singles:
        yield from _single(gauge(metric, text), value)
    messages = gauge("outbox_messages", "Outgoing mail by state.", ["state"])
    for state in ("pending", "retrying", "sending", "failed"):
        messages.add_metric([state], outbox[state])
    yield messages
    last = gauge(
        "job_last_run_timestamp_seconds", "When each timed job last finished.", ["timed_job"]
    )
    failed = gauge("job_last_run_failed", "1 when the job's last run failed.", ["timed_job"])
    for job in document["jobs"]:
        finished = _timestamp(job["finished_at"])
        if finished is not None:
            last.add_metric([job["job"]], finished)
            failed.add_metric([job["job"]], 1 if job["error"] else 0)
    yield from (last, failed)


def _single(family: GaugeMetricFamily, value: float | None) -> Iterator[GaugeMetricFamily]:
    """A gauge without labels; none when the value is unknown."""
    if value is not None:
        family.add_metric([], value)
    yield family


class LedgerCollector:
    """Reads the ledger's figures at each scrape (in the HTTP server's thread)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterator[Metric]:
        """The status figures now; nothing (and a log line) when the database is away."""
        from complaintd.views.status import status_document

        try:
            document = status_document(self.runtime.config, self.runtime.clock.now())
        except Exception as exc:
            log.warning("metrics: cannot read the ledger: %s", exc)
            return
        finally:
            close_database()  # every scrape runs in a thread of its own
        yield from ledger_metrics(document)


class Endpoint:
    """The HTTP endpoint of ``[metrics] listen`` while the daemon runs."""

    def __init__(self, runtime: Runtime) -> None:
        self.collector = LedgerCollector(runtime)
        self.server: Any = None

    def start(self) -> None:
        """Listen when ``[metrics] listen`` is set."""
        metrics = self.collector.runtime.config.metrics
        if metrics is None:
            return
        REGISTRY.register(self.collector)
        self.server, _thread = start_http_server(metrics.port, metrics.host, registry=REGISTRY)
        log.info("metrics on http://%s:%d/metrics", metrics.host, metrics.port)

    def stop(self) -> None:
        """Stop listening."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            REGISTRY.unregister(self.collector)
            self.server = None
