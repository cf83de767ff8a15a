"""A department's answer to a contact sheet (工作联系单), read from its reply mail.

The contact sheet carries a form; the department replies with it filled in::

    调查结果 / Finding：成立 / 不成立       -> finding "valid" | "invalid"
    原因 / Cause：业务人员操作失误           -> cause "staff_error" (one of CAUSES)
    责任 / Responsible：...
    处理方案 / Solution：...(several lines)
    备注 / Note：...(several lines)

People fill forms in the ways of their mail client and their habits, so a label is
found at the start of a line behind bullets, numbering or brackets (``1. 调查结果：``,
``【调查结果】：``, ``* Finding:``), in Chinese or English or both (``调查结果（Finding）：``),
with a full-width or ASCII colon, with full-width spaces (``备　　注：``), and as a
table row converted from HTML (``| 调查结果 | 成立 |``).  A choice printed on the form
(``成立 / 不成立``) counts when one option is deleted or marked (``■成立 □不成立``,
``[x] 成立``, ``√成立``).

Only the part the department wrote is read (see :mod:`complaintd.staff_replies.reply`):
the quoted original below holds the desk's *empty* form, which must never be taken for
the answer.  The first occurrence of a label with a value wins.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from complaintd.staff_replies.reply import reply_lines

CAUSES: dict[str, tuple[str, ...]] = {
    "staff_error": ("业务人员操作失误", "业务人员失误", "操作失误", "staff error"),
    "sales_error": ("销售人员操作失误", "销售人员失误", "销售失误", "sales error"),
    "supplier_error": (
        "供方操作失误",
        "供方失误",
        "供应商操作失误",
        "供应商失误",
        "supplier error",
    ),
    "agent_error": ("代理操作失误", "代理商操作失误", "代理商失误", "代理失误", "agent error"),
    "customer_error": ("客户自身失误", "客户自身原因", "客户失误", "客户原因", "customer error"),
    "force_majeure": ("不可抗力", "force majeure"),
}
CAUSE_LABELS: dict[str, dict[str, str]] = {
    "staff_error": {"zh-CN": "业务人员操作失误", "en": "Staff error"},
    "sales_error": {"zh-CN": "销售人员操作失误", "en": "Sales staff error"},
    "supplier_error": {"zh-CN": "供方操作失误", "en": "Supplier error"},
    "agent_error": {"zh-CN": "代理操作失误", "en": "Agent error"},
    "customer_error": {"zh-CN": "客户自身失误", "en": "Customer's own error"},
    "force_majeure": {"zh-CN": "不可抗力", "en": "Force majeure"},
}
FINDINGS: tuple[str, ...] = ("valid", "invalid")

# Label names per field.  "other" are footer fields of paper-era forms (填写人, 日期):
# recognised only so that they end a multi-line solution or note instead of joining it.
_LABELS: dict[str, tuple[str, ...]] = {
    "finding": (
        "调查结果", "调查结论", "投诉是否成立", "是否成立", "结论", "finding", "findings",
        "investigation finding", "investigation result", "conclusion",
    ),
    "cause": ("原因", "原因类别", "原因分类", "失误原因", "cause", "root cause", "cause category"),
    "responsible": (
        "责任", "责任人", "责任方", "责任部门", "责任单位", "responsible", "responsible party",
        "responsible person", "responsibility",
    ),
    "solution": ("处理方案", "解决方案", "处理意见", "处理措施", "solution", "proposed solution"),
    "note": ("备注", "note", "notes", "remark", "remarks"),
    "other": (
        "填写人", "填表人", "签字", "签名", "日期", "填写日期", "联系电话", "signed", "signature",
        "date", "filled in by", "prepared by",
    ),
}  # fmt: skip
_MULTILINE_FIELDS = frozenset({"solution", "note"})
# Below an empty finding or cause label people keep the printed options, one per line,
# and mark one: the whole block is the value, so the mark decides, not the first line.
_OPTION_FIELDS = frozenset({"finding", "cause"})
_DISPLAY = {"finding": "调查结果/Finding", "cause": "原因/Cause", "solution": "处理方案/Solution"}
# What a valid finding needs besides itself (the form's own instructions).
_VALID_NEEDS = ("cause", "solution")
# Issues as logs and the audit trail show them, after the bilingual label.
_LOG_TEXT: dict[tuple[str, str], str] = {
    ("finding", "missing"): "missing; write 成立/valid or 不成立/invalid",
    ("finding", "unknown"): "{value} is neither 成立/valid nor 不成立/invalid",
    ("finding", "ambiguous"): (
        "{value} leaves both 成立/valid and 不成立/invalid; delete or mark one"
    ),
    ("cause", "missing"): "missing; a valid finding needs one of the six causes",
    ("cause", "unknown"): "{value} is not one of the six causes",
    ("cause", "ambiguous"): "{value} names several causes ({causes}); keep one",
    ("solution", "missing"): "missing; a valid finding needs the solution for the customer",
}
_QUOTE_CHARS = 40  # a value quoted in a problem is cut to this many characters

# A finding written as a whole word; these are too short to be looked for inside text
# ("是" is in "是否", "no" in "not").
_EXACT_FINDINGS: dict[str, str] = {
    "是": "valid", "对": "valid", "yes": "valid", "y": "valid", "true": "valid",
    "否": "invalid", "不是": "invalid", "no": "invalid", "n": "invalid", "false": "invalid",
}  # fmt: skip
_FINDING_WORDS: dict[str, tuple[str, ...]] = {
    "valid": ("成立", "属实", "有效", "valid", "justified", "substantiated"),
    "invalid": (
        "不成立", "不能成立", "不予成立", "不属实", "无效", "invalid", "notvalid", "unjustified",
        "unfounded", "unsubstantiated",
    ),
}  # fmt: skip
_PLACEHOLDERS = frozenset({"无", "暂无", "没有", "/", "-", "--", "—", "n/a", "na", "none", "nil"})


def _name_pattern(name: str) -> str:
    """A regex for one label name: CJK characters may be spaced out (``备　　注``)."""
    if name.isascii():
        return r"\s+".join(re.escape(word) for word in name.split())
    return r"\s*".join(re.escape(char) for char in name)


def _names_pattern(names: tuple[str, ...]) -> str:
    """An alternation of label names, longest first so ``责任人`` is not read as ``责任``."""
    return "|".join(_name_pattern(name) for name in sorted(names, key=len, reverse=True))


def _label_pattern(prefix: str) -> str:
    """The label part of a form line: one field's name(s), a gloss, then a separator."""
    fields = "|".join(
        rf"(?P<{field}>(?:{_names_pattern(names)})(?:\s*+[/／]?\s*+(?:{_names_pattern(names)}))?)"
        for field, names in _LABELS.items()
    )
    # A gloss after the name: 调查结果（Finding）, Finding (valid/invalid).
    gloss = r"(?:[ \u3000]*+[（(][^()（）\n]{0,60}[)）])?"
    # A bracketed label may omit the colon: 【调查结果】成立.  Some Chinese input methods
    # type the colon as ∶ (U+2236) or ﹕ (U+FE55).
    separator = (
        r"[ \u3000\xa0]*+(?:[】\]〕][ \u3000\xa0]*+[:：∶﹕|｜]?|[:：∶﹕|｜\t])[ \t\u3000\xa0]*+"
    )
    return prefix + rf"(?:{fields}){gloss}{separator}"


# Bullets, numbering ("1.", "(2)", "三、") and opening brackets before a label.  The
# quantifiers are possessive (*+): two runs that could both take the same spaces would
# make a long line of spaces cost quadratic time for every label name tried.
_PREFIX = (
    r"^[\s|｜*•·●◦○◆◇▪►\-–—]*+"
    r"(?:(?:[（(]\s*+\d{1,2}\s*+[)）]|\d{1,2}\s*+[.、．)）]|[一二三四五六七八九十]{1,3}\s*+[、.．])"
    r"\s*+)?[【\[〔]?\s*+"
)


@functools.cache
def _labels() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a label at the start of a line, a second label on the same line), compiled on
    first use: every label name in every language makes them slow to compile, and only
    a department's answer needs them.

    The second label ("调查结果：成立，原因：代理操作失误") follows a comma, semicolon,
    table bar or a wide gap; the gap's lookbehind starts it at its first space only
    (linear time on long runs).
    """
    gap = r"(?:[，,；;。|｜]|(?<![ \u3000])[ \u3000]{2,}+|\t)[ \u3000]*+[【\[〔]?"
    return (
        re.compile(_label_pattern(_PREFIX), re.IGNORECASE),
        re.compile(_label_pattern(gap), re.IGNORECASE),
    )


# A continuation paragraph of a solution or note after a blank line: a list item.
_LIST_ITEM = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、．)）]|[（(]\s*\d{1,2}\s*[)）]|[-*•·]\s|[一二三四五六七八九十]{1,3}、)"
)
_TABLE_BARS = " \t\u3000\xa0|｜"
_TRAILING_PUNCTUATION = " \t\u3000\xa0|｜。.;；,，"
_COMPACT_DROP = re.compile(r"[\s_\-的]+")  # "staff_error" == "staff error"; 客户自身的失误
_STRUCK = re.compile(r"~~.*?~~")  # an option deleted by striking it through
_CHECK = r"[x×√✓✔✗●■☑☒✅]"
_MARK_BEFORE = re.compile(rf"(?:[■☑☒✅√✓✔●◉▣◼⬛]|[\[【(（]{_CHECK}[\]】)）])$")
_MARK_AFTER = re.compile(rf"(?:[√✓✔☑✅]|[\[【(（]{_CHECK}[\]】)）])")  # used with match(pos)
# What separates the options of a choice printed on the form and left untouched.
_CHOICE_GAP = re.compile(r"^(?:[/／|｜、,，;；□☐○◯\[\]()（）【】]|或|or)*$")


def _compact(text: str) -> str:
    """Lower-case ``text`` without spaces, ``_``, ``-`` and 的, for matching options."""
    return _COMPACT_DROP.sub("", text.lower())


def _scanner(words: Mapping[str, tuple[str, ...]]) -> tuple[re.Pattern[str], dict[str, str]]:
    """A regex finding any of ``words`` (longest first) and a map from word to its key."""
    owner = {_compact(word): key for key, names in words.items() for word in names}
    ordered = sorted(owner, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in ordered)), owner


_FINDING_SCANNER = _scanner(_FINDING_WORDS)
_CAUSE_SCANNER = _scanner({key: (key, *names) for key, names in CAUSES.items()})


@dataclass(frozen=True)
class FormIssue:
    """Something the department must put right before its answer counts."""

    field: str  # "finding" | "cause" | "solution"
    kind: str  # "missing" | "unknown" | "ambiguous"
    value: str | None = None  # what was written (unknown, ambiguous)
    candidates: tuple[str, ...] = ()  # the cause keys an ambiguous cause names

    def __str__(self) -> str:
        """The issue for logs and the audit trail, with bilingual labels."""
        label = _DISPLAY[self.field]
        quoted = _quote(self.value or "")
        return (
            label
            + ": "
            + _LOG_TEXT[self.field, self.kind].format(
                value=quoted, causes=", ".join(self.candidates)
            )
        )


@dataclass(frozen=True)
class DepartmentAnswer:
    """What a department answered on the contact sheet's form."""

    finding: str | None  # "valid" (成立) | "invalid" (不成立) | None when not stated
    cause: str | None  # a key of CAUSES, or None
    responsible: str | None
    solution: str | None
    note: str | None
    issues: tuple[FormIssue, ...] = ()
    # The raw value of each field the answer was read from (see form_values): what a
    # later reply on the same sheet is merged with.
    values: Mapping[str, str] = dataclasses.field(default_factory=dict, hash=False)

    @property
    def problems(self) -> tuple[str, ...]:
        """The issues as text for logs and events."""
        return tuple(str(issue) for issue in self.issues)

    @property
    def complete(self) -> bool:
        """The finding is stated and, for a valid finding, the cause and the solution too
        (the form asks for them: 调查结果为“成立”时，请填写原因……和处理方案)."""
        if self.finding is None:
            return False
        return self.finding == "invalid" or (self.cause is not None and self.solution is not None)


@dataclass(frozen=True)
class _Choice:
    """The option a value picks: ``key``, or why none (``unknown``/``ambiguous``)."""

    key: str | None
    status: str  # "ok" | "unknown" | "ambiguous"
    candidates: tuple[str, ...] = ()


def parse_department_answer(reply_text: str) -> DepartmentAnswer:
    """Read the filled-in form from a department's reply.

    ``reply_text`` is the reply, preferably with quotes stripped; anything from the first
    quote header or signature on is ignored anyway.  Never raises: what cannot be read
    is listed in ``issues``.
    """
    return answer_from_values(form_values(reply_text))


def merged_answer(earlier: Mapping[str, str], answer: DepartmentAnswer) -> DepartmentAnswer:
    """A later reply on the same sheet: what it states replaces what was written before,
    what it leaves out is kept (a follow-up may bring only the missing field)."""
    return answer_from_values({**earlier, **answer.values})


def answer_from_values(values: Mapping[str, str]) -> DepartmentAnswer:
    """The answer the form's raw ``values`` (field name -> text) make."""
    issues: list[FormIssue] = []
    finding = _read_finding(values.get("finding"), issues)
    cause = _read_cause(values.get("cause"), issues)
    if finding == "valid":
        issues.extend(FormIssue(name, "missing") for name in _VALID_NEEDS if name not in values)
    return DepartmentAnswer(
        finding=finding,
        cause=cause,
        responsible=values.get("responsible"),
        solution=values.get("solution"),
        note=values.get("note"),
        issues=tuple(issues),
        values=dict(values),
    )


def form_values(reply_text: str) -> dict[str, str]:
    """The non-empty value of each form field in the reply, by field name.

    Placeholders such as ``无`` or ``N/A`` count as empty.  Footer fields are not returned.
    """
    lines = [part for line in reply_lines(reply_text) for part in _split_inline(line)]
    values: dict[str, str] = {}
    index = 0
    while index < len(lines):
        match = _labels()[0].match(lines[index])
        if match is None or match.lastgroup is None:
            index += 1
            continue
        field = match.lastgroup
        parts, index = _value_lines(lines, index, match.end(), field)
        value = _clean("\n".join(parts))
        if value is not None and field != "other":
            values.setdefault(field, value)
    return values


def _split_inline(line: str) -> list[str]:
    """Split ``调查结果：成立，原因：代理操作失误`` into one line per label.

    Only a line that starts with a label is split, so prose that mentions "原因：" in
    passing stays whole.
    """
    label = _labels()[0].match(line)
    if label is None:
        return [line]
    parts: list[str] = []
    begin = 0
    found = _labels()[1].search(line, label.end())
    while found is not None:
        parts.append(line[begin : found.start()])
        begin = found.start() + 1  # past the comma; spaces and brackets the label allows
        found = _labels()[1].search(line, found.end())
    parts.append(line[begin:])
    return parts


def _value_lines(lines: list[str], index: int, start: int, field: str) -> tuple[list[str], int]:
    """The value's lines from the label at ``lines[index][start:]``, and the next index.

    A value written below its empty label is taken from the line directly below (for a
    finding or cause: from the lines directly below).  A solution or note goes on until
    the next label or a blank line.
    """
    first = lines[index][start:].strip()
    parts = [first] if first else []
    index += 1
    if field in _MULTILINE_FIELDS or (field in _OPTION_FIELDS and not parts):
        return _block(lines, index, parts, lists=field in _MULTILINE_FIELDS)
    below = lines[index] if index < len(lines) else ""
    if not parts and below.strip() and not _labels()[0].match(below):
        return [below.strip()], index + 1
    return parts, index


def _block(lines: list[str], index: int, first: list[str], lists: bool) -> tuple[list[str], int]:
    """``first`` and the lines from ``index`` up to the next label or blank line.

    Returns them with the index after them.  With ``lists``, a blank line followed by a
    list item (``2. 赔偿运费``) does not end a value already begun: anything else after a
    blank line is more likely a sign-off.
    """
    parts = list(first)
    while index < len(lines) and not _labels()[0].match(lines[index]):
        if not lines[index].strip():
            following = _next_filled(lines, index)
            if not (lists and parts and following < len(lines)):
                break
            if not _LIST_ITEM.match(lines[following]):
                break
            index = following
            continue
        parts.append(lines[index].strip())
        index += 1
    return parts, index


def _next_filled(lines: list[str], index: int) -> int:
    """Index of the next non-blank line at or after ``index`` (or ``len(lines)``)."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _clean(value: str) -> str | None:
    """``value`` without table bars around it; None when empty or a placeholder."""
    value = value.strip(_TABLE_BARS)
    if not value or value.strip(_TRAILING_PUNCTUATION).lower() in _PLACEHOLDERS:
        return None
    return value


def _read_finding(value: str | None, issues: list[FormIssue]) -> str | None:
    """``valid`` / ``invalid`` from the finding's value; an issue when it says neither."""
    if value is None:
        issues.append(FormIssue("finding", "missing"))
        return None
    exact = _EXACT_FINDINGS.get(_compact(value).strip(_TRAILING_PUNCTUATION))
    if exact is not None:
        return exact
    choice = _choose(value, *_FINDING_SCANNER)
    if choice.status != "ok":
        issues.append(FormIssue("finding", choice.status, value))
    return choice.key


def _read_cause(value: str | None, issues: list[FormIssue]) -> str | None:
    """A key of CAUSES from the cause's value; an issue when it names none or several."""
    if value is None:
        return None
    choice = _choose(value, *_CAUSE_SCANNER)
    if choice.status != "ok":
        issues.append(FormIssue("cause", choice.status, value, choice.candidates))
    return choice.key


def _choose(value: str, scanner: re.Pattern[str], owner: Mapping[str, str]) -> _Choice:
    """The one option ``value`` picks among those ``scanner`` finds.

    Several different options are resolved by marks (``■成立 □不成立``, ``成立√``); failing
    that, options printed as a choice list and left untouched (``成立 / 不成立``) are
    discounted, so ``成立 / 不成立：成立`` is still ``成立``.
    """
    text = _STRUCK.sub("", value)
    compact, where = _compact_map(text)
    hits = list(scanner.finditer(compact))
    keys = _unique(owner[hit.group()] for hit in hits)
    if len(keys) <= 1:
        return _Choice(keys[0], "ok") if keys else _Choice(None, "unknown")
    marked_keys = _unique(owner[hit.group()] for hit in _marked(text, compact, where, hits))
    if len(marked_keys) == 1:
        return _Choice(marked_keys[0], "ok")
    if not marked_keys:
        free = _unique(owner[hit.group()] for hit in _outside_choice_lists(compact, hits))
        if len(free) == 1:
            return _Choice(free[0], "ok")
    return _Choice(None, "ambiguous", tuple(marked_keys or keys))


def _compact_map(text: str) -> tuple[str, list[int]]:
    """:func:`_compact` of ``text``, and for each of its characters the index in ``text``."""
    chars: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        if _COMPACT_DROP.match(char):
            continue
        lowered = char.lower()
        chars.append(lowered)
        where.extend([index] * len(lowered))
    return "".join(chars), where


def _marked(
    text: str, compact: str, where: list[int], hits: list[re.Match[str]]
) -> list[re.Match[str]]:
    """The options a tick or filled box marks.

    A mark touching an option binds to it, so ``成立√ 不成立`` and ``成立 √不成立`` differ.
    A free-standing mark binds within its line only, read as standing before its option
    the way forms print boxes (``[x] 成立``), unless no option has one before it
    (``成立 (√)``).
    """
    before = [_mark_gap(text, compact, where, hit, before=True) for hit in hits]
    after = [_mark_gap(text, compact, where, hit, before=False) for hit in hits]
    tight = [hit for hit, *gap in zip(hits, before, after, strict=True) if "" in gap]
    if tight:
        return tight
    for gaps in (before, after):
        marked = [hit for hit, gap in zip(hits, gaps, strict=True) if _on_one_line(gap)]
        if marked:
            return marked
    return []


def _on_one_line(gap: str | None) -> bool:
    """True when there is a mark and no line break between it and its option."""
    return gap is not None and "\n" not in gap


def _mark_gap(
    text: str, compact: str, where: list[int], hit: re.Match[str], before: bool
) -> str | None:
    """The original text between ``hit`` and a mark before/after it; None without a mark."""
    if before:
        mark = _MARK_BEFORE.search(compact, max(0, hit.start() - 3), hit.start())
        if mark is None:
            return None
        return text[where[mark.end() - 1] + 1 : where[hit.start()]]
    mark = _MARK_AFTER.match(compact, hit.end())
    if mark is None:
        return None
    return text[where[hit.end() - 1] + 1 : where[mark.start()]]


def _outside_choice_lists(compact: str, hits: list[re.Match[str]]) -> list[re.Match[str]]:
    """The hits that are not part of a run of options separated only by ``/``, boxes..."""
    in_list = [False] * len(hits)
    for position in range(len(hits) - 1):
        gap = compact[hits[position].end() : hits[position + 1].start()]
        if _CHOICE_GAP.match(gap):
            in_list[position] = in_list[position + 1] = True
    return [hit for hit, listed in zip(hits, in_list, strict=True) if not listed]


def _unique(keys: Iterable[str]) -> list[str]:
    """``keys`` without repeats, in first-seen order."""
    return list(dict.fromkeys(keys))


def _quote(value: str) -> str:
    """``value`` on one line in quotes, cut short for a problem message."""
    flat = " ".join(value.split())
    if len(flat) > _QUOTE_CHARS:
        flat = flat[: _QUOTE_CHARS - 1] + "…"
    return f"'{flat}'"


# --- telling the department what to put right, in the department's language ---------------
# Each line starts with a quotation mark, never with a label: a reply that quotes this
# mail without a recognisable quote header must not have these lines read as its answer.

_ISSUE_TEXT: dict[str, dict[tuple[str, str], str]] = {
    "zh-CN": {
        ("finding", "missing"): "“调查结果”一栏未填写：请填写“成立”或“不成立”。",
        ("finding", "unknown"): "“调查结果”一栏填写的是{value}：请改为“成立”或“不成立”其中一项。",
        ("finding", "ambiguous"): (
            "“调查结果”一栏“成立”和“不成立”都保留了：请删去其中一项，或在选中的一项前打“√”。"
        ),
        ("cause", "missing"): "“原因”一栏未填写：调查结果为“成立”时，请从下列六类原因中选填一项。",
        ("cause", "unknown"): "“原因”一栏填写的{value}不在六类原因之中：请从下列原因中选填一项。",
        ("cause", "ambiguous"): "“原因”一栏同时写了{causes}：请只保留一项。",
        ("solution", "missing"): (
            "“处理方案”一栏未填写：调查结果为“成立”时，请写明建议给客户的处理方案，"
            "如赔偿金额、补发安排。"
        ),
    },
    "en": {
        ("finding", "missing"): "“Finding” is not filled in: please write “valid” or “invalid”.",
        ("finding", "unknown"): "“Finding” says {value}: please write either “valid” or “invalid”.",
        ("finding", "ambiguous"): (
            "“Finding” still has both “valid” and “invalid”: please delete one, or tick the"
            " one that applies."
        ),
        ("cause", "missing"): (
            "“Cause” is not filled in: a valid finding needs one of the six causes listed below."
        ),
        ("cause", "unknown"): (
            "“Cause” says {value}, which is not one of the six causes: please choose one from"
            " the list below."
        ),
        ("cause", "ambiguous"): "“Cause” names several causes ({causes}): please keep only one.",
        ("solution", "missing"): (
            "“Solution” is not filled in: for a valid finding, please write the solution you"
            " suggest for the customer (for example compensation or re-shipment)."
        ),
    },
}
_FINDING_NAMES = {
    "zh-CN": {"valid": "成立", "invalid": "不成立"},
    "en": {"valid": "valid", "invalid": "invalid"},
}
_OPEN_CHOICE = {"zh-CN": "成立 / 不成立", "en": "valid / invalid"}  # as the form prints it
_FALLBACK_LANGUAGE = "zh-CN"


def describe_issue(issue: FormIssue, language: str) -> str:
    """``issue`` as one sentence to the department, wholly in ``language`` (zh-CN or en)."""
    texts = _ISSUE_TEXT.get(language) or _ISSUE_TEXT[_FALLBACK_LANGUAGE]
    chinese = texts is _ISSUE_TEXT["zh-CN"]
    value = "“" + _quote(issue.value or "")[1:-1] + "”"
    names = [CAUSE_LABELS[key]["zh-CN" if chinese else "en"] for key in issue.candidates]
    causes = "、".join(f"“{name}”" for name in names) if chinese else ", ".join(names)
    return texts[issue.field, issue.kind].format(value=value, causes=causes)


def form_prefill(answer: DepartmentAnswer, language: str) -> dict[str, str]:
    """The reply form's values filled in with what the department has already written.

    A finding or cause that could not be read is left open (the printed choice, or
    blank): the issue sent along says what was written.  An English form names the
    cause by its code, as the English form asks.
    """
    if language not in _FINDING_NAMES:
        language = _FALLBACK_LANGUAGE
    finding = _FINDING_NAMES[language].get(answer.finding or "", _OPEN_CHOICE[language])
    cause = ""
    if answer.cause is not None:
        cause = CAUSE_LABELS[answer.cause]["zh-CN"] if language == "zh-CN" else answer.cause
    return {
        "finding": finding,
        "cause": cause,
        "responsible": answer.responsible or "",
        "solution": answer.solution or "",
        "note": answer.note or "",
    }
