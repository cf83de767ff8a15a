"""Which part of an agent's text is for the customer (pure).

An agent's reply goes to the customer as the desk's reply, but not all of what an agent
types is meant for them (issue 9, defect 4):

* the signature — "王芳 / 利达物流客服中心 / 电话 021-5555 8021", "Best regards, / Wang
  Fang / Customer Service" — often comes without a ``-- `` line; the desk's own mail
  signs for the desk, so a trailing block of signature-like lines is dropped;
* a line meant for colleagues — "收到，这单我来跟进", "OK", "got it, I'll take it" — or
  a bare greeting is never a reply to a customer: such text is withheld and kept as a
  note, and the agent is told.

The same rules apply to Chinese and English.
"""

from __future__ import annotations

import re
import unicodedata

_MAX_SIGNATURE_LINES = 6
_MAX_SIGNATURE_LINE = 48

_SIGN_OFF = re.compile(
    r"^(?:谢谢|多谢|感谢|此致|敬礼|祝好|顺祝商祺|顺颂商祺|祝工作顺利|best(?: regards| wishes)?"
    r"|(?:kind |warm )?regards|thanks(?: again)?|thank you|many thanks|cheers|br|sincerely"
    r"|yours(?: sincerely| truly)?)[\s,，.。!！]*$",
    re.IGNORECASE,
)
_CONTACT = re.compile(
    r"(?:电话|手机|分机|座机|传真|邮箱|地址|微信|tel|phone|mobile|fax|ext|e-?mail|wechat)\s*[:：.]"
    r"|[\w.+-]+@[\w-]+\.[\w.-]+|https?://|www\.|(?:\+?\d[\d\s()-]{6,}\d)",
    re.IGNORECASE,
)
_ROLE = re.compile(
    r"客服|专员|经理|主管|组长|部门?$|中心$|公司|物流|有限|customer service|manager|supervisor"
    r"|agent|officer|specialist|logistics|ltd|co\.|inc\b|department|team$",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,4}|[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}|[A-Z]\. ?[A-Z][a-z]+)$"
)

# Acknowledgements between colleagues and bare greetings: never a reply to a customer.
_NOTE_TO_COLLEAGUES = re.compile(
    r"^(?:收到了?|好的?|好滴|ok(?:ay)?|明白了?|了解|知道了|嗯|noted|gotit|onit|roger|will do|sure)*"
    r"(?:(?:这单|这个|此单|该单|这票)?(?:我来|由我|交给我|我先|我)(?:跟进|处理|负责|跟|看|看一下|看看)"
    r"(?:吧|了|哈|下)?|i'?ll(?:take|handle|followup(?:on)?|lookinto)(?:it|this)?|mine)?$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:(?:您好|你好|尊敬的.{0,12}|亲爱的.{0,12}|各位.{0,6})[,，!！:：]?"
    r"|(?:hi|hello|dear)\b[^.!?。！？]{0,30}[,!:]?)\s*$",
    re.IGNORECASE,
)
_PUNCTUATION = re.compile(r"[\s,，.。!！?？:：;；~～、'\"“”‘’()（）-]+")


def _looks_like_signature(line: str) -> bool:
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_SIGNATURE_LINE or _GREETING.match(stripped):
        return False
    return bool(
        _SIGN_OFF.match(stripped)
        or _CONTACT.search(stripped)
        or _ROLE.search(stripped)
        or _NAME.match(stripped)
    )


def strip_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split ``lines`` into the text and a trailing signature block (possibly empty).

    The block is the last paragraphs whose every line looks like a signature line
    (a sign-off, a name, a role or company, contact details), at most six lines.
    """
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    cut = end
    while cut:
        start = cut
        while start and lines[start - 1].strip():
            start -= 1
        block = [line for line in lines[start:cut] if line.strip()]
        if not block or end - start > _MAX_SIGNATURE_LINES + 2:
            break
        if not all(_looks_like_signature(line) for line in block):
            break
        cut = start
        while cut and not lines[cut - 1].strip():
            cut -= 1
    return lines[:cut], lines[cut:end]


def is_note_to_colleagues(text: str) -> bool:
    """True when ``text`` is only an acknowledgement, a claim or a greeting."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines or len(text) > 60:
        return bool(not lines)
    return all(_is_chatter(line) for line in lines)


def _is_chatter(line: str) -> bool:
    line = unicodedata.normalize("NFKC", line)
    squashed = _PUNCTUATION.sub("", line).lower()
    return bool(_NOTE_TO_COLLEAGUES.fullmatch(squashed) or _GREETING.match(line))
