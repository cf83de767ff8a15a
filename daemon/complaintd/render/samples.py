"""Realistic sample contexts for every kind of mail the desk sends (pure).

``complaintd check`` renders each template with these, and the tests use them.  Each
sample is built from the types of the context contract (:mod:`complaintd.render.contexts`)
that the workflow builds too: it holds exactly the keys a kind gets, so a template that
reads a key its kind does not get fails the check instead of failing on a real customer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from complaintd.render.contexts import (
    ALL_KINDS,
    INTERNAL_KINDS,
    KINDS,
    AckMail,
    AgentAnswersMail,
    AgentForwardMail,
    AgentNewTicketMail,
    AgentRefusedMail,
    AgreedMail,
    AnswerFacts,
    AnswerIncompleteMail,
    CaseFacts,
    ChaserMail,
    ContactSheetMail,
    CustomerContext,
    CustomerMail,
    DepartmentAnswerMail,
    DepartmentFacts,
    DeskFacts,
    DeskReopenedMail,
    EmergencyMail,
    EscalationMail,
    FloodMail,
    ForwardedMail,
    InternalContext,
    InternalMail,
    InvalidMail,
    LetterMail,
    MailContent,
    ObjectionMail,
    ProgressUpdateMail,
    RejectedAnswerMail,
    RejectedAttemptMail,
    ReopenedMail,
    ReplyMail,
    ReplyOutcome,
    ResolutionMail,
    ScoreLink,
    SheetCancelledMail,
    SheetFacts,
    SolutionMail,
    SurveyAlertMail,
    SurveyMail,
    SurveyReminderMail,
    TicketFacts,
)
from complaintd.render.labels import cause_choices, resolve_language
from complaintd.render.times import LocalTime
from complaintd.staff_replies.form import (
    FormIssue,
    describe_issue,
    form_prefill,
    parse_department_answer,
)
from complaintd.store.mail_kind import MailKind
from complaintd.store.ticket_status import TicketStatus

# The ticket status at the moment each kind of mail is sent.
_STATUS: dict[MailKind, TicketStatus] = {
    MailKind.ACK: TicketStatus.RECEIVED,
    MailKind.REOPENED: TicketStatus.INVESTIGATING,
    MailKind.DESK_REOPENED: TicketStatus.INVESTIGATING,
    MailKind.INVALID: TicketStatus.INVALID,
    MailKind.REPLY: TicketStatus.INVESTIGATING,
    MailKind.SOLUTION: TicketStatus.SOLUTION_PROPOSED,
    MailKind.AGREED: TicketStatus.IMPLEMENTING,
    MailKind.OBJECTION: TicketStatus.INVESTIGATING,
    MailKind.RESOLUTION: TicketStatus.FOLLOW_UP,
    MailKind.PROGRESS_UPDATE: TicketStatus.INVESTIGATING,
    MailKind.SURVEY: TicketStatus.FOLLOW_UP,
    MailKind.SURVEY_REMINDER: TicketStatus.FOLLOW_UP,
    **dict.fromkeys(INTERNAL_KINDS, TicketStatus.INVESTIGATING),
}

_DESK: dict[str, DeskFacts] = {
    "zh-CN": {"name": "利达物流客户服务中心", "address": "complaints@lida.example"},
    "en": {"name": "Lida Logistics Customer Service", "address": "complaints@lida.example"},
}

_TICKET: dict[str, dict[str, Any]] = {
    "zh-CN": {
        "subject": "运单SF1402736591货物破损，要求赔偿",
        "attachments": ["破损外箱.jpg", "签收单.jpg"],
        "customer_name": "王丽",
    },
    "en": {
        "subject": "Damaged cartons on waybill SF1402736591",
        "attachments": ["damaged-carton.jpg", "delivery-receipt.pdf"],
        "customer_name": "Emily Carter",
    },
}

_SOLUTION = {
    "zh-CN": (
        "按申报价值赔偿破损的2箱货物，共计人民币1,280元，款项将在您确认同意后"
        "5个工作日内退回原支付账户；同时为您免费补发同款货物2箱。"
    ),
    "en": (
        "We will compensate the two damaged cartons at their declared value, CNY 1,280 in "
        "total, refunded to your original payment account within 5 working days of your "
        "agreement. We will also re-ship two replacement cartons free of charge."
    ),
}

_TEXT: dict[str, dict[MailKind, str]] = {
    "zh-CN": {
        MailKind.REOPENED: "补发的货物今天到了，还是有一箱外包装被压坏，问题并没有解决。",
        MailKind.REPLY: (
            "我们已联系上海浦东网点核实，破损发生在中转分拨环节。\n"
            "质控部门正在评估损失，预计明天给您具体的处理意见。"
        ),
        MailKind.OBJECTION: "赔偿金额太低，这两箱货的实际价值是2,560元，我有采购发票可以证明。",
        MailKind.RESOLUTION: (
            "赔偿款1,280元已于2026年11月25日退回您的支付账户，补发的2箱货物已于11月24日由您签收。"
        ),
    },
    "en": {
        MailKind.REOPENED: (
            "The replacement arrived today and one carton is crushed again. The problem "
            "is not solved."
        ),
        MailKind.REPLY: (
            "We have checked with our Shanghai Pudong branch: the cartons were damaged at "
            "the transfer hub. Quality Control is assessing the loss and we expect to "
            "send you a proposal tomorrow."
        ),
        MailKind.OBJECTION: (
            "The amount is too low. The two cartons were worth CNY 2,560; I can send "
            "you the purchase invoice."
        ),
        MailKind.RESOLUTION: (
            "The compensation of CNY 1,280 was refunded to your payment account on "
            "25 November 2026, and you signed for the two replacement cartons on "
            "24 November."
        ),
    },
}

_REOPEN_REASON = {
    "zh-CN": "您来电反映赔偿款至今仍未到账。",
    "en": "You called us to say that the compensation has still not reached your account.",
}

_REASON = {
    "zh-CN": (
        "该批货物签收时外包装完好，签收单上没有异常批注；照片中的破损位于内包装，"
        "属于发货时的包装问题，不在我司承运责任范围内。"
    ),
    "en": (
        "Our check shows that the outer packaging was intact at delivery and the delivery "
        "receipt carries no remark. The damage in the photos is to the inner packaging, "
        "which was packed by the shipper and is outside our carriage liability."
    ),
}

_ANSWERS = {"zh-CN": ("同意", "不同意"), "en": ("agree", "disagree")}

_DESK_ZONE = ZoneInfo("Asia/Shanghai")
_NUMBER = "TS-202611-0001"


def _beijing(year: int, month: int, day: int, hour: int, minute: int) -> LocalTime:
    """A sample time in the desk's zone, as the workflow hands times to templates."""
    return LocalTime(datetime(year, month, day, hour, minute, tzinfo=_DESK_ZONE))


def _mailto(address: str, number: str, answer: str) -> str:
    """A ``mailto:`` URL pre-filling a reply of ``answer`` to the ticket (RFC 6068)."""
    subject = quote(f"[{number}] {answer}", safe="")
    return f"mailto:{address}?subject={subject}&body={quote(answer, safe='')}"


def _ticket(kind: MailKind, language: str) -> TicketFacts:
    """The sample ticket as the workflow passes it to a template."""
    return {
        "number": _NUMBER,
        "subject": _TICKET[language]["subject"],
        "category": "damage",
        "severity": "important",
        "status": _STATUS[kind],
        "waybills": ["SF1402736591"],
        "order_numbers": ["PO-2026-11873"],
        "attachments": list(_TICKET[language]["attachments"]),
        "customer_name": _TICKET[language]["customer_name"],
        "created_at": _beijing(2026, 11, 20, 10, 0),
        "due_at": _beijing(2026, 11, 21, 10, 0),
    }


# --- internal mail ------------------------------------------------------------------------

_COMPLAINT = {
    "zh-CN": {
        "customer_email": "wang.li@yueting-catering.example",
        "goods": "陶瓷餐具（盘碗套装）",
        "quantity": "12箱",
        "complaint_text": (
            "您好：\n"
            "我司11月18日通过贵司从苏州发往上海浦东的一批陶瓷餐具（运单号SF1402736591，"
            "订单号PO-2026-11873），共12箱，今天上午到货时发现其中2箱外箱被严重压塌，"
            "里面的盘子和碗碎了一大半。送货司机当场也看到了，签收单上已做备注。\n"
            "\n"
            "这批餐具是为本周六新店开业准备的，现在临时补货非常困难。"
            "请贵司尽快核实，并给出赔偿和补发方案。破损照片和签收单见附件。\n"
            "\n"
            "王丽\n"
            "上海悦庭餐饮管理有限公司 采购部\n"
            "电话：021-5888 6721"
        ),
    },
    "en": {
        "customer_email": "emily.carter@harbour-bistro.example",
        "goods": "Ceramic tableware (plate and bowl sets)",
        "quantity": "12 cartons",
        "complaint_text": (
            "Hello,\n"
            "On 18 November we shipped 12 cartons of ceramic tableware with you from Suzhou "
            "to Shanghai Pudong (waybill SF1402736591, order PO-2026-11873). When they were "
            "delivered this morning, two cartons were crushed and most of the plates and "
            "bowls inside are broken. Your driver saw it too and noted it on the delivery "
            "receipt.\n"
            "\n"
            "We need this tableware for the opening of our new restaurant this Saturday and "
            "cannot easily replace it at short notice. Please look into this urgently and "
            "tell us how you will compensate us and replace the goods. Photos of the damage "
            "and the delivery receipt are attached.\n"
            "\n"
            "Emily Carter\n"
            "Purchasing, Harbour Bistro Group\n"
            "Tel. +86 21 5888 6721"
        ),
    },
}

_DEPARTMENTS = {
    "zh-CN": {"qc": "质量管理部", "ops": "运营部"},
    "en": {"qc": "Quality Control", "ops": "Operations"},
}

_ANSWER_TEXT = {
    "zh-CN": {
        "cause": "业务人员操作失误",
        "responsible": "上海浦东中转分拨中心 夜班装卸组",
        "solution": (
            "按申报价值赔偿破损的2箱货物，共计人民币1,280元；免费补发同款货物2箱，"
            "走加急线路，保证周五前送达。"
        ),
        "note": (
            "分拨中心监控显示，11月19日夜间装车时该2箱被其他货物重压。"
            "已对装卸组通报批评并安排培训。"
        ),
        "ops_note": (
            "运输时效正常：11月19日按承诺时间送达，途中无延误。破损问题以质量管理部的调查为准。"
        ),
    },
    "en": {
        "cause": "Operations staff error",
        "responsible": "Shanghai Pudong transfer hub, night loading team",
        "solution": (
            "Compensate the two damaged cartons at their declared value, CNY 1,280 in "
            "total; re-ship two replacement cartons free of charge by express, to arrive "
            "by Friday."
        ),
        "note": (
            "The hub's CCTV shows the two cartons were crushed under other freight while "
            "loading on the night of 19 November. The loading team has been briefed and "
            "will be retrained."
        ),
        "ops_note": (
            "Transit time was normal: delivered on 19 November as promised, no delay. "
            "For the damage, Quality Control's findings apply."
        ),
    },
}

_EMERGENCY_REASON = {
    "zh-CN": (
        "命中严重投诉规则“缺货影响客户经营”：客户称破损的2箱餐具将影响其新店本周六开业，"
        "且临时无法补货。"
    ),
    "en": (
        'Serious-complaint rule "shortage stopping the customer\'s business" fired: the '
        "customer says the two broken cartons put the opening of their new restaurant "
        "this Saturday at risk and cannot be replaced at short notice."
    ),
}

_REJECTED = {
    "zh-CN": {
        "sender": "zhangwei1987@163.example",
        "excerpt": (
            "调查结果：成立\n"
            "原因：供方操作失误\n"
            "责任：包装供应商\n"
            "处理方案：由客户向包装供应商索赔，我司不承担赔偿责任。"
        ),
    },
    "en": {
        "sender": "zhang.wei.1987@webmail.example",
        "excerpt": (
            "Finding: valid\n"
            "Cause: supplier_error\n"
            "Responsible: packaging supplier\n"
            "Solution: the customer should claim from the packaging supplier; we pay nothing."
        ),
    },
}


# A department's first, incomplete reply: no finding and no solution yet.
_PARTIAL_ANSWER = {
    "zh-CN": "我们正在调查。\n原因：业务人员操作失误\n责任：上海浦东中转分拨中心 夜班装卸组",
    "en": (
        "We are still looking into it.\nCause: staff_error\n"
        "Responsible: Shanghai Pudong transfer hub, night loading team"
    ),
}
# Kinds whose sample ticket had its severity raised after the acknowledgement: the
# desk's own target is earlier than the time promised to the customer.
_RAISED = (MailKind.DEPARTMENT_ANSWER, MailKind.AGENT_ANSWERS)
_REJECTED_REASON = {
    "zh-CN": "zhangwei1987@163.example may not answer for qc",
    "en": "zhang.wei.1987@webmail.example may not answer for qc",
}

_FORWARDED: dict[str, ForwardedMail] = {
    "zh-CN": {
        "from": "wangli@huanan-canyin.example",
        "name": "王丽",
        "text": "这个方案我没法同意。两箱餐具都是给新店开业准备的，只赔货值不够，"
        "耽误开业的损失你们也要考虑。请今天之内给我回电话。",
        "attachments": ["破损餐具2.jpg"],
    },
    "en": {
        "from": "emily.carter@harbourkitchen.example",
        "name": "Emily Carter",
        "text": "I'm sorry but I can't accept this. The plates were for our opening on "
        "Saturday; the declared value does not cover what the delay costs us. "
        "Please call me today.",
        "attachments": ["broken-plates-2.jpg"],
    },
}

_WITHHELD = {"zh-CN": "收到，这单我来跟进", "en": "Got it, I'll take this one"}


def _internal_ticket(kind: MailKind, language: str) -> CaseFacts:
    """The sample ticket as the workflow passes it to an internal template."""
    complaint = _COMPLAINT[language]
    ticket: CaseFacts = {
        **_ticket(kind, language),
        "customer_email": complaint["customer_email"],
        "customer_fax": None,
        "shipping_date": "2026-11-18",
        "goods": complaint["goods"],
        "quantity": complaint["quantity"],
        "complaint_text": complaint["complaint_text"],
        "source": "email",
        "internal_due_at": _beijing(2026, 11, 20, 16, 0) if kind in _RAISED else None,
    }
    if kind == MailKind.EMERGENCY:  # a serious complaint: the tighter SLA applies
        ticket["severity"], ticket["due_at"] = "serious", _beijing(2026, 11, 20, 12, 0)
    return ticket


def _department(key: str, language: str) -> DepartmentFacts:
    return {"key": key, "name": _DEPARTMENTS[language][key]}


def _answers(language: str) -> list[AnswerFacts]:
    """What Quality Control (valid) and Operations (invalid) answered."""
    names, text = _DEPARTMENTS[language], _ANSWER_TEXT[language]
    return [
        {
            "department": names["qc"],
            "finding": "valid",
            "cause_label": text["cause"],
            "responsible": text["responsible"],
            "solution": text["solution"],
            "note": text["note"],
        },
        {
            "department": names["ops"],
            "finding": "invalid",
            "cause_label": None,
            "responsible": None,
            "solution": None,
            "note": text["ops_note"],
        },
    ]


def _sheet(reminders: int) -> SheetFacts:
    return {"due_at": _beijing(2026, 11, 20, 18, 0), "reminders": reminders}


def _sheet_mail(kind: MailKind, language: str) -> InternalMail | None:
    """The sample of a kind about one contact sheet; None for other kinds."""
    qc = _department("qc", language)
    if kind == MailKind.CONTACT_SHEET:
        return ContactSheetMail(department=qc, sheet=_sheet(0), causes=cause_choices())
    if kind == MailKind.CHASER:
        return ChaserMail(department=qc, sheet=_sheet(1), causes=cause_choices())
    if kind == MailKind.ESCALATION:
        return EscalationMail(department=qc, sheet=_sheet(2), reminders=2)
    if kind == MailKind.ANSWER_INCOMPLETE:
        issues = [FormIssue(name, "missing") for name in ("finding", "solution")]
        return AnswerIncompleteMail(
            department=qc,
            sheet=_sheet(0),
            causes=cause_choices(),
            problems=[describe_issue(issue, language) for issue in issues],
            filled=form_prefill(parse_department_answer(_PARTIAL_ANSWER[language]), language),
        )
    if kind == MailKind.SHEET_CANCELLED:
        return SheetCancelledMail(
            department=qc,
            sheet=_sheet(1),
            cancelled_because=TicketStatus.CLOSED,
            explanation=_TEXT[language][MailKind.RESOLUTION],
        )
    return None


_UNKNOWN_COMMAND = {  # as complaintd.workflow.staff_words words it
    "zh-CN": "#sevrity：没有这个指令，您是不是要写 #severity？",
    "en": "#sevrity: there is no such command. Did you mean #severity?",
}


def _agent_mail(kind: MailKind, language: str) -> InternalMail:
    """The sample of a kind to agents, the response lead or admins."""
    if kind == MailKind.AGENT_NEW_TICKET:
        names = _DEPARTMENTS[language]
        return AgentNewTicketMail(dispatched=[names["qc"], names["ops"]])
    if kind == MailKind.AGENT_ANSWERS:
        suggestion = _ANSWER_TEXT[language]["solution"]
        return AgentAnswersMail(
            answers=_answers(language), all_invalid=False, suggested_solution=suggestion
        )
    if kind == MailKind.DEPARTMENT_ANSWER:
        return DepartmentAnswerMail(
            department=_department("qc", language),
            answer=_answers(language)[0],
            open_sheets=[_DEPARTMENTS[language]["ops"]],
        )
    if kind == MailKind.EMERGENCY:
        return EmergencyMail(reason=_EMERGENCY_REASON[language])
    if kind == MailKind.AGENT_FORWARD:
        return AgentForwardMail(mail=_FORWARDED[language], outcome=ReplyOutcome.DISAGREED)
    if kind == MailKind.AGENT_REFUSED:
        return AgentRefusedMail(
            problems=[_UNKNOWN_COMMAND[language]],
            withheld=_WITHHELD[language],
        )
    if kind == MailKind.FLOOD:
        return FloodMail(sender=_COMPLAINT[language]["customer_email"], limit=5, window_minutes=10)
    if kind == MailKind.SURVEY_ALERT:
        customer = _COMPLAINT[language]["customer_email"]
        return SurveyAlertMail(score=2, comment=_SURVEY_COMMENT[language], customer=customer)
    rejected = _REJECTED[language]
    if kind == MailKind.REJECTED_ATTEMPT:
        return RejectedAttemptMail(reason=_REJECTED_REASON[language], **rejected)
    assert kind == MailKind.REJECTED_ANSWER, kind
    return RejectedAnswerMail(
        department=_department("qc", language), reason=_REJECTED_REASON[language], **rejected
    )


def _customer_mail(kind: MailKind, language: str) -> CustomerMail:
    """The sample of a kind of mail to the customer."""
    if kind == MailKind.ACK:
        return AckMail()
    if kind == MailKind.INVALID:
        return InvalidMail(reason=_REASON[language])
    if kind == MailKind.SOLUTION:
        agree, disagree = _ANSWERS[language]
        address, number = _DESK[language]["address"], _NUMBER
        return SolutionMail(
            text=_SOLUTION[language],
            agree_mailto=_mailto(address, number, agree),
            disagree_mailto=_mailto(address, number, disagree),
        )
    if kind == MailKind.AGREED:
        return AgreedMail(text=_SOLUTION[language])
    if kind == MailKind.DESK_REOPENED:
        return DeskReopenedMail(reason=_REOPEN_REASON[language])
    if kind in _TIMED:
        return _TIMED[kind](language)
    letter = _LETTERS[kind]
    return letter(text=_TEXT[language][kind])


# The letters around one text of the customer's or the desk's (_TEXT holds each).
_LETTERS: dict[MailKind, type[LetterMail]] = {
    MailKind.REOPENED: ReopenedMail,
    MailKind.REPLY: ReplyMail,
    MailKind.OBJECTION: ObjectionMail,
    MailKind.RESOLUTION: ResolutionMail,
}


def sample_mail(kind: MailKind, language: str) -> MailContent:
    """The sample of what ``kind`` says beyond language, desk and ticket."""
    language = resolve_language(language)
    if kind in KINDS:
        return _customer_mail(kind, language)
    return _sheet_mail(kind, language) or _agent_mail(kind, language)


def sample_context(kind: str, language: str) -> dict[str, Any]:
    """A fresh, realistic context for ``kind`` in ``language`` with only its guaranteed keys.

    Raises :class:`ValueError` for a kind not in :data:`ALL_KINDS`.
    """
    if kind not in ALL_KINDS:
        raise ValueError(f"unknown mail kind {kind!r}; known: {', '.join(ALL_KINDS)}")
    known, language = MailKind(kind), resolve_language(language)
    base: CustomerContext | InternalContext
    if known in INTERNAL_KINDS:
        base = {
            "language": language,
            "desk": _desk(language),
            "ticket": _internal_ticket(known, language),
        }
    else:
        base = {
            "language": language,
            "desk": _desk(language),
            "ticket": _ticket(known, language),
            "reply_by_fax": False,
        }
    return {**base, **sample_mail(known, language).values()}


def _desk(language: str) -> DeskFacts:
    return {"name": _DESK[language]["name"], "address": _DESK[language]["address"]}


# --- timed mail: progress updates and surveys ---------------------------------------------

_SURVEY_COMMENT = {
    "zh-CN": "赔偿款到现在还没到账，打了两次客服电话都说在处理，补发的货也晚到了一天。",
    "en": (
        "The refund still has not reached my account. I called twice and was told it is "
        "being processed, and the replacement cartons arrived a day late."
    ),
}
_SCORE_LABELS = {
    "zh-CN": {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"},
    "en": {
        5: "Very satisfied",
        4: "Satisfied",
        3: "Neutral",
        2: "Dissatisfied",
        1: "Very dissatisfied",
    },
}


def _score_links(language: str) -> list[ScoreLink]:
    """One mailto link per score, as the survey job builds them."""
    return [
        {
            "score": score,
            "label": _SCORE_LABELS[language][score],
            "mailto": _mailto(_DESK[language]["address"], _NUMBER, f"评分 {score}"),
        }
        for score in (5, 4, 3, 2, 1)
    ]


def _progress_update(language: str) -> ProgressUpdateMail:
    names = _DEPARTMENTS[language]
    return ProgressUpdateMail(
        promised_at=_beijing(2026, 11, 20, 18, 0),  # ticket.due_at is the next one
        asked=[names["qc"], names["ops"]],
        answered=[names["ops"]],
    )


def _survey(language: str) -> SurveyMail:
    return SurveyMail(
        closed_at=_beijing(2026, 11, 25, 16, 30),
        sent_at=_beijing(2026, 11, 28, 10, 0),
        scores=_score_links(language),
    )


def _survey_reminder(language: str) -> SurveyReminderMail:
    survey = _survey(language)
    return SurveyReminderMail(
        closed_at=survey.closed_at, sent_at=survey.sent_at, scores=survey.scores
    )


_TIMED: dict[MailKind, Callable[[str], CustomerMail]] = {
    MailKind.PROGRESS_UPDATE: _progress_update,
    MailKind.SURVEY: _survey,
    MailKind.SURVEY_REMINDER: _survey_reminder,
}
