"""Safe attachment names and readable text from HTML-only mail."""

from __future__ import annotations

import pytest

from complaintd.parse.filenames import MAX_BYTES, safe_filename
from complaintd.parse.html_text import html_to_text

FILENAME_CASES = [
    ("plain", "运单.pdf", "application/pdf", "运单.pdf"),
    ("posix_directories", "../../etc/passwd", "text/plain", "passwd"),
    ("windows_directories", "C:\\Users\\x\\照片.jpg", "image/jpeg", "照片.jpg"),
    ("control_characters", "bad\x00na\x1fme.txt", "text/plain", "badname.txt"),
    ("bidi_override", "invoice\u202egpj.exe", "application/octet-stream", "invoicegpj.exe"),
    ("reserved_characters", 'a<b>c:d"e|f?g*h.txt', "text/plain", "a_b_c_d_e_f_g_h.txt"),
    ("trailing_dots_spaces", "  report.pdf. . ", "application/pdf", "report.pdf"),
    ("hidden_dot_file", ".bashrc", "text/plain", "bashrc"),
    ("windows_device", "CON.txt", "text/plain", "_CON.txt"),
    ("collapsed_spaces", "my   \t file.doc", "application/msword", "my file.doc"),
    ("nfc", "cafe\u0301.txt", "text/plain", "café.txt"),
    ("empty_falls_back", "", "image/png", "attachment-3.png"),
    ("none_falls_back", None, "application/pdf", "attachment-3.pdf"),
    ("only_dots", "...", "message/rfc822", "attachment-3.eml"),
    ("unknown_type", None, "application/x-whatever", "attachment-3.bin"),
]


@pytest.mark.parametrize(
    ("case", "name", "content_type", "expected"), FILENAME_CASES, ids=[c[0] for c in FILENAME_CASES]
)
def test_safe_filename(case: str, name: str | None, content_type: str, expected: str) -> None:
    """Unsafe names are cleaned; empty ones get a fallback from the type."""
    assert safe_filename(name, content_type, 3) == expected, case


@pytest.mark.parametrize(
    ("case", "name", "suffix"),
    [
        ("long_chinese_keeps_extension", "投诉材料" * 80 + ".pdf", ".pdf"),
        ("long_ascii_keeps_extension", "x" * 400 + ".docx", ".docx"),
        ("long_extension_is_stem", "y" * 300 + "." + "z" * 40, "yyy"),
    ],
)
def test_safe_filename_length(case: str, name: str, suffix: str) -> None:
    """Long names are cut to MAX_BYTES, keeping the extension."""
    safe = safe_filename(name, "application/octet-stream", 1)
    assert len(safe.encode("utf-8")) <= MAX_BYTES, case
    assert safe.endswith(suffix)
    safe.encode("utf-8")  # no split multi-byte character


HTML_CASES = [
    ("paragraphs", "<p>您好，</p><p>包裹没到。</p>", "您好，\n\n包裹没到。"),
    (
        "style_and_script_removed",
        "<style>p{color:red}</style><script>x()</script><p>正文</p>",
        "正文",
    ),
    ("unclosed_style_dropped", "<p>正文</p><style>p{color:red}", "正文"),
    ("comments_removed", "<!--[if mso]>junk<![endif]--><p>正文</p>", "正文"),
    ("images_ignored", '<p>看图<img src="cid:x" alt="图片"></p>', "看图"),
    ("link_readable", '<a href="https://t.example/SF1">查询</a>', "[查询](https://t.example/SF1)"),
    ("mailto_plain", '<a href="mailto:a@b.cn">a@b.cn</a>', "a@b.cn"),
    ("bare_url", '<a href="https://x.example/">https://x.example/</a>', "<https://x.example/>"),
    ("no_markdown_escapes", "<p>1. first</p><p>- dash \\ back</p>", "1. first\n\n- dash \\ back"),
    ("no_emphasis_marks", "<b>重要</b> <i>紧急</i>", "重要 紧急"),
    ("table_cells_spaced", "<table><tr><td>单号</td><td>SF1</td></tr></table>", "单号 SF1"),
    ("no_wrapping", "<p>" + "长" * 300 + "</p>", "长" * 300),
    ("entities_and_nbsp", "<p>a&nbsp;&amp;&nbsp;b</p>", "a & b"),
    ("blockquote_marked", "<p>回复</p><blockquote>原文</blockquote>", "回复\n\n> 原文"),
]


@pytest.mark.parametrize(("case", "markup", "expected"), HTML_CASES, ids=[c[0] for c in HTML_CASES])
def test_html_to_text(case: str, markup: str, expected: str) -> None:
    """HTML to readable text: no wrapping, no images, readable links."""
    assert html_to_text(markup) == expected, case
