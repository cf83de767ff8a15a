"""The test infrastructure itself: real Dovecot, PostgreSQL, the SMTP sink and the sample mail.

If these fail, every other IMAP/SMTP test is meaningless, so they check the
servers the way the daemon will use them (APPEND, IDLE, MOVE, SMTP replies)
and that the sample mail really carries the charsets it declares.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import email
import email.header
import email.policy
import os
import shutil
import signal
import smtplib
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from types import ModuleType

import aiosmtplib
import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from tests.support import corpus
from tests.support import dovecot as dovecot_module
from tests.support import postgres as postgres_module
from tests.support.dovecot import DovecotError, DovecotServer
from tests.support.images import make_jpeg, make_png
from tests.support.ports import LOOPBACK, can_bind, port_accepts
from tests.support.postgres import (
    PostgresError,
    PostgresServer,
    create_database,
    drop_database,
    newest_bindir,
)
from tests.support.samples import (
    DESK_ADDRESS,
    WAYBILL_RE,
    SampleMeta,
    demo_messages,
    demo_messages_with_meta,
    generate_mailbox,
    generate_mailbox_with_meta,
)
from tests.support.smtpsink import SmtpSink, parse_mode

MAILBOX_SIZE = 2000


@pytest.fixture(scope="module")
def mailbox() -> list[tuple[bytes, SampleMeta]]:
    """One generated benchmark-sized mailbox shared by the sample tests."""
    return generate_mailbox_with_meta(MAILBOX_SIZE, seed=1)


# -- helpers ------------------------------------------------------------------------


def _text_parts(message: Message) -> Iterator[Message]:
    """The text/plain and text/html leaves of *message* (not DSN or header parts)."""
    for part in message.walk():
        # DSN field blocks parse as header-only parts that default to text/plain.
        if part["Content-Type"] and part.get_content_type() in ("text/plain", "text/html"):
            yield part


def _decode_header(value: str, codec: str) -> str:
    """Decode RFC 2047 words with *codec* (the real one, not the possibly wrong label)."""
    pieces = []
    for chunk, charset in email.header.decode_header(value):
        if isinstance(chunk, str):
            pieces.append(chunk)
        else:
            pieces.append(chunk.decode(codec if charset else "ascii"))
    return "".join(pieces)


def _send(sink: SmtpSink, raw: bytes, rcpt: str = "customer@example.com") -> None:
    """Send *raw* to the sink with smtplib (raises on 4xx/5xx)."""
    with smtplib.SMTP(sink.host, sink.port, timeout=10) as client:
        client.sendmail(DESK_ADDRESS, [rcpt], raw)


def _children(pid: int) -> list[tuple[str, int]]:
    """(command name, real uid) of the direct child processes of *pid*."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:
            continue  # exited while we looked
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        if ppid == pid:
            found.append((comm, int(uid_line.split()[1])))
    return found


@contextlib.contextmanager
def _first_port_taken(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> Iterator[int]:
    """Listen on a port and make *module*'s ``free_port()`` offer that port first."""
    with socket.socket() as squatter:
        squatter.bind((LOOPBACK, 0))
        squatter.listen()
        taken: int = squatter.getsockname()[1]
        ports = iter([taken])
        real_free_port = module.free_port
        monkeypatch.setattr(module, "free_port", lambda: next(ports, None) or real_free_port())
        yield taken


# -- Dovecot --------------------------------------------------------------------------


def test_dovecot_listens_on_loopback_with_the_needed_extensions(
    dovecot: DovecotServer, imap_connect: Callable[..., IMAPClient]
) -> None:
    """The server is local and offers what the fetcher relies on."""
    assert dovecot.host == "127.0.0.1"
    assert set(dovecot.users) == {"complaints", "fax"}
    capabilities = imap_connect().capabilities()
    for needed in (b"IDLE", b"MOVE", b"UIDPLUS"):
        assert needed in capabilities


def test_append_then_fetch_returns_identical_bytes(
    dovecot: DovecotServer, imap_folder: str, imap_connect: Callable[..., IMAPClient]
) -> None:
    """A message appended with a flag comes back byte for byte, with its UID."""
    raw = demo_messages()[0]
    uid = dovecot.append("complaints", imap_folder, raw, flags=["\\Seen"])
    assert dovecot.list_messages("complaints", imap_folder) == [(uid, ("\\Seen",), raw)]
    client = imap_connect()
    client.select_folder(imap_folder, readonly=True)
    fetched = client.fetch([uid], ["BODY.PEEK[]", "RFC822.SIZE"])
    assert fetched[uid][b"BODY[]"] == raw
    assert fetched[uid][b"RFC822.SIZE"] == len(raw)


def test_append_many_uses_one_connection_and_keeps_order(
    dovecot: DovecotServer, imap_folder: str
) -> None:
    """Bulk loading gives consecutive UIDs in the order given."""
    raws = generate_mailbox(250, seed=3)
    uids = dovecot.append_many("complaints", imap_folder, raws)
    assert uids == list(range(uids[0], uids[0] + 250))
    assert dovecot.count("complaints", imap_folder) == 250
    listed = dovecot.list_messages("complaints", imap_folder)
    assert [raw for _, _, raw in listed] == raws


def test_append_many_creates_a_missing_folder(dovecot: DovecotServer) -> None:
    """append_many creates the folder (here a nested, non-ASCII one) when needed."""
    folder = "t_created/投诉 2026"
    try:
        assert dovecot.append_many("complaints", folder, demo_messages()[:3]) == [1, 2, 3]
        assert dovecot.count("complaints", folder) == 3
    finally:
        dovecot.delete_folder("complaints", folder)


def test_accounts_are_separate(
    dovecot: DovecotServer, make_imap_folder: Callable[..., str]
) -> None:
    """Mail appended for one user is invisible to the other."""
    fax_folder = make_imap_folder("fax")
    desk_folder = make_imap_folder("complaints")
    dovecot.append("fax", fax_folder, demo_messages()[1])
    assert dovecot.count("fax", fax_folder) == 1
    assert dovecot.count("complaints", desk_folder) == 0
    with dovecot.connect("complaints") as client:
        assert not client.folder_exists(fax_folder)


def test_wrong_password_is_rejected(dovecot: DovecotServer) -> None:
    """Authentication is real: a bad password fails."""
    client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    try:
        with pytest.raises(LoginError):
            client.login("complaints", "not-the-password")
    finally:
        client.shutdown()


def test_idle_wakes_on_append_from_another_connection(
    dovecot: DovecotServer, imap_folder: str, imap_connect: Callable[..., IMAPClient]
) -> None:
    """A client in IDLE hears about an APPEND made over a different connection."""
    watcher = imap_connect()
    watcher.select_folder(imap_folder)
    watcher.idle()
    appender = threading.Timer(
        0.3, dovecot.append, args=("complaints", imap_folder, demo_messages()[2])
    )
    started = time.monotonic()
    appender.start()
    try:
        responses = watcher.idle_check(timeout=10)
    finally:
        watcher.idle_done()
        appender.join()
    assert (1, b"EXISTS") in responses
    assert time.monotonic() - started < 9  # woken by the APPEND, not by the 10 s timeout


def test_move_between_folders(
    dovecot: DovecotServer,
    make_imap_folder: Callable[..., str],
    imap_connect: Callable[..., IMAPClient],
) -> None:
    """MOVE takes a message out of one folder and into another."""
    inbox, archive = make_imap_folder(), make_imap_folder()
    raw = demo_messages()[3]
    uid = dovecot.append("complaints", inbox, raw)
    client = imap_connect()
    client.select_folder(inbox)
    client.move([uid], archive)
    assert dovecot.count("complaints", inbox) == 0
    [(_, _, moved)] = dovecot.list_messages("complaints", archive)
    assert moved == raw


def test_login_processes_do_not_run_as_root(
    dovecot: DovecotServer, imap_connect: Callable[..., IMAPClient]
) -> None:
    """imap-login (and the mail process) run under unprivileged accounts."""
    client = imap_connect()
    client.noop()
    pending = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10)
    try:
        children = _children(dovecot.pid)
    finally:
        pending.shutdown()
    by_name = collections.defaultdict(set)
    for comm, uid in children:
        by_name[comm].add(uid)
    assert by_name["imap-login"], children
    assert 0 not in by_name["imap-login"]
    assert 0 not in by_name["imap"]


def test_start_failure_raises_with_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken configuration is reported with Dovecot's own words, and cleaned up."""
    monkeypatch.setattr(dovecot_module, "_render_config", lambda *a: "no_such_setting = 1\n")
    server = DovecotServer(users={"u": "p"}, start_timeout=10)
    with pytest.raises(DovecotError, match="no_such_setting"):
        server.start()
    assert server.root is None
    assert not server.running


def test_port_collision_is_retried_and_stop_cleans_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the chosen port is taken, start() tries another; stop() leaves nothing behind."""
    with _first_port_taken(monkeypatch, dovecot_module) as taken:
        server = DovecotServer(users={"solo": "pw"})
        server.start()
        try:
            assert server.port != taken
            root = server.root
            pid = server.pid
            assert server.count("solo", "INBOX") == 0
        finally:
            server.stop()
    assert root is not None and not root.exists()
    assert not Path(f"/proc/{pid}").exists() or "(Z)" in Path(f"/proc/{pid}/stat").read_text()


def test_mail_files_belong_to_an_unprivileged_user(dovecot: DovecotServer) -> None:
    """As root, maildirs are owned by the dovecot account, not root."""
    if os.geteuid() != 0:
        pytest.skip("ownership only differs when the tests run as root")
    assert dovecot.root is not None
    assert (dovecot.root / "mail").stat().st_uid != 0


# -- PostgreSQL ---------------------------------------------------------------------------


def _gone(pid: int) -> bool:
    """True when process *pid* has exited (a zombie not yet reaped counts as gone)."""
    try:
        return "(Z)" in Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True


def _child_pids(pid: int) -> list[int]:
    """Pids of the direct children of *pid*."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def test_postgres_cluster_starts_answers_and_stops_leaving_nothing() -> None:
    """A cluster of our own: loopback only, no fsync, not root; stopped, no process or file."""
    server = PostgresServer()
    server.start()
    try:
        pid, port, root = server.pid, server.port, server.root
        assert server.url("x") == f"postgresql://postgres@127.0.0.1:{port}/x"
        assert server.query("SHOW listen_addresses") == [(LOOPBACK,)]
        assert server.query("SHOW fsync") == [("off",)]
        assert server.query("SELECT current_user") == [("postgres",)]
        children = _child_pids(pid)
        assert len(children) >= 3, children  # checkpointer, background writer, walwriter...
        if os.geteuid() == 0:
            assert server.account != "root"
            assert Path(f"/proc/{pid}").stat().st_uid != 0
            assert 0 not in {uid for _, uid in _children(pid)}
    finally:
        server.stop()
    assert not server.running
    assert root is not None and not root.exists()
    assert _gone(pid) and all(_gone(child) for child in children)
    assert not port_accepts(LOOPBACK, port) and can_bind(port)


def test_postgres_databases_are_created_and_dropped_even_while_in_use() -> None:
    """create_database/drop_database quote odd names; a drop disconnects a forgotten client."""
    import psycopg2

    with PostgresServer() as server:
        create_database(server.url(), 'ledger "one"')
        assert server.query("SELECT current_database()", 'ledger "one"') == [('ledger "one"',)]
        forgotten = psycopg2.connect(server.url('ledger "one"'))
        drop_database(server.url(), 'ledger "one"')
        names = server.query("SELECT datname FROM pg_database")
        assert ('ledger "one"',) not in names and ("postgres",) in names
        forgotten.close()


def test_postgres_start_failure_raises_with_the_log_and_cleans_up() -> None:
    """A setting the server rejects is reported in its own words; nothing is left behind."""
    server = PostgresServer(settings={"no_such_setting": "1"}, start_timeout=30)
    with pytest.raises(PostgresError, match="no_such_setting"):
        server.start()
    assert server.root is None
    assert not server.running


def test_postgres_port_collision_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    """If the server cannot bind the chosen port, start() tries another one."""
    with _first_port_taken(monkeypatch, postgres_module) as taken:
        # Skip our own probe so that PostgreSQL itself meets the taken port.
        monkeypatch.setattr(postgres_module, "can_bind", lambda port: True)
        with PostgresServer() as server:
            assert server.port != taken
            assert server.query("SELECT 1") == [(1,)]


_ABANDONING_SCRIPT = """
import signal, time
from tests.support.postgres import PostgresServer
signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
server = PostgresServer()
server.start()
print(server.pid, server.root, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_postgres_dies_with_the_process_that_started_it(how: signal.Signals) -> None:
    """Ctrl-C (atexit) or SIGKILL (parent-death signal) of the test run stops the cluster."""
    runner = subprocess.Popen(
        [sys.executable, "-c", _ABANDONING_SCRIPT], stdout=subprocess.PIPE, text=True
    )
    pid, root_text = 0, ""
    try:
        assert runner.stdout is not None
        pid_text, root_text = runner.stdout.readline().split()
        pid = int(pid_text)
        children = _child_pids(pid)
        assert children
        runner.send_signal(how)
        runner.wait(timeout=30)
        deadline = time.monotonic() + 30
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _gone(pid) and all(_gone(child) for child in children)
        # atexit also removes the files; after SIGKILL nobody can.
        assert Path(root_text).exists() == (how == signal.SIGKILL)
    finally:
        runner.kill()
        runner.wait()
        if pid and not _gone(pid):
            os.kill(pid, signal.SIGQUIT)  # the feature failed: do not leave the server behind
        if root_text:
            shutil.rmtree(root_text, ignore_errors=True)


def test_newest_bindir_takes_the_highest_version_that_has_a_server(tmp_path: Path) -> None:
    """Versions compare as numbers; a client-only version or a stray directory is skipped."""
    for version, programs in [
        ("9.6", ["initdb", "postgres"]),
        ("15", ["initdb", "postgres"]),
        ("16", ["psql"]),
        ("common", ["initdb", "postgres"]),
    ]:
        (tmp_path / version / "bin").mkdir(parents=True)
        for program in programs:
            path = tmp_path / version / "bin" / program
            path.write_text("#!/bin/sh\n")
            path.chmod(0o755)
    assert newest_bindir(tmp_path.iterdir()) == tmp_path / "15" / "bin"
    assert newest_bindir([tmp_path / "16"]) is None


# -- SMTP sink ----------------------------------------------------------------------------


def test_sink_receives_a_message_sent_with_smtplib(smtp_sink: SmtpSink) -> None:
    """Envelope and bytes (8-bit GBK included) arrive unchanged."""
    raw = demo_messages()[0]
    _send(smtp_sink, raw, rcpt="wangzhe@hengtong-elec.example")
    [message] = smtp_sink.wait_for(1, timeout=5)
    assert message.mail_from == DESK_ADDRESS
    assert message.rcpt_tos == ("wangzhe@hengtong-elec.example",)
    assert message.raw == raw
    assert message.peer.startswith("127.0.0.1:")
    assert (
        message.parsed()["Message-ID"] == "<000001db2d6e$8a41c7f0$9ec557d0$@hengtong-elec.example>"
    )


def test_sink_receives_a_message_sent_with_aiosmtplib(smtp_sink: SmtpSink) -> None:
    """The async client the outbox uses works against the sink."""
    raw = demo_messages()[4]

    async def send() -> None:
        await aiosmtplib.send(
            raw,
            sender=DESK_ADDRESS,
            recipients=["sarah.oconnor@brightstar-electronics.example"],
            hostname=smtp_sink.host,
            port=smtp_sink.port,
            start_tls=False,
            timeout=10,
        )

    asyncio.run(send())
    [message] = smtp_sink.wait_for(1, timeout=5)
    assert message.raw == raw


def test_tempfail_first_answers_451_then_250() -> None:
    """tempfail_first:N refuses N DATA commands with 451, then accepts."""
    with SmtpSink(mode="tempfail_first:2") as sink:
        for _ in range(2):
            with pytest.raises(smtplib.SMTPDataError) as refused:
                _send(sink, demo_messages()[1])
            assert refused.value.smtp_code == 451
        _send(sink, demo_messages()[1])
        assert len(sink.wait_for(1, timeout=5)) == 1
        assert [m.reply[:3] for m in sink.rejected] == ["451", "451"]
        assert sink.data_commands == 3


def test_permfail_answers_550() -> None:
    """permfail refuses every DATA with 550 and keeps nothing as accepted."""
    with SmtpSink(mode="permfail") as sink:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            _send(sink, demo_messages()[1])
        assert refused.value.smtp_code == 550
        assert sink.messages == []
        assert len(sink.rejected) == 1


def test_mode_can_change_while_running(smtp_sink: SmtpSink) -> None:
    """Switching mode takes effect for the next DATA."""
    smtp_sink.mode = "tempfail"
    with pytest.raises(smtplib.SMTPDataError):
        _send(smtp_sink, demo_messages()[1])
    smtp_sink.mode = "ok"
    _send(smtp_sink, demo_messages()[1])
    assert len(smtp_sink.wait_for(1, timeout=5)) == 1


def test_stop_then_start_on_the_same_port(smtp_sink: SmtpSink) -> None:
    """A stopped sink refuses connections; restarted, it listens on the same port again."""
    port = smtp_sink.port
    _send(smtp_sink, demo_messages()[1])
    smtp_sink.stop()
    assert not smtp_sink.running
    with pytest.raises(OSError):
        _send(smtp_sink, demo_messages()[1])
    smtp_sink.start()
    assert smtp_sink.port == port
    _send(smtp_sink, demo_messages()[1])
    assert len(smtp_sink.wait_for(2, timeout=5)) == 2


def test_wait_for_times_out(smtp_sink: SmtpSink) -> None:
    """wait_for raises TimeoutError instead of hanging."""
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="0 of 1"):
        smtp_sink.wait_for(1, timeout=0.3)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("mode", ["", "tempfail_first", "tempfail_first:x", "bounce"])
def test_unknown_modes_are_rejected(mode: str) -> None:
    """Typos in a mode fail loudly instead of silently accepting mail."""
    with pytest.raises(ValueError):
        parse_mode(mode)


# -- sample mail ------------------------------------------------------------------------


def test_demo_set_has_the_eight_cases() -> None:
    """Every demo message parses and has the identity headers of real mail."""
    demo = demo_messages_with_meta()
    assert [meta.kind for _, meta in demo] == ["complaint"] * 5 + [
        "reply",
        "auto_reply",
        "bounce",
    ]
    for raw, meta in demo:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert message["Date"] and message["From"]
        assert message["Message-ID"] == meta.message_id
        assert not message.defects
        assert message["To"].addresses[0].addr_spec == DESK_ADDRESS


def test_demo_gbk_complaint_is_mislabelled_gb2312_with_a_photo() -> None:
    """The first demo message is GBK under a gb2312 label, with a JPEG attached."""
    raw, meta = demo_messages_with_meta()[0]
    message = email.message_from_bytes(raw)
    plain = next(p for p in _text_parts(message) if p.get_content_type() == "text/plain")
    assert plain.get_content_charset() == "gb2312"
    body = plain.get_payload(decode=True)
    assert isinstance(body, bytes)
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    assert "王喆" in body.decode("gbk")
    assert meta.expected_waybills == ("SF1234567890123",)
    [photo] = [p for p in message.walk() if p.get_content_type() == "image/jpeg"]
    data = photo.get_payload(decode=True)
    assert isinstance(data, bytes)
    assert data.startswith(b"\xff\xd8") and data.endswith(b"\xff\xd9")
    assert photo.get_filename() == "=?gb2312?B?xsbL8NXVxqwxLmpwZw==?="  # RFC 2047 in a param
    assert email.message_from_bytes(raw, policy=email.policy.default).get_body() is not None


def test_demo_reply_auto_reply_and_bounce_look_like_the_real_thing() -> None:
    """Reply threading, auto-reply markers and the DSN structure are present."""
    demo = demo_messages()
    reply = email.message_from_bytes(demo[5], policy=email.policy.default)
    assert str(reply["Subject"]).startswith("Re: [TS-202611-0001] ")
    assert reply["In-Reply-To"].endswith("@lida.example>")
    plain = reply.get_body(("plain",))
    assert plain is not None
    reply_bytes = plain.get_payload(decode=True)
    assert isinstance(reply_bytes, bytes)
    assert "-----原始邮件-----" in reply_bytes.decode("gbk")
    auto = email.message_from_bytes(demo[6], policy=email.policy.default)
    assert auto["Auto-Submitted"] == "auto-replied"
    assert str(auto["Subject"]).startswith("自动回复: ")
    bounce = email.message_from_bytes(demo[7], policy=email.policy.default)
    assert bounce.get_content_type() == "multipart/report"
    assert bounce.get_param("report-type") == "delivery-status"
    assert "MAILER-DAEMON" in str(bounce["From"])
    assert [p.get_content_type() for p in bounce.iter_parts()] == [
        "text/plain",
        "message/delivery-status",
        "text/rfc822-headers",
    ]


def test_demo_set_covers_charsets_and_layouts() -> None:
    """Big5, UTF-8 HTML-only and quoted-printable English are all there."""
    metas = [meta for _, meta in demo_messages_with_meta()]
    assert metas[2].charset == "big5" and metas[2].language == "zh-Hant"
    assert (metas[3].charset, metas[3].layout) == ("utf-8", "html")
    assert (metas[4].language, metas[4].transfer_encoding) == ("en", "quoted-printable")
    assert "PO-2026-1188" in metas[1].order_numbers


def test_every_sample_decodes_with_its_declared_charset(
    mailbox: list[tuple[bytes, SampleMeta]],
) -> None:
    """Text parts decode with the real codec and name the declared label; waybills match."""
    for raw, meta in [*demo_messages_with_meta(), *mailbox]:
        message = email.message_from_bytes(raw)
        texts = [_decode_header(message["Subject"], meta.codec)]
        for part in _text_parts(message):
            assert part.get_content_charset() == meta.charset, meta
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            texts.append(payload.decode(meta.codec))
        assert texts[0] == meta.subject
        found = {w for text in texts for w in WAYBILL_RE.findall(text)}
        assert found == set(meta.expected_waybills), meta
        if meta.kind in ("complaint", "reply"):
            assert meta.expected_waybills, meta


def test_gbk_and_gb18030_only_characters_really_occur(
    mailbox: list[tuple[bytes, SampleMeta]],
) -> None:
    """Some gb2312-labelled bodies need GBK, some gb18030 bodies need more than GBK."""
    needs_gbk = needs_gb18030 = 0
    for raw, meta in mailbox:
        if meta.charset not in ("gb2312", "gb18030") or meta.kind != "complaint":
            continue
        for part in _text_parts(email.message_from_bytes(raw)):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            strict = "gb2312" if meta.charset == "gb2312" else "gbk"
            try:
                payload.decode(strict)
            except UnicodeDecodeError:
                needs_gbk += meta.charset == "gb2312"
                needs_gb18030 += meta.charset == "gb18030"
    assert needs_gbk >= 10
    assert needs_gb18030 >= 3


def test_generator_is_deterministic() -> None:
    """Same seed, same bytes; another seed, other bytes."""
    assert generate_mailbox(150, seed=5) == generate_mailbox(150, seed=5)
    assert generate_mailbox(150, seed=5) != generate_mailbox(150, seed=6)
    assert demo_messages() == demo_messages()


def test_generator_gives_the_requested_mix(mailbox: list[tuple[bytes, SampleMeta]]) -> None:
    """Kinds, languages, charsets, layouts and encodings come in realistic shares."""
    metas = [meta for _, meta in mailbox]
    share = {k: v / len(metas) for k, v in collections.Counter(m.kind for m in metas).items()}
    assert 0.03 <= share["reply"] <= 0.07
    assert 0.01 <= share["auto_reply"] <= 0.035
    assert 0.004 <= share["bounce"] <= 0.02
    chinese = sum(m.language.startswith("zh") for m in metas) / len(metas)
    assert 0.38 <= chinese <= 0.58
    charsets = {m.charset for m in metas}
    assert {"gb2312", "gbk", "gb18030", "big5", "utf-8", "us-ascii"} <= charsets
    assert {m.layout for m in metas} >= {"plain", "alternative", "html", "report"}
    assert {m.transfer_encoding for m in metas} >= {"base64", "quoted-printable", "8bit", "7bit"}
    attached = sum(m.has_attachment for m in metas) / len(metas)
    assert 0.03 <= attached <= 0.08
    assert len({m.message_id for m in metas}) == len(metas)
    senders = collections.Counter(m.sender for m in metas)
    assert senders.most_common(1)[0][1] >= 5  # repeat customers exist


def test_replies_point_to_earlier_messages_of_the_same_mailbox(
    mailbox: list[tuple[bytes, SampleMeta]],
) -> None:
    """Follow-ups carry In-Reply-To of an earlier message from the same sender."""
    replies = [(i, meta) for i, (_, meta) in enumerate(mailbox) if meta.kind == "reply"]
    assert replies
    for index, meta in replies:
        assert meta.reply_to_index is not None and meta.reply_to_index < index
        original = mailbox[meta.reply_to_index][1]
        assert meta.in_reply_to == original.message_id
        assert meta.sender == original.sender
        parsed = email.message_from_bytes(mailbox[index][0])
        assert parsed["In-Reply-To"] == original.message_id


def test_sizes_are_realistic_and_lines_are_wire_clean(
    mailbox: list[tuple[bytes, SampleMeta]],
) -> None:
    """Mostly 1-20 KB (photos up to ~60 KB more), CRLF only, no line over 998 bytes."""
    sizes = sorted(len(raw) for raw, meta in mailbox if not meta.has_attachment)
    assert sizes[len(sizes) // 20] >= 1000
    assert sizes[-len(sizes) // 20] <= 20_000
    assert max(len(raw) for raw, _ in mailbox) <= 90_000
    for raw, _ in mailbox:
        assert raw.endswith(b"\r\n")
        assert raw.count(b"\n") == raw.count(b"\r\n")
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_generator_is_fast() -> None:
    """2,000 messages in well under the few seconds a benchmark setup may take."""
    started = time.perf_counter()
    generate_mailbox(MAILBOX_SIZE, seed=9)
    assert time.perf_counter() - started < 30.0  # generous: a guard, not a benchmark


def test_generated_mailbox_round_trips_through_dovecot(
    dovecot: DovecotServer, imap_folder: str, mailbox: list[tuple[bytes, SampleMeta]]
) -> None:
    """Dovecot stores every kind of sample unchanged."""
    raws = [raw for raw, _ in mailbox[:300]]
    dovecot.append_many("complaints", imap_folder, raws)
    assert [raw for _, _, raw in dovecot.list_messages("complaints", imap_folder)] == raws


def test_corpus_text_fits_the_charsets_it_is_sent_in() -> None:
    """Simplified text fits GB2312, traditional fits Big5, English is ASCII."""
    codecs = {"zh-Hans": "gb2312", "zh-Hant": "big5", "en": "ascii"}
    for language, codec in codecs.items():
        banks = [
            *corpus.TOPIC_SENTENCES[language].values(),
            *corpus.SUBJECTS[language].values(),
            corpus.GREETINGS[language],
            corpus.DEMANDS[language],
            corpus.CLOSINGS[language],
            corpus.TRACKING_EVENTS[language],
            corpus.CHAT_LINES[language],
            corpus.FOLLOW_UPS[language],
            corpus.AUTO_REPLY_BODIES[language],
            corpus.AUTO_REPLY_PREFIXES[language],
            corpus.REPLY_PREFIXES[language],
        ]
        for bank in banks:
            for sentence in bank:
                sentence.encode(codec)
        corpus.DISCLAIMERS[language].encode(codec)
    for name, _ in corpus.NAMES_ZH_HANT:
        name.encode("big5")
    for name, _ in corpus.NAMES_ZH_GBK_ONLY:
        name.encode("gbk")
        with pytest.raises(UnicodeEncodeError):
            name.encode("gb2312")


def test_images_are_structurally_valid() -> None:
    """PNG chunks and CRCs check out and decompress to the right size; JPEGs are framed."""
    import random

    rng = random.Random(4)
    png = make_png(37, 21, rng, noise=0.5)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, data = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert zlib.crc32(kind + data) == crc
        chunks[kind] = data
        offset += 12 + length
    assert struct.unpack(">II", chunks[b"IHDR"][:8]) == (37, 21)
    assert len(zlib.decompress(chunks[b"IDAT"])) == 21 * (1 + 3 * 37)
    jpeg = make_jpeg(100, 60, rng)
    assert jpeg[:2] == b"\xff\xd8" and jpeg[-2:] == b"\xff\xd9"
    sof = jpeg.index(b"\xff\xc0")
    assert struct.unpack(">HH", jpeg[sof + 5 : sof + 9]) == (60, 100)
