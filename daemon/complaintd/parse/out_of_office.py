"""Out-of-office replies recognised by their subject and opening lines.

Many vacation responders (and gateways that strip headers) send no
``Auto-Submitted`` or ``X-Autoreply``; they are known only by what they say.
A complaint desk must never take a complaint for one, so the rules are
deliberately narrow:

* a *strong* subject is a responder's own prefix followed by a separator -
  ``Automatic reply: ...`` (Outlook/Exchange in its languages: ``自动回复:``,
  ``自動回覆:``, ``自動応答:``, ``Automatische Antwort:``...), ``Out of Office: ...``,
  ``[自动回复]``, ``【自动回复】`` - or a responder's word alone ("Auto Response").
  "Auto reply not working", "为什么只有自动回复" and a bare "Out of office" do
  not qualify: no separator, not at the start, or a phrase people write;
* otherwise the *opening* - the sender's own first lines, above any quote -
  must say it: either in so many words ("This is an automatic reply",
  "这是来自QQ邮箱的假期自动回复邮件"), or a first-person absence ("I am out of
  the office", "我正在休假") together with a return date, a note about mail
  or an alternative contact; under a subject that names an absence ("休假中",
  "Away until May 5", "Auto: ...") any two of those four do;
* and the opening must not read like a complaint: no waybill number, no
  parcel/delivery/damage words.  "我下周休假，包裹请放快递柜" stays a complaint.

The labelled set in tests/parse/oof_samples.py measures recall and false
positives (tests/parse/test_parse_automated.py).
"""

from __future__ import annotations

import re

# A colon or closing bracket; not a dash ("Auto reply - not working" is a complaint).
_SEPARATOR = r"\s*[:：\]】)）>»]"
# Responder words that make a subject on their own ("Auto Response", "自动回复").
_REPLY_WORDS = (
    r"automatic\s+reply|auto(?:matic)?[\s-]*(?:reply|response|respond|antwort)|autoreply"
    r"|autoresponse|automatische\s+antwort|r[ée]ponse\s+automatique|respuesta\s+autom[áa]tica"
    r"|risposta\s+automatica|resposta\s+autom[áa]tica|automatisch\s+antwoord"
    r"|automatiskt?\s+svar|automaattinen\s+vastaus|odpowied[źz]\s+automatyczna"
    r"|automatick[áa]\s+odpov[ěe]d|otomatik\s+yan[ıi]t|автоматический\s+ответ"
    r"|自动回复|自動回覆|自動回复|自动答复|自动应答|自動応答|自動返信|자동\s*회신|자동\s*응답"
)
# Prefixes that count only before a separator: "Out of Office: x" but not "Out of office".
_ABSENCE_PREFIXES = (
    r"out\s+of\s+(?:the\s+)?office(?:\s+auto-?reply)?|ooo|abwesenheitsnotiz"
    r"|absence\s+du\s+bureau"
)
_OPEN = r"^[\s\[【(（<«\"'*]*"
_STRONG_SUBJECT = re.compile(
    rf"{_OPEN}(?:(?:{_REPLY_WORDS}|{_ABSENCE_PREFIXES}){_SEPARATOR}|(?:{_REPLY_WORDS})\W*$)",
    re.IGNORECASE,
)
_WEAK_SUBJECT = re.compile(
    r"\b(?:away|vacation|on\s+leave|holidays?|absent|not\s+in\s+the\s+office"
    r"|out\s+of\s+(?:the\s+)?office|ooo|abwesend|urlaub|cong[ée]|vacances|ausente|vacaciones)\b"
    r"|^\s*auto\s*[:：]|休假|年假|度假|不在办公室|不在辦公室|外出|出差|请假|請假|放假|休暇",
    re.IGNORECASE,
)

# Cues in the opening, by kind.  "explicit" alone suffices; "absence" needs one more.
_CUES: dict[str, re.Pattern[str]] = {
    "explicit": re.compile(
        r"\bthis\s+is\s+an?\s+(?:automatic(?:ally\s+generated)?|auto-?generated|automated|auto)"
        r"[\s-]*(?:reply|response|message|e-?mail|notification)\b"
        r"|\b(?:dies\s+ist\s+eine\s+automatische\s+antwort|ceci\s+est\s+une\s+r[ée]ponse"
        r"\s+automatique|esta\s+es\s+una\s+respuesta\s+autom[áa]tica)\b"
        r"|这是(?:一封)?(?:来自.{1,12}?的)?(?:假期)?自动(?:回复|答复)"
        r"|這是(?:一封)?(?:來自.{1,12}?的)?(?:假期)?自動(?:回覆|回复)"
        r"|(?:此|本)(?:封)?(?:邮件|郵件|信件|信)(?:为|是|為)(?:系统|系統)?自动(?:回复|发送|答复)"
        r"|(?:この|本)メールは自動(?:返信|応答|送信)",
        re.IGNORECASE,
    ),
    "absence": re.compile(
        r"\b(?:i\s+am|i'm|i\s+will\s+be|i'll\s+be|i\s+shall\s+be|i\s+have\s+been)\s+"
        r"(?:currently\s+|now\s+)?(?:out\s+of\s+(?:the\s+)?office|away\s+from\s+(?:the\s+|my\s+)?"
        r"(?:office|desk|e-?mail)|away|on\s+(?:annual\s+|parental\s+|maternity\s+|paternity\s+"
        r"|sick\s+|medical\s+|business\s+|public\s+)?(?:leave|vacation|holidays?)|on\s+a\s+business"
        r"\s+trip|out\s+of\s+town|off\s+work|not\s+in\s+the\s+office|travell?ing)\b"
        r"|\bis\s+(?:currently\s+)?out\s+of\s+(?:the\s+)?office\b"
        r"|\bich\s+bin\b.{0,40}?\b(?:abwesend|nicht\s+im\s+b[üu]ro|im\s+urlaub)\b"
        r"|\bje\s+suis\s+(?:actuellement\s+)?(?:absente?|en\s+cong[ée]s?|en\s+vacances)\b"
        r"|\bestoy\s+(?:fuera\s+de\s+la\s+oficina|de\s+vacaciones|ausente)\b"
        r"|(?:我|本人)(?:目前|现在|現在|正在|已经|已經|这几天|近期|近日)?(?:在)?"
        r"(?:休假|度假|休年假|放假|出差|外出|请假|請假)"
        r"|(?:休假|度假|出差|外出)(?:中|期间|期間)|不在(?:办公室|辦公室|公司)|不在にして|休暇",
        re.IGNORECASE,
    ),
    "return": re.compile(
        r"\b(?:until|till|returning|will\s+be\s+back|will\s+return|back\s+(?:in\s+the"
        r"\s+office\s+)?on|return(?:ing)?\s+(?:to\s+the\s+office\s+)?on|bis\s+(?:zum|einschlie"
        r"ßlich)|zur[üu]ck|jusqu'(?:au|à)|de\s+retour|hasta\s+el|regreso)\b"
        r"|(?:将于|將於|将在|將在|预计|預計|会在|會在|于|於).{0,15}?(?:返回|回来|回來|上班|回到|返岗|返工)"
        r"|(?:返回|回来|回來)后|\d{1,2}\s*月\s*\d{1,2}\s*[日号號]?\s*(?:至|到|-|—|~|～)",
        re.IGNORECASE,
    ),
    "mail": re.compile(
        r"\b(?:limited|no|intermittent|restricted|occasional)\s+access\s+to\s+(?:my\s+)?"
        r"(?:e-?mails?|mail|messages|the\s+internet)\b"
        r"|\b(?:respond|reply|get\s+back\s+to\s+you|answer|attend\s+to|contact\s+you)\b[^.]{0,50}?"
        r"\b(?:(?:upon|on|after)\s+(?:my\s+)?return|when\s+i(?:\s+return|\s+get\s+back|\s+am"
        r"\s+back|['’]m\s+back))\b"
        r"|\bdelay(?:ed)?\s+(?:in\s+)?(?:my\s+)?(?:response|reply|responding|replying)\b"
        r"|\b(?:e-?mails?|messages?)\s+will\s+not\s+be\s+(?:forwarded|read|monitored)\b"
        r"|(?:邮件|郵件|来信|來信|信件|消息)(?:的)?(?:回复|回覆|处理|處理)?(?:可能)?(?:会|會)?"
        r"(?:有所|有)?(?:延迟|延遲|延误|延誤|不及时|不及時)"
        r"|(?:无法|無法|不能|不便)(?:及时|及時)?(?:查看|回复|回覆|处理|處理)"
        r"|(?:回来|回來|返回|上班)后(?:会|會|将|將)?(?:尽快|盡快|第一时间)?(?:回复|回覆|处理|處理|联系|聯繫)",
        re.IGNORECASE,
    ),
    "contact": re.compile(
        r"\b(?:for\s+(?:urgent|immediate|pressing)|if\s+(?:this\s+is|it\s+is|your\s+(?:matter|"
        r"request)\s+is)\s+urgent|in\s+(?:case\s+of\s+)?(?:an\s+)?urgen(?:t|cy)|in\s+my\s+absence"
        r"|during\s+my\s+absence)\b"
        r"|(?:如有|若有|如遇|有)(?:急事|紧急|緊急)|(?:急事|紧急事务|緊急事務)(?:请|請)?(?:联系|聯繫|致电|致電|拨打|撥打)"
        r"|期间(?:如有|若有|有)|(?:请|請|可)(?:联系|聯繫|致电|致電)(?:我的)?(?:同事|助理)",
        re.IGNORECASE,
    ),
}
# What a complaint says and an out-of-office note does not: a waybill number,
# parcel and damage words, or words addressed to the company ("你们的自动回复说...").
_COMPLAINT = re.compile(
    r"\b[A-Z]{2,4}\d{8,}\b|你们|你們|贵公司|貴公司|贵司|貴司"
    r"|\byour\s+(?:auto|automatic|company|service|staff|driver|courier|team|customer|office)"
    r"|\byou\s+guys\b"
    r"|包裹|快递|快遞|快件|运单|運單|单号|單號|订单|訂單|物流|派送|配送|签收|簽收|送货|送貨|收件|寄件|破损|破損"
    r"|损坏|損壞|丢失|丟失|丢件|少件|坏了|壞了|投诉|投訴|赔偿|賠償|退款|退货|退貨|客服|差评|快递柜"
    r"|\b(?:parcels?|packages?|shipments?|waybill|tracking|courier|(?:re)?deliver(?:y|ed|ies)?|damaged"
    r"|broken|missing|lost|refund|compensation|complain(?:t|ts|ed)?|order\s+(?:no|number|#))\b",
    re.IGNORECASE,
)
# Where the sender's own text ends: a quote, a quoted-message header or field block.
_QUOTE_START = re.compile(
    r"^\s*(?:>|-{2,}\s*\S|_{5,}|(?:from|von|de|发件人|發件人|寄件者|差出人)\s*[:：]"
    r"|.*\b(?:wrote|schrieb|a\s+écrit)\s*:\s*$|.*写道[:：]?\s*$|.*寫道[:：]?\s*$)",
    re.IGNORECASE,
)
_CUES_WITH_SUBJECT = 2  # kinds of cue an absence subject needs beside it
_OPENING_LINES = 12
_OPENING_CHARS = 1200
_SPACE = re.compile(r"\s+")


def strong_subject(subject: str) -> bool:
    """A responder's own subject prefix: "Automatic reply: ...", "【自动回复】..."."""
    return bool(_STRONG_SUBJECT.match(subject))


def weak_subject(subject: str) -> bool:
    """A subject that names an absence ("休假中", "Away until May 5", "Auto: x")."""
    return bool(_WEAK_SUBJECT.search(subject))


def opening(body: str) -> str:
    """The sender's own first lines (above any quote), as one line of text."""
    kept: list[str] = []
    for line in body.splitlines():
        if _QUOTE_START.match(line):
            break
        if line.strip():
            kept.append(line.strip())
        if len(kept) >= _OPENING_LINES:
            break
    return _SPACE.sub(" ", " ".join(kept))[:_OPENING_CHARS]


def cues(text: str) -> frozenset[str]:
    """The kinds of out-of-office cue present in ``text`` (see :data:`_CUES`)."""
    return frozenset(kind for kind, pattern in _CUES.items() if pattern.search(text))


def text_verdict(subject: str, body: str) -> str | None:
    """Why the subject and opening make an out-of-office reply; None if they don't."""
    text = opening(body)
    if _COMPLAINT.search(text):  # first: most mail is a complaint, and one search is cheap
        return None
    found = cues(text)
    if not found:
        return None
    if "explicit" in found:
        return "opening says it is an automatic reply"
    if weak_subject(subject) and len(found) >= _CUES_WITH_SUBJECT:
        return f"absence subject {subject[:60]!r} with an out-of-office opening"
    if "absence" in found and found & {"return", "mail", "contact"}:
        return f"out-of-office opening ({', '.join(sorted(found))})"
    return None
