"""Issue 11 item 4: charsets as real clients write them, through parse_message.

Each message below is written the way the named client or mailer sends it
(header shapes, transfer encodings, labels); the bytes are the real encodings.
The corpus messages are copied from /work/shared/corpora (tests/corpora/README.md).
"""

from __future__ import annotations

import base64
import re

import pytest

from complaintd.parse import ParsedMessage, parse_message
from tests.parse.corpus import all_text, corpus_bytes, parse_corpus

PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _assert_clean(message: ParsedMessage) -> None:
    """No U+FFFD, no private-use character, no undecoded body."""
    for text in all_text(message):
        assert "\ufffd" not in text
        assert not PRIVATE_USE.search(text), text
    assert message.body.undecoded is None, message.body.decode_note


# --- valid text under its declared charset is never "repaired" ----------------------


THUNDERBIRD_ESTONIAN = (
    b"From: Mari Tamm <mari.tamm@example.ee>\r\n"
    b"To: kefu@desk.example.com\r\n"
    b"Subject: =?UTF-8?B?w5XDhMOWw5w=?=\r\n"
    b"Date: Tue, 4 Mar 2025 10:12:33 +0200\r\n"
    b"Message-ID: <5f1c2e9a-1b2c-4d3e-9f00-0a1b2c3d4e5f@example.ee>\r\n"
    b"User-Agent: Mozilla Thunderbird\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Tere!\r\n\r\n"
    + "Saaja firma nimi on ÕÄÖÜ, pakk SF1234567890 pole kohale jõudnud.\r\n".encode()
    + b"\r\nMari\r\n"
)

OUTLOOK_QP_UTF8 = (
    b"From: Mari Tamm <mari.tamm@example.ee>\r\n"
    b"To: kefu@desk.example.com\r\n"
    b"Subject: Pakk\r\n"
    b"Date: Tue, 4 Mar 2025 10:12:33 +0200\r\n"
    b"Message-ID: <AM0PR01MB1234@AM0PR01MB1234.eurprd01.prod.outlook.com>\r\n"
    b'Content-Type: text/plain; charset="utf-8"\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"MIME-Version: 1.0\r\n"
    b"\r\n"
    b"=C3=95=C3=84=C3=96=C3=9C\r\n"
)


@pytest.mark.parametrize("raw", [THUNDERBIRD_ESTONIAN, OUTLOOK_QP_UTF8], ids=["8bit", "qp"])
def test_declared_utf8_latin_letters_are_kept(raw: bytes) -> None:
    """Valid UTF-8 "ÕÄÖÜ" stays as written (it was "repaired" into 漳周)."""
    message = parse_message(raw)
    assert "ÕÄÖÜ" in message.body.text
    assert message.body.charset == "utf-8"
    assert "漳" not in message.body.text + message.subject
    _assert_clean(message)


def test_declared_utf8_subject_kept() -> None:
    """The same four letters in an RFC 2047 UTF-8 subject."""
    assert parse_message(THUNDERBIRD_ESTONIAN).subject == "ÕÄÖÜ"


def test_gbk_sent_as_latin1_by_a_webmail_form_is_still_repaired() -> None:
    """Provable mojibake (symbols and case flips inside runs) is still re-read as GB."""
    complaint = "您好，运单号SF1234567890的包裹破损了，请尽快处理。"
    raw = (
        b"From: web-form@shop.example.cn\r\nTo: kefu@desk.example.com\r\n"
        b"Subject: complaint\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + complaint.encode("gbk") + b"\r\n"
    )
    message = parse_message(raw)
    assert message.body.text.strip() == complaint
    assert message.body.charset == "gb18030"


# --- unlabelled Western text is not Chinese ---------------------------------------------

PHP_MAIL_LATIN1 = (
    b"Return-Path: <www-data@shop.example.de>\r\n"
    b"To: kefu@desk.example.com\r\n"
    b"Subject: Paket besch\xe4digt\r\n"
    b"X-PHP-Originating-Script: 33:kontakt.php\r\n"
    b"From: J\xfcrgen M\xfcller <j.mueller@example.de>\r\n"
    b"Message-Id: <20250304101233.4F2A1C0123@shop.example.de>\r\n"
    b"Date: Tue,  4 Mar 2025 10:12:33 +0100 (CET)\r\n"
    b"\r\n"
    b"Sehr geehrte Damen und Herren,\r\n\r\n"
    b"das Paket mit der Sendungsnummer SF1234567890 kam besch\xe4digt an.\r\n"
    b"Die \xd6ffnung war aufgerissen, die Ware ist zerst\xf6rt.\r\n\r\n"
    b"Mit freundlichen Gr\xfc\xdfen\r\nJ\xfcrgen M\xfcller\r\n"
)


def test_unlabelled_latin1_is_western_text() -> None:
    """PHP mail() with no MIME headers: Latin-1, not GB with private-use characters."""
    message = parse_message(PHP_MAIL_LATIN1)
    assert "die Ware ist zerstört." in message.body.text
    assert "Mit freundlichen Grüßen\nJürgen Müller" in message.body.text
    assert message.subject == "Paket beschädigt"
    assert message.from_addr is not None and message.from_addr.name == "Jürgen Müller"
    _assert_clean(message)


def test_short_unlabelled_latin1_body() -> None:
    """Too short for charset-normalizer: still Western, not 'Gr\\ue3eae'."""
    raw = b"From: a@example.de\r\nTo: kefu@desk.example.com\r\nSubject: x\r\n\r\nGr\xfc\xdfe\r\n"
    message = parse_message(raw)
    assert message.body.text.strip() == "Grüße"
    _assert_clean(message)


# --- labels mailers send that Python does not know -------------------------------------

COMPLAINT_SIMPLIFIED = "您好，我的快递已经三天没有更新了，请帮忙查询一下。"
COMPLAINT_TRADITIONAL = "您好，我的包裹已經三天沒有更新了，請幫忙查詢一下。"
UNKNOWN_LABELS = [
    ("iso-gb2312", COMPLAINT_SIMPLIFIED, "gbk", "gb18030"),
    ("x-windows-950", COMPLAINT_TRADITIONAL, "cp950", "cp950"),
    ("windows-932", "お世話になっております。荷物がまだ届いていません。", "cp932", "cp932"),
    ("x-euc-kr", "안녕하세요. 택배가 아직 도착하지 않았습니다.", "euc-kr", "cp949"),
    ("iso-8859-8-i", "שלום, החבילה שלי עדיין לא הגיעה.", "iso-8859-8", "iso8859-8"),
]


def _labelled_mail(label: str, data: bytes) -> bytes:
    """A base64 text/plain message with ``label`` as its charset, as Outlook sends it."""
    body = base64.encodebytes(data)
    return (
        b"From: customer@example.net\r\nTo: kefu@desk.example.com\r\nSubject: parcel\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="' + label.encode() + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + body
    )


@pytest.mark.parametrize(
    ("label", "text", "encoding", "codec"), UNKNOWN_LABELS, ids=[c[0] for c in UNKNOWN_LABELS]
)
def test_unknown_label_aliases(label: str, text: str, encoding: str, codec: str) -> None:
    """Decorated and WHATWG-only labels map to their encoding, not to GB 18030."""
    message = parse_message(_labelled_mail(label, text.encode(encoding)))
    assert message.body.text.strip() == text
    assert message.body.charset == codec
    _assert_clean(message)


def test_hebrew_outlook_subject_in_iso_8859_8_i() -> None:
    """php-mime-mail-parser issue149: Outlook's =?iso-8859-8-i?B?...?= subject."""
    assert parse_corpus("php-mime-mail-parser/mails/issue149").subject == (
        "מענה 'אני לא נמצא': Invoice 02722027"
    )


# --- very short Big5 -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["中文", "日期", "台北", "包裹"])
def test_short_unlabelled_big5_is_not_kana(text: str) -> None:
    """A two-character Big5 body from a Taiwanese webmail form, no charset anywhere."""
    raw = (
        b"From: user@example.com.tw\r\nTo: kefu@desk.example.com\r\nSubject: Re\r\n\r\n"
        + text.encode("big5")
        + b"\r\n"
    )
    message = parse_message(raw)
    assert message.body.text.strip() == text
    _assert_clean(message)


# --- ISO-2022 ----------------------------------------------------------------------------


def test_unlabelled_iso_2022_jp_body_is_decoded() -> None:
    """mailcore2 1460: ISO-2022-JP with no charset; escapes were stripped to '$B...'."""
    message = parse_corpus("mailcore2/summary/input/1460-no-charset.eml")
    expected = corpus_bytes("mailcore2/summary/output/1460-no-charset.txt").decode()
    assert "プレスネットワーク" in message.body.text
    assert "$B" not in message.body.text
    wanted = set(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", expected))
    assert wanted <= set(message.body.text + message.subject)


def test_iso_2022_jp_with_windows_extensions() -> None:
    """mailcore2 5231: a Japanese phone's ISO-2022-JP with an IBM-extension kanji (﨏)."""
    message = parse_corpus("mailcore2/summary/input/5231-emoji.eml")
    assert message.body.text.strip() == "あけましておめでとうございます！﨏"
    assert message.body.charset == "iso2022_jp_ms"


def test_iso_2022_jp_subject_with_nec_row_13() -> None:
    """php-mime-mail-parser issue116: № (NEC row 13) in an ISO-2022-JP encoded word."""
    assert parse_corpus("php-mime-mail-parser/mails/issue116").subject == "ЖД№41 от 28.09.2016"


def test_euc_jp_under_an_iso_2022_jp_label() -> None:
    """spamassassin iso-2022-jp.2: 8-bit EUC-JP labelled ISO-2022-JP (was GB garbage)."""
    message = parse_corpus("spamassassin/nice/cjk/iso-2022-jp.2")
    assert "心当たりがあります。たぶん、この前のsshと同じ問題です。" in message.body.text
    assert message.body.charset == "euc_jp"


def test_iso_2022_kr_body() -> None:
    """An old Korean client: ISO-2022-KR, designator at the start of the body (RFC 1557)."""
    text = "안녕하세요. 택배가 아직 도착하지 않았습니다."
    raw = (
        b"From: kim@example.co.kr\r\nTo: kefu@desk.example.com\r\nSubject: parcel\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-KR\r\n"
        b"Content-Transfer-Encoding: 7bit\r\n\r\n" + text.encode("iso2022_kr") + b"\r\n"
    )
    message = parse_message(raw)
    assert message.body.text.strip() == text
    _assert_clean(message)


def _iso_2022_cn(text: str) -> bytes:
    """Encode ``text`` as ISO-2022-CN (RFC 1922): designate GB 2312 once per line, SO/SI."""
    out = bytearray()
    for line in text.split("\n"):
        out += b"\x1b$)A" if any(ord(ch) > 0x7F for ch in line) else b""
        shifted = False
        for ch in line:
            wide = ord(ch) > 0x7F
            if wide != shifted:
                out += b"\x0e" if wide else b"\x0f"
                shifted = wide
            out += bytes(b & 0x7F for b in ch.encode("gb2312")) if wide else ch.encode()
        out += b"\x0f\r\n" if shifted else b"\r\n"
    return bytes(out)


@pytest.mark.parametrize("label", ["ISO-2022-CN", None])
def test_iso_2022_cn_body(label: str | None) -> None:
    """ISO-2022-CN with GB 2312, labelled or not."""
    text = "您好，运单号SF1234567890的包裹破损了。\n请尽快处理。"
    content_type = (
        b"Content-Type: text/plain; charset=" + label.encode() + b"\r\n" if label else b""
    )
    raw = (
        b"From: li@example.cn\r\nTo: kefu@desk.example.com\r\nSubject: parcel\r\n"
        b"MIME-Version: 1.0\r\n" + content_type + b"\r\n" + _iso_2022_cn(text)
    )
    message = parse_message(raw)
    assert message.body.text.strip() == text
    assert message.body.charset == "iso2022_cn"
    _assert_clean(message)


def test_latin1_subject_with_no_label() -> None:
    """mailcore2 1641: a raw Latin-1 subject (was 'ann閑 charg閑')."""
    message = parse_corpus("mailcore2/summary/input/1641-no-charset.eml")
    assert message.subject == (
        "Avertinoo - Une fin d'année chargée ... et un début d'année prometteur !"
    )
