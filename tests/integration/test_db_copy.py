"""``db copy --to``: an SQLite ledger moves to PostgreSQL and the desk carries on there."""

from __future__ import annotations

import re

import pytest

from tests.integration.desk import Desk
from tests.integration.mails import mail
from tests.support.samples import generate_mailbox

pytestmark = pytest.mark.postgres


def everything(desk: Desk) -> list[dict]:
    """Every ticket in full, as ``tickets show --format json`` gives it."""
    return [desk.show(ticket["number"]) for ticket in desk.tickets()]


def test_a_sqlite_ledger_copied_to_postgres_carries_on_there(
    staffed_desk: Desk, pg_url: str
) -> None:
    desk = staffed_desk
    desk.append(*generate_mailbox(40, seed=3))
    desk.once()
    before = everything(desk)
    assert len(before) > 20 and any(t["contact_sheets"] for t in before)
    assert any(a for t in before for m in t["messages"] for a in m["attachments"])
    sent_before = len(desk.smtp.messages)

    copied = desk.cli("db", "copy", "--to", pg_url)
    assert copied.code == 0, copied.err
    assert re.search(r"^inbound_raw: 40 row\(s\)$", copied.err, re.MULTILINE), copied.err
    again = desk.cli("db", "copy", "--to", pg_url)
    assert again.code == 1 and "already holds a ledger" in again.err

    found = re.search(r'url = "([^"]+)"', desk.config_path.read_text())
    assert found is not None
    sqlite_url = found.group(1)
    desk.config_path.write_text(desk.config_path.read_text().replace(sqlite_url, pg_url))
    assert everything(desk) == before

    desk.append(
        mail("Lost parcel", "My parcel SF1234567890999 is lost.", sender=("N", "n@x.example"))
    )
    desk.once()
    after = desk.tickets()
    assert len(after) == len(before) + 1  # only the new mail was fetched
    serials = sorted(int(t["number"].rsplit("-", 1)[1]) for t in after)
    assert serials == list(range(1, len(after) + 1))  # the counter came along
    old = {m.parsed()["Message-ID"] for m in desk.smtp.messages[:sent_before]}
    new = [m.parsed()["Message-ID"] for m in desk.smtp.messages[sent_before:]]
    assert new and not old & set(new), "old mail was sent again"
    assert any("n@x.example" in m.rcpt_tos for m in desk.smtp.messages[sent_before:])
