"""What ``status`` says needs a human, and the same figures as Prometheus gauges (pure)."""

from __future__ import annotations

from typing import Any

from complaintd.service.metrics import ledger_metrics
from complaintd.views.status import needs_attention


def document(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "mailboxes": [
            {
                "name": "complaints",
                "mode": "idle",
                "holder": "host:1:ab",
                "stale": False,
                "since_last_check_seconds": 3,
                "lag_seconds": 1.5,
            }
        ],
        "inbound": {"pending": 2, "failed": 0, "oldest_waiting_seconds": 4},
        "outbox": {
            "pending": 1,
            "retrying": 1,
            "sending": 0,
            "failed": 0,
            "oldest_waiting_seconds": 60,
            "oldest_failed_seconds": None,
        },
        "jobs": [
            {"job": "chase", "finished_at": "2026-12-06T10:00:00+08:00", "error": None},
            {"job": "survey", "finished_at": None, "error": None},
        ],
        "instances": [{"holder": "host:1:ab"}],
    }
    for key, value in changes.items():
        base[key] = {**base[key], **value} if isinstance(value, dict) else value
    base["needs_attention"] = needs_attention(base)
    return base


def test_all_well_needs_nobody() -> None:
    assert document()["needs_attention"] == []


def test_quarantine_failed_mail_and_a_stale_mailbox_need_a_human() -> None:
    stale = [{"name": "fax", "stale": True, "since_last_check_seconds": None}]
    reasons = document(inbound={"failed": 2}, outbox={"failed": 1}, mailboxes=stale)[
        "needs_attention"
    ]
    assert reasons == [
        "2 inbound message(s) quarantined",
        "1 outgoing mail(s) failed",
        "mailbox fax fetched never",
    ]


def test_the_status_figures_as_gauges() -> None:
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in ledger_metrics(document())
        for sample in family.samples
    }
    assert samples[("complaintd_mailbox_held", (("mailbox", "complaints"),))] == 1
    assert samples[("complaintd_mailbox_idle", (("mailbox", "complaints"),))] == 1
    assert samples[("complaintd_mailbox_fetch_lag_seconds", (("mailbox", "complaints"),))] == 1.5
    assert samples[("complaintd_outbox_messages", (("state", "retrying"),))] == 1
    assert samples[("complaintd_inbound_pending", ())] == 2
    assert ("complaintd_outbox_oldest_failed_seconds", ()) not in samples  # unknown: no sample
    assert samples[("complaintd_job_last_run_timestamp_seconds", (("timed_job", "chase"),))] == (
        1796522400.0  # 2026-12-06 02:00 UTC
    )
    assert ("complaintd_job_last_run_timestamp_seconds", (("timed_job", "survey"),)) not in samples
    assert samples[("complaintd_needs_attention", ())] == 0
