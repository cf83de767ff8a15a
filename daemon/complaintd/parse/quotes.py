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

_SEPARATOR_HEADER = re.compile(
    r"^\s*[>*]*\s*-{2,}\s*(original message|reply message|original|ursprüngliche nachricht"
    r"|antwort nachricht|oprindelig (meddelelse|besked)|message d'origine|mensaje original"
    r"|messaggio originale|oorspronkelijk bericht|originalmeddelande|исходное сообщение"
    r"|原始邮件|原始郵件|原邮件|回复的原邮件|原始信件)\s*-*\s*$",
    re.IGNORECASE,
)
_FORWARD_MARKER = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|forwarded by|original forwarded message|转发邮件信息"
    r"|转发的邮件|轉寄郵件|weitergeleitete nachricht|message transféré)\s*-*|begin forwarded message:"
    r"|开始转发的邮件[:：]?)\s*$",
    re.IGNORECASE,
)
_FIELD_WORDS: dict[str, str] = {
    "from": r"from|von|de|da|van|fra|från|od|от|lähettäjä|feladó|发件人|發件人|寄件者|寄件人|差出人|보낸 사람",
    "date": r"sent|date|message du|gesendet|datum|envoyé(?: le)?|date d'envoi|inviato|data|verzonden|sendt|skickat"
    r"|lähetetty|enviado|wysłano|отправлено|дата|elküldve|发送时间|發送時間|日期|时间|時間|寄件日期|送信日時|날짜",
    "subject": r"subject|betreff|objet|sujet|oggetto|onderwerp|emne|ämne|asunto|assunto|temat|тема|aihe|tárgy"
    r"|主题|主旨|主題|件名|제목",
}
_FIELDS = {
    kind: re.compile(rf"^\s*[>*]*\s*(?:{words})\s*[*]*\s*[:：]", re.IGNORECASE)
    for kind, words in _FIELD_WORDS.items()
}
# English attributions need "on" before the date ("On <date>, <name> wrote:",
# "<name> on <date> wrote:") or an address, so "...were sent:" is not one.
_ENGLISH_VERB = re.compile(r"\b(?:wrote|sent)\s*:?\s*-*\s*$", re.IGNORECASE)
_ON = re.compile(r"(?:^|[\s>-])on\s", re.IGNORECASE)
_OTHER_VERBS = (
    r"a écrit|écrit|escribió|ha scritto|scritto|escreveu|schrieb|schreef"
    r"|het volgende geschreven|napisał(?:\(a\))?|napisała|pisze|skrev|kirjoitti|написал(?:\(а\))?"
    r"|написала|yazdı|έγραψε|写道|寫道|のメッセージ|작성"
)
_VERB_AT_END = re.compile(rf"(?:{_OTHER_VERBS})\s*[:：]?\s*-*\s*$", re.IGNORECASE)
# "Am 2. Jan. 2024 schrieb Name <a@b.c>:" - the verb in the middle, a colon at the end.
_VERB_INSIDE = re.compile(r"\b(?:schrieb|skrev|schreef)\b.*[:：]\s*$", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_WRAPPED_CLOSE = re.compile(r"^\s*>\s*[:：]\s*$")  # "<a@b.c" wrapped before ">:"
# How wrapped attributions begin: a preposition or weekday (On, Le, Am, W dniu,
# Finnish "pe", Russian "ср", Chinese 在/於) or a date.
_OPENER = re.compile(
    r"^[\s>*-]*(?:(?:on|le|em|el|il|am|op|w dniu|dnia|den|på|pe|ma|ti|ke|to|la|su"
    r"|пн|вт|ср|чт|пт|сб|вс)\b|在|於|\d)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_ENDS_WITH_COLON = re.compile(r"[:：]\s*$")
_QUOTED = re.compile(r"^\s*>")
_SEPARATOR_LINE = re.compile(r"^\s*([-_=*]{2,}|[-_]{2,}\s*)$")
_SIG_DELIMITER = re.compile(r"^(-- ?|_{2,})\s*$")  # RFC 3676 "-- ", and bare "--"/"___" lines
_SIGNATURE_MAX_LINES = 20  # a longer "signature" is more likely content after a rule
_MOBILE = re.compile(
    r"^\s*(sent (from|with|via) (my )?[\w .'()-]{2,40}(<[^>]*>)?|get outlook for \w+.*"
    r"|envoyé (de|depuis|à partir de) (mon )?[\w .'-]{2,40}(<[^>]*>)?|von meinem [\w .'-]{2,40} gesendet"
    r"|gesendet von [\w .'-]{2,40}( für [\w .'-]{2,40})?(<[^>]*>)?"
    r"|enviado desde (mi )?[\w .'-]{2,40}|verzonden (vanaf|met) [\w .'-]{2,40}"
    r"|verstuurd vanaf [\w .'-]{2,40}|sendt fra (min )?[\w .'-]{2,40}"
    r"|(发自|来自|發自|來自|从|從)\s*(我的)?\s*[\w .-]{0,20}"
    r"(iphone|ipad|android|手机|手機|邮箱|郵箱|客户端|客戶端|mail|outlook|华为|小米|荣耀|三星|魅族|网易|qq|foxmail)"
    r"[\w .-]{0,20}(发送|發送)?)\s*$",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^\s*((best|kind|warm|many|with)?\s*(regards|wishes)|cheers|thanks,|thank you,|此致|祝好|顺祝商祺)"
    r"\s*[,.!，。！]?\s*$",
    re.IGNORECASE,
)
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
    kept: list[str] = []
    index = 0
    while index < len(lines):
        if _FORWARD_MARKER.match(lines[index]):
            end = _forward_header_end(lines, index)
            kept.extend(lines[index:end])
            index = end
            continue
        span = _attribution_span(lines, index)
        if span and _next_is_quoted(lines, index + span):
            index = _quote_block_end(lines, index + span)
            continue
        if span or _is_block_header(lines, index):
            return _drop_trailing_separators(kept)
        if _QUOTED.match(lines[index]):
            _drop_attribution_before(kept)
            index = _quote_block_end(lines, index)
            continue
        kept.append(lines[index])
        index += 1
    return kept


def _forward_header_end(lines: list[str], start: int) -> int:
    """Index after a forward marker and the header fields that follow it."""
    index = start + 1
    while index < len(lines) and index <= start + _WINDOW and lines[index].strip():
        index += 1
    return index


def _is_block_header(lines: list[str], index: int) -> bool:
    """A separator header, or an Outlook-style From/Sent/Subject field block."""
    line = lines[index]
    if _SEPARATOR_HEADER.match(line):
        return True
    if not (_FIELDS["from"].match(line) or _FIELDS["date"].match(line)):
        return False
    window = lines[index : index + _WINDOW]
    return all(any(p.match(w) for w in window) for p in _FIELDS.values())


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
        joined = " ".join(line.strip() for line in lines[index : index + span])
        if len(joined) > _MAX_ATTRIBUTION:
            return 0
        if _is_attribution(joined):
            later = " ".join(line.strip() for line in lines[index + 1 : index + span])
            wrapped_here = span == 1 or _OPENER.match(joined) or not _is_attribution(later)
            return span if wrapped_here else 0
    return 0


def _is_attribution(text: str) -> bool:
    """``On <date>, <name> wrote:`` and its relatives in other languages.

    A date (a digit) or an address must be present, which keeps prose such as
    "On the other hand, I wrote:" out.
    """
    has_digit = bool(_DIGIT.search(text))
    has_address = bool(_ADDRESS.search(text))
    if not (has_digit or has_address):
        return False
    if _ENGLISH_VERB.search(text):
        return has_address or bool(_ON.search(text))
    if _VERB_AT_END.search(text) or _VERB_INSIDE.search(text):
        return True
    # Date-and-address lines: "2017-11-24 16:32 GMT+01:00 Name <a@b.c>:"
    return has_digit and has_address and bool(_ENDS_WITH_COLON.search(text))


def _next_is_quoted(lines: list[str], index: int) -> bool:
    """True when the next non-blank line from ``index`` is ``>``-quoted."""
    for line in lines[index:]:
        if line.strip():
            return bool(_QUOTED.match(line))
    return False


def _quote_block_end(lines: list[str], index: int) -> int:
    """Index after a ``>`` block, its blank lines and lazily wrapped lines."""
    previous_quoted = False
    while index < len(lines):
        line = lines[index]
        if _QUOTED.match(line):
            previous_quoted = True
        elif not line.strip():
            if not _next_is_quoted(lines, index):
                return _skip_blank(lines, index)
            previous_quoted = False
        elif not previous_quoted:  # text after a blank line: the reply resumes
            return index
        index += 1
    return index


def _skip_blank(lines: list[str], index: int) -> int:
    """Index of the next non-blank line (or the end)."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _drop_attribution_before(kept: list[str]) -> None:
    """Remove an unrecognised attribution (a short line ending in ':') before a quote."""
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and _ENDS_WITH_COLON.search(kept[-1]) and re.search(r"\d|@", kept[-1]):
        kept.pop()


def _drop_trailing_separators(kept: list[str]) -> list[str]:
    """Drop blank and rule lines (``____``, ``----``) left above a cut."""
    while kept and (not kept[-1].strip() or _SEPARATOR_LINE.match(kept[-1])):
        kept.pop()
    return kept


def _strip_signature(lines: list[str]) -> list[str]:
    """Cut at the earliest signature marker."""
    for index, line in enumerate(lines):
        if _is_signature_start(lines, index, line):
            return lines[:index]
    return lines


def _is_signature_start(lines: list[str], index: int, line: str) -> bool:
    """A delimiter, a mobile tag, or a closing followed by a short sign-off."""
    tail = lines[index + 1 :]
    if _SIG_DELIMITER.match(line):
        return sum(1 for t in tail if t.strip()) <= _SIGNATURE_MAX_LINES
    if _MOBILE.match(line):
        return True  # what follows a mobile tag is the unmarked original
    return bool(_CLOSING.match(line)) and _short_tail(tail)


def _short_tail(tail: list[str]) -> bool:
    """A few short lines (name, title, phone) and nothing else."""
    filled = [line for line in tail if line.strip()]
    return 0 < len(filled) <= _CLOSING_TAIL_LINES and all(
        len(line) <= _CLOSING_TAIL_WIDTH for line in filled
    )
