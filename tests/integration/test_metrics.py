"""The Prometheus endpoint of ``complaintd run`` and the sample alert rules."""

from __future__ import annotations

import re
import signal
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.integration.desk import Desk
from tests.integration.mails import mail
from tests.support.ports import free_port

RULES = Path(__file__).resolve().parents[2] / "config" / "complaintd.rules.yml"


def exposition(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return str(response.read().decode())


def scrape(port: int) -> dict[str, float]:
    """Every sample as ``name{label="value",...}`` -> value."""
    samples = {}
    for family in text_string_to_metric_families(exposition(port)):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def scrape_until(port: int, name: str, value: float, desk: Desk) -> dict[str, float]:
    deadline = time.monotonic() + 20
    while True:
        try:
            samples = scrape(port)
            if samples.get(name) == value:
                return samples
        except OSError:
            samples = {}
        assert time.monotonic() < deadline, f"{name} never {value}: {samples}\n{desk.log()[-3000:]}"
        time.sleep(0.2)


def test_metrics_count_mail_tickets_and_sends_and_show_the_ledger(desk: Desk) -> None:
    port = free_port()
    text = desk.config_path.read_text()
    desk.config_path.write_text(f'{text}\n[metrics]\nlisten = "127.0.0.1:{port}"\n')
    daemon = desk.spawn("run")
    try:
        scrape_until(port, 'complaintd_mailbox_held{mailbox="complaints"}', 1, desk)
        desk.append(mail("Lost parcel", "My parcel SF1234567890123 is lost."))
        samples = scrape_until(port, "complaintd_mail_sent_total", 1, desk)
        # Every metric the sample alert rules use is one the endpoint serves.
        served = set(re.findall(r"^# TYPE (\S+) (\S+)", exposition(port), re.MULTILINE))
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=15) == 0
    assert samples['complaintd_mail_fetched_total{mailbox="complaints"}'] == 1
    assert samples["complaintd_tickets_created_total"] == 1
    assert samples["complaintd_mail_failed_total"] == 0
    assert samples["complaintd_fetch_to_ticket_seconds_count"] == 1
    assert 0 <= samples["complaintd_fetch_to_ticket_seconds_sum"] < 10
    assert samples["complaintd_send_seconds_count"] == 1
    assert samples['complaintd_mailbox_idle{mailbox="complaints"}'] == 1
    assert samples['complaintd_mailbox_stale{mailbox="complaints"}'] == 0
    assert samples['complaintd_outbox_messages{state="failed"}'] == 0
    assert samples["complaintd_inbound_quarantined"] == 0
    assert samples["complaintd_instances_alive"] == 1
    assert samples["complaintd_needs_attention"] == 0
    names = {name for name, _ in served} | {
        f"{name}{suffix}" for name, kind in served if kind == "histogram" for suffix in ("_bucket",)
    }
    used = set(re.findall(r"\b(complaintd_[a-z_]+)", RULES.read_text()))
    assert used and used <= names, used - names
