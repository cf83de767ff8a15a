"""The charset chain: labels, mislabels, fallbacks and the never-U+FFFD rule."""

from __future__ import annotations

import pytest

from complaintd.parse.charset import codecs_for, decode_bytes
from complaintd.parse.cjk import common_share, kana_share, prefer_big5, private_use_count
from complaintd.parse.iso2022 import escape_codecs
from complaintd.parse.latin import isolated_letters, mojibake_marks, plausible_latin

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
        # Decorated names and WHATWG-only labels (issue 11 item 4).
        ("iso-gb2312", ("gb18030",)),
        ("x-windows-950", ("cp950", "big5hkscs")),
        ("windows-932", ("cp932",)),
        ("x-euc-kr", ("cp949",)),
        ("iso-8859-8-i", ("iso8859-8",)),
        ("csiso58gb231280", ("gb18030",)),
        ("x-x-big5", ("big5hkscs", "cp950")),
        ("x-sjis", ("cp932",)),
        ("windows-874", ("cp874",)),
        ("cp-850", ("cp850",)),
        ("unicode-1-1-utf-8", ("utf-8",)),
        ("iso-2022-cn", ("iso2022_cn",)),
        ("iso-2022-jp", ("iso2022_jp_2", "iso2022_jp_ms", "iso2022_jp_3", "euc_jp", "cp932")),
        ("iso-8859-1", ("cp1252", "iso8859-1")),
        ("latin1", ("cp1252", "iso8859-1")),
        ("x-user-defined", ()),
        ("replacement", ()),
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
        "cp1252",  # WHATWG: a Latin-1 label means Windows-1252
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


# --- issue 11 item 4: no GB "repair" of clean text, no private-use readings -------------

REAL_READINGS = [
    ("declared_utf8_estonian", "ÕÄÖÜ".encode(), "utf-8", "ÕÄÖÜ", "utf-8"),
    ("declared_latin1_estonian", "ÕÄÖÜ".encode("latin-1"), "iso-8859-1", "ÕÄÖÜ", "cp1252"),
    ("undeclared_latin1", "Grüße aus Köln".encode("latin-1"), None, "Grüße aus Köln", "cp1252"),
    ("undeclared_cp1252_quotes", "“Édith” – déjà".encode("cp1252"), None, "“Édith” – déjà",
     "cp1252"),
    ("short_big5_kana", "中文".encode("big5"), None, "中文", "big5hkscs"),
    ("short_big5_month", "日期".encode("big5"), None, "日期", "big5hkscs"),
    ("short_big5_ascii_trails", "厂牌".encode("big5"), None, "厂牌", "big5hkscs"),  # "ÉDµP"
    ("iso2022jp_unlabelled", "日本語".encode("iso2022_jp"), None, "日本語", "iso2022_jp_2"),
    ("iso2022jp_under_ascii", "日本語".encode("iso2022_jp"), "us-ascii", "日本語", "iso2022_jp_2"),
    ("iso2022jp_nec_circled", b"\x1b$B-!\x1b(B", "iso-2022-jp", "①", "iso2022_jp_ms"),
    ("iso2022kr_unlabelled", "택배".encode("iso2022_kr"), None, "택배", "iso2022_kr"),
    ("euc_jp_unlabelled", "荷物がまだ届いていません。確認してください。".encode("euc_jp"), None,
     "荷物がまだ届いていません。確認してください。", "euc_jp"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "data", "declared", "text", "charset"),
    REAL_READINGS,
    ids=[c[0] for c in REAL_READINGS],
)
def test_decode_bytes_reads_what_was_written(
    case: str, data: bytes, declared: str | None, text: str, charset: str
) -> None:
    """Western, short Big5 and ISO-2022 text come out as written."""
    decoded = decode_bytes(data, declared)
    assert (decoded.text, decoded.charset, decoded.clean) == (text, charset, True), case
    assert not private_use_count(decoded.text)


def test_latin1_mislabelled_gb2312_is_not_read_with_private_use() -> None:
    """Latin-1 under a GB label: the GB reading has private-use characters, so it loses."""
    decoded = decode_bytes("Grüße aus München, schöne Grüße".encode("latin-1"), "gb2312")
    assert (decoded.text, decoded.charset) == ("Grüße aus München, schöne Grüße", "cp1252")
    assert "gb18030: implausible reading with private-use characters (2)" in (decoded.note or "")


def test_iso2022_escape_codecs() -> None:
    """Escape sequences name the ISO-2022 family; plain ASCII names none."""
    assert escape_codecs(b"plain text") == ()
    assert escape_codecs(b"\x1b$Bxx\x1b(B")[0] == "iso2022_jp_2"
    assert escape_codecs(b"\x1b$)C\x0exx\x0f") == ("iso2022_kr",)
    assert escape_codecs(b"\x1b$)A\x0exx\x0f") == ("iso2022_cn",)


def test_iso2022_jp_ms_matches_cp932_everywhere() -> None:
    """Every JIS X 0208 pair decodes as its Shift_JIS twin in CP932 (or fails in both)."""
    for row in range(0x21, 0x7F):
        for cell in range(0x21, 0x7F):
            data = b"\x1b$B" + bytes((row, cell)) + b"\x1b(B"
            lead = (row + 1) // 2 + (0x70 if row <= 0x5E else 0xB0)
            trail = (cell + (0x1F if cell <= 0x5F else 0x20)) if row % 2 else cell + 0x7E
            try:
                expected = bytes((lead, trail)).decode("cp932")
            except UnicodeDecodeError:
                with pytest.raises(UnicodeDecodeError):
                    data.decode("iso2022_jp_ms")
                continue
            assert data.decode("iso2022_jp_ms") == expected


def test_iso2022_error_handlers() -> None:
    """The hand-written codecs honour errors=: strict raises, the others replace."""
    broken = b"ok\x1b$B\x7f!\x1b(B"
    with pytest.raises(UnicodeDecodeError):
        broken.decode("iso2022_jp_ms")
    assert broken.decode("iso2022_jp_ms", "backslashreplace") == "ok\\x7f\\x21"
    cns = b"\x1b$)G\x0eD!\x0f."  # CNS 11643: designated, but no decoder
    assert cns.decode("iso2022_cn", "replace") == "\ufffd."
    with pytest.raises(UnicodeEncodeError):
        "x".encode("iso2022_cn")


@pytest.mark.parametrize(
    ("text", "marks", "plausible"),
    [
        ("ÕÄÖÜ", 0, False),  # four capitals: not proof, but no unlabelled Western word either
        ("Grüße aus München", 0, True),
        ("»Äpfel« und “Édith”", 0, True),
        ("ÄúºÃ£¬ÎÒµÄ", 1, False),  # 您好，我的 in GBK read as Latin-1
        ("µç»°", 1, False),  # 电话: a symbol inside the run
        ("ÓÐÎÊÌâ", 1, False),  # 有问题: six letters in a row
        ("25°C, 5€", 0, True),
        ("ÉDµP", 0, False),  # 厂牌 in Big5: "µ" before a capital
        ("Î` 66cc", 0, False),  # 复 in Big5: a Big5 trail byte after a letter
    ],
)
def test_latin_plausibility(text: str, marks: int, plausible: bool) -> None:
    """Marks that prove mojibake, and what unlabelled Western text looks like."""
    assert mojibake_marks(text) == marks
    assert plausible_latin(text) is plausible


def test_isolated_letters() -> None:
    """Accents alone between ASCII letters are Western, as in Swedish capitals."""
    assert isolated_letters("DET HÄR ÄR ETT MEDDELANDE")
    assert not isolated_letters("ÄR")  # one run is no evidence
    assert not isolated_letters("ÄúºÃ")


def test_kana_share_and_big5_level1_excludes_kana() -> None:
    """Kana are not "common Chinese": 中文 in Big5 read as GB is kana."""
    gb_reading = "中文".encode("big5").decode("gb18030")
    assert kana_share(gb_reading) == 1.0
    assert common_share(gb_reading) == 0.0
    assert common_share(COMPLAINT_SIMPLIFIED, "gb") > 0.8
    assert common_share(COMPLAINT_TRADITIONAL, "big5") > 0.8
