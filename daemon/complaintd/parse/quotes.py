"""Strip quoted replies and signatures for the ticket view.

The input is a decoded body; the output is what the sender newly wrote.  Three
kinds of quoted material are recognised:

* **Block headers** after which everything is the old message:
  ``-----Original Message-----``, QQ Mail/Foxmail ``------ 原始邮件 ------``,
  and Outlook-style field blocks (``From:``/``发件人:`` with ``Sent:``/
  ``发送时间:`` and ``Subject:``/``主题:`` within a few lines).
* **Attributions** such as Gmail's ``On ... wrote:`` (possibly wrapped over up
  to three lines), ``在 2024年1月2日 ... 写道：``, 163 Mail's
  ``在2024-01-02 10:00:00，"张三" <a@b.c> 写道：`` and other languages.  When
  ``>``-quoted lines follow, only the attribution and that quote are removed,
  so a reply written below or between quotes survives.
* ``>``-quoted lines (with their lazily wrapped continuation lines).

Signatures are cut at a ``-- `` line (RFC 3676 section 4.3), at a mobile or
webmail tag ("Sent from my iPhone", "发自我的iPhone", "来自网易邮箱大师"), or at a
closing such as "Regards," followed by a few short lines.  Forwarded messages
are kept: their header block is content, not a quote.  If stripping would
leave nothing, the original text (trimmed) is returned.
"""

from __future__ import annotations

import re

_WINDOW = 8  # lines searched after a field line for the rest of an Outlook block
_JOIN = 3  # an attribution may be wrapped over this many lines
_MAX_ATTRIBUTION = 400  # characters; longer "attributions" are prose
_TAIL = 40  # characters at the end of a candidate line searched for the verb


def _words(*words: str) -> str:
    """A regex alternation of literal words."""
    return "|".join(re.escape(word) for word in words)


_ORIGINAL_MESSAGE = _words(
    "original message", "reply message", "original", "ursprüngliche nachricht",
    "antwort nachricht", "oprindelig meddelelse", "oprindelig besked", "message d'origine",
    "mensaje original", "messaggio originale", "oorspronkelijk bericht", "originalmeddelande",
    "исходное сообщение", "原始邮件", "原始郵件", "原邮件", "回复的原邮件", "原始信件",
)  # fmt: skip
_SEPARATOR_HEADER = re.compile(rf"^\s*[>*]*\s*-{{2,}}\s*(?:{_ORIGINAL_MESSAGE})\s*-*\s*$", re.I)
_FORWARDED = _words(
    "forwarded message", "forwarded by", "original forwarded message", "转发邮件信息",
    "转发的邮件", "轉寄郵件", "weitergeleitete nachricht", "message transféré",
)  # fmt: skip
_FORWARD_MARKER = re.compile(
    rf"^\s*(?:-{{2,}}\s*(?:{_FORWARDED})\s*-*|begin forwarded message:|开始转发的邮件[:：]?)\s*$",
    re.I,
)
# Outlook-style header blocks, by field; a block needs all three kinds.
_FIELD_WORDS: dict[str, str] = {
    "from": _words(
        "from", "von", "de", "da", "van", "fra", "från", "od", "от", "lähettäjä", "feladó",
        "发件人", "發件人", "寄件者", "寄件人", "差出人", "보낸 사람",
    ),
    "date": _words(
        "sent", "date", "message du", "gesendet", "datum", "envoyé le", "envoyé", "date d'envoi",
        "inviato", "data", "verzonden", "sendt", "skickat", "lähetetty", "enviado", "wysłano",
        "отправлено", "дата", "elküldve", "发送时间", "發送時間", "日期", "时间", "時間",
        "寄件日期", "送信日時", "날짜",
    ),
    "subject": _words(
        "subject", "betreff", "objet", "sujet", "oggetto", "onderwerp", "emne", "ämne", "asunto",
        "assunto", "temat", "тема", "aihe", "tárgy", "主题", "主旨", "主題", "件名", "제목",
    ),
}  # fmt: skip
_FIELDS = {
    kind: re.compile(rf"^\s*[>*]*\s*(?:{words})\s*[*]*\s*[:：]", re.IGNORECASE)
    for kind, words in _FIELD_WORDS.items()
}
# English attributions: "On <date>, <name> wrote:", "<name> on <date> wrote:", Eudora's
# "At <time> <date>, you wrote:" or "<name> <address> wrote:" (Gnus: "writes:"); "sent"
# only with an address, so "...were sent:" is not one.
_ENGLISH_VERB = re.compile(r"\b(wrote|writes|sent)\s*:?\s*-*\s*$", re.IGNORECASE)
_ON = re.compile(r"(?:^|[\s>-])on\s|^\W*at\s", re.IGNORECASE)
# Sup: "Excerpts from <name>'s message of <date>:".
_EXCERPTS = re.compile(r"^\W*excerpts from .{1,80}'s message of .*[:：]\s*$", re.IGNORECASE)
_OTHER_VERBS = (
    "écrit", "escribió", "scritto", "escreveu", "schrieb", "schreef", "geschreven", "napisał",
    "napisał(a)", "napisała", "pisze", "skrev", "kirjoitti", "написал", "написал(а)",
    "написала", "yazdı", "έγραψε", "写道", "寫道", "のメッセージ", "작성",
)  # fmt: skip
_VERB_ENDINGS = ("wrote", "writes", "sent", *_OTHER_VERBS)
_VERB_AT_END = re.compile(rf"(?:{_words(*_OTHER_VERBS)})\s*[:：]?\s*-*\s*$", re.IGNORECASE)
# "Am 2. Jan. 2024 schrieb Name <a@b.c>:" - the verb in the middle, a colon at the end.
_VERB_INSIDE = re.compile(r"\b(?:schrieb|skrev|schreef)\b.*[:：]\s*$", re.IGNORECASE)
# A client names someone else: "I wrote:" / "我在…里写道：" is the writer's own sentence.
_FIRST_PERSON = re.compile(
    r"(?:(?:^|[\s,;，；])(?:i|we)\s+(?:wrote|sent)|我[^<>@]*(?:写道|寫道))\s*[:：]?\s*-*\s*$",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# What makes a date in an attribution: a time of day, a numeric or CJK date, a
# year, or an English month with a day.  A waybill ("SF123456789012") is none.
_DATE = re.compile(
    r"(?<!\d)\d{1,2}[:：]\d{2}(?!\d)"  # 10:00, 7:31
    r"|(?<!\d)\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?!\d)"  # 2024-01-02, 01/03/11, 14.01.2024
    r"|(?<!\d)\d{1,4}\s*年\s*\d{1,2}\s*月|(?<!\d)\d{1,2}\s*月\s*\d{1,2}\s*日"  # 2024年1月, 1月2日
    r"|(?<!\d)(?:19|20)\d{2}(?!\d)"  # a year
    rf"|\b{_MONTH}\s+\d{{1,2}}(?!\d)|(?<!\d)\d{{1,2}}\.?\s+{_MONTH}",
    re.IGNORECASE,
)
# "2017-11-24 16:32 GMT+01:00 Name <a@b.c>:" (Gmail in some languages), "Wednesday,
# 17 November 2021, 3:32 PM +0300 from a@b.c <a@b.c>:" (Mail.ru): a date first, an
# address last, and nothing but the colon after it.
_ADDRESS_THEN_COLON = re.compile(r"@[\w.-]+\.\w+>?\s*\)?\s*[:：]\s*$")
_WEEKDAY_FIRST = re.compile(r"^[\s>*-]*(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b", re.IGNORECASE)
_QUOTED_NAME = re.compile(r'"[^"]+"|“[^”]+”')
_WRAPPED_CLOSE = re.compile(r"^\s*>\s*[:：]\s*$")  # "<a@b.c" wrapped before ">:"
# How wrapped attributions begin: a preposition or weekday (On, Le, Am, W dniu,
# Finnish "pe", Russian "ср", Chinese 在/於) or a date.
_OPENER = re.compile(
    r"^[\s>*-]*(?:(?:on|le|em|el|il|am|op|w dniu|dnia|den|på|pe|ma|ti|ke|to|la|su"
    r"|пн|вт|ср|чт|пт|сб|вс)\b|在|於|\d)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(\.[\w-]{1,63})+")
_ENDS_WITH_COLON = re.compile(r"[:：]\s*$")
_QUOTED = re.compile(r"^\s*>")
_SEPARATOR_LINE = re.compile(r"^\s*(?:[-_=*—–]{2,}|[—–])\s*$")
_SIG_DELIMITER = re.compile(r"^(-- ?|_{2,})\s*$")  # RFC 3676 "-- ", and bare "--"/"___" lines
_SIGNATURE_MAX_LINES = 20  # a longer "signature" is more likely content after a rule
_DEVICE = r"[\w .'()-]{2,40}(?:<[^>]*>)?"  # "iPhone", "Outlook for iOS<https://aka.ms/x>"
_MOBILE_EN_EU = (
    rf"sent (?:from|with|via) (?:my )?{_DEVICE}", r"get outlook for \w+.*",
    rf"envoyé (?:de|depuis|à partir de) (?:mon )?{_DEVICE}", rf"von meinem {_DEVICE} gesendet",
    rf"gesendet von {_DEVICE}(?: für {_DEVICE})?", rf"enviado desde (?:mi )?{_DEVICE}",
    rf"verzonden (?:vanaf|met) {_DEVICE}", rf"verstuurd vanaf {_DEVICE}",
    rf"sendt fra (?:min )?{_DEVICE}", rf"enviado do meu {_DEVICE}",
    rf"inviato da(?:l mio)? {_DEVICE}", rf"skickat från (?:min )?{_DEVICE}",
)  # fmt: skip
_CHINESE_APPS = _words(
    "iphone", "ipad", "android", "手机", "手機", "邮箱", "郵箱", "客户端", "客戶端", "mail",
    "outlook", "华为", "小米", "荣耀", "三星", "魅族", "网易", "qq", "foxmail", "galaxy", "huawei",
    "honor", "vivo", "oppo", "redmi", "oneplus", "windows", "平板",
)  # fmt: skip
# What may follow the device or app name: a model ("Mate 40 Pro") and app words.
_CHINESE_APP_TAIL = _words(
    "大师", "大師", "客户端", "客戶端", "智能版", "版", "手机", "手機", "邮箱", "郵箱",
    "邮件", "郵件", "应用", "應用", "app",
)  # fmt: skip
# "发自我的iPhone", "来自网易邮箱大师", "从我的 iPhone 发送", "从 Windows 版邮件发送": the
# line ends with the device or app, so "来自小米的包裹丢了" is a sentence, not a tag.
_MOBILE_ZH = (
    r"(?:发自|来自|發自|來自|从|從|发送自|發送自)\s*(?:我的)?\s*[\w .-]{0,20}?"
    rf"(?:{_CHINESE_APPS})[A-Za-z0-9 .+-]{{0,20}}(?:(?:{_CHINESE_APP_TAIL})\s*)*(?:发送|發送)?"
    r"|(?:获取|取得|下载|下載)\s*outlook\s*(?:for|适用于|適用於)?\s*\w+.*"  # Outlook mobile, zh
)
_MOBILE = re.compile(rf"^\s*(?:{'|'.join(_MOBILE_EN_EU)}|{_MOBILE_ZH})\s*$", re.IGNORECASE)
_CLOSINGS = (
    r"(?:best |kind |warm |many |with )?(?:regards|wishes)", "cheers", "thanks,", "thank you,",
    "此致", "祝好", "顺祝商祺",
)  # fmt: skip
_CLOSING = re.compile(rf"^\s*(?:{'|'.join(_CLOSINGS)})\s*[,.!，。！]?\s*$", re.IGNORECASE)
_CLOSING_TAIL_LINES = 6  # a closing is a signature only when a few short lines follow
_CLOSING_TAIL_WIDTH = 80


def strip_reply(text: str) -> str:
    """Return ``text`` without quoted replies and signature, trimmed.

    Falls back to the whole (trimmed) text when stripping would leave nothing.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = _strip_signature(_strip_quotes(lines))
    result = "\n".join(line.rstrip() for line in kept).strip()
    return result or text.strip()


def _strip_quotes(lines: list[str]) -> list[str]:
    """Remove quote headers with what they introduce, and ``>`` blocks."""
    kinds = _field_kinds(lines)
    plain = _plain_lines(lines, kinds)
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if plain[index]:
            kept.append(lines[index])
            index += 1
            continue
        index = _step(lines, kinds, index, kept)
        if index < 0:
            return _drop_trailing_separators(kept)
    return kept


def _plain_lines(lines: list[str], kinds: list[frozenset[str]]) -> list[bool]:
    """Lines that cannot start a quote or header (a cheap filter before the regexes).

    What :func:`_step` acts on begins with ``>``, ``*`` or ``-`` (quotes, separators,
    forward markers), is a From/Date field line, says "begin forwarded"/"开始转发", or
    has an attribution ending on it or on one of the next lines.
    """
    ends = [_may_end_attribution(line) for line in lines]
    return [
        not (any(ends[index : index + _JOIN]) or kinds[index] & _BLOCK_START or _may_open(line))
        for index, line in enumerate(lines)
    ]


_BLOCK_START = frozenset({"from", "date"})


def _may_open(line: str) -> bool:
    """The first characters of every separator, forward marker and ``>`` quote."""
    head = line.lstrip()
    return (
        head[:1] in (">", "*", "-")
        or head[:15].lower() == "begin forwarded"
        or (head.startswith("开始转发"))
    )


def _step(lines: list[str], kinds: list[frozenset[str]], index: int, kept: list[str]) -> int:
    """Handle the line at ``index``; return the next index, or -1 to cut here."""
    line = lines[index]
    if _FORWARD_MARKER.match(line):
        end = _forward_header_end(lines, index)
        kept.extend(lines[index:end])
        return end
    span = _attribution_span(lines, index)
    if span and _next_is_quoted(lines, index + span):
        return _quote_block_end(lines, index + span)
    if span or _is_block_header(lines, kinds, index):
        return -1
    if _QUOTED.match(line):
        _drop_attribution_before(kept)
        return _quote_block_end(lines, index)
    kept.append(line)
    return index + 1


def _forward_header_end(lines: list[str], start: int) -> int:
    """Index after a forward marker and the header fields that follow it."""
    index = start + 1
    while index < len(lines) and index <= start + _WINDOW and lines[index].strip():
        index += 1
    return index


def _field_kinds(lines: list[str]) -> list[frozenset[str]]:
    """Which header fields (from/date/subject) each line looks like, computed once."""
    return [
        frozenset(kind for kind, pattern in _FIELDS.items() if pattern.match(line))
        if ":" in line or "：" in line
        else frozenset()
        for line in lines
    ]


def _is_block_header(lines: list[str], kinds: list[frozenset[str]], index: int) -> bool:
    """A separator header, or an Outlook-style From/Sent/Subject field block."""
    if _SEPARATOR_HEADER.match(lines[index]):
        return True
    if not kinds[index] & {"from", "date"}:
        return False
    found = frozenset().union(*kinds[index : index + _WINDOW])
    return found >= _FIELDS.keys()


def _attribution_span(lines: list[str], index: int) -> int:
    """Number of lines (1-3) of an attribution starting at ``index``, or 0.

    A wrapped attribution must start here, not on the next line: otherwise
    the last line of the reply would be swallowed with it.
    """
    if not lines[index].strip() or _QUOTED.match(lines[index]):
        return 0
    for span in range(1, min(_JOIN, len(lines) - index) + 1):
        last = lines[index + span - 1]
        if not last.strip() or (_QUOTED.match(last) and not _WRAPPED_CLOSE.match(last)):
            return 0
        if not _may_end_attribution(last):
            continue
        joined = " ".join(line.strip() for line in lines[index : index + span])
        if len(joined) > _MAX_ATTRIBUTION:
            return 0
        if _is_attribution(joined):
            return span if span == 1 or _starts_here(lines, index, span) else 0
    return 0


def _starts_here(lines: list[str], index: int, span: int) -> bool:
    """True when a wrapped attribution begins at ``index``, not on a later line.

    "On <date> Desk <" + "desk@x.com> wrote:" is one attribution even though its
    second line alone looks like one; a line of the reply above a whole
    attribution ("On <date> ... wrote:") is not part of it.
    """
    later = " ".join(line.strip() for line in lines[index + 1 : index + span])
    if not _is_attribution(later):
        return True
    return bool(_OPENER.match(lines[index])) and not _OPENER.match(later)


def _may_end_attribution(line: str) -> bool:
    """Cheap pre-check: attributions end with a colon or a "wrote" verb."""
    end = line.rstrip(" \t-").lower()
    return end.endswith((":", "：")) or end.endswith(_VERB_ENDINGS)


def _is_attribution(text: str) -> bool:
    """``On <date>, <name> wrote:`` and its relatives in other languages.

    A date or an address must be present, which keeps prose such as "On the
    other hand, I wrote:" out; a digit alone is not a date, so "运单号
    SF123456789012 ... 详情见下：" is the customer's own line.  Verbs are looked
    for in the tail only: attributions end with them, and scanning long lines
    is the costly part.
    """
    has_date = bool(_DATE.search(text))
    has_address = _has_address(text)
    tail = text[-_TAIL:]
    if not (has_date or has_address) or _FIRST_PERSON.search(text[-_MAX_ATTRIBUTION:]):
        return False
    english = _ENGLISH_VERB.search(tail)
    if english:
        if english.group(1).lower() == "sent":
            return has_address
        return (has_date and bool(_ON.search(text))) or has_address
    if _VERB_AT_END.search(tail):
        return True
    if not has_date or not _ENDS_WITH_COLON.search(tail):
        return False
    # "Am ... schrieb Name <a@b.c>:" or "2017-11-24 16:32 GMT+01:00 Name <a@b.c>:"
    if _VERB_INSIDE.search(text) or _EXCERPTS.match(text):
        return True
    opens = _OPENER.match(text) or _WEEKDAY_FIRST.match(text)
    return bool(opens) and bool(_ADDRESS_THEN_COLON.search(tail))


def _looks_like_attribution(line: str) -> bool:
    """An attribution in a language we have no verb for, right above a ``>`` quote.

    ``2013.02.08. 7:31 keltezéssel, "Gyõrvári Eszter" írta:``: it ends with a
    colon and has a date and an address or a quoted name.  A sentence that
    merely ends in a colon and holds a waybill or a phone number is not one.
    """
    if not _ENDS_WITH_COLON.search(line) or not _DATE.search(line):
        return False
    return _has_address(line) or bool(_QUOTED_NAME.search(line))


def _has_address(text: str) -> bool:
    """True when ``text`` contains something like an e-mail address."""
    return "@" in text and bool(_ADDRESS.search(text))


def _next_is_quoted(lines: list[str], index: int) -> bool:
    """True when the next non-blank line from ``index`` is ``>``-quoted."""
    for line in lines[index:]:
        if line.strip():
            return bool(_QUOTED.match(line))
    return False


def _quote_block_end(lines: list[str], index: int) -> int:
    """Index after a ``>`` block, its blank lines and lazily wrapped lines."""
    while index < len(lines):
        line = lines[index]
        if _QUOTED.match(line):
            index += 1
        elif not line.strip():
            following = _skip_blank(lines, index)
            if following == len(lines) or not _QUOTED.match(lines[following]):
                return following
            index = following
        else:
            wrapped_end = _wrapped_run_end(lines, index)
            if wrapped_end is None:
                return index  # the reply resumes here
            index = wrapped_end
    return index


def _wrapped_run_end(lines: list[str], index: int) -> int | None:
    """End of unmarked lines that continue a quote, or None if the quote is over.

    Clients that re-wrap long quoted lines drop the ``>`` on the wrapped part.
    Such a run directly follows a quoted line and is directly followed by one;
    text after a blank line, or text the quote never resumes after, is reply.
    """
    if index == 0 or not _QUOTED.match(lines[index - 1]):
        return None
    end = index
    while end < len(lines) and lines[end].strip() and not _QUOTED.match(lines[end]):
        end += 1
    return end if end < len(lines) and _QUOTED.match(lines[end]) else None


def _skip_blank(lines: list[str], index: int) -> int:
    """Index of the next non-blank line (or the end)."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _drop_attribution_before(kept: list[str]) -> None:
    """Remove an attribution we have no verb for from above a ``>`` quote."""
    last = len(kept) - 1
    while last >= 0 and not kept[last].strip():
        last -= 1
    if last >= 0 and _looks_like_attribution(kept[last]):
        del kept[last:]


def _drop_trailing_separators(kept: list[str]) -> list[str]:
    """Drop blank and rule lines (``____``, ``----``) left above a cut."""
    while kept and (not kept[-1].strip() or _SEPARATOR_LINE.match(kept[-1])):
        kept.pop()
    return kept


def _strip_signature(lines: list[str]) -> list[str]:
    """Cut at the earliest signature marker."""
    after = _filled_after(lines)
    for index in range(len(lines)):
        if _is_signature_start(lines, index, after[index]):
            return _drop_trailing_separators(lines[:index])
    return lines


def _filled_after(lines: list[str]) -> list[int]:
    """For each line, how many non-blank lines follow it (one pass, not n^2)."""
    counts = [0] * len(lines)
    running = 0
    for index in range(len(lines) - 1, -1, -1):
        counts[index] = running
        running += bool(lines[index].strip())
    return counts


def _is_signature_start(lines: list[str], index: int, filled_after: int) -> bool:
    """A delimiter, a mobile tag, or a closing followed by a short sign-off."""
    line = lines[index]
    if _SIG_DELIMITER.match(line):
        return filled_after <= _SIGNATURE_MAX_LINES
    if _MOBILE.match(line):
        return True  # what follows a mobile tag is the unmarked original
    if not _CLOSING.match(line) or not 0 < filled_after <= _CLOSING_TAIL_LINES:
        return False
    # A name, a title, a phone number: short lines only.
    return all(len(tail) <= _CLOSING_TAIL_WIDTH for tail in lines[index + 1 :])
