"""The charset chain: labels, mislabels, fallbacks and the never-U+FFFD rule."""

from __future__ import annotations

import pytest

from complaintd.parse.charset import codecs_for, decode_bytes
from complaintd.parse.cjk import common_share, prefer_big5

COMPLAINT_SIMPLIFIED = "您好，我的快递已经三天没有更新了，请帮忙查询一下。"
COMPLAINT_TRADITIONAL = "您好，我的包裹已經三天沒有更新了，請幫忙查詢一下。"
GBK_ONLY = "王喆住在堃镕路"  # 喆, 堃 and 镕 are GBK but not GB 2312


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("gb2312", ("gb18030",)),
        ("GB2312", ("gb18030",)),
        ('"gbk"', ("gb18030",)),
        ("x-gbk", ("gb18030",)),
        ("cp936", ("gb18030",)),
        ("gb_2312-80", ("gb18030",)),
        ("euc-cn", ("gb18030",)),
        ("csgb2312", ("gb18030",)),
        ("gb18030", ("gb18030",)),
        ("hz-gb-2312", ("hz",)),
        ("big5", ("big5hkscs", "cp950")),
        ("Big5-HKSCS", ("big5hkscs", "cp950")),
        ("cp950", ("cp950", "big5hkscs")),
        ("ks_c_5601-1987", ("cp949",)),
        ("utf8", ("utf-8",)),
        ("UTF-8; format=flowed", ("utf-8",)),
        ("us-ascii", ("ascii",)),
        ("x-no-such-charset", ()),
        ("base64", ()),
        ("unicode_escape", ()),
        ("", ()),
        (None, ()),
        (";", ()),
    ],
)
def test_codecs_for_label(label: str | None, expected: tuple[str, ...]) -> None:
    """MIME labels map to the codecs mail senders mean."""
    assert codecs_for(label) == expected


CLEAN_CASES = [
    ("gbk_text_labelled_gb2312", GBK_ONLY.encode("gbk"), "gb2312", GBK_ONLY, "gb18030"),
    ("gbk_text_labelled_x_gbk", GBK_ONLY.encode("gbk"), "x-gbk", GBK_ONLY, "gb18030"),
    ("gb18030_four_byte", "𠀀表".encode("gb18030"), "gb2312", "𠀀表", "gb18030"),
    ("big5", COMPLAINT_TRADITIONAL.encode("big5"), "big5", COMPLAINT_TRADITIONAL, "big5hkscs"),
    ("big5_hkscs_char", "唔該㗎".encode("big5hkscs"), "big5", "唔該㗎", "big5hkscs"),
    ("undeclared_gbk", COMPLAINT_SIMPLIFIED.encode("gbk"), None, COMPLAINT_SIMPLIFIED, "gb18030"),
    (
        "undeclared_big5",
        COMPLAINT_TRADITIONAL.encode("big5"),
        None,
        COMPLAINT_TRADITIONAL,
        "big5hkscs",
    ),
    ("short_undeclared_big5", "台灣".encode("big5"), None, "台灣", "big5hkscs"),
    ("utf8_labelled_big5", COMPLAINT_TRADITIONAL.encode(), "big5", COMPLAINT_TRADITIONAL, "utf-8"),
    ("utf8_labelled_latin1", "café crème".encode(), "iso-8859-1", "café crème", "utf-8"),
    (
        "gbk_labelled_utf8",
        COMPLAINT_SIMPLIFIED.encode("gbk"),
        "utf-8",
        COMPLAINT_SIMPLIFIED,
        "gb18030",
    ),
    (
        "gbk_labelled_ascii",
        COMPLAINT_SIMPLIFIED.encode("gbk"),
        "us-ascii",
        COMPLAINT_SIMPLIFIED,
        "gb18030",
    ),
    (
        "gbk_unknown_label",
        COMPLAINT_SIMPLIFIED.encode("gbk"),
        "x-bogus",
        COMPLAINT_SIMPLIFIED,
        "gb18030",
    ),
    (
        "latin1_declared",
        "Grüße aus München".encode("latin-1"),
        "iso-8859-1",
        "Grüße aus München",
        "iso8859-1",
    ),
    ("single_gbk_char_also_utf8", "露".encode("gbk"), "gb2312", "露", "gb18030"),
    ("hz", "中文".encode("hz"), "hz-gb-2312", "中文", "hz"),
    ("ascii_fast_path", b"hello", "gb2312", "hello", "gb18030"),
    ("empty", b"", None, "", "ascii"),
    (
        "gbk_as_latin1_mojibake",
        COMPLAINT_SIMPLIFIED.encode("gbk"),
        "iso-8859-1",
        COMPLAINT_SIMPLIFIED,
        "gb18030",
    ),
    (
        "big5_double_encoded_utf8",
        "大補帖專賣".encode("big5").decode("latin-1").encode(),
        "big5",
        "大補帖專賣",
        "big5hkscs",
    ),
]


@pytest.mark.parametrize(
    ("case", "data", "declared", "text", "charset"), CLEAN_CASES, ids=[c[0] for c in CLEAN_CASES]
)
def test_decode_bytes_clean(
    case: str, data: bytes, declared: str | None, text: str, charset: str
) -> None:
    """Labelled, mislabelled and unlabelled text decodes cleanly."""
    decoded = decode_bytes(data, declared)
    assert (decoded.text, decoded.charset, decoded.clean) == (text, charset, True), case
    assert "\ufffd" not in decoded.text


LONG_CHINESE = "中文测试内容很长很长，还有更多的中文内容在这里。"
UNCLEAN_CASES = [
    (
        "utf8_with_one_bad_byte",
        LONG_CHINESE.encode() + b"\xff" + LONG_CHINESE.encode(),
        "utf-8",
        LONG_CHINESE + "\\xff" + LONG_CHINESE,
        "damaged utf-8",
    ),
    (
        "garbage_everywhere",
        b"\xff\x80abc\x81\xfe" * 8,
        None,
        None,
        "no charset decoded cleanly",
    ),
    (
        "literal_replacement_character",
        "已经收到\ufffd谢谢".encode(),
        "utf-8",
        "已经收到\\ufffd谢谢",
        "U+FFFD",
    ),
]


@pytest.mark.parametrize(
    ("case", "data", "declared", "expected_text", "note_part"),
    UNCLEAN_CASES,
    ids=[c[0] for c in UNCLEAN_CASES],
)
def test_decode_bytes_unclean(
    case: str, data: bytes, declared: str | None, expected_text: str | None, note_part: str
) -> None:
    """Damaged text keeps its charset with escapes; garbage is noted."""
    decoded = decode_bytes(data, declared)
    assert not decoded.clean, case
    assert "\ufffd" not in decoded.text
    assert note_part in (decoded.note or "")
    if expected_text is not None:
        assert decoded.text == expected_text


def test_unclean_note_lists_every_attempt() -> None:
    """The note names every charset tried and why it failed."""
    decoded = decode_bytes(b"\xff\x80abc" * 10, "x-bogus")
    for attempt in ("x-bogus", "utf-8:", "gb18030:", "big5hkscs:", "cp950:", "charset-normalizer"):
        assert attempt in (decoded.note or "")
    assert "\\xff\\x80abc" in decoded.text


def test_normalizer_is_the_last_resort_for_cyrillic() -> None:
    """charset-normalizer finds what the chain cannot."""
    text = "Здравствуйте, мой заказ до сих пор не доставлен, прошу помочь."
    decoded = decode_bytes(text.encode("cp1251"), None)
    assert (decoded.text, decoded.clean) == (text, True)
    assert "charset-normalizer" in (decoded.note or "")


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [(COMPLAINT_SIMPLIFIED, 0.8, 1.0), (COMPLAINT_TRADITIONAL, 0.8, 1.0), ("hello", 0.0, 0.0)],
)
def test_common_share(text: str, low: float, high: float) -> None:
    """Real Chinese text is mostly common characters; ASCII has none."""
    assert low <= common_share(text) <= high


def test_big5_read_as_gb_is_implausible() -> None:
    """Big5 bytes read as GB score low; GB read as Big5 does not win."""
    data = COMPLAINT_TRADITIONAL.encode("big5")
    assert prefer_big5(data.decode("gb18030"), data.decode("big5"))
    simplified = COMPLAINT_SIMPLIFIED.encode("gbk")
    assert not prefer_big5(COMPLAINT_SIMPLIFIED, simplified.decode("big5", "ignore"))
