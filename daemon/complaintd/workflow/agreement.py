"""Reading the customer's answer to a proposed solution (pure).

Three outcomes (:class:`Verdict`):

* ``AGREE`` - an explicit, un-negated agreement ("同意", "可以，就这样办", "I agree,
  please go ahead") and nothing that takes it back: no question, no condition, no
  objection;
* ``DISAGREE`` - a clear refusal ("不同意", "这个方案我没法同意", "同意不了",
  "I can't accept this") and no agreement beside it; the customer's own words are the
  objection;
* ``UNCLEAR`` - everything else: a question ("你们可以再多赔一点吗？"), a condition
  ("同意，但运费要退", "Yes, if you refund the freight"), agreement and refusal mixed,
  a hedge or hesitation ("不是不同意，只是…", "我再考虑一下"), or nothing at all
  ("收到", "谢谢").  Not agreement: the ticket stays where it is for a person to read.

Decisions worth knowing:

* A double negative ("不是不同意", "没有不同意", "I don't disagree") is a hedge, not
  agreement: in Chinese it nearly always introduces a reservation ("…只是金额太少").
* Idioms that agree through a negation are agreement: 没问题, 没意见, 无异议,
  "no problem", "no objection"; 不得不同意 ("have no choice but to agree") is agreement.
* Agreement with a question beside it ("同意。赔款什么时候到账？") is UNCLEAR: the
  reader cannot tell a question about the terms from one about their execution.
* Polite conditionals are not conditions: "如有问题请联系我", "如果可以的话",
  "let me know if you need anything", "if possible".

Only the customer's own words count: the quoted proposal below the reply (which holds
the desk's own "同意 / Agree" links), the signature and everything after a sign-off line
("此致", "Best regards") are cut first.  The subject is read only when the reply says
nothing and the subject starts with a verdict, as the one-click links write it
(``[TS-202611-0001] 同意 / Agree``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from complaintd.staff_replies.reply import reply_lines


class Verdict(StrEnum):
    """The customer's answer."""

    AGREE = "agree"
    DISAGREE = "disagree"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class Answer:
    """A verdict, the words that carried it and the customer's own text."""

    verdict: Verdict
    phrase: str  # the words that decided it ("" when nothing did)
    text: str  # the customer's own words: the objection of a refusal
    why: str = ""  # UNCLEAR only: question | condition | mixed | hedged | nothing


@dataclass
class _Signals:
    """What the reply's clauses say, each list holding the words found."""

    agree: list[str] = field(default_factory=list)
    refuse: list[str] = field(default_factory=list)
    hedge: list[str] = field(default_factory=list)
    question: list[str] = field(default_factory=list)
    condition: list[str] = field(default_factory=list)


_LOOK_AT = 2000  # characters of the customer's own words read; the answer comes first
_SIGN_OFF_CHARS = 40  # a sign-off line is short; longer lines are not even tried

# Lines that end the customer's words: a sign-off, then the signature below it.
_SIGN_OFF = re.compile(
    r"(?:(?:(?:best|kind|warm|many)\s+)?(?:regards|wishes)|thanks?(?:\s*(?:and|&)\s*regards)?"
    r"|thank you|many thanks|cheers|sincerely|yours(?:\s+(?:sincerely|faithfully|truly))?"
    r"|此致|敬礼|敬禮|此致敬礼|祝好|顺祝商祺|順祝商祺|顺颂商祺|順頌商祺|谢谢|謝謝|多谢|多謝"
    r"|感谢|感謝|谢谢您|謝謝您)[,，.。!！~]*",
    re.IGNORECASE,
)
# Clause ends: sentence and clause punctuation, line breaks, an English full stop.
_CLAUSE_END = re.compile(r"(?<=[。！？!?；;，,、\n])|(?<=\.)(?=\s)")

# --- Chinese (simplified and traditional) -----------------------------------------------

# Phrases masked before anything else is looked for, and what they count as.
_ZH_IDIOMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Double negatives: a hedge ("不是不同意，只是…").
    (
        "hedge",
        re.compile(
            r"(?:不是|并不是|並不是|并非|並非|也不是|倒不是|没有|沒有)\s*"
            r"(?:不|无法|無法|没法|沒法|不能)\s*(?:同意|接受|认可|認可|满意|滿意|愿意|願意|行|可以)"
        ),
    ),
    (
        "hedge",
        re.compile(
            r"(?:再|先)(?:考虑|考慮|想想|想一想|商量|商議|商议)|考[虑慮]一下|考虑考虑|考慮考慮"
            r"|商量一下|商議一下|再说吧|再說吧|回头再|回頭再|不确定|不確定"
        ),
    ),
    # Agreement through a negation.
    (
        "agree",
        re.compile(
            r"没问题|沒問題|没有问题|沒有問題|不成问题|不成問題|没意见|沒意見|没有意见|沒有意見"
            r"|无异议|無異議|没有异议|沒有異議|不得不同意"
        ),
    ),
    # Questions that a clause-level test would miss: A-not-A, question words.
    (
        "question",
        re.compile(
            r"(同意|接受|满意|滿意|可以|能|行|好|是|有)[不没沒]\1|请问|請問|为什么|為什麼|为何|為何"
            r"|怎么|怎麼|什么时候|什麼時候|何时|何時|能否|可否|是否"
        ),
    ),
    # Polite conditionals: not conditions.
    (
        "",
        re.compile(
            r"如(?:果)?有(?:任何|什么|什麼|其他|其它)?(?:问题|問題|疑问|疑問|需要)"
            r"|如果可以的话|如果可以的話|如可能|如果方便|如方便|无论如何|無論如何|非常|十分"
        ),
    ),
)
_ZH_REFUSAL = re.compile(
    r"拒绝|拒絕|反对|反對|不行|不可以|不成|不合理|不公平|不认同|不認同|不赞同|不贊同"
    r"|有异议|有異議|有意见|有意見|太少|太低|偏低|偏少|不够|不夠|免谈|免談|不要这个|不要這個"
)
_ZH_AGREE = re.compile(
    r"同意|接受|认可|認可|赞成|贊成|赞同|贊同|答应|答應|采纳|採納|认同|認同|满意|滿意"
    r"|就这样办|就這樣辦|就这么办|就這麼辦|就这样吧|就這樣吧|那就这样|那就這樣|就这样定了|就這樣定了"
    r"|照此办理|照此辦理|按(?:这个|這個|此|该|該|你们的|你們的)?方案|按你们说的|按你們說的"
    r"|照你们说的|照你們說的"
)
_ZH_NEGATOR = re.compile(r"[不没沒无無未难難别別非否拒]")
_ZH_NEGATION_WINDOW = 5  # characters before a term searched for a negator
_ZH_NEGATED_AFTER = re.compile(r"\s*不了|\s*不来|\s*不來")
# A clause that is only a short consent word ("好的", "可以", "行吧", "嗯嗯").
_ZH_SHORT_YES = re.compile(
    r"^(?:这样|這樣|那就|那|就|方案)?"
    r"(?:(?:好|行|可以|成|嗯|对|對|是|OK|ok)(?:的|吧|啊|呀|了|哈|啦|嘛|滴)*)+$"
)
_ZH_SHORT_NO = re.compile(r"^(?:不|否|不要|不用了)(?:的|吧|啊|呀|了|哈|啦)*$")
# A question particle ends the clause (那么/这么/多么 are not questions).
_ZH_QUESTION_END = re.compile(r"(?:[吗嗎呢]|(?<![那这這多要])[么麼])[\s。.!！~]*$")
_ZH_CONDITION = re.compile(
    r"但|不过|不過|可是|只是|然而|虽然|雖然|前提|条件|條件|如果|假如|要是|除非|只要|的话|的話"
    r"|还要|還要|还需|還需|还得|還得|也要|另外|必须|必須"
)

# --- English -------------------------------------------------------------------------------

_EN_IDIOMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "hedge",
        re.compile(
            r"\b(?:not that (?:i|we) (?:disagree|object)"
            r"|(?:i|we) (?:don'?t|do not) (?:disagree|object)|not (?:un|in)acceptable"
            r"|not sure|unsure|think (?:about|it over)|consider"
            r"|get back to you|let (?:me|us) (?:check|discuss|think)|discuss)\b",
            re.IGNORECASE,
        ),
    ),
    ("agree", re.compile(r"\bno (?:problem|objections?|worries)\b", re.IGNORECASE)),
    (
        "",
        re.compile(
            r"\b(?:(?:let (?:me|us) know|contact (?:me|us)|get in touch|reach (?:me|us)) if"
            r"|if (?:you )?(?:need|have) any|if possible|if you need anything|if needed)\b",
            re.IGNORECASE,
        ),
    ),
)
_EN_REFUSAL = re.compile(
    r"\b(?:disagree[ds]?|reject(?:ed|s)?|refuse[ds]?|decline[ds]?|unacceptable|object"
    r"|objections?|no way|not good enough|too (?:low|little|small)|not enough|unhappy"
    r"|dissatisfied|unsatisfied)\b",
    re.IGNORECASE,
)
_EN_AGREE = re.compile(
    r"\b(?:agree[ds]?|accept(?:ed|s|able)?|ok(?:ay)?|fine|happy with|satisfied|sounds good"
    r"|go ahead|proceed|works for (?:me|us)|that works|approved?)\b",
    re.IGNORECASE,
)
_EN_NEGATOR = re.compile(
    r"^(?:not|no|never|nor|neither|cannot|unable|hardly|barely|\w+n't"
    r"|dont|cant|wont|didnt|doesnt|isnt|arent|couldnt|wouldnt|shouldnt)$",
    re.IGNORECASE,
)
_EN_NEGATION_WINDOW = 5  # words before a term searched for a negator
_EN_SCOPE_BREAK = re.compile(r"^(?:and|but|so|because|then|though|although)$", re.IGNORECASE)
_EN_SHORT_YES = re.compile(
    r"^(?:yes|yeah|yep|ok(?:ay)?|sure|fine|deal|agreed|alright|all right|good|great|perfect)"
    r"(?:\s+(?:please|thanks|thank you|with me|by me))?[\s.!]*$",
    re.IGNORECASE,
)
_EN_SHORT_NO = re.compile(r"^(?:no|nope|nah)\b(?![\s-]+(?:problem|objection|worries))", re.I)
_EN_QUESTION_START = re.compile(
    r"^(?:(?:can|could|would|will|shall|should|may|is|are|do|does|did)\s+"
    r"(?:you|we|i|it|there|this|that|the)\b|(?:why|how|when|what|where|which|who)\b)",
    re.IGNORECASE,
)
_EN_CONDITION = re.compile(
    r"\b(?:but|however|though|although|provided|providing|as long as|on (?:the )?condition"
    r"|only if|if|unless|subject to|except)\b",
    re.IGNORECASE,
)
_ENGLISH_WORD = re.compile(r"[A-Za-z']+")

# The one-click links' subjects start with the verdict: "[TS-…] 同意 / Agree".
_SUBJECT_VERDICT = re.compile(r"^(?:不同意|同意|disagree|agree|i agree|i do not agree)", re.I)
_MASK = "\u3000"  # what a phrase already read is replaced with (a space)


def read_answer(reply_text: str, subject: str = "") -> Answer:
    """The customer's answer in ``reply_text``, or in ``subject`` when the reply has none.

    ``reply_text`` should come without the lines of the desk's own mail that a client
    may paste under a reply with no quote marker (see ``workflow.mail.without_desk_lines``).
    """
    text = own_words(reply_text)
    signals = _signals(text)
    if not (signals.agree or signals.refuse or signals.hedge or signals.question):
        stripped = _strip_reply_prefixes(subject)
        if _SUBJECT_VERDICT.match(stripped):
            return _decide(_signals(stripped), text or stripped)
    return _decide(signals, text)


def own_words(reply_text: str) -> str:
    """The customer's own words: quotes, signature and what follows a sign-off cut."""
    lines = reply_lines(reply_text)
    for index, line in enumerate(lines):
        bare = line.strip()
        if len(bare) <= _SIGN_OFF_CHARS and _SIGN_OFF.fullmatch(bare):
            lines = lines[:index]
            break
    return "\n".join(lines).strip()[:_LOOK_AT]


def _decide(signals: _Signals, text: str) -> Answer:
    """The verdict the signals make (see the module's documentation for the rules)."""
    if signals.hedge:
        return Answer(Verdict.UNCLEAR, signals.hedge[0], text, "hedged")
    if signals.refuse and signals.agree:
        return Answer(Verdict.UNCLEAR, signals.refuse[0], text, "mixed")
    if signals.refuse:
        return Answer(Verdict.DISAGREE, signals.refuse[0], text)
    if signals.agree and signals.question:
        return Answer(Verdict.UNCLEAR, signals.question[0], text, "question")
    if signals.agree and signals.condition:
        return Answer(Verdict.UNCLEAR, signals.condition[0], text, "condition")
    if signals.agree:
        return Answer(Verdict.AGREE, signals.agree[0], text)
    if signals.question:
        return Answer(Verdict.UNCLEAR, signals.question[0], text, "question")
    return Answer(Verdict.UNCLEAR, "", text, "condition" if signals.condition else "nothing")


def _signals(text: str) -> _Signals:
    """Everything every clause of ``text`` says."""
    signals = _Signals()
    for clause in _clauses(text.replace("\u2019", "'")):  # typographic apostrophes
        _read_clause(clause, signals)
    return signals


def _clauses(text: str) -> list[str]:
    """``text`` split after each clause's punctuation (which stays with its clause)."""
    return [part.strip() for part in _CLAUSE_END.split(text) if part.strip()]


def _read_clause(clause: str, signals: _Signals) -> None:
    """Add what one clause says to ``signals``.

    Agreement words inside a question are the question's, never consent
    ("你们可以接受退货吗？").
    """
    clause = _mask_idioms(clause, _ZH_IDIOMS + _EN_IDIOMS, signals)
    question = _is_question(clause)
    if question:
        signals.question.append(clause)
    refusals, agreements = _terms(clause)
    signals.refuse.extend(refusals)
    if not question:
        signals.agree.extend(agreements)
    signals.condition.extend(m.group() for m in _ZH_CONDITION.finditer(clause))
    signals.condition.extend(m.group() for m in _EN_CONDITION.finditer(clause))


def _mask_idioms(
    clause: str, idioms: tuple[tuple[str, re.Pattern[str]], ...], signals: _Signals
) -> str:
    """Record and blank out the fixed phrases, so their words are not read again."""
    for kind, pattern in idioms:
        for match in pattern.finditer(clause):
            if kind:
                getattr(signals, kind).append(match.group())
        clause = pattern.sub(lambda m: _MASK * len(m.group()), clause)
    return clause


def _is_question(clause: str) -> bool:
    """A question mark, a Chinese question particle at the end, or an English question."""
    bare = clause.strip(" \t\u3000")
    return (
        "?" in bare
        or "？" in bare
        or bool(_ZH_QUESTION_END.search(bare.rstrip("，,；;")))
        or bool(_EN_QUESTION_START.match(bare))
    )


def _terms(clause: str) -> tuple[list[str], list[str]]:
    """The refusals and the (un-negated) agreements in one clause."""
    refusals = [m.group() for m in _ZH_REFUSAL.finditer(clause)]
    refusals += [m.group() for m in _EN_REFUSAL.finditer(clause)]
    agreements: list[str] = []
    bare = clause.strip(" \t\u3000。.!！~，,；;")
    if _ZH_SHORT_YES.match(bare) or _EN_SHORT_YES.match(bare):
        agreements.append(bare)
    elif _ZH_SHORT_NO.match(bare) or _EN_SHORT_NO.match(bare):
        refusals.append(bare)
    for match in _ZH_AGREE.finditer(clause):
        target = refusals if _zh_negated(clause, match) else agreements
        target.append(_zh_phrase(clause, match))
    for match in _EN_AGREE.finditer(clause):
        negator = _en_negator(clause, match)
        if negator is None:
            agreements.append(match.group())
        else:
            refusals.append(clause[negator : match.end()])
    return refusals, agreements


def _zh_negated(clause: str, match: re.Match[str]) -> bool:
    """A negator just before the term (没法同意, 不太能接受) or 不了 after it (同意不了)."""
    before = clause[max(0, match.start() - _ZH_NEGATION_WINDOW) : match.start()]
    return bool(_ZH_NEGATOR.search(before)) or bool(_ZH_NEGATED_AFTER.match(clause, match.end()))


def _zh_phrase(clause: str, match: re.Match[str]) -> str:
    """The term with the words before it that may negate it, as the customer wrote them."""
    start = max(0, match.start() - _ZH_NEGATION_WINDOW)
    return clause[start : match.end()].strip(" \t\u3000，,。")


def _en_negator(clause: str, match: re.Match[str]) -> int | None:
    """Where a negator stands among the few words before the term ("can't agree",
    "not something we can accept"), within the same part of the clause; None if none."""
    words = list(_ENGLISH_WORD.finditer(clause, 0, match.start()))[-_EN_NEGATION_WINDOW:]
    for word in reversed(words):
        if _EN_SCOPE_BREAK.match(word.group()):
            return None
        if _EN_NEGATOR.match(word.group()):
            return word.start()
    return None


def _strip_reply_prefixes(subject: str) -> str:
    """Drop ``Re:``/``回复:`` and the ticket tag, which say nothing about the answer."""
    text = re.sub(r"^\s*((re|aw|fw|fwd|回复|答复|回覆|转发)\s*[:：]\s*)+", "", subject, flags=re.I)
    return re.sub(r"\[[^\]]*\]", " ", text).strip()
