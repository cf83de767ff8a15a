"""Whether a text written by a desk agent opens with its own salutation (pure).

The desk's reply to a customer wraps the agent's text in a letter that greets the
customer.  An agent who writes a whole letter ("王女士，您好！…", "Dear Ms Carter, …")
already greets them: the wrapper's greeting is then left out, so the customer is
greeted once, not twice (issue 9).
"""

from __future__ import annotations

import re

# A Chinese letter opens with 尊敬的… / 亲爱的…, or greets first ("您好！"), perhaps by
# name ("王女士，您好！", "张经理您好："); a greeting is a word of its own (not 您好奇).
_CHINESE_OPENER = re.compile(r"^(?:尊敬的|亲爱的)")
_CHINESE_GREETING = re.compile(
    r"^[^。！？!?]{0,20}?(?:您好|你好|您们好|你们好|大家好|早上好|上午好|中午好|下午好|晚上好)"
    r"(?=[！!，,。.：:～~\s]|$)"
)
# … or just addresses them: "王女士：", "Emily：".
_CHINESE_ADDRESS = re.compile(
    r"^[^。！？!?：:，,\s]{1,16}(?:先生|女士|小姐|老师|经理|总|主任|师傅|老板|同志)[：:，,]\s*$"
)
_ENGLISH_OPENER = re.compile(
    r"^(?:dear|hello|hi|hey|greetings|good\s+(?:morning|afternoon|evening))(?=[\s,!.:]|$)",
    re.IGNORECASE,
)


def first_line(text: str) -> str:
    """The first line of ``text`` that is not blank, stripped."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def starts_with_salutation(text: str) -> bool:
    """True when ``text`` greets its reader itself ("您好", "王女士：", "Dear …", "Hi …")."""
    line = first_line(str(text))
    return bool(
        _CHINESE_OPENER.match(line)
        or _CHINESE_GREETING.match(line)
        or _CHINESE_ADDRESS.match(line)
        or _ENGLISH_OPENER.match(line)
    )
