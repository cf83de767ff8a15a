"""Automated-mail detection and the Message-IDs of bounced originals."""

from __future__ import annotations

import base64
import re

import pytest

from complaintd.parse import (
    AutomatedKind,
    AutomatedRule,
    bounced_message_ids,
    out_of_office,
    parse_message,
)
from complaintd.parse.automated import header_keyword
from tests.parse.corpus import CORPORA, corpus_bytes, parse_corpus
from tests.parse.oof_samples import NEGATIVES, POSITIVES, Sample, client_mail

SISIMAI = "sisimai-set-of-emails/maildir/"
BOUNCE, AUTO_REPLY = AutomatedKind.BOUNCE, AutomatedKind.AUTO_REPLY
LIST, AUTO_GENERATED = AutomatedKind.LIST, AutomatedKind.AUTO_GENERATED

# sisimai's bounces that we classify otherwise, on purpose:
# * lhost-fml-02: an fml mailing-list robot's "you are not a member" notice,
#   sent with List headers - a list message to us;
# * lhost-kddi-01: a Japanese "メールエラー通知" from no-reply@, no DSN part, no
#   bounce header we know - a robot, not recognisably a bounce.
SISIMAI_EXCEPTIONS = {"lhost-fml-02.eml": LIST, "lhost-kddi-01.eml": AUTO_GENERATED}


def _sisimai_expectations() -> list[tuple[str, AutomatedKind | None]]:
    """Expected kind of every sisimai bsd/ message, from its file name."""
    cases: list[tuple[str, AutomatedKind | None]] = []
    for path in sorted((CORPORA / SISIMAI / "bsd").iterdir()):
        name = path.name
        if name.startswith("rfc3834-"):
            kind: AutomatedKind | None = AUTO_REPLY
        elif name.startswith("arf-"):
            kind = AUTO_GENERATED  # RFC 5965 abuse reports: robots, not bounces
        else:
            kind = SISIMAI_EXCEPTIONS.get(name, BOUNCE)
        cases.append((f"bsd/{name}", kind))
    return cases


CORPUS_KINDS = [
    *_sisimai_expectations(),
    ("dos/lhost-postfix-01.eml", BOUNCE),  # CRLF line ends
    ("mac/lhost-postfix-01.eml", BOUNCE),  # CR-only line ends
    ("dos/rfc3834-01.eml", AUTO_REPLY),
    # The three sisimai controls: two are ordinary mail.  rb-issue-368-bug is
    # filed under not/ because it crashed sisimai, but it *is* a bounce: From
    # postmaster@, Return-Path <>, Auto-Submitted and "bounce notification".
    ("not/is-not-bounce-01.eml", None),
    ("not/is-not-bounce-02.eml", None),
    ("not/rb-issue-368-bug.eml", BOUNCE),
]


@pytest.mark.parametrize(("name", "kind"), CORPUS_KINDS, ids=[c[0] for c in CORPUS_KINDS])
def test_sisimai_kind(name: str, kind: AutomatedKind | None) -> None:
    """sisimai bounces, auto-replies, ARF reports and controls."""
    message = parse_corpus(SISIMAI + name)
    assert message.automated == kind
    assert (message.automated_reason is None) == (kind is None)


OTHER_KINDS = [
    *[
        (f"flanker/messages/bounce/{p.name}", BOUNCE)
        for p in sorted((CORPORA / "flanker/messages/bounce").iterdir())
    ],
    ("flanker/messages/complaints/aol.eml", AUTO_GENERATED),
    ("flanker/messages/complaints/yahoo.eml", AUTO_GENERATED),
    ("flanker/messages/disposition-notification.eml", AUTO_GENERATED),
    *[
        (f"ruby-mail/emails/multipart_report_emails/{p.name}", BOUNCE)
        for p in sorted((CORPORA / "ruby-mail/emails/multipart_report_emails").iterdir())
    ],
    ("cpython-email-data/data/msg_05.txt", BOUNCE),
    ("cpython-email-data/data/msg_16.txt", BOUNCE),
    ("cpython-email-data/data/msg_25.txt", BOUNCE),
    ("cpython-email-data/data/msg_43.txt", BOUNCE),
    ("request-tracker/emails/multipart-report", BOUNCE),
    ("webklex-php-imap/messages/example_bounce.eml", BOUNCE),
    ("php-mime-mail-parser/mails/failure.eml", BOUNCE),
    ("talon/fixtures/standard_replies/gmail.eml", None),
    ("mailcore2/summary/input/1021-chinese.eml", None),
]


@pytest.mark.parametrize(("name", "kind"), OTHER_KINDS, ids=[c[0] for c in OTHER_KINDS])
def test_corpus_kind(name: str, kind: AutomatedKind | None) -> None:
    """Bounces, complaints and read receipts from other corpora."""
    assert parse_corpus(name).automated == kind


REASONS = [
    (SISIMAI + "bsd/rfc3834-01.eml", "header Auto-Submitted: auto-replied"),
    (SISIMAI + "bsd/rfc3834-02.eml", "subject 'Automatic reply: Nyaan'"),
    (
        SISIMAI + "bsd/lhost-postfix-03.eml",
        "content-type multipart/report; report-type=delivery-status",
    ),
    (SISIMAI + "bsd/lhost-exim-01.eml", "sender mailer-daemon@e1.example.org"),
    (SISIMAI + "bsd/arf-01.eml", "content-type multipart/report; report-type=feedback-report"),
]


@pytest.mark.parametrize(("name", "reason"), REASONS, ids=[c[0] for c in REASONS])
def test_reason_names_the_rule(name: str, reason: str) -> None:
    """automated_reason says which rule fired."""
    assert parse_corpus(name).automated_reason == reason


def _mail(headers: str, subject: str = "Re: 包裹延误 [CPL-1]", sender: str = "zs@qq.com") -> bytes:
    """A minimal UTF-8 message with extra header lines."""
    head = f"From: {sender}\nTo: kefu@desk.example.com\nSubject: {subject}\n{headers}"
    return (head + "Content-Type: text/plain; charset=utf-8\n\n你好\n").encode()


RULES = [
    ("customer_mail", "", "Re: 包裹延误", "zs@qq.com", None, None),
    (
        "auto_submitted_replied",
        "Auto-Submitted: auto-replied\n",
        "休假",
        "zs@qq.com",
        AUTO_REPLY,
        "header Auto-Submitted: auto-replied",
    ),
    (
        "auto_submitted_generated",
        "Auto-Submitted: auto-generated\n",
        "Report",
        "zs@qq.com",
        AUTO_GENERATED,
        "header Auto-Submitted: auto-generated",
    ),
    (
        "auto_submitted_notified",
        "Auto-Submitted: auto-notified\n",
        "Sieve",
        "zs@qq.com",
        AUTO_GENERATED,
        "header Auto-Submitted: auto-notified",
    ),
    ("auto_submitted_no", "Auto-Submitted: no\n", "Re: 包裹", "zs@qq.com", None, None),
    (
        "x_autoreply",
        "X-Autoreply: yes\n",
        "Re: 包裹",
        "zs@qq.com",
        AUTO_REPLY,
        "header x-autoreply: yes",
    ),
    (
        "x_autorespond",
        "X-Autorespond: 1\n",
        "Re: 包裹",
        "zs@qq.com",
        AUTO_REPLY,
        "header x-autorespond: 1",
    ),
    (
        "precedence_auto_reply",
        "Precedence: auto_reply\n",
        "Re: 包裹",
        "zs@qq.com",
        AUTO_REPLY,
        "header Precedence: auto_reply",
    ),
    (
        "suppress_alone_asks_for_no_acknowledgement",
        "X-Auto-Response-Suppress: All\n",
        "Parcel damaged",
        "zs@qq.com",
        AUTO_GENERATED,
        "header X-Auto-Response-Suppress: All",
    ),
    (
        "suppress_receipts_only",
        "X-Auto-Response-Suppress: DR, RN, NRN\n",
        "Parcel",
        "zs@qq.com",
        None,
        None,
    ),
    (
        "null_return_path",
        "Return-Path: <>\n",
        "Re: 包裹延误",
        "zs@qq.com",
        AUTO_GENERATED,
        "header Return-Path: <> (null sender)",
    ),
    (
        "zimbra_comment",
        "Auto-Submitted: auto-replied (zimbra; vacation)\nPrecedence: bulk\n",
        "Re: 包裹",
        "zs@qq.com",
        AUTO_REPLY,
        "header Auto-Submitted: auto-replied",
    ),
    (
        "auto_submitted_no_comment",
        "Auto-Submitted: no (written by me)\n",
        "Re: 包裹",
        "zs@qq.com",
        None,
        None,
    ),
    ("x_autoreply_no", "X-Autoreply: no\n", "Re: 包裹", "zs@qq.com", None, None),
    ("x_autorespond_false", "X-Autorespond: false\n", "Re: 包裹", "zs@qq.com", None, None),
    (
        "x_autoreply_from",
        "X-Autoreply-From: zs@qq.com\n",
        "Re: 包裹",
        "zs@qq.com",
        AUTO_REPLY,
        "header x-autoreply-from: zs@qq.com",
    ),
    ("x_mail_autoreply", "X-Mail-Autoreply: yes\n", "Re: 包裹", "zs@qq.com", AUTO_REPLY, None),
    (
        "x_autogenerated_reply",
        "X-AutoGenerated: Reply\n",
        "Re: 包裹",
        "zs@qq.com",
        AUTO_REPLY,
        "header X-Autogenerated: Reply",
    ),
    (
        "x_precedence_bulk",
        "X-Precedence: bulk\n",
        "News",
        "a@b.example",
        LIST,
        "header X-Precedence: bulk",
    ),
    (
        "x_precedence_auto_reply",
        "X-Precedence: auto_reply\n",
        "Re: 包裹",
        "zs@qq.com",
        AUTO_REPLY,
        "header X-Precedence: auto_reply",
    ),
    (
        "x_precedence_junk",
        "X-Precedence: junk\n",
        "Hi",
        "a@b.example",
        AUTO_GENERATED,
        "header X-Precedence: junk",
    ),
    (
        "precedence_comment",
        "Precedence: bulk (newsletter)\n",
        "News",
        "a@b.example",
        LIST,
        "header Precedence: bulk",
    ),
    (
        "x_fc_machinegenerated",
        "X-FC-MachineGenerated: true\n",
        "Hi",
        "a@b.example",
        AUTO_GENERATED,
        "header X-FC-MachineGenerated: true",
    ),
    ("auto_reply_complaint_subject", "", "Auto reply not working", "zs@qq.com", None, None),
    ("auto_reply_dash_complaint", "", "Auto reply - not working!", "zs@qq.com", None, None),
    (
        "out_of_office_dash_complaint",
        "",
        "Out of office - missed delivery",
        "zs@qq.com",
        None,
        None,
    ),
    ("only_auto_replies_subject", "", "为什么只有自动回复", "zs@qq.com", None, None),
    ("out_of_office_hours_subject", "", "Out of office hours delivery", "zs@qq.com", None, None),
    ("human_answers_an_oof", "", "RE: Automatic reply: parcel", "zs@qq.com", None, None),
    ("sieve_auto_subject_alone", "", "Auto: Re: 包裹", "zs@qq.com", None, None),
    (
        "suppress_with_away_subject",
        "X-Auto-Response-Suppress: OOF\n",
        "Away until Monday",
        "zs@qq.com",
        AUTO_REPLY,
        "header X-Auto-Response-Suppress: OOF with subject 'Away until Monday'",
    ),
    ("away_subject_alone", "", "Away until Monday", "zs@qq.com", None, None),
    ("subject_automatic_reply", "", "Automatic reply: 包裹延误", "zs@qq.com", AUTO_REPLY, None),
    ("subject_out_of_office", "", "Out of Office: Re: parcel", "zs@qq.com", AUTO_REPLY, None),
    ("subject_zi_dong_hui_fu", "", "自动回复：包裹延误", "zs@qq.com", AUTO_REPLY, None),
    ("subject_bracketed_auto_reply", "", "[自动回复] Re: 包裹", "zs@qq.com", AUTO_REPLY, None),
    (
        "precedence_bulk",
        "Precedence: bulk\n",
        "Newsletter",
        "news@shop.example",
        LIST,
        "header Precedence: bulk",
    ),
    (
        "precedence_list",
        "Precedence: list\n",
        "Digest",
        "a@lists.example",
        LIST,
        "header Precedence: list",
    ),
    (
        "precedence_junk",
        "Precedence: junk\n",
        "Hello",
        "a@b.example",
        AUTO_GENERATED,
        "header Precedence: junk",
    ),
    (
        "list_id",
        "List-Id: <users.lists.example>\n",
        "[users] hi",
        "a@b.example",
        LIST,
        "header list-id",
    ),
    (
        "list_unsubscribe",
        "List-Unsubscribe: <mailto:u@x>\n",
        "Sale",
        "a@b.example",
        LIST,
        "header list-unsubscribe",
    ),
    (
        "mailer_daemon",
        "",
        "Mail delivery failed",
        "MAILER-DAEMON@mx.example",
        BOUNCE,
        "sender mailer-daemon@mx.example",
    ),
    ("postmaster", "", "Notice", "postmaster@qq.com", BOUNCE, "sender postmaster@qq.com"),
    ("dsn_subject", "", "Delivery Status Notification (Failure)", "a@b.example", BOUNCE, None),
    ("xi_tong_tui_xin", "", "系统退信", "a@b.example", BOUNCE, None),
    ("tui_xin_tong_zhi", "", "退信通知：Re: 包裹", "a@b.example", BOUNCE, None),
    (
        "undeliverable_with_null_sender",
        "Return-Path: <>\n",
        "Undeliverable: Re: 包裹",
        "a@b.example",
        BOUNCE,
        "subject 'Undeliverable: Re: 包裹' from an automated sender",
    ),
    (
        "undeliverable_parcel_is_a_customer",
        "",
        "Undeliverable parcel, please help",
        "zs@qq.com",
        None,
        None,
    ),
    (
        "delivery_failure_is_a_customer",
        "",
        "Delivery failure for order 123",
        "zs@qq.com",
        None,
        None,
    ),
    (
        "x_failed_recipients",
        "X-Failed-Recipients: a@b.example\n",
        "Mail",
        "a@b.example",
        BOUNCE,
        "header X-Failed-Recipients",
    ),
    (
        "noreply_sender",
        "",
        "Your order",
        "noreply@shop.example",
        AUTO_GENERATED,
        "sender noreply@shop.example",
    ),
    ("do_not_reply_sender", "", "Your order", "do-not-reply@shop.example", AUTO_GENERATED, None),
]


@pytest.mark.parametrize(
    ("case", "headers", "subject", "sender", "kind", "reason"), RULES, ids=[r[0] for r in RULES]
)
def test_rules(
    case: str,
    headers: str,
    subject: str,
    sender: str,
    kind: AutomatedKind | None,
    reason: str | None,
) -> None:
    """Each detection rule, and the look-alikes it must not catch."""
    message = parse_message(_mail(headers, subject, sender))
    assert message.automated == kind, case
    if reason is not None:
        assert message.automated_reason == reason


def test_report_content_types() -> None:
    """multipart/report: a DSN is a bounce, an MDN a robot."""
    dsn = (
        b"From: a@b.example\nSubject: x\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nfailed\n--b--\n"
    )
    mdn = dsn.replace(b"delivery-status", b"disposition-notification")
    assert parse_message(dsn).automated == BOUNCE
    assert parse_message(mdn).automated == AUTO_GENERATED


BOUNCED_IDS = [
    (
        SISIMAI + "bsd/rhost-google-01.eml",
        "201305110000000000000.r4B003v000000@mail4.example.co.jp",
    ),
    (SISIMAI + "bsd/lhost-bigfoot-02.eml", "2015042923344500.neko.nyaan@smtp.r3.example.com"),
    (SISIMAI + "bsd/lhost-postfix-03.eml", "20140701000000.000000000000@e1.example.ne.jp"),
    (SISIMAI + "bsd/lhost-office365-01.eml", "FFFFFFFF.EEEEEEEE@example.ed.jp"),
    (SISIMAI + "bsd/lhost-biglobe-01.eml", "000000000000000000000000000000@example.com"),
    (SISIMAI + "bsd/rfc3464-04.eml", "00000000000.000000@mx4.example.co.jp"),
    (SISIMAI + "bsd/lhost-qmail-01.eml", "000000000.9999999999999.JavaMail.postmaster@mailhub"),
    (
        "flanker/messages/bounce/gmail-invalid-address.eml",
        "CAKsfaBUUGqVZiaMrmH3TRPfq1odQPtM7Ey5YW1SgyJJRHtAjgw@mail.gmail.com",
    ),
    (
        "request-tracker/emails/multipart-report",
        "200308221615.h7MGFGac020135@mx12.other.example.com",
    ),
    (
        "webklex-php-imap/messages/example_bounce.eml",
        "UyVznI5nOyYGnv7Ij0hi6ro4gvxwGT999eQAtc4o@127.0.0.1",
    ),
]


@pytest.mark.parametrize(("name", "original"), BOUNCED_IDS, ids=[c[0] for c in BOUNCED_IDS])
def test_bounced_message_ids(name: str, original: str) -> None:
    """The first id is the returned original, from raw or parsed input."""
    from_raw = bounced_message_ids(corpus_bytes(name))
    from_parsed = bounced_message_ids(parse_corpus(name))
    assert from_raw == from_parsed
    assert from_raw[0] == original


def test_bounced_ids_fall_back_to_threading_headers() -> None:
    """Without a returned message, In-Reply-To then References."""
    raw = (
        b"From: MAILER-DAEMON@mx.example\nMessage-ID: <own@mx.example>\n"
        b"In-Reply-To: <reply-2@desk.example.com>\n"
        b"References: <reply-1@desk.example.com> <reply-2@desk.example.com> <own@mx.example>\n"
        b"Subject: failure notice\n\nSorry.\n"
    )
    assert bounced_message_ids(raw) == ("reply-2@desk.example.com", "reply-1@desk.example.com")


def test_bounced_ids_from_rfc822_headers_part() -> None:
    """A text/rfc822-headers part names the original (folded id)."""
    raw = (
        b"From: MAILER-DAEMON@mx.example\nMessage-ID: <own@mx.example>\nSubject: x\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nUser unknown.\n"
        b"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\n"
        b"Final-Recipient: rfc822; x@y.example\nAction: failed\nStatus: 5.1.1\n"
        b"--b\nContent-Type: text/rfc822-headers\n\nFrom: kefu@desk.example.com\n"
        b"Message-ID:\n <cpl-7-3@desk.example.com>\nSubject: Re: [CPL-7]\n--b--\n"
    )
    message = parse_message(raw)
    assert message.automated == BOUNCE
    names = [(a.filename, a.content_type) for a in message.attachments]
    assert names == [
        ("delivery-status.txt", "message/delivery-status"),
        ("original-headers.txt", "text/rfc822-headers"),
    ]
    assert bounced_message_ids(message) == ("cpl-7-3@desk.example.com",)


# --- issue 11 item 6: machine mail as real clients and servers send it -------------------

NULL_SENDER_RESPONDER = (
    b"Return-Path: <>\r\n"
    b"Delivered-To: kefu@desk.example.com\r\n"
    b"Received: from mx.customer.example (mx.customer.example [192.0.2.10])\r\n"
    b"\tby mail.desk.example.com (Postfix) with ESMTPS id 4Z1k2L3m4N\r\n"
    b"\tfor <kefu@desk.example.com>; Tue,  4 Mar 2025 10:12:35 +0800 (CST)\r\n"
    b"From: =?utf-8?B?5byg5LiJ?= <zhangsan@customer.example>\r\n"
    b"To: kefu@desk.example.com\r\n"
    b"Subject: Re: [TS-202503-0012] =?utf-8?B?5oKo55qE5oqV6K+J5bey5Y+X55CG?=\r\n"
    b"Date: Tue, 4 Mar 2025 10:12:33 +0800\r\n"
    b"Message-ID: <auto.1741054353.12345@customer.example>\r\n"
    b"In-Reply-To: <ts-202503-0012-ack@desk.example.com>\r\n"
    b"X-Mailer: Coremail Webmail Server Version XT5.0.14\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes("您好，邮件已收到。".encode())
)


def test_null_return_path_is_machine_mail() -> None:
    """A responder that says nothing recognisable but sends with the null sender."""
    message = parse_message(NULL_SENDER_RESPONDER)
    assert message.automated == AUTO_GENERATED
    assert message.automated_rule is AutomatedRule.NULL_SENDER
    assert message.automated_reason == "header Return-Path: <> (null sender)"
    assert not message.automated_rule.person_may_have_written


def test_internationalised_return_path_is_a_person() -> None:
    """An SMTPUTF8 return path (张三@公司.example) is a real sender, not the null one."""
    raw = NULL_SENDER_RESPONDER.replace(
        b"Return-Path: <>", "Return-Path: <张三@公司.example>".encode()
    )
    assert parse_message(raw).automated is None


CRM_FORWARD = (
    b"Return-Path: <bounce-7731@crm.shop.example>\r\n"
    b"From: =?utf-8?B?5p+Q5ZWG5Z+O5a6i5pyN?= <service@shop.example>\r\n"
    b"Reply-To: li.na@customer.example\r\n"
    b"To: kefu@desk.example.com\r\n"
    b"Subject: =?utf-8?B?5a6i5oi35oqV6K+J6L2s5Y+R77ya6L+Q5Y2VIFNGMTIzNDU2Nzg5MDEyIOegtOaNnw==?=\r\n"
    b"Date: Tue, 4 Mar 2025 10:12:33 +0800\r\n"
    b"Message-ID: <crm.88231.ticket@crm.shop.example>\r\n"
    b"X-Auto-Response-Suppress: All\r\n"
    b"X-Mailer: ShopCRM 5.2\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    + "客户李娜反映：运单 SF123456789012 的包裹外箱破损，里面的杯子碎了两个。\r\n".encode()
)


def test_suppress_all_withholds_the_acknowledgement_only() -> None:
    """X-Auto-Response-Suppress: All on a CRM-forwarded complaint: no ack, maybe a person."""
    message = parse_message(CRM_FORWARD)
    assert message.automated == AUTO_GENERATED
    assert message.automated_rule is AutomatedRule.SUPPRESS_REQUEST
    assert message.automated_rule.person_may_have_written
    assert message.automated_reason == "header X-Auto-Response-Suppress: All"


def test_noreply_address_keeps_its_reason_and_gets_a_rule() -> None:
    """The no-reply rule still says "sender ..." (intake reads that) and is marked as such."""
    raw = CRM_FORWARD.replace(b"X-Auto-Response-Suppress: All\r\n", b"").replace(
        b"service@shop.example", b"noreply@shop.example"
    )
    message = parse_message(raw)
    assert message.automated_reason == "sender noreply@shop.example"
    assert message.automated_rule is AutomatedRule.NOREPLY_ADDRESS
    assert message.automated_rule.person_may_have_written


ZIMBRA_VACATION = (
    b"Return-Path: <lisi@zimbra.customer.example>\r\n"
    b"Date: Tue, 4 Mar 2025 10:12:33 +0800 (CST)\r\n"
    b"From: Li Si <lisi@zimbra.customer.example>\r\n"
    b"To: kefu@desk.example.com\r\n"
    b"Message-ID: <1188342137.2231.1741054353@zimbra.customer.example>\r\n"
    b"In-Reply-To: <ts-202503-0012-ack@desk.example.com>\r\n"
    b"Subject: Re: [TS-202503-0012] Complaint received\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 7bit\r\n"
    b"Auto-Submitted: auto-replied (zimbra; vacation)\r\n"
    b"Precedence: bulk\r\n"
    b"X-Mailer: Zimbra 9.0.0_GA_4546\r\n\r\n"
    b"Thanks, I will get back to you next week.\r\n"
)


def test_zimbra_vacation_is_an_auto_reply_not_list_mail() -> None:
    """RFC 3834 keyword with a comment, next to Precedence: bulk (was read as list mail)."""
    message = parse_message(ZIMBRA_VACATION)
    assert message.automated == AUTO_REPLY
    assert message.automated_rule is AutomatedRule.AUTO_SUBMITTED


def test_x_autoreply_no_is_a_person() -> None:
    """A webmail that stamps X-Autoreply: no on what people write (got no ticket at all)."""
    raw = ZIMBRA_VACATION.replace(
        b"Auto-Submitted: auto-replied (zimbra; vacation)\r\nPrecedence: bulk\r\n",
        b"X-Autoreply: no\r\nX-Autorespond: no\r\n",
    )
    assert parse_message(raw).automated is None


def test_x_precedence_bulk_newsletter() -> None:
    """X-Precedence (older list managers and bulk senders) is read like Precedence."""
    raw = ZIMBRA_VACATION.replace(
        b"Auto-Submitted: auto-replied (zimbra; vacation)\r\nPrecedence: bulk\r\n",
        b"X-Precedence: bulk\r\n",
    )
    message = parse_message(raw)
    assert (message.automated, message.automated_reason) == (LIST, "header X-Precedence: bulk")


@pytest.mark.parametrize("sample", POSITIVES, ids=[s.name for s in POSITIVES])
def test_out_of_office_without_headers(sample: Sample) -> None:
    """Each client's out-of-office reply with its auto-reply headers removed."""
    message = parse_message(client_mail(sample))
    assert message.automated == AUTO_REPLY, message.body.text
    assert message.automated_rule is AutomatedRule.AUTO_REPLY_TEXT


@pytest.mark.parametrize("sample", NEGATIVES, ids=[s.name for s in NEGATIVES])
def test_complaint_mentioning_an_absence_is_a_complaint(sample: Sample) -> None:
    """A complaint that mentions 休假, "out of office" or an auto-reply in passing."""
    message = parse_message(client_mail(sample))
    assert message.automated is None, message.automated_reason


def test_out_of_office_recall_and_false_positives() -> None:
    """The figures for the labelled set: every reply caught, no complaint taken."""
    caught = sum(parse_message(client_mail(s)).automated == AUTO_REPLY for s in POSITIVES)
    taken = sum(parse_message(client_mail(s)).automated is not None for s in NEGATIVES)
    assert (caught, taken) == (len(POSITIVES), 0)
    assert len(POSITIVES) >= 35 and len(NEGATIVES) >= 25


REPLY_FIXTURE_DIRS = ("zapier-email-reply-parser", "crisp-email-reply-parser", "talon/fixtures")


def test_human_reply_fixtures_are_not_out_of_office() -> None:
    """150 human replies from three reply-parser projects: none reads as out-of-office."""
    bodies = [
        path.read_bytes().decode("utf-8", "replace")
        for directory in REPLY_FIXTURE_DIRS
        for path in sorted((CORPORA / directory).rglob("*"))
        if path.is_file() and not path.name.startswith(("LICENSE", "README"))
    ]
    assert len(bodies) > 100
    assert [b[:60] for b in bodies if out_of_office.text_verdict("Re: hello", b)] == []


_AUTO_HEADER = re.compile(
    rb"^(?:auto-submitted|x-auto-response-suppress|precedence|return-path"
    rb"|x-ms-exchange-inbox-rules-loop)[ \t]*:.*\r?\n(?:[ \t].*\r?\n)*",
    re.IGNORECASE | re.MULTILINE,
)


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_sisimai_auto_replies_without_their_headers(number: int) -> None:
    """sisimai's RFC 3834 samples still read as auto-replies when a gateway drops the headers."""
    head, _, body = corpus_bytes(f"{SISIMAI}bsd/rfc3834-0{number}.eml").partition(b"\n\n")
    message = parse_message(_AUTO_HEADER.sub(b"", head + b"\n") + b"\n" + body)
    assert message.automated == AUTO_REPLY
    assert message.automated_rule is AutomatedRule.AUTO_REPLY_TEXT


@pytest.mark.parametrize(
    ("value", "keyword"),
    [
        ("auto-replied (zimbra; vacation)", "auto-replied"),
        ("Auto-Generated; type=notification", "auto-generated"),
        ("(comment (nested)) no", "no"),
        ("bulk", "bulk"),
        ("", ""),
    ],
)
def test_header_keyword(value: str, keyword: str) -> None:
    """RFC 5322 comments and parameters are not part of the keyword."""
    assert header_keyword(value) == keyword
