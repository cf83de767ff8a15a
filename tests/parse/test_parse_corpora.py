"""Third-party corpora: the 30 Chinese-charset messages, malformed mail, and a
robustness sweep over every copied message (see tests/corpora/README.md).

Expected strings were checked by hand against the raw bytes; for the mailcore2
files they also match mailcore2's own expected summaries
(``summary/output/*.txt`` upstream).
"""

from __future__ import annotations

import pytest

from complaintd.parse import Address
from tests.parse.corpus import all_text, mail_files, parse_corpus

LETTERS_CHINESE = [
    f"letters/test_chinese_{kind}_{charset}_over_{encoding}.txt"
    for kind in ("plaintext", "multipart_mixed", "multipart_related", "multipart_signed")
    for charset in ("gbk", "gb18030")
    for encoding in ("base64", "quoted-printable")
]

# The 30 GB2312/GBK/GB18030/Big5 messages listed in the corpora MANIFEST.
CHINESE_30 = [
    "spamscope-mail-parser/mails/mail_test_9",
    "spamscope-mail-parser/mails/mail_test_12",
    "gen_smtp/fixtures/chinesemail",
    "mailcore2/summary/input/1021-chinese.eml",
    "mailcore2/summary/input/4851-chinese.eml",
    "mailcore2/summary/input/5229-cyrillic-asian.eml",
    "spamassassin/nice/cjk/big5-base64.1",
    "spamassassin/nice/cjk/gb2312.1",
    "spamassassin/nice/cjk/gb2312.2",
    "ruby-mail/emails/error_emails/content_transfer_encoding_empty.eml",
    "notmuch/lkml/cur/1382298793.002302:2,",
    "php-mime-mail-parser/mails/failure.eml",
    *LETTERS_CHINESE,
    "request-tracker/emails/new-ticket-from-gb18030",
    "webklex-php-imap/messages/gbk_charset.eml",
]


def test_there_are_thirty() -> None:
    """The MANIFEST lists exactly 30 Chinese-charset messages."""
    assert len(set(CHINESE_30)) == 30


@pytest.mark.parametrize("name", [*CHINESE_30, "mailcore2/summary/input/4489-to-field-chinese.eml"])
def test_chinese_message_decodes_cleanly(name: str) -> None:
    """Each Chinese-charset message decodes cleanly, without U+FFFD."""
    message = parse_corpus(name)
    for text in all_text(message):
        assert "\ufffd" not in text
    assert message.body.undecoded is None and message.body.decode_note is None


# (message, field, expected substring) - checked by hand.
CHINESE_EXPECTATIONS = [
    ("spamscope-mail-parser/mails/mail_test_9", "subject", "我把镜头拉近些"),
    ("spamscope-mail-parser/mails/mail_test_12", "subject", "代开各地增值税发票"),
    ("spamscope-mail-parser/mails/mail_test_12", "from", "张先生"),
    ("spamscope-mail-parser/mails/mail_test_12", "body", "我公司可代开各类增值税发票"),
    ("spamscope-mail-parser/mails/mail_test_12", "to", "danglüe@email.com"),  # raw 8-bit UTF-8
    ("gen_smtp/fixtures/chinesemail", "subject", "企 业 裁 员 风 险 规 避"),
    ("gen_smtp/fixtures/chinesemail", "body", "企业裁员风险规避及HR规章制度"),
    ("mailcore2/summary/input/1021-chinese.eml", "subject", "哈哈"),
    ("mailcore2/summary/input/1021-chinese.eml", "from", "向左"),
    ("mailcore2/summary/input/1021-chinese.eml", "to", "189佑"),
    ("mailcore2/summary/input/1021-chinese.eml", "body", "哈哈"),
    ("mailcore2/summary/input/4851-chinese.eml", "body", "奇奇咔咔冠军版"),
    ("mailcore2/summary/input/5229-cyrillic-asian.eml", "from", "Иван Винников"),
    ("mailcore2/summary/input/5229-cyrillic-asian.eml", "body", "(1) Комментарии"),
    ("spamassassin/nice/cjk/big5-base64.1", "subject", "新片又到.如有重複寄發.敬請原諒!"),
    ("spamassassin/nice/cjk/big5-base64.1", "body", "永久網址"),
    ("spamassassin/nice/cjk/gb2312.1", "subject", "全新原装进口，送货上门，货到付款"),
    ("spamassassin/nice/cjk/gb2312.1", "from", "台湾鑫龙商贸集团公司"),
    ("spamassassin/nice/cjk/gb2312.2", "subject", "RE: 装硬碟问题"),
    ("spamassassin/nice/cjk/gb2312.2", "from", "Jason Lee (李展锋)"),
    ("spamassassin/nice/cjk/gb2312.2", "body", "假设你的硬碟是IDE介面(不是SCSI)"),
    # Big5 bytes read as Latin-1 and re-encoded as UTF-8 upstream: repaired.
    (
        "ruby-mail/emails/error_emails/content_transfer_encoding_empty.eml",
        "subject",
        "大家說英語 每日聽MP3 (2004年6月份) 繁體中文光碟版",
    ),
    (
        "php-mime-mail-parser/mails/failure.eml",
        "body",
        "次の受信者またはグループへの配信に失敗しました",
    ),
    ("request-tracker/emails/new-ticket-from-gb18030", "subject", "测试"),
    ("request-tracker/emails/new-ticket-from-gb18030", "body", "测试"),
    ("mailcore2/summary/input/4489-to-field-chinese.eml", "subject", "测试费表格"),
    ("mailcore2/summary/input/4489-to-field-chinese.eml", "to", "王 琦君"),
    ("mailcore2/summary/input/4489-to-field-chinese.eml", "body", "见附件。"),
    ("mailcore2/summary/input/4489-to-field-chinese.eml", "attachment", "测试费 1009.xls"),
]


def _field(name: str, field: str) -> str:
    """One field of a parsed corpus message, as text to search."""
    message = parse_corpus(name)
    values = {
        "subject": message.subject,
        "body": message.body.text,
        "from": f"{message.from_addr.name} {message.from_addr.email}" if message.from_addr else "",
        "to": " ".join(f"{a.name} {a.email}" for a in message.to),
        "attachment": " | ".join(a.filename for a in message.attachments),
    }
    return values[field]


@pytest.mark.parametrize(
    ("name", "field", "expected"),
    CHINESE_EXPECTATIONS,
    ids=[f"{c[0].rsplit('/', 1)[-1]}-{c[1]}" for c in CHINESE_EXPECTATIONS],
)
def test_chinese_expected_text(name: str, field: str, expected: str) -> None:
    """Hand-checked Chinese text appears in the decoded field."""
    assert expected in _field(name, field)


@pytest.mark.parametrize("name", LETTERS_CHINESE)
def test_letters_gbk_and_gb18030(name: str) -> None:
    """The letters GBK/GB18030 fixtures: names, emoji subject and body."""
    message = parse_corpus(name)
    assert message.subject.endswith("Test 施氏食狮史")
    assert message.subject.startswith("📧")  # UTF-8 emoji word next to GBK words
    assert message.from_addr == Address("艾莉絲 发件人", "alice.fajianren@example.com")
    assert message.body.text.startswith("石室诗士施氏，嗜狮，誓食十狮。")
    assert message.body.text.endswith("试释是事。")
    assert message.body.charset == "gb18030"


def test_gbk_alias_x_gbk() -> None:
    """The X-GBK alias decodes via gb18030."""
    message = parse_corpus("webklex-php-imap/messages/gbk_charset.eml")
    assert (message.body.declared_charset, message.body.charset) == ("X-GBK", "gb18030")


@pytest.mark.parametrize("number", [1, 2, 3])
def test_spamscope_malformed(number: int) -> None:
    """Malformed spam parses; its breakage is recorded as defects."""
    message = parse_corpus(f"spamscope-mail-parser/mails/mail_malformed_{number}")
    assert message.defects  # the breakage is recorded
    for text in all_text(message):
        assert "\ufffd" not in text


@pytest.mark.parametrize("name", mail_files())
def test_every_copied_message(name: str) -> None:
    """Never raises, never stores U+FFFD or lone surrogates, names are safe."""
    message = parse_corpus(name)
    for text in all_text(message):
        assert "\ufffd" not in text
        text.encode("utf-8")
    for attachment in message.attachments:
        assert attachment.filename and "/" not in attachment.filename
        assert "\\" not in attachment.filename
    assert message.date is None or message.date.tzinfo is not None
    assert all("<" not in i and ">" not in i for i in (*message.references, *message.in_reply_to))
