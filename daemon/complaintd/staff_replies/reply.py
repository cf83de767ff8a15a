"""The part of a reply that its sender wrote: cut at the first quote header or signature.

Departments answer a contact sheet, and agents act on a ticket, by replying to the desk's
mail.  The caller usually hands over text whose quotes are already stripped, but the
fallback is the whole body, and the quoted original holds the desk's *empty* form (or its
own ``#`` examples), which must never be read as the answer.  So this module is strict in
the other direction: everything from the first line that looks like the start of quoted
material is dropped, even if the sender wrote more below it.

A quote starts at:

* a ``>``-quoted line;
* a separator header: ``-----原始邮件-----``, ``-----Original Message-----``, QQ Mail's
  ``------------------ 原始邮件 ------------------``, ``--- Original ---``;
* an Outlook/Foxmail header block: a ``发件人:``/``From:`` (or ``发送时间:``/``Date:``)
  line with another header field (``收件人``/``To``, ``主题``/``Subject`` ...) right below;
* an attribution: ``On <date>, <name> wrote:`` (wrapped over up to three lines), or a
  Chinese ``在 2024-03-05 10:12，"客服" <a@b.c> 写道：``.

The signature starts at a ``--`` line (RFC 3676 ``-- ``) or a mobile tag such as
``发自我的iPhone`` / ``Sent from my iPhone``.
"""

from __future__ import annotations

import re

_HEADER_WINDOW = 6  # lines below a From: line searched for the rest of its header block
_ATTRIBUTION_LINES = 3  # "On ..., <name> <a@b.c> wrote:" wrapped by the client

# Invisible characters that Outlook and webmail sprinkle into text converted from HTML;
# they would hide a label or a command from the line-start patterns.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_QUOTED = re.compile(r"^\s*[>＞]")
_SEPARATOR_HEADER = re.compile(
    r"^\s*[-—_=*]{2,}\s*(?:原始邮件|原始郵件|原邮件|回复的原邮件|转发邮件信息|转发的邮件"
    r"|original message|original|reply message|forwarded message)\s*[-—_=*]*\s*$",
    re.IGNORECASE,
)
_HEADER_FIELDS: dict[str, re.Pattern[str]] = {
    kind: re.compile(rf"^\s*+\**+\s*+(?:{words})\s*+\**+\s*+[:：∶﹕]", re.IGNORECASE)
    for kind, words in {
        "from": r"发件人|發件人|寄件者|寄件人|from",
        "date": r"发送时间|發送時間|时间|日期|sent|date",
        "to": r"收件人|收件者|抄送|to|cc",
        "subject": r"主题|主旨|主題|subject",
    }.items()
}
_ENGLISH_OPENER = re.compile(r"^\s*on\s", re.IGNORECASE)
_CHINESE_OPENER = re.compile(r"^\s*(?:在|于|於|\d)")
_ENGLISH_WROTE = re.compile(r"\bwrote\s*:?\s*$", re.IGNORECASE)
_CHINESE_WROTE = re.compile(r"(?:写道|寫道)\s*[:：]?\s*$")
_DATE_OR_ADDRESS = re.compile(r"\d|@")
_SIGNATURE = re.compile(r"^\s*--\s*$")
_MOBILE_TAG = re.compile(
    r"^\s*(?:(?:发自|來自|来自|發自|从|從)\s*(?:我的)?\s*[\w .-]{0,20}"
    r"(?:iphone|ipad|android|手机|手機|客户端|客戶端|邮箱大师|mail|outlook|华为|小米|荣耀)"
    r"(?:\s*(?:发送|發送|版|app))?"
    r"|sent from my [\w .'()-]{2,40}|sent from (?:mail|outlook) for \w+|get outlook for \w+)\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*[-_=*—]{2,}\s*$")


def normalise_text(text: str) -> str:
    """``text`` with unified line ends and without invisible formatting characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", text)


def reply_lines(text: str) -> list[str]:
    """The lines the sender wrote: everything before the first quote or signature.

    Trailing blank lines and rules (``____`` above an Outlook header block) are dropped.
    """
    lines = normalise_text(text).split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if ends_reply(lines, index):
            break
        kept.append(line)
    while kept and (not kept[-1].strip() or _RULE.match(kept[-1])):
        kept.pop()
    return kept


def ends_reply(lines: list[str], index: int) -> bool:
    """True when ``lines[index]`` starts quoted material or the signature."""
    line = lines[index]
    if not line.strip():
        return False
    return (
        bool(_QUOTED.match(line))
        or bool(_SEPARATOR_HEADER.match(line))
        or bool(_SIGNATURE.match(line))
        or bool(_MOBILE_TAG.match(line))
        or _is_header_block(lines, index)
        or _is_attribution(lines, index)
    )


def _header_kinds(line: str) -> set[str]:
    """Which mail header fields ``line`` looks like (usually none or one)."""
    if ":" not in line and "：" not in line:
        return set()  # the cheap test first: most lines are prose
    return {kind for kind, pattern in _HEADER_FIELDS.items() if pattern.match(line)}


def _is_header_block(lines: list[str], index: int) -> bool:
    """A From/Date line with at least one other kind of header field just below.

    One ``From:`` line alone is prose ("From: our warehouse in Ningbo"); the quoted
    original always has two or more fields together.
    """
    first = _header_kinds(lines[index])
    if not first & {"from", "date"}:
        return False
    seen = set(first)
    for line in lines[index + 1 : index + 1 + _HEADER_WINDOW]:
        if not line.strip():
            continue
        kinds = _header_kinds(line)
        if not kinds:
            break  # a header block has no prose between its fields
        seen |= kinds
    return len(seen) >= 2 and "from" in seen


def _is_attribution(lines: list[str], index: int) -> bool:
    """``On <date>, <name> wrote:`` or ``在 <date> ... 写道：``, possibly wrapped.

    A date or an address must be present, so prose such as "on the phone he wrote:"
    is not mistaken for one.
    """
    line = lines[index]
    if _CHINESE_WROTE.search(line):
        return bool(_DATE_OR_ADDRESS.search(line))
    english = bool(_ENGLISH_OPENER.match(line))
    if not english and not _CHINESE_OPENER.match(line):
        return False
    joined = ""
    for part in lines[index : index + _ATTRIBUTION_LINES]:
        if not part.strip():
            return False  # an attribution is never split by a blank line
        joined = f"{joined} {part.strip()}"
        wrote = _ENGLISH_WROTE if english else _CHINESE_WROTE
        if wrote.search(joined):
            return bool(_DATE_OR_ADDRESS.search(joined))
    return False
