"""Reading the customer's answer to a proposed solution (pure).

The proposal's one-click links pre-fill the subject and first line with ``同意 / Agree``
or ``不同意 / Disagree``; people who type their answer write the same words in many
ways.  Refusals are looked for first: ``不同意`` contains ``同意``, "disagree" contains
"agree".  Only the reply itself counts, never the quoted proposal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Verdict(StrEnum):
    """The customer's answer."""

    AGREE = "agree"
    DISAGREE = "disagree"


@dataclass(frozen=True)
class Answer:
    """A verdict and the words that carried it."""

    verdict: Verdict
    phrase: str


_DISAGREE = re.compile(
    r"不同意|不接受|不认可|不認可|不满意|不滿意|不能接受|无法接受|無法接受|不可以|不行|拒绝|拒絕|不采纳|不採納"
    r"|\bdisagree\b|\bdo(?:es)? not agree\b|\bdon'?t agree\b|\breject(?:ed)?\b|\bnot acceptable\b"
    r"|\bunacceptable\b|\bdo(?:es)? not accept\b|\bdon'?t accept\b|\brefuse\b|\bnot ok(?:ay)?\b",
    re.IGNORECASE,
)
_AGREE = re.compile(
    r"同意|接受|可以|认可|認可|没问题|沒問題|好的|行的|满意|滿意|采纳|採納"
    r"|\bagree(?:d)?\b|\baccept(?:ed)?\b|\bok(?:ay)?\b|\bfine\b|\byes\b"
    r"|\bsounds good\b|\bgo ahead\b",
    re.IGNORECASE,
)
_LOOK_AT = 400  # the answer is at the top; deeper text is explanation or quotes


def read_answer(reply_text: str, subject: str = "") -> Answer | None:
    """The verdict in ``reply_text`` (then ``subject``), or None when there is none."""
    answer = _verdict_in(reply_text[:_LOOK_AT])
    if answer is not None:
        return answer
    # The one-click links put the verdict first in the subject; a verdict word deeper in
    # a subject ("solution - please tell us if you agree") is not an answer.
    stripped = _strip_reply_prefixes(subject)
    subject_answer = _verdict_in(stripped)
    if subject_answer is not None and stripped.lower().startswith(subject_answer.phrase.lower()):
        return subject_answer
    return None


def _verdict_in(text: str) -> Answer | None:
    refusal = _DISAGREE.search(text)
    if refusal:
        return Answer(Verdict.DISAGREE, refusal.group(0))
    consent = _AGREE.search(text)
    if consent:
        return Answer(Verdict.AGREE, consent.group(0))
    return None


def _strip_reply_prefixes(subject: str) -> str:
    """Drop ``Re:``/``回复:`` and the ticket tag, which say nothing about the answer."""
    text = re.sub(r"^\s*((re|aw|fw|fwd|回复|答复|回覆|转发)\s*[:：]\s*)+", "", subject, flags=re.I)
    return re.sub(r"\[[^\]]*\]", " ", text).strip()
