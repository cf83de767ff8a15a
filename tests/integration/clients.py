"""Replies as real mail clients' Reply buttons write them.

A customer, a department clerk or an agent answers the desk's mail by pressing Reply:
the client sends to the Reply-To (else the From) of that mail, sets In-Reply-To to its
Message-ID and References to its References plus its Message-ID, prefixes the subject
("RE:", "答复:", "回复：", "Re:"), writes the user's text and signature on top and puts
the original below, quoted in the client's own way:

- Outlook: no ``>`` markers; a ``From:/Sent:/To:/Subject:`` block (``发件人:/发送时间:/
  收件人:/主题:`` in Chinese Outlook) under a rule; GB2312 in Chinese; an HTML part.
- Foxmail: ``------------------ Original ------------------`` and a header block with
  full-width colons; GB2312 base64.
- QQ Mail: ``------------------ 原始邮件 ------------------``, ``发件人: "Name"<addr>;``,
  GB18030 base64, an HTML part.
- 163 (Coremail): ``在 2026-11-20 10:00:00，"Name" <addr> 写道：`` and ``>`` markers; GBK.
- Gmail: ``On Fri, Nov 20, 2026 at 10:00 AM Name <addr> wrote:`` (folded) and ``>``.
- Apple Mail (iPhone): "Sent from my iPhone" signature, then ``> On 20 Nov 2026, at 10:00,
  Name <addr> wrote:`` with every line quoted.
- A plain paste: the original text pasted under the reply with no marker at all.

The shapes follow the clients' real output (see the talon, crisp and zapier reply-parser
corpora in tests/corpora); only the parts a client really sends are built.
"""

from __future__ import annotations

import email.policy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import Header
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, getaddresses
from enum import StrEnum
from html import escape

from tests.support.smtpsink import SinkMessage

_counter = itertools.count(1)


class Client(StrEnum):
    """A mail client whose Reply button we imitate."""

    OUTLOOK = "outlook"
    OUTLOOK_ZH = "outlook-zh"
    FOXMAIL = "foxmail"
    QQMAIL = "qqmail"
    MAIL163 = "163"
    GMAIL = "gmail"
    APPLE_MAIL = "apple-mail"
    PASTE = "paste"  # a plain paste of the original, no quote marker


ALL_CLIENTS: tuple[Client, ...] = tuple(Client)


@dataclass(frozen=True)
class _Style:
    subject_prefix: str
    charset: str
    html: bool
    mailer: str


_STYLES: dict[Client, _Style] = {
    Client.OUTLOOK: _Style("RE: ", "utf-8", True, "Microsoft Outlook 16.0"),
    Client.OUTLOOK_ZH: _Style("答复: ", "gb2312", True, "Microsoft Outlook 16.0"),
    Client.FOXMAIL: _Style("回复：", "gb2312", True, "Foxmail 7.2.25.228[cn]"),
    Client.QQMAIL: _Style("回复：", "gb18030", True, "QQMail 2.x"),
    Client.MAIL163: _Style("Re:", "gbk", True, "Coremail Webmail Server Version 2023.2"),
    Client.GMAIL: _Style("Re: ", "utf-8", True, ""),
    Client.APPLE_MAIL: _Style("Re: ", "utf-8", False, "iPhone Mail (21G93)"),
    Client.PASTE: _Style("Re: ", "utf-8", False, ""),
}


def as_message(original: bytes | SinkMessage | EmailMessage) -> EmailMessage:
    """The desk's mail being answered, parsed."""
    if isinstance(original, EmailMessage):
        return original
    raw = original.raw if isinstance(original, SinkMessage) else original
    parsed = message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def reply(
    original: bytes | SinkMessage | EmailMessage,
    text: str,
    *,
    client: Client = Client.OUTLOOK_ZH,
    sender: tuple[str, str] = ("张伟", "zhang.wei@customer.example"),
    signature: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    subject: str | None = None,
    message_id: str | None = None,
    to: str | None = None,
    headers: dict[str, str] | None = None,
    date: datetime | None = None,
) -> bytes:
    """Answer ``original`` as ``client``'s Reply button would, with ``text`` on top.

    ``to`` overrides the recipient (a client that ignores Reply-To, or a forger);
    ``subject`` overrides the subject the client would make.
    """
    desk_mail = as_message(original)
    style = _STYLES[client]
    sent_at = date or datetime(2026, 11, 20, 11, 5, tzinfo=UTC)
    quoted = _quote(client, desk_mail, sent_at)
    body = text.rstrip("\n") + "\n"
    if signature:
        body += ("\n-- \n" if client is Client.GMAIL else "\n") + signature.rstrip("\n") + "\n"
    if quoted:
        body += "\n" + quoted
    message = EmailMessage()
    message["From"] = formataddr((str(Header(sender[0], "utf-8")), sender[1]))
    message["To"] = to or _reply_target(desk_mail)
    message["Subject"] = subject if subject is not None else _subject(desk_mail, style)
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = f"<{message_id or _new_id(client, sender[1])}>"
    parent = desk_mail["Message-ID"]
    if parent:
        message["In-Reply-To"] = parent
        message["References"] = " ".join([*_references(desk_mail), str(parent).strip()])
    if style.mailer:
        message["X-Mailer"] = style.mailer
    if client in (Client.OUTLOOK, Client.OUTLOOK_ZH):
        message["Thread-Topic"] = str(desk_mail["Subject"] or "")
        message["Thread-Index"] = "AQHaxyz1234567890abcdefghijk=="
    for name, value in (headers or {}).items():
        message[name] = value
    _set_body(message, body, style)
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def _new_id(client: Client, sender: str) -> str:
    domain = sender.partition("@")[2] or "client.example"
    return f"{client.value}-{next(_counter)}-{datetime.now().timestamp():.0f}@{domain}"


def _reply_target(desk_mail: EmailMessage) -> str:
    """Reply goes to Reply-To when there is one (every client here honours it)."""
    return str(desk_mail["Reply-To"] or desk_mail["From"])


def _references(desk_mail: EmailMessage) -> list[str]:
    value = desk_mail["References"]
    return str(value).split() if value else []


def _subject(desk_mail: EmailMessage, style: _Style) -> str:
    subject = str(desk_mail["Subject"] or "")
    return (
        subject
        if subject.lower().startswith(style.subject_prefix.lower())
        else (style.subject_prefix + subject)
    )


def original_text(desk_mail: EmailMessage) -> str:
    """The plain text of the mail being answered (what the client quotes)."""
    part = desk_mail.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


def _from_of(desk_mail: EmailMessage) -> tuple[str, str]:
    [(name, address)] = getaddresses([str(desk_mail["From"])])
    return name, address


def _to_of(desk_mail: EmailMessage) -> str:
    return ", ".join(address for _, address in getaddresses([str(desk_mail["To"] or "")]))


def _quote(client: Client, desk_mail: EmailMessage, sent_at: datetime) -> str:
    """The original as ``client`` puts it under the reply."""
    text = original_text(desk_mail).rstrip("\n")
    name, address = _from_of(desk_mail)
    to = _to_of(desk_mail)
    subject = str(desk_mail["Subject"] or "")
    when = sent_at.astimezone()
    if client is Client.OUTLOOK:
        return (
            "________________________________\n"
            f"From: {name} <{address}>\n"
            f"Sent: {when:%A, %B %d, %Y %I:%M %p}\n"
            f"To: {to}\nSubject: {subject}\n\n{text}\n"
        )
    if client is Client.OUTLOOK_ZH:
        return (
            "________________________________\n"
            f"发件人: {name} <{address}>\n"
            f"发送时间: {when.year}年{when.month}月{when.day}日 {when:%H:%M}\n"
            f"收件人: {to}\n主题: {subject}\n\n{text}\n"
        )
    if client is Client.FOXMAIL:
        return (
            "------------------ Original ------------------\n"
            f'From:  "{name}"<{address}>;\n'
            f"Date:  {when:%a, %b %d, %Y %I:%M %p}\n"
            f'To:  "{to}"<{to}>;\n'
            f"Subject:  {subject}\n\n{text}\n"
        )
    if client is Client.QQMAIL:
        return (
            "------------------ 原始邮件 ------------------\n"
            f'发件人: "{name}"<{address}>;\n'
            f"发送时间: {when.year}年{when.month}月{when.day}日(星期五) 上午{when:%H:%M}\n"
            f'收件人: "{to}"<{to}>;\n'
            f"主题: {subject}\n\n{text}\n"
        )
    if client is Client.MAIL163:
        header = f'在 {when:%Y-%m-%d %H:%M:%S}，"{name}" <{address}> 写道：'
        return header + "\n" + _marked(text)
    if client is Client.GMAIL:
        header = f"On {when:%a, %b %d, %Y at %I:%M %p} {name} <\n{address}> wrote:"
        return header + "\n\n" + _marked(text)
    if client is Client.APPLE_MAIL:
        header = f"On {when.day} {when:%b %Y}, at {when:%H:%M}, {name} <{address}> wrote:"
        return "Sent from my iPhone\n\n" + _marked(header + "\n\n" + text)
    return text + "\n"


def _marked(text: str) -> str:
    return "".join(f"> {line}\n" if line else ">\n" for line in text.split("\n"))


def _set_body(message: EmailMessage, body: str, style: _Style) -> None:
    """Text (and HTML) in the client's charset, base64 like the Chinese clients send.

    Clients that label their mail gb2312 write GBK (characters such as "·" are not in
    GB2312 proper), as Foxmail and Chinese Outlook do.
    """
    codec = "gbk" if style.charset == "gb2312" else style.charset
    data = body.encode(codec)
    message.set_content(data, maintype="text", subtype="plain", cte="base64")
    message.set_param("charset", style.charset)
    if style.html:
        html = "<html><body>" + "".join(
            f"<div>{escape(line) or '<br>'}</div>" for line in body.split("\n")
        )
        message.add_alternative(
            (html + "</body></html>").encode(codec),
            maintype="text",
            subtype="html",
            cte="base64",
        )
        html_part = message.get_body(preferencelist=("html",))
        assert html_part is not None
        html_part.set_param("charset", style.charset)
