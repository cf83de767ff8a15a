"""The internal mail: contact sheets, chasers, escalations and mail to desk agents and leads."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from complaintd.render import (
    ALL_KINDS,
    INTERNAL_KINDS,
    KINDS,
    LANGUAGES,
    RenderedMail,
    TemplateRenderer,
    cause_choices,
    check_templates,
    default_templates_dir,
    html_problems,
    sample_context,
)
from complaintd.render.times import LocalTime, format_time

INTERNAL = [(kind, language) for language in LANGUAGES for kind in INTERNAL_KINDS]


def shown(time: LocalTime, language: str) -> str:
    """A sample time as a mail in ``language`` writes it."""
    return format_time(time.at, language)


SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
HOSTILE_SUBJECT = "Damaged box\r\nBcc: evil@x\r\n\tX-Evil: 1\x00\x1b[31m\u2028end"

ZH_FORM = ["调查结果：成立 / 不成立", "原因：", "责任：", "处理方案：", "备注："]
EN_FORM = ["Finding: valid / invalid", "Cause:", "Responsible:", "Solution:", "Note:"]
FORM = {"zh-CN": ZH_FORM, "en": EN_FORM}
LABEL_LINE = re.compile(
    r"\s*(调查结果|原因|责任|处理方案|备注|finding|cause|responsible|solution|note)\s*[:：]",
    re.IGNORECASE,
)

# Kinds that carry the whole case (every registered fact and the complaint in full).
CASE_KINDS = ("contact_sheet", "chaser", "escalation", "agent_new_ticket", "emergency", "flood")
COMMANDS = (
    "#propose",
    "#close",
    "#invalid",
    "#severity serious|important|general",
    "#category",
    "#dispatch",
    "#note",
)

_COMMON_TICKET_KEYS = {
    "number",
    "subject",
    "category",
    "severity",
    "status",
    "waybills",
    "order_numbers",
    "attachments",
    "customer_name",
    "customer_email",
    "customer_fax",
    "created_at",
    "due_at",
    "shipping_date",
    "goods",
    "quantity",
    "complaint_text",
    "source",
    "internal_due_at",
}
_EXTRA_KEYS = {
    "contact_sheet": {"department", "sheet", "causes"},
    "chaser": {"department", "sheet", "causes"},
    "escalation": {"department", "sheet", "reminders"},
    "agent_new_ticket": {"dispatched"},
    "agent_answers": {"answers", "all_invalid", "suggested_solution"},
    "department_answer": {"department", "answer", "open_sheets"},
    "emergency": {"reason"},
    "rejected_answer": {"department", "sender", "reason", "excerpt"},
    "answer_incomplete": {"department", "sheet", "problems", "filled", "causes"},
    "sheet_cancelled": {"department", "sheet", "cancelled_because", "explanation"},
    "agent_forward": {"mail", "outcome"},
    "agent_refused": {"problems", "withheld"},
    "rejected_attempt": {"sender", "reason", "excerpt"},
    "survey_alert": {"score", "comment", "customer"},
    "flood": {"sender", "limit", "window_minutes"},
}
_ANSWER_KEYS = {"department", "finding", "cause_label", "responsible", "solution", "note"}


def _render(
    renderer: TemplateRenderer, kind: str, language: str, **changes: Any
) -> tuple[dict[str, Any], RenderedMail]:
    """Render ``kind`` with its sample context; ``ticket_*`` keys change ticket fields."""
    context = sample_context(kind, language)
    for key, value in changes.items():
        if key.startswith("ticket_"):
            context["ticket"][key.removeprefix("ticket_")] = value
        else:
            context[key] = value
    return context, renderer.render(kind, language, context)


def _width(line: str) -> int:
    """Display columns of ``line``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _quotes(line: str, values: list[str]) -> bool:
    """Whether ``line`` (or what follows its ``label:``) is part of one of ``values``."""
    text = line.strip()
    candidates = {text} | {text.partition(colon)[2].strip() for colon in ("：", ":")}
    return any(part and part in value for part in candidates for value in values)


# --- the set of kinds and their samples ------------------------------------------------


def test_internal_kinds_are_listed_apart_from_customer_kinds() -> None:
    """Customer mail keeps its own tuple; ALL_KINDS is both, without overlap."""
    assert set(INTERNAL_KINDS) == set(_EXTRA_KEYS)
    assert not set(KINDS) & set(INTERNAL_KINDS)
    assert ALL_KINDS == KINDS + INTERNAL_KINDS


def test_every_internal_triplet_is_shipped() -> None:
    """15 internal kinds x 2 languages x (subject, text, HTML) = 90 files."""
    directory = default_templates_dir()
    files = [
        directory / language / f"{kind}.{part}"
        for kind, language in INTERNAL
        for part in ("subject.txt", "txt", "html")
    ]
    assert len(files) == 90
    assert [f for f in files if not f.is_file()] == []


@pytest.mark.parametrize(("kind", "language"), INTERNAL)
def test_sample_holds_exactly_the_promised_keys(kind: str, language: str) -> None:
    """Common keys, the full ticket, and only the kind's own extras."""
    context = sample_context(kind, language)
    assert set(context) == {"language", "desk", "ticket"} | _EXTRA_KEYS[kind]
    assert set(context["desk"]) == {"name", "address"}
    assert set(context["ticket"]) == _COMMON_TICKET_KEYS
    assert context["ticket"]["source"] in ("email", "fax")
    if "department" in context:
        assert set(context["department"]) == {"key", "name"}
    if "sheet" in context:
        assert set(context["sheet"]) == {"due_at", "reminders"}
        assert isinstance(context["sheet"]["reminders"], int)
    if "answer" in context:
        assert set(context["answer"]) == _ANSWER_KEYS
    for answer in context.get("answers", []):
        assert set(answer) == _ANSWER_KEYS
        assert answer["finding"] in ("valid", "invalid")


def test_causes_are_the_six_of_the_procedure() -> None:
    """Keys and Chinese names exactly as DESIGN.md lists them, in that order."""
    assert [(c["key"], c["zh"]) for c in cause_choices()] == [
        ("staff_error", "业务人员操作失误"),
        ("sales_error", "销售人员操作失误"),
        ("supplier_error", "供方操作失误"),
        ("agent_error", "代理操作失误"),
        ("customer_error", "客户自身失误"),
        ("force_majeure", "不可抗力"),
    ]
    assert all(set(cause) == {"key", "zh", "en"} for cause in cause_choices())
    assert sample_context("contact_sheet", "en")["causes"] == cause_choices()


def test_emergency_sample_is_serious_with_the_tighter_due_time() -> None:
    """The response lead is only ever mailed about serious complaints."""
    emergency = sample_context("emergency", "zh-CN")["ticket"]
    ordinary = sample_context("contact_sheet", "zh-CN")["ticket"]
    assert emergency["severity"] == "serious"
    assert emergency["due_at"] < ordinary["due_at"]


# --- every kind, safely ------------------------------------------------------------------


def test_check_covers_internal_kinds(templates_copy: Path) -> None:
    """A broken internal template or include is reported by check_templates."""
    renderer = TemplateRenderer(templates_copy)
    assert check_templates(renderer) == []
    (templates_copy / "en" / "chaser.txt").write_text("{{ sheet.numbr }}\n", encoding="utf-8")
    (templates_copy / "zh-CN" / "emergency.subject.txt").write_text(
        "紧急：{{ ticket.subject }}\n", encoding="utf-8"
    )
    problems = check_templates(renderer)
    assert len(problems) == 2, problems
    assert problems[0].startswith("templates/zh-CN/emergency.subject.txt: the subject does not")
    assert problems[1].startswith("templates/en/chaser.txt: en/chaser.txt line 1")


def test_check_reports_a_missing_internal_include(templates_copy: Path) -> None:
    """Both kinds that include the reply form fail on it, reported once."""
    (templates_copy / "zh-CN" / "_sheet_form.txt").unlink()
    problems = check_templates(TemplateRenderer(templates_copy))
    assert problems == [
        "templates/zh-CN/_sheet_form.txt: template file zh-CN/_sheet_form.txt is missing "
        f"from {templates_copy.resolve()}"
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("en/agent_answers.txt", "{{ answers[0].solution.upper() }}\n"),
        ("zh-CN/department_answer.txt", "{{ answer.note.strip() }}\n"),
        ("en/agent_new_ticket.txt", "{{ dispatched[0] }}\n"),
        ("zh-CN/contact_sheet.txt", "{{ ticket.goods.upper() }}\n"),
        ("en/emergency.txt", "{{ ticket.customer_email.lower() }}\n"),
        (
            "zh-CN/agent_answers.txt",
            "{{ 'x' if all_invalid else suggested_solution[0] }}\n",
        ),
    ],
)
def test_check_renders_internal_kinds_without_optional_facts(
    templates_copy: Path, name: str, content: str
) -> None:
    """The sparse pass: bare "invalid" answers, no departments, no contacts or goods."""
    (templates_copy / name).write_text(content, encoding="utf-8")
    problems = check_templates(TemplateRenderer(templates_copy))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"templates/{name}: {name} line 1")


@pytest.mark.parametrize(("kind", "language"), INTERNAL)
def test_every_internal_kind_renders(renderer: TemplateRenderer, kind: str, language: str) -> None:
    """Subject tagged, bodies naming the ticket, HTML a well-formed internal document."""
    mail = renderer.render(kind, language, sample_context(kind, language))
    assert mail.subject.startswith("[TS-202611-0001] ")
    assert "TS-202611-0001" in mail.text
    assert "TS-202611-0001" in mail.html
    assert mail.text.endswith("\n")
    assert "None" not in mail.text
    assert html_problems(mail.html) == []
    assert mail.html.startswith("<!DOCTYPE html>\n")
    assert f'<html lang="{language}">' in mail.html
    assert '<meta charset="utf-8">' in mail.html
    internal = {"zh-CN": "内部邮件", "en": "Internal"}[language]
    assert internal in mail.html
    assert internal in mail.text


@pytest.mark.parametrize(("kind", "language"), INTERNAL)
def test_internal_mail_without_optional_facts(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """A fax complaint with no name, contacts, numbers, goods or files still reads well."""
    changes: dict[str, Any] = {
        f"ticket_{key}": None
        for key in ("customer_name", "customer_email", "customer_fax", "shipping_date")
    }
    changes.update(ticket_goods=None, ticket_quantity=None, ticket_source="fax")
    changes.update(ticket_waybills=[], ticket_order_numbers=[], ticket_attachments=[])
    _, mail = _render(renderer, kind, language, **changes)
    assert "None" not in mail.text
    assert "None" not in mail.html
    assert html_problems(mail.html) == []
    if kind in CASE_KINDS:
        fax = {"zh-CN": "投诉来源：传真", "en": "Received by:       fax"}[language]
        assert fax in mail.text
        missing = {"zh-CN": "客户附件：无", "en": "Attachments:       none"}[language]
        assert missing in mail.text


@pytest.mark.parametrize(("kind", "language"), INTERNAL)
def test_internal_subject_ends_with_the_customer_subject(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """Staff recognise the case by the customer's subject, after the tag."""
    _, mail = _render(renderer, kind, language, ticket_subject="Parcel 12345 never arrived")
    assert mail.subject.startswith("[TS-202611-0001] ")
    assert mail.subject.endswith("Parcel 12345 never arrived")


@pytest.mark.parametrize(("kind", "language"), INTERNAL)
def test_internal_subject_never_carries_line_breaks(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """A hostile customer subject cannot inject headers into internal mail either."""
    _, mail = _render(renderer, kind, language, ticket_subject=HOSTILE_SUBJECT)
    assert "\r" not in mail.subject
    assert "\n" not in mail.subject
    assert not any(unicodedata.category(char) == "Cc" for char in mail.subject)
    assert mail.subject.startswith("[TS-202611-0001] ")
    assert "Damaged box Bcc: evil@x X-Evil: 1" in mail.subject


@pytest.mark.parametrize(("kind", "language"), INTERNAL)
def test_html_escapes_outside_text(renderer: TemplateRenderer, kind: str, language: str) -> None:
    """Customer and sender text (complaint, subject, excerpt, answers) is never markup."""
    context = sample_context(kind, language)
    ticket = context["ticket"]
    ticket.update(
        subject=f"Box {SCRIPT}",
        complaint_text=f"I said {SCRIPT}\nand <b>more</b> & more",
        customer_name=f"Eve {SCRIPT}",
        customer_email="eve@x.example",
        goods=f"Vases {SCRIPT}",
        attachments=[f"photo{SCRIPT}.jpg"],
        waybills=[f"SF1{SCRIPT}"],
    )
    for key in ("excerpt", "reason", "suggested_solution"):
        if key in context:
            context[key] = f"Text {SCRIPT}\n& more"
    if "sender" in context:
        context["sender"] = f"<evil@x.example>{SCRIPT}"
    answers = context.get("answers", []) + ([context["answer"]] if "answer" in context else [])
    for answer in answers:
        answer.update(solution=f"Pay {SCRIPT}", note=f"Note {SCRIPT}")
    mail = renderer.render(kind, language, context)
    assert "<script" not in mail.html
    assert "<b>more" not in mail.html
    assert html_problems(mail.html) == []
    assert f"Box {ESCAPED}" in mail.html
    if kind in CASE_KINDS:
        assert f"I said {ESCAPED}<br>\nand &lt;b&gt;more&lt;/b&gt; &amp; more" in mail.html
        assert f"Eve {ESCAPED}" in mail.html
        assert f"photo{ESCAPED}.jpg" in mail.html
    if kind == "rejected_answer":
        assert f"Text {ESCAPED}<br>\n&amp; more" in mail.html
        assert f"&lt;evil@x.example&gt;{ESCAPED}" in mail.html
    if answers:
        assert f"Pay {ESCAPED}" in mail.html
    # Plain text is not HTML: it shows what was written, unescaped.
    assert "&lt;" not in mail.text
    if kind in CASE_KINDS:
        assert "I said <script>alert(1)</script>\n" in mail.text


@pytest.mark.parametrize(("kind", "language"), INTERNAL)
def test_internal_template_lines_stay_short(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """Template lines fit 78 columns; what others wrote is shown as they wrote it."""
    context = sample_context(kind, language)
    inserted = [context["ticket"]["complaint_text"], context["ticket"]["subject"]]
    inserted += [
        context[key]
        for key in ("reason", "excerpt", "suggested_solution", "withheld", "sender", "explanation")
        if key in context
    ]
    inserted += [*context.get("problems", []), context.get("mail", {}).get("text", "")]
    answers = context.get("answers", []) + ([context["answer"]] if "answer" in context else [])
    inserted += [answer[key] or "" for answer in answers for key in ("solution", "note")]
    mail = renderer.render(kind, language, context)
    long_lines = [
        line for line in _lines(mail.text) if _width(line) > 78 and not _quotes(line, inserted)
    ]
    assert long_lines == []


# --- contact sheet -------------------------------------------------------------------------


def test_zh_contact_sheet_form_is_exactly_the_parsers_shape(renderer: TemplateRenderer) -> None:
    """The five label lines, full-width colons, blank after the colon, in this order."""
    mail = renderer.render("contact_sheet", "zh-CN", sample_context("contact_sheet", "zh-CN"))
    assert "\n调查结果：成立 / 不成立\n原因：\n责任：\n处理方案：\n备注：\n" in mail.text
    lines = _lines(mail.text)
    start = lines.index(ZH_FORM[0])
    assert lines[start : start + 5] == ZH_FORM
    # No other line starts with a label, so the parser cannot be misled.
    labels = ("调查结果", "原因", "责任", "处理方案", "备注")
    starting = [line for line in lines if line.startswith(labels)]
    assert starting == ZH_FORM


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["contact_sheet", "chaser"])
def test_form_causes_and_note(renderer: TemplateRenderer, kind: str, language: str) -> None:
    """Both sheet mails carry the form, then the six causes, then how to answer."""
    mail = renderer.render(kind, language, sample_context(kind, language))
    lines = _lines(mail.text)
    start = lines.index(FORM[language][0])
    assert lines[start : start + 5] == FORM[language]
    for cause in cause_choices():
        line = next(line for line in lines if line.strip().startswith(cause["key"] + " "))
        assert cause["zh"] in line
        assert lines.index(line) > start
        assert cause["key"] in mail.html
        assert cause["zh"] in mail.html
    note = {
        "zh-CN": (
            "请直接回复本邮件并填写上表（保留邮件主题中的编号）；\n"
            "中英文标签均可（Finding / Cause / Responsible / Solution / Note）。"
        ),
        "en": "Labels may be in English or Chinese (调查结果 / 原因 / 责任 /\n处理方案 / 备注).",
    }[language]
    assert note in mail.text
    assert mail.text.index(note) > mail.text.index(FORM[language][-1])
    assert "<pre" in mail.html
    assert "\n".join(FORM[language]) + "</pre>" in mail.html
    # The only lines a lenient parser could read as form fields are the form's own.
    assert [line for line in lines if LABEL_LINE.match(line)] == FORM[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_contact_sheet_carries_the_whole_case(renderer: TemplateRenderer, language: str) -> None:
    """Everything the department needs, in both parts, with the complaint in full."""
    context = sample_context("contact_sheet", language)
    ticket = context["ticket"]
    mail = renderer.render("contact_sheet", language, context)
    severity = {"zh-CN": "重要", "en": "Important"}[language]
    facts = [
        ticket["number"],
        ticket["customer_name"],
        ticket["customer_email"],
        *ticket["waybills"],
        *ticket["order_numbers"],
        ticket["shipping_date"],
        ticket["goods"],
        ticket["quantity"],
        *ticket["attachments"],
        severity,
        shown(context["sheet"]["due_at"], language),
        shown(ticket["due_at"], language),
    ]
    for body in (mail.text, mail.html):
        assert [fact for fact in facts if str(escape(fact)) not in body] == []
    complaint = ticket["complaint_text"]
    assert all(line in mail.text for line in complaint.splitlines())
    assert str(escape(complaint)).replace("\n", "<br>\n") in mail.html
    attached = {"zh-CN": "附件（共 2 个）已随本邮件附上", "en": "(2 files) are attached"}[language]
    assert attached in mail.text
    assert mail.subject.startswith(
        {
            "zh-CN": "[TS-202611-0001] 工作联系单：质量管理部 — ",
            "en": "[TS-202611-0001] Contact sheet: Quality Control — ",
        }[language]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_contact_sheet_for_a_serious_complaint_asks_for_priority(
    renderer: TemplateRenderer, language: str
) -> None:
    """Departments learn that the emergency response is on."""
    urgent = {"zh-CN": "已启动应急响应", "en": "emergency response has started"}[language]
    assert urgent in _render(renderer, "contact_sheet", language, ticket_severity="serious")[1].text
    assert urgent not in _render(renderer, "contact_sheet", language)[1].text


# --- chaser and escalation -------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_chaser_names_its_number_and_the_overdue_time(
    renderer: TemplateRenderer, language: str
) -> None:
    """Which reminder this is, when the sheet was due, and that escalation follows."""
    _, mail = _render(
        renderer,
        "chaser",
        language,
        sheet={"due_at": "2026-11-20 18:00 (UTC+08:00)", "reminders": 3},
    )
    number = {"zh-CN": "第 3 次催办", "en": "reminder number 3"}[language]
    for body in (mail.text, mail.html.replace("<strong>", "").replace("</strong>", "")):
        assert number in body
        assert "2026-11-20 18:00 (UTC+08:00)" in body
    assert {"zh-CN": "（第 3 次）", "en": "Reminder 3:"}[language] in mail.subject
    assert {"zh-CN": "负责人", "en": "manager"}[language] in mail.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_escalation_says_how_many_reminders_went_unanswered(
    renderer: TemplateRenderer, language: str
) -> None:
    """The manager learns the sheet is overdue after N reminders."""
    context = sample_context("escalation", language)
    mail = renderer.render("escalation", language, context)
    counted = {"zh-CN": "已催办 2 次", "en": "after 2 reminders"}[language]
    assert counted in mail.subject
    assert {"zh-CN": "催办 2 次", "en": "after 2 reminders"}[language] in mail.text
    assert {"zh-CN": "质量管理部负责人：", "en": "Dear Quality Control manager,"}[language] in (
        mail.text
    )
    assert shown(context["sheet"]["due_at"], language) in mail.text


def test_escalation_after_one_reminder_is_singular(renderer: TemplateRenderer) -> None:
    """English counts one reminder as "1 reminder"."""
    _, mail = _render(renderer, "escalation", "en", reminders=1)
    assert "after 1 reminder." in mail.text
    assert "after 1 reminder " in mail.subject


# --- mail to desk agents ---------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_new_ticket_mail_explains_every_command(renderer: TemplateRenderer, language: str) -> None:
    """Agents learn how to act by replying: plain text to the customer, # lines commands."""
    context = sample_context("agent_new_ticket", language)
    mail = renderer.render("agent_new_ticket", language, context)
    for body in (mail.text, mail.html):
        assert [command for command in COMMANDS if command not in body] == []
        assert shown(context["ticket"]["due_at"], language) in body
        assert all(name in body for name in context["dispatched"])
    assert all(line in mail.text for line in context["ticket"]["complaint_text"].splitlines())
    plain = {
        "zh-CN": "不以 # 开头的文字，将作为客服中心的答复发送给客户",
        "en": "Text not starting",
    }
    assert plain[language] in mail.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_new_ticket_mail_without_dispatch_says_how(
    renderer: TemplateRenderer, language: str
) -> None:
    """No contact sheet went out: the agent is told how to dispatch one."""
    _, mail = _render(renderer, "agent_new_ticket", language, dispatched=[])
    nothing = {"zh-CN": "尚未向任何部门发出工作联系单", "en": "No contact sheet has been sent"}
    assert nothing[language] in mail.text
    assert nothing[language] in mail.html
    serious = {"zh-CN": "这是严重投诉", "en": "It is serious"}[language]
    assert serious not in mail.text
    assert (
        serious
        in _render(renderer, "agent_new_ticket", language, ticket_severity="serious")[1].text
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_answers_summary_proposes_the_suggested_solution(
    renderer: TemplateRenderer, language: str
) -> None:
    """Mixed findings: every answer listed, the suggestion shown, #propose explained."""
    context = sample_context("agent_answers", language)
    mail = renderer.render("agent_answers", language, context)
    valid, invalid = {"zh-CN": ("调查结果：成立", "调查结果：不成立"), "en": ("valid", "invalid")}[
        language
    ]
    assert valid in mail.text
    assert invalid in mail.text
    for answer in context["answers"]:
        assert answer["department"] in mail.text
        assert answer["department"] in mail.html
    assert context["answers"][0]["cause_label"] in mail.text
    assert str(escape(context["suggested_solution"])) in mail.html
    assert "#propose" in mail.text
    assert "#propose" in mail.html
    assert "#invalid" not in mail.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_answers_summary_all_invalid_asks_to_confirm(
    renderer: TemplateRenderer, language: str
) -> None:
    """Every department says invalid: the desk is asked to confirm with #invalid."""
    context = sample_context("agent_answers", language)
    for answer in context["answers"]:
        answer.update(finding="invalid", cause_label=None, responsible=None, solution=None)
    context.update(all_invalid=True, suggested_solution="")
    mail = renderer.render("agent_answers", language, context)
    for body in (mail.text, mail.html):
        assert "#invalid" in body
        assert "#propose" not in body
    assert {"zh-CN": "请确认无效", "en": "find the complaint invalid"}[language] in mail.subject


@pytest.mark.parametrize("language", LANGUAGES)
def test_answers_summary_without_a_suggestion(renderer: TemplateRenderer, language: str) -> None:
    """Valid findings but no solution given: the desk is asked to draft one."""
    _, mail = _render(renderer, "agent_answers", language, suggested_solution="")
    missing = {"zh-CN": "各部门没有给出处理方案", "en": "No department suggested a solution"}
    assert missing[language] in mail.text
    assert missing[language] in mail.html
    assert "#propose" in mail.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_department_answer_lists_what_is_still_open(
    renderer: TemplateRenderer, language: str
) -> None:
    """One department answered: its answer, and who is still to answer."""
    context, mail = _render(renderer, "department_answer", language)
    assert context["answer"]["responsible"] in mail.text
    assert context["answer"]["responsible"] in mail.html
    assert all(name in mail.text for name in context["open_sheets"])
    assert {"zh-CN": "（成立）", "en": "(valid)"}[language] in mail.subject
    _, done = _render(renderer, "department_answer", language, open_sheets=[])
    everyone = {"zh-CN": "所有部门均已回复", "en": "Every department has now answered"}
    assert everyone[language] in done.text
    assert everyone[language] not in mail.text


# --- emergency and rejected answers ---------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_emergency_is_urgent_and_complete(renderer: TemplateRenderer, language: str) -> None:
    """The lead gets the reason, the tighter due time and the whole case."""
    context = sample_context("emergency", language)
    mail = renderer.render("emergency", language, context)
    urgent = {"zh-CN": "【紧急】", "en": "URGENT"}[language]
    assert urgent in mail.subject
    assert urgent in mail.text
    for body in (mail.text, mail.html):
        assert shown(context["ticket"]["due_at"], language) in body
        assert {"zh-CN": "严重", "en": "Serious"}[language] in body
        assert context["ticket"]["customer_email"] in body
    assert context["reason"].split()[0] in mail.text
    assert all(line in mail.text for line in context["ticket"]["complaint_text"].splitlines())


@pytest.mark.parametrize("language", LANGUAGES)
def test_incomplete_answer_lists_what_is_missing_and_carries_the_form(
    renderer: TemplateRenderer, language: str
) -> None:
    """What is missing, then the form pre-filled with what the department wrote."""
    context, mail = _render(renderer, "answer_incomplete", language)
    for problem in context["problems"]:
        assert " ".join(problem.split()) in " ".join(mail.text.split())
        assert str(escape(problem)) in mail.html
    assert shown(context["sheet"]["due_at"], language) in mail.text
    assert context["ticket"]["number"] in mail.subject
    filled = context["filled"]
    form = {
        "zh-CN": [f"调查结果：{filled['finding']}", f"原因：{filled['cause']}"],
        "en": [f"Finding: {filled['finding']}", f"Cause: {filled['cause']}"],
    }[language]
    lines = _lines(mail.text)
    assert form[0] in lines and form[1] in lines
    assert filled["cause"] and filled["responsible"] in mail.text and filled["responsible"]
    assert html_problems(mail.html) == []


# Data in a Chinese mail that is Latin by nature: numbers, addresses, the time zone.
_LATIN_DATA = re.compile(
    r"TS-\d{6}-\d{4}|[\w.+-]+@[\w.-]+|UTC[+-]\d\d:\d\d|SF\d+|PO-\d{4}-\d+|https?://\S+"
)


@pytest.mark.parametrize("kind", ["answer_incomplete", "sheet_cancelled"])
def test_chinese_department_mail_has_no_english(renderer: TemplateRenderer, kind: str) -> None:
    """A Chinese clerk reads it all: no English line, label or cause code (data aside)."""
    context, mail = _render(renderer, kind, "zh-CN")
    complaint = context["ticket"]["complaint_text"]
    for body in (mail.subject, mail.text, re.sub(r"<[^>]+>|style=\"[^\"]*\"", " ", mail.html)):
        for line in body.splitlines():
            if line.strip() and line.strip() in complaint:
                continue  # the customer's own words
            if any(name in line for name in context["ticket"]["attachments"]):
                continue  # the customer's file names
            bare = _LATIN_DATA.sub(" ", line)
            assert not re.search(r"[A-Za-z]{2,}", bare.replace("DOCTYPE html", "")), line


@pytest.mark.parametrize("language", LANGUAGES)
def test_rejected_answer_names_sender_and_shows_excerpt(
    renderer: TemplateRenderer, language: str
) -> None:
    """Who wrote, for which department, and what they wrote, not taken as an answer."""
    context = sample_context("rejected_answer", language)
    mail = renderer.render("rejected_answer", language, context)
    for body in (mail.text, mail.html):
        assert context["sender"] in body
        assert context["department"]["name"] in body
    assert all(line in mail.text for line in context["excerpt"].splitlines())
    assert context["department"]["name"] in mail.subject


# --- floods ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_flood_alert_names_the_sender_the_rate_and_where_the_mail_is(
    renderer: TemplateRenderer, language: str
) -> None:
    """Staff learn who floods, how fast, that nothing is lost and that this mail comes once."""
    context, mail = _render(renderer, "flood", language, sender="bot@flood.example")
    once = {"zh-CN": "只发一封", "en": "sent once per flood"}[language]
    rate = {"zh-CN": "10 分钟内发来的新投诉已超过 5 封", "en": "more than 5 new"}[language]
    for body in (mail.text, mail.html):
        assert "bot@flood.example" in body and rate in body
        assert once in body and "flood" in body
        assert body.count(context["ticket"]["number"]) >= 3  # tag, where the mail is, the case
