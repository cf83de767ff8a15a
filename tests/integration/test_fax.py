"""Faxed complaints end to end: gateway mail in the real Dovecot, real OCR, PDF answers.

The faxes are drawn here (tests.support.faxes): a Chinese complaint letter with a
waybill number, askew, with line noise, as a standard-resolution G3 TIFF, a
fine-resolution G4 TIFF and a PDF.  ``make test`` reads one of them for real; the
other formats, the unreadable page and the crashing worker are ``slow``
(``make test-slow``): each real page takes seconds of OCR.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pypdfium2
import pytest

from tests.integration.desk import Desk, write_config
from tests.integration.mails import mail, text_of
from tests.support.dovecot import DovecotServer
from tests.support.faxes import (
    complaint_letter,
    fax_pdf,
    fax_tiff,
    hylafax_mail,
    letter_page,
    noise_page,
    peak_rss_mb,
    service_mail,
)

NOW = "2026-11-20T10:00:00+08:00"
T2 = "2026-11-25T09:00:00+08:00"
WAYBILL = "SF1234567890123"
FAX_OUT = "fax-out.lida.example"
DIRECTORY = """fax number,name,email
021-5555 0198,上海恒达机电有限公司 王经理,wang@hengda.example
"""


class FaxDesk(Desk):
    """A desk whose fax inbox is a fresh folder of the ``fax`` account."""

    fax_folder = "INBOX"

    def send_fax(self, raw: bytes) -> None:
        """Deliver a gateway's mail into the fax inbox."""
        self.append(raw, folder=self.fax_folder, user="fax")


@pytest.fixture
def fax_desk(
    tmp_path: Path,
    dovecot: DovecotServer,
    smtp_sink: Any,
    imap_folder: str,
    make_imap_folder: Callable[..., str],
    desk_env: None,
) -> Callable[..., FaxDesk]:
    """Factory: a staffed desk with a fax inbox, a customer directory and ``[fax]`` keys."""

    def make(fax_extra: str = "") -> FaxDesk:
        directory = tmp_path / "fax-customers.csv"
        directory.write_text(DIRECTORY, encoding="utf-8")
        fax_folder = make_imap_folder("fax")
        config = write_config(
            tmp_path / "complaintd.toml",
            imap_port=dovecot.port,
            smtp_port=smtp_sink.port,
            folder=imap_folder,
            database_url=f"sqlite:///{tmp_path}/complaintd.db",
            fax_folder=fax_folder,
            staffed=True,
            extra=f"""
[fax]
reply_address_template = "{{number}}@{FAX_OUT}"
customer_directory = "{directory}"
{fax_extra}
""",
        )
        desk = FaxDesk(config, dovecot, imap_folder, smtp_sink)
        desk.fax_folder = fax_folder
        return desk

    return make


def letter(seed: int = 7) -> tuple[str, str]:
    """A damage complaint letter (the seed picks company, goods and trouble)."""
    return complaint_letter(seed, WAYBILL, "damage")


def mails_to(desk: Desk, address: str) -> list[EmailMessage]:
    """The mails the SMTP sink accepted for ``address``."""
    return [message.parsed() for message in desk.smtp.messages if address in message.rcpt_tos]


def pdf_of(message: EmailMessage) -> bytes:
    """The PDF attached to ``message``."""
    [pdf] = [
        part.get_content()
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]
    assert isinstance(pdf, bytes)
    return pdf


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """Page count and the text of the first page, as a PDF reader extracts it."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return len(document), document[0].get_textpage().get_text_range()
    finally:
        document.close()


def test_hylafax_standard_resolution_fax_is_read_and_answered_by_fax(
    fax_desk: Callable[..., FaxDesk], tmp_path: Path
) -> None:
    """The one real end-to-end OCR test of ``make test``: a standard-resolution G3 TIFF
    from HylaFAX, whose station id lies about the number."""
    desk = fax_desk()
    text, _ = letter()
    tiff = fax_tiff([letter_page(text, seed=7)], fine=False)
    desk.send_fax(
        hylafax_mail(tiff, call_id="021-5555 0198", station_id="+86 10 9999 0000", pages=1)
    )
    desk.once(now=NOW)
    [ticket] = desk.tickets()
    shown = desk.show(ticket["number"])
    assert shown["source"] == "fax"
    assert shown["customer"] == {
        "name": "上海恒达机电有限公司 王经理",
        "email": "wang@hengda.example",
        "fax": "+862155550198",  # CallID1, never the station id of the subject
    }
    assert shown["waybills"] == [WAYBILL]
    assert shown["category"] == "damage"
    assert shown["severity"] == "serious"  # 无法使用: the goods are unusable
    assert shown["needs_manual_reading"] is False
    assert shown["ocr"]["engine"] == "rapidocr" and shown["ocr"]["confidence"] > 0.9
    [complaint] = [m for m in shown["messages"] if m["kind"] == "complaint"]
    assert "外箱严重破损" in complaint["body"] and "书面答复" in complaint["body"]
    assert complaint["attachments"][0]["filename"] == "fax000000123.tif"
    desk.smtp.wait_for(1)
    [faxed] = mails_to(desk, f"862155550198@{FAX_OUT}")
    assert faxed["Subject"].startswith(f"[{ticket['number']}]")
    pdf = pdf_of(faxed)
    assert len(pdf) < 50_000
    pages, answer = pdf_text(pdf)
    assert pages == 1
    assert ticket["number"] in answer and WAYBILL in answer and "投诉" in answer
    assert b"/FontFile2" in pdf  # the CJK font travels with the document
    (tmp_path / "fax-answer.pdf").write_bytes(pdf)
    assert mails_to(desk, "wang@hengda.example"), "the customer's address is known: mail too"
    assert not mails_to(desk, "fax@hylafax.lida.example"), "the gateway is never answered"
    actions = [event["action"] for event in shown["events"]]
    assert actions.index("fax_received") < actions.index("fax_read")


def test_fax_pages_past_their_time_flag_the_ticket_and_mail_flows(
    fax_desk: Callable[..., FaxDesk],
) -> None:
    """An engine that overruns ``ocr_page_seconds``: the ticket is made and flagged for
    manual reading, the fax still acknowledged, and complaint mail is not held up."""
    desk = fax_desk("ocr_page_seconds = 0.05")
    text, _ = letter()
    tiff = fax_tiff([letter_page(text, seed=7)], fine=True)
    desk.send_fax(service_mail("Fax from 021-5555 0198", tiff, "fax.tif", "image/tiff"))
    desk.append(mail("Parcel late", "My parcel SF3344556677889 is a week late."))
    result = desk.once(now=NOW)
    assert "fax_read 1" in result.err
    fax, email_ticket = sorted(desk.tickets(), key=lambda t: t["source"], reverse=True)
    assert email_ticket["source"] == "email" and email_ticket["waybills"] == ["SF3344556677889"]
    shown = desk.show(fax["number"])
    assert shown["needs_manual_reading"] is True
    assert "timed out" in shown["ocr"]["manual_reason"]
    assert shown["ocr"]["unread_pages"] == [1]
    story = desk.cli("tickets", "show", fax["number"]).out
    assert "NEEDS MANUAL READING" in story
    status = desk.cli("status", "--format", "json").json()
    assert status["faxes"] == {"waiting_for_ocr": 0, "needs_manual_reading": 1}
    desk.smtp.wait_for(2)
    assert mails_to(desk, f"862155550198@{FAX_OUT}")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("fine", "form"),
    [(True, "tiff"), (False, "pdf")],
    ids=["fine-g4-tiff", "pdf"],
)
def test_service_faxes_in_every_format_are_read(
    fax_desk: Callable[..., FaxDesk], fine: bool, form: str
) -> None:
    desk = fax_desk()
    text, _ = letter()
    page = letter_page(text, seed=7, skew_degrees=-0.8)
    if form == "pdf":
        document, name, kind = fax_pdf([page]), "fax.pdf", "application/pdf"
    else:
        document, name, kind = fax_tiff([page], fine=fine), "fax.tif", "image/tiff"
    desk.send_fax(service_mail("Fax from +86 21 5555 0198 (1 page)", document, name, kind))
    desk.once(now=NOW)
    [ticket] = desk.tickets()
    shown = desk.show(ticket["number"])
    assert shown["waybills"] == [WAYBILL] and shown["category"] == "damage"
    assert shown["customer"]["fax"] == "+862155550198"
    assert shown["needs_manual_reading"] is False


@pytest.mark.slow
def test_unreadable_page_and_repeat_fax_from_a_known_number(
    fax_desk: Callable[..., FaxDesk],
) -> None:
    """Page 2 is noise: read what can be read, flag the rest.  The second fax from the
    same number (written another way) is linked to the customer by that number."""
    desk = fax_desk()
    text, _ = letter()
    pages = [letter_page(text, seed=7), noise_page(seed=3)]
    desk.send_fax(
        service_mail("caller ID: 0086 21 5555 0198", fax_pdf(pages), "f.pdf", "application/pdf")
    )
    desk.once(now=NOW)
    [first] = desk.tickets()
    shown = desk.show(first["number"])
    assert shown["needs_manual_reading"] is True and shown["ocr"]["unread_pages"] == [2]
    assert shown["waybills"] == [WAYBILL]
    later, _ = complaint_letter(11, "SF9988776655443")
    tiff = fax_tiff([letter_page(later, seed=11)], fine=True)
    desk.send_fax(hylafax_mail(tiff, call_id="+86 21 55550198", station_id="HENGDA", pages=1))
    desk.once(now="2026-11-21T10:00:00+08:00")
    second = desk.show(desk.tickets()[1]["number"])
    assert second["customer"]["email"] == "wang@hengda.example"
    assert "repeat complaint" in (second["severity_rule"] or "")


@pytest.mark.slow
def test_a_crashing_ocr_worker_is_replaced() -> None:
    """A worker killed mid-page costs that page only; the next page starts a new one."""
    import os
    import signal
    import threading

    from complaintd.fax.reader import FaxReader

    text, _ = letter()
    tiff = fax_tiff([letter_page(text, seed=7)] * 2, fine=True)
    with FaxReader(page_seconds=120) as reader:
        reader.read(fax_tiff([noise_page(1)], fine=False), "image/tiff", "warm.tif")
        pid = reader.worker_pid
        assert pid is not None
        threading.Timer(1.0, os.kill, (pid, signal.SIGKILL)).start()
        reading = reader.read(tiff, "image/tiff", "fax.tif")
    assert reader.restarts == 1
    assert "died" in (reading.pages[0].problem or "")
    assert WAYBILL in reading.pages[1].text


@pytest.mark.slow
def test_the_daemon_answers_mail_while_ocr_works_and_stays_small(
    fax_desk: Callable[..., FaxDesk],
) -> None:
    """``complaintd run``: a four-page fax keeps the OCR worker busy; a complaint mail that
    comes after it is answered first; the daemon's own process stays under 150 MB."""
    import signal
    import time

    desk = fax_desk()
    text, _ = letter()
    tiff = fax_tiff([letter_page(text, seed=seed) for seed in (7, 8, 9, 10)], fine=True)
    fax_address = f"862155550198@{FAX_OUT}"
    daemon = desk.spawn("run")
    try:
        desk.send_fax(service_mail("Fax from 021-5555 0198", tiff, "fax.tif", "image/tiff"))
        _wait_for(lambda: len(desk.tickets()) == 1, 30)
        desk.append(mail("Parcel late", "My parcel SF3344556677889 is a week late."))
        sent = time.monotonic()
        _wait_for(lambda: bool(mails_to(desk, "zhang.wei@customer.example")), 30)
        assert time.monotonic() - sent < 20
        assert not mails_to(desk, fax_address), "the mail did not wait for the fax's OCR"
        _wait_for(lambda: bool(mails_to(desk, fax_address)), 300)
        peak = peak_rss_mb(daemon.pid)
    finally:
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=60) == 0
    fax = next(t for t in desk.tickets() if t["source"] == "fax")
    assert desk.show(fax["number"])["ocr"]["pages"] == 4
    assert peak < 150, f"the daemon's process peaked at {peak:.0f} MB"


def _wait_for(condition: Callable[[], bool], timeout: float) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _faxed_complaint(desk: FaxDesk) -> str:
    """A complaint faxed from 021-5555 0198 (a known customer) at NOW: its number."""
    text, _ = letter()
    tiff = fax_tiff([letter_page(text, seed=7)], fine=True)
    desk.send_fax(service_mail("Fax from 021-5555 0198", tiff, "fax.tif", "image/tiff"))
    desk.once(now=NOW)
    [ticket] = desk.tickets()
    return str(ticket["number"])


def test_the_faxed_letter_says_to_answer_by_email_and_the_mailed_copy_to_reply(
    fax_desk: Callable[..., FaxDesk],
) -> None:
    """A fax cannot be "replied to", and a fax sent back is not filed with the complaint:
    the faxed PDF names the desk's address and the number to quote, the email copy asks
    for a reply, for the acknowledgement and for the desk's later letters alike."""
    desk = fax_desk("ocr_page_seconds = 0.05")  # no OCR wait: the ack goes out at once
    number = _faxed_complaint(desk)
    reply = desk.cli("tickets", "reply", number, "--text", "我们已联系承运司机核实。", now=NOW)
    assert reply.code == 0, reply.err
    desk.smtp.wait_for(4)
    faxed = mails_to(desk, f"862155550198@{FAX_OUT}")
    mailed = mails_to(desk, "wang@hengda.example")
    assert len(faxed) == len(mailed) == 2
    for fax, copy in zip(faxed, mailed, strict=True):
        _, page = pdf_text(pdf_of(fax))
        words = "".join(page.split())
        assert "回复本邮件" not in words
        assert "发送电子邮件至complaints@lida.example" in words, page
        assert f"并在邮件主题中注明投诉编号[{number}]" in words, page
        body = "".join(text_of(copy).split())
        assert f"直接回复本邮件，并保留邮件主题中的投诉编号[{number}]" in body
        assert "发送电子邮件至" not in body


def test_the_faxed_survey_asks_for_the_score_by_email_and_a_reopening_is_faxed_too(
    fax_desk: Callable[..., FaxDesk], tmp_path: Path
) -> None:
    """A survey on paper has nothing to click: the faxed PDF lists the scale and asks for
    an email with the score, never a ``mailto:`` link.  When the desk then reopens the
    complaint, the fax customer gets that letter by fax as well as by email."""
    desk = fax_desk("ocr_page_seconds = 0.05")  # no OCR wait: the ack goes out at once
    number = _faxed_complaint(desk)
    closed = desk.cli("tickets", "close", number, "--resolution", "已按申报价值赔偿。", now=NOW)
    assert closed.code == 0, closed.err
    desk.once(now="2026-11-24T11:00:00+08:00")  # the survey is due 3 days after closure
    fax_to = f"862155550198@{FAX_OUT}"
    [survey] = [m for m in mails_to(desk, fax_to) if "满意度" in m["Subject"]]
    pdf = pdf_of(survey)
    (tmp_path / "faxed-survey.pdf").write_bytes(pdf)
    _, page = pdf_text(pdf)
    words = "".join(page.split())
    assert "mailto" not in words and "回复“5”" not in words
    assert f"发送电子邮件至complaints@lida.example（请在邮件主题中注明投诉编号[{number}]）" in words
    assert "1分：非常不满意" in words and "例如在邮件中写上“5”" in words

    reopened = desk.cli("tickets", "reopen", number, "--reason", "客户来电说赔偿款还没到账", now=T2)
    assert reopened.code == 0, reopened.err
    faxed = [m for m in mails_to(desk, fax_to) if "重新受理" in m["Subject"]]
    mailed = [m for m in mails_to(desk, "wang@hengda.example") if "重新受理" in m["Subject"]]
    assert len(faxed) == len(mailed) == 1
    words = "".join(pdf_text(pdf_of(faxed[0]))[1].split())
    assert f"您的投诉{number}此前已经结案" in words and "客户来电说赔偿款还没到账" in words
    assert "发送电子邮件至complaints@lida.example" in words
