"""Realistic sample contexts for every kind of customer mail (pure).

``complaintd check`` renders each template with these, and the tests use them.  Each
sample holds exactly the keys the workflow guarantees for its kind (see the context
contract in :mod:`complaintd.render.templates`), so a template that reads a key its
kind does not get fails the check instead of failing on a real customer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from complaintd.render.labels import resolve_language

KINDS: tuple[str, ...] = (
    "ack",
    "reopened",
    "invalid",
    "reply",
    "solution",
    "agreed",
    "objection",
    "resolution",
)

# The ticket status at the moment each kind of mail is sent.
_STATUS = {
    "ack": "received",
    "reopened": "investigating",
    "invalid": "invalid",
    "reply": "investigating",
    "solution": "solution_proposed",
    "agreed": "implementing",
    "objection": "investigating",
    "resolution": "follow_up",
}

_DESK = {
    "zh-CN": {"name": "利达物流客户服务中心", "address": "complaints@lida.example"},
    "en": {"name": "Lida Logistics Customer Service", "address": "complaints@lida.example"},
}

_TICKET = {
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

_TEXT = {
    "zh-CN": {
        "reopened": "补发的货物今天到了，还是有一箱外包装被压坏，问题并没有解决。",
        "reply": (
            "我们已联系上海浦东网点核实，破损发生在中转分拨环节。\n"
            "质控部门正在评估损失，预计明天给您具体的处理意见。"
        ),
        "objection": "赔偿金额太低，这两箱货的实际价值是2,560元，我有采购发票可以证明。",
        "resolution": (
            "赔偿款1,280元已于2026年11月25日退回您的支付账户，补发的2箱货物已于11月24日由您签收。"
        ),
    },
    "en": {
        "reopened": (
            "The replacement arrived today and one carton is crushed again. The problem "
            "is not solved."
        ),
        "reply": (
            "We have checked with our Shanghai Pudong branch: the cartons were damaged at "
            "the transfer hub. Quality Control is assessing the loss and we expect to "
            "send you a proposal tomorrow."
        ),
        "objection": (
            "The amount is too low. The two cartons were worth CNY 2,560; I can send "
            "you the purchase invoice."
        ),
        "resolution": (
            "The compensation of CNY 1,280 was refunded to your payment account on "
            "25 November 2026, and you signed for the two replacement cartons on "
            "24 November."
        ),
    },
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


def _mailto(address: str, number: str, answer: str) -> str:
    """A ``mailto:`` URL pre-filling a reply of ``answer`` to the ticket (RFC 6068)."""
    subject = quote(f"[{number}] {answer}", safe="")
    return f"mailto:{address}?subject={subject}&body={quote(answer, safe='')}"


def _ticket(kind: str, language: str) -> dict[str, Any]:
    """The sample ticket as the workflow passes it to a template."""
    return {
        "number": "TS-202611-0001",
        "subject": _TICKET[language]["subject"],
        "category": "damage",
        "severity": "important",
        "status": _STATUS[kind],
        "waybills": ["SF1402736591"],
        "order_numbers": ["PO-2026-11873"],
        "attachments": list(_TICKET[language]["attachments"]),
        "customer_name": _TICKET[language]["customer_name"],
        "created_at": "2026-11-20 10:00 (UTC+08:00)",
        "due_at": "2026-11-21 10:00 (UTC+08:00)",
    }


def sample_context(kind: str, language: str) -> dict[str, Any]:
    """A fresh, realistic context for ``kind`` in ``language`` with only its guaranteed keys.

    Raises :class:`ValueError` for a kind not in :data:`KINDS`.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}; known: {', '.join(KINDS)}")
    language = resolve_language(language)
    ticket = _ticket(kind, language)
    context: dict[str, Any] = {
        "language": language,
        "desk": dict(_DESK[language]),
        "ticket": ticket,
    }
    if kind in _TEXT[language]:
        context["text"] = _TEXT[language][kind]
    elif kind in ("solution", "agreed"):
        context["text"] = _SOLUTION[language]
    if kind == "invalid":
        context["reason"] = _REASON[language]
    if kind == "solution":
        agree, disagree = _ANSWERS[language]
        address = context["desk"]["address"]
        context["agree_mailto"] = _mailto(address, ticket["number"], agree)
        context["disagree_mailto"] = _mailto(address, ticket["number"], disagree)
    return context
