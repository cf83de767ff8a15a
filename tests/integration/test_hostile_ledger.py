"""Hostile and odd mail on both ledgers (issue 11, item 9): what becomes a ticket on SQLite
becomes the same ticket on PostgreSQL, never a quarantine.

The mail is written as the sender writes it - raw bytes through the real Dovecot, the
desk's mail out through the real SMTP sink: a NUL inside an encoded display name, an
address and a display name longer than 255 characters, a Message-ID longer than a mail
line may be, a quantity of hundreds of digits, Thunderbird's RFC 2231 continuation of a
long Chinese file name, a NUL and 8-bit junk in the Message-ID header itself.
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from complaintd.clock import SystemClock
from complaintd.fetch.ledger import FetchedMessage, load_state, reset_for_uidvalidity, store_batch
from complaintd.parse.filenames import safe_filename
from complaintd.store import migrations
from complaintd.store.db import close_database, open_database
from complaintd.store.models import (
    Attachment,
    InboundMessage,
    InboundRaw,
    Message,
    Outbox,
    Participant,
)
from tests.integration.desk import Desk, write_config
from tests.support.dovecot import DovecotServer

NOW = "2026-11-20T10:00:00+08:00"
DATE = "Fri, 20 Nov 2026 09:30:00 +0800"

LEDGERS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=LEDGERS)
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh ledger of each kind."""
    if request.param == "postgres":
        yield request.getfixturevalue("pg_url")
    else:
        yield f"sqlite:///{tmp_path}/ledger.db"
    close_database()


@pytest.fixture
def hostile_desk(
    ledger_url: str,
    tmp_path: Path,
    dovecot: DovecotServer,
    smtp_sink: Any,
    make_imap_folder: Callable[..., str],
    desk_env: None,
) -> Desk:
    folder = make_imap_folder()
    config = write_config(
        tmp_path / "complaintd.toml",
        imap_port=dovecot.port,
        smtp_port=smtp_sink.port,
        folder=folder,
        database_url=ledger_url,
        staffed=True,
    )
    return Desk(config, dovecot, folder, smtp_sink)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _plain(headers: str, body: str) -> bytes:
    """A one-part UTF-8 mail as a webmail writes it (CRLF, base64 body)."""
    return (
        f"{headers}Date: {DATE}\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{_b64(body)}\r\n"
    ).encode()


_NUL = "\x00"
NUL_IN_NAME = _plain(
    f"From: =?utf-8?B?{_b64(f'张{_NUL}伟')}?= <zhang.wei@customer.example>\r\n"
    "To: complaints@lida.example\r\n"
    f"Subject: =?utf-8?B?{_b64(f'货物破损{_NUL}投诉')}?=\r\n"
    "Message-ID: <nul-name-1@customer.example>\r\n",
    "运单号 SF1234567890123 的货物外箱压坏了，里面的瓷砖碎了 3 箱。\x00\r\n",
)

LONG_ADDRESS = "service.department." + "x" * 260 + "@customer.example"
LONG_NAME = "上海浦东新区国际物流供应链管理有限公司华东区域客户服务中心" * 6
LONG_SENDER = _plain(
    f"From: =?utf-8?B?{_b64(LONG_NAME)}?=\r\n <{LONG_ADDRESS}>\r\n"
    "To: complaints@lida.example\r\n"
    "Subject: Delayed parcel\r\n"
    "Message-ID: <long-address-1@customer.example>\r\n",
    "Our parcel SF2234567890123 is a week late.\r\n",
)

LONG_MESSAGE_ID = "<" + "a1b2c3d4" * 150 + "@mailer.customer.example>"
LONG_ID = _plain(
    "From: Li Na <li.na@customer.example>\r\n"
    "To: complaints@lida.example\r\n"
    "Subject: Wrong delivery address\r\n"
    f"Message-ID:\r\n {LONG_MESSAGE_ID}\r\n",
    "The parcel SF3234567890123 was delivered to the wrong address.\r\n",
)

HUGE_QUANTITY = _plain(
    "From: Wang Fang <wang.fang@customer.example>\r\n"
    "To: complaints@lida.example\r\n"
    "Subject: =?utf-8?B?" + _b64("少货") + "?=\r\n"
    "Message-ID: <huge-quantity-1@customer.example>\r\n",
    "运单号 SF4234567890123，数量：" + "9" * 400 + "箱，实收只有一半。\r\n",
)

# Thunderbird splits a long RFC 2231 file name into numbered, percent-encoded pieces.
_FILE_NAME = "二〇二六年十一月二十日上海仓库到货破损外箱及内装瓷砖照片" * 4 + ".jpg"
_QUOTED_NAME = urllib.parse.quote(_FILE_NAME.encode("utf-8"))
_NAME_PIECES = "".join(
    f";\r\n filename*{i}*={'utf-8' + chr(39) * 2 if i == 0 else ''}{_QUOTED_NAME[s : s + 60]}"
    for i, s in enumerate(range(0, len(_QUOTED_NAME), 60))
)
LONG_FILE_NAME = (
    "From: Zhao Lei <zhao.lei@customer.example>\r\n"
    "To: complaints@lida.example\r\n"
    "Subject: Damaged tiles, photos attached\r\n"
    "Message-ID: <long-file-name-1@customer.example>\r\n"
    f"Date: {DATE}\r\nMIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="------------tb0123456789"\r\n\r\n'
    "This is a multi-part message in MIME format.\r\n"
    "--------------tb0123456789\r\n"
    "Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
    "Content-Transfer-Encoding: 7bit\r\n\r\n"
    "The tiles of waybill SF5234567890123 arrived broken, photos attached.\r\n\r\n"
    "--------------tb0123456789\r\n"
    f'Content-Type: image/jpeg; name="photo.jpg"\r\n'
    f"Content-Disposition: attachment{_NAME_PIECES}\r\n"
    "Content-Transfer-Encoding: base64\r\n\r\n"
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//\r\n"
    "--------------tb0123456789--\r\n"
).encode()

# A spam tool's Message-ID: a NUL and 8-bit bytes in the header itself.
JUNK_ID = (
    b"From: Chen Jie <chen.jie@customer.example>\r\n"
    b"To: complaints@lida.example\r\n"
    b"Subject: Missing parcel\r\n"
    b"Message-ID: <junk\x00" + "\u4e71".encode() * 700 + b"@customer.example>\r\n"
    b"Date: " + DATE.encode() + b"\r\n\r\n"
    b"Parcel SF6234567890123 never arrived.\r\n"
)


def _ledger(desk: Desk) -> Any:
    text = desk.config_path.read_text()
    return open_database(text.split('url = "', 1)[1].split('"', 1)[0])


def test_hostile_mail_becomes_the_same_tickets_on_both_ledgers(hostile_desk: Desk) -> None:
    hostile_desk.append(NUL_IN_NAME, LONG_SENDER, LONG_ID, HUGE_QUANTITY, LONG_FILE_NAME, JUNK_ID)
    result = hostile_desk.once(now=NOW)
    assert result.err.splitlines()[0].endswith("fetched 6; new_ticket 6"), result.err
    tickets = {t["waybills"][0]: t for t in hostile_desk.tickets()}
    assert len(tickets) == 6

    nul = tickets["SF1234567890123"]
    assert nul["customer"]["name"] == "张伟"
    assert "\x00" not in nul["subject"] and nul["subject"].startswith("货物破损")
    long_sender = tickets["SF2234567890123"]
    assert long_sender["customer"] == {"name": LONG_NAME, "email": LONG_ADDRESS, "fax": None}
    assert tickets["SF4234567890123"]["quantity"] == "9" * 400 + "箱"

    _ledger(hostile_desk)
    assert {row.status for row in InboundMessage.select()} == {"processed"}
    incoming = list(Message.select().where(Message.direction == "in"))
    assert Message.get(Message.message_id == LONG_MESSAGE_ID.strip("<>")).subject == (
        "Wrong delivery address"
    )
    assert not any("\x00" in m.full_text + (m.from_name or "") for m in incoming)
    [photo] = Attachment.select()
    assert photo.filename == safe_filename(_FILE_NAME, "image/jpeg", 1)  # capped in bytes
    assert Participant.get(Participant.email == LONG_ADDRESS).name == LONG_NAME
    # Every sender is acknowledged (whether their server takes the mail is the outbox's
    # business: a Message-ID longer than a line cannot be quoted in one).
    acks = Outbox.select().where(Outbox.kind == "ack")
    assert len(acks) == 6


def test_a_reply_to_a_message_id_longer_than_a_line_finds_its_ticket(hostile_desk: Desk) -> None:
    """The customer answers their own mail from the Sent folder (In-Reply-To and References
    its Message-ID), as Outlook's Reply does: the ledger's bounded key still matches."""
    hostile_desk.append(LONG_ID)
    hostile_desk.once(now=NOW)
    follow_up = _plain(
        "From: Li Na <li.na@customer.example>\r\n"
        "To: complaints@lida.example\r\n"
        "Subject: RE: Wrong delivery address\r\n"
        "Message-ID: <follow-up-1@customer.example>\r\n"
        f"In-Reply-To:\r\n {LONG_MESSAGE_ID}\r\nReferences:\r\n {LONG_MESSAGE_ID}\r\n",
        "The new address is: Room 1203, 88 Century Avenue, Pudong, Shanghai.\r\n",
    )
    hostile_desk.append(follow_up)
    result = hostile_desk.once(now=NOW)
    assert "appended 1" in result.err, result.err
    [ticket] = hostile_desk.tickets()
    kinds = [m["kind"] for m in hostile_desk.show(ticket["number"])["messages"]]
    assert kinds.count("customer_reply") == 1


def test_a_nul_in_the_message_id_header_does_not_stop_fetching(ledger_url: str) -> None:
    """Dovecot turns a raw NUL into 0x80, but other servers hand it over as it came: the
    fetched row (Message-ID read from the raw header) must still commit on both ledgers."""
    database = open_database(ledger_url)
    migrations.upgrade(database, SystemClock())
    state = load_state("complaints", "INBOX")
    reset_for_uidvalidity(state, 1)
    raw = JUNK_ID.replace(b"<junk", b"<junk\x00", 1) + b"\x00"
    long_id = JUNK_ID.replace(b"<junk", b"<" + b"x" * 3000, 1)
    now = SystemClock().now()
    later = now + timedelta(hours=1)  # the server's clock is ahead of ours
    fetched = [FetchedMessage(1, raw), FetchedMessage(2, long_id, True, later)]
    rows = store_batch(database, state, "complaint", fetched, now)
    assert [inbound_id for inbound_id, _ in rows] == [1, 2]
    first, second = InboundMessage.select().order_by(InboundMessage.uid)
    assert first.message_id.startswith("junk\ufffd") and "\x00" not in first.message_id
    assert len(second.message_id.encode()) <= 998 and second.carried_processed_flag
    assert (first.received_at, second.received_at) == (None, now)  # never in the future
    assert bytes(InboundRaw.get(InboundRaw.inbound == first.id).raw_message) == raw
