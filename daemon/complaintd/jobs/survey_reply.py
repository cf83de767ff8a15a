"""Reading a customer's answer to the satisfaction survey, in Chinese or English (pure).

Customers answer by the survey's ``mailto:`` links (``评分 / Score: 4``) or by writing a
plain reply: ``5``, ``五星``, ``4分``, ``非常满意``, ``2分,司机态度也不好``,
``very satisfied``, ``3 - driver late again``, ``★★★★☆``.  The first thing that reads as
a score wins, in this order: a labelled score, a number standing at the start, a number
of points or stars anywhere, star glyphs, words of (dis)satisfaction.  Negations turn a
satisfied word round (``不满意``, ``不太满意``, ``not satisfied``, ``not very happy``).
The comment is what the customer wrote besides the score.

Only the customer's own text is given here (quotes and the desk's lines removed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_SEPARATORS = " \t\r\n-–—:：,，.。;；!！/、|()（）☆"
_AFTER_NUMBER = r"(?=\s*$|\s*[-–—:：,，.。;；!！/、|)）]|\s)"

# 评分 / Score: 4  (the mailto body), 打分：4, 分数 4, rating 4
_LABELLED = re.compile(
    r"(?:评分|打分|分数|得分|score|rating)(?:\s*/\s*(?:score|评分))?\s*[:：]?\s*([1-5])(?![0-9])",
    re.IGNORECASE,
)
# A number of points or stars anywhere: "2分", "给4分", "五星", "3 stars", "4/5", "4 out of 5"
_POINTS = re.compile(
    r"(?<![0-9])([1-5一二两三四五])\s*(?:分(?!钟)|颗星|星(?!期))"
    r"|(?<![0-9])([1-5])\s*(?:stars?\b|points?\b|/\s*5(?![0-9])|out of 5\b)",
    re.IGNORECASE,
)
# A number standing alone at the start: "5", "3 - late again", "2，太慢了" (not "3天")
_LEADING = re.compile(r"^\s*([1-5])(?![0-9.])" + _AFTER_NUMBER)
_FULL_MARKS = re.compile(r"满分|full marks", re.IGNORECASE)
_STARS = re.compile(r"[★⭐]{1,5}")

# Explicit words of (dis)satisfaction, negations first: (pattern, score, satisfied).
_VERDICTS: tuple[tuple[re.Pattern[str], int, bool], ...] = (
    (re.compile(r"非常不满意|很不满意|极不满意|十分不满意|特别不满意"), 1, False),
    (re.compile(r"(?:very|extremely|totally|completely) (?:dis|un)satisfied", re.I), 1, False),
    (re.compile(r"不太满意|不是很满意|不怎么满意|不大满意|不够满意|不是太满意"), 2, False),
    (
        re.compile(r"not (?:very|really|quite|too|entirely|fully) (?:satisfied|happy)", re.I),
        2,
        False,
    ),
    (re.compile(r"不满意|不满"), 2, False),
    (
        re.compile(
            r"not (?:at all )?(?:satisfied|happy|pleased)|(?:dis|un)satisfied|unhappy", re.I
        ),
        2,
        False,
    ),
    (re.compile(r"非常满意|十分满意|很满意|特别满意|太满意了"), 5, True),
    (re.compile(r"(?:very|extremely|really) (?:satisfied|happy|pleased)", re.I), 5, True),
    (re.compile(r"满意"), 4, True),
    (re.compile(r"\b(?:satisfied|happy|pleased)\b", re.I), 4, True),
)
# Words that suggest a score without saying "(not) satisfied": (pattern, score).
_HINTS: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"太差|非常差|极差|\b(?:terrible|awful|horrible)\b", re.I), 1),
    (re.compile(r"很差|差评|\b(?:poor|bad)\b", re.I), 2),
    (re.compile(r"一般|还行|凑合|马马虎虎|\b(?:average|so-so|mediocre)\b", re.I), 3),
    (re.compile(r"好评|不错|挺好|\bgood\b", re.I), 4),
    (re.compile(r"完美|超赞|\b(?:excellent|perfect|outstanding|great)\b", re.I), 5),
)
# A negated negative is content: "没有不满意", "not unhappy".
_DOUBLE_NEGATIVE = re.compile(
    r"没有不满意|没什么不满意|并无不满|not (?:un|dis)satisfied|not unhappy", re.IGNORECASE
)


@dataclass(frozen=True)
class SurveyAnswer:
    """What the customer told us: a score 1-5 (or None), a verdict, and their comment."""

    score: int | None
    satisfied: bool | None  # an explicit word of (dis)satisfaction; None: only a number
    comment: str

    @property
    def unhappy(self) -> bool:
        """A score of 1-2 or an explicit "not satisfied": the ticket reopens."""
        return (self.score is not None and self.score <= 2) or self.satisfied is False


def read_survey_answer(text: str, subject: str = "") -> SurveyAnswer | None:
    """The survey answer in ``text``; the subject of a ``mailto:`` answer is read for a
    labelled score only.  None when there is neither a score nor a verdict."""
    body = _without_form_labels(text).strip()
    score, rest = _score(body)
    satisfied, word_score = _verdict(body)
    if score is None and word_score is None:
        labelled = _LABELLED.search(subject)
        if labelled is None:
            return None
        score = int(labelled.group(1))
    return SurveyAnswer(
        score=score if score is not None else word_score,
        satisfied=satisfied,
        comment=_clean(rest),
    )


def _without_form_labels(text: str) -> str:
    """Drop the ``意见 / Comment:`` label of the mailto body, keep what follows it."""
    return re.sub(
        r"(?:意见|备注|comments?)(?:\s*/\s*(?:comments?|意见))?\s*[:：]", " ", text, flags=re.I
    )


def _score(text: str) -> tuple[int | None, str]:
    """The score written as a number or stars, and the text without it."""
    for pattern in (_LABELLED, _POINTS, _LEADING):
        match = pattern.search(text)
        if match:
            digit = next(group for group in match.groups() if group)
            return _CN_DIGITS.get(digit) or int(digit), _rest(text, match)
    for pattern in (_FULL_MARKS, _STARS):
        match = pattern.search(text)
        if match:
            score = 5 if pattern is _FULL_MARKS else len(match.group())
            return score, _rest(text, match)
    return None, text


def _rest(text: str, match: re.Match[str]) -> str:
    """What follows a score written first; the whole text when the score is inside it."""
    return text[match.end() :] if not text[: match.start()].strip() else text


def _verdict(text: str) -> tuple[bool | None, int | None]:
    """An explicit word of (dis)satisfaction, and the score the words suggest."""
    if _DOUBLE_NEGATIVE.search(text):
        return True, 4
    for pattern, score, satisfied in _VERDICTS:
        if pattern.search(text):
            return satisfied, score
    for pattern, score in _HINTS:
        if pattern.search(text):
            return None, score
    return None, None


def _clean(text: str) -> str:
    """The comment: the rest of the text, separators at its ends trimmed."""
    lines = [line.strip() for line in text.strip().splitlines()]
    return "\n".join(line for line in lines if line).strip(_SEPARATORS)
