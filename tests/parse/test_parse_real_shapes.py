"""Issue 11, items 1-3 and 5, on real messages from the third-party corpora.

Each message below showed the defect before the fix (checked against the raw
bytes by hand): a From the parser could not read, a header block cut short, a
flowed body left wrapped, an attribution left in the reply.  See
tests/corpora/README.md for where they come from.
"""

from __future__ import annotations

import pytest

from complaintd.parse import Address
from tests.parse.corpus import parse_corpus

# Item 2: From as real mailers wrote it.
SENDERS = [
    # Mandrill: a raw ":" inside a Q-encoded display name.
    (
        "mailcore2/parser/input/messages/headers.txt",
        Address("Вестник Чиптрипа® :)", "cheaptripinsider@moitrip.ru"),
    ),
    ("ruby-mail/emails/plain_emails/mix_caps_content_type.eml", Address("Big Bug", "bb@bug.com")),
    # Two bare addresses and no comma: the first is the sender.
    (
        "ruby-mail/emails/plain_emails/raw_email_multiple_from.eml",
        Address("", "tim@powerupdev.com"),
    ),
]


@pytest.mark.parametrize(("name", "sender"), SENDERS, ids=[s[0] for s in SENDERS])
def test_sender_read_from_a_malformed_from(name: str, sender: Address) -> None:
    """The sender is found where the parser used to find none."""
    message = parse_corpus(name)
    assert (message.from_addr, message.sender_source) == (sender, "from")


def test_postmaster_address_inside_a_broken_angle() -> None:
    """``"postmaster@" <sending_domain.tld postmaster@sending_domain.tld>``."""
    message = parse_corpus("webklex-php-imap/messages/issue-462.eml")
    assert message.from_addr is not None
    assert message.from_addr.email == "postmaster@sending_domain.tld"


def test_list_without_commas_in_to() -> None:
    """``To: tim@powerupdev.com concierge@powerupdev.com`` is two recipients."""
    message = parse_corpus("ruby-mail/emails/plain_emails/raw_email_multiple_from.eml")
    assert [a.email for a in message.to] == ["tim@powerupdev.com", "concierge@powerupdev.com"]


# Item 3: header blocks the stdlib stopped reading early.
HEADER_BLOCKS = [
    # Received and DKIM-Signature continued on unindented lines (a news gateway).
    (
        "php-mime-mail-parser/mails/issue84",
        "tyra3l@gmail.com",
        "Re: [PHP-DEV] [RFC] Remove PHP 4 Constructors",
        "CAH-PCH47Mx9AiP9yWLK+_nv8hpWHyXDjnn-h0sk66gPFOpRPxA@mail.gmail.com",
    ),
    # Continuation lines that start with a literal "\t" (backslash, t).
    (
        "webklex-php-imap/messages/issue-40.eml",
        "faked_sender@sender_domain.pl",
        "Zly from",
        "20201029202123.57DADAB@sender_domain.pl",
    ),
    # An SMTP transcript (HELO, MAIL FROM, RCPT TO, DATA) above the message.
    ("spamassassin/spam/bsmtp", "renterr989@hotmail.com", "foo", "78w08.t365th3y6x7h@yahoo.com"),
    # RFC 2822 appendix A.6.3: obsolete syntax, "To" continued without indentation.
    (
        "ruby-mail/emails/rfc2822/example13.eml",
        "jdoe@machine.example",
        "Saying Hello",
        "1234@local(blah).machine.example",
    ),
]


@pytest.mark.parametrize(
    ("name", "sender", "subject", "message_id"), HEADER_BLOCKS, ids=[h[0] for h in HEADER_BLOCKS]
)
def test_header_block_read_to_its_end(
    name: str, sender: str, subject: str, message_id: str
) -> None:
    """From, Subject and Message-ID come from the headers, not from the body."""
    message = parse_corpus(name)
    assert message.from_addr is not None and message.from_addr.email == sender
    assert (message.subject, message.message_id) == (subject, message_id)


def test_news_gateway_reply_body() -> None:
    """Once the headers are read, the reply is what Ferenc wrote."""
    message = parse_corpus("php-mime-mail-parser/mails/issue84")
    assert message.reply_text == "+1 from me."
    assert message.body.text.startswith("On Wed, Nov 19, 2014 at 12:11 AM, Levi Morrison")


# Item 5: format=flowed bodies from Thunderbird-era clients.
def test_flowed_digest_paragraph_joined() -> None:
    """request-tracker's 8859-15 series: a flowed paragraph is one line."""
    message = parse_corpus("request-tracker/emails/8859-15-message-series/dir")
    assert message.body.text.startswith(
        "Hello,\n\nhere is the digest I forgot to attach. And I also forgot to say, that "
        "these were the only messages after a restart of apache.\n"
    )


def test_flowed_lkml_reply() -> None:
    """A flowed LKML reply: paragraphs joined, quote and attribution stripped."""
    message = parse_corpus("notmuch/lkml/cur/1382298587.002228:2,")
    assert message.reply_text.startswith(
        "I reworked the CIFS mount option parsing a while back; I'm not sure whether that "
        "patch was going to be in the 2.6.35 tree or not (the window just opened, didn't it?)."
    )
    assert "Suresh Jayaraman wrote:" not in message.reply_text


# Item 1: attributions of older clients, still cut now that a digit alone is no date.
def test_eudora_attribution_cut() -> None:
    """Eudora: "At 14:56 02.06.2003 -0400, you wrote:" above ">>" quotes."""
    message = parse_corpus("request-tracker/emails/new-ticket-from-iso-8859-1-full")
    assert message.reply_text.startswith("Hello again,\n\nThanks for your fast replay!")
    assert "you wrote:" not in message.reply_text


def test_gnus_attribution_in_a_forward_cut() -> None:
    """Gnus: '"Jakob Carlsson" <esrange@example.com> writes:' and its quote go."""
    message = parse_corpus("request-tracker/emails/nested-rfc-822")
    assert "writes:" not in message.reply_text and "Om du går in på Hemsidan" not in (
        message.reply_text
    )
    assert "Jag skulle kunna lägga en massa tid på at skriva samma sak" in message.reply_text
