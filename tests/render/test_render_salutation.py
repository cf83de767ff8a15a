"""One salutation, not two: an agent's reply that greets the customer itself (issue 9)."""

from __future__ import annotations

import pytest

from complaintd.render import TemplateRenderer, sample_context
from complaintd.render.salutation import starts_with_salutation

GREETS = [
    "您好！\n我们已核实，破损发生在中转环节。",
    "您好，关于您反映的问题，现答复如下。",
    "王女士，您好！\n\n我们已联系网点。",
    "张经理您好：\n附件是赔偿明细。",
    "王女士：\n\n经核实……",
    "尊敬的王丽女士：\n经核实……",
    "亲爱的客户，您好",
    "下午好！这边已经帮您催了网点。",
    "\n\n  您好：\n（前面有空行）",
    "Dear Ms Carter,\n\nWe have checked with our branch.",
    "dear customer,",
    "Hello Emily,\nthanks for your patience.",
    "Hi Emily, quick update on your parcel.",
    "Good morning Mr Smith,",
]

DOES_NOT_GREET = [
    "我们已联系上海浦东网点核实，破损发生在中转分拨环节。",
    "关于您好奇的运费问题，运费按重量计算。",  # 您好奇 is not 您好
    "你好像没有收到我们的短信，现再说明一次。",  # 你好像: "you seem"
    "经核实，王女士的包裹已于昨日签收。",
    "赔偿款1,280元已退回您的账户。如有疑问请回复。",
    "We have checked with our Shanghai Pudong branch.",
    "Hi-vis vests were missing from the delivery; we are sending them today.",
    "Dearborn depot confirms the delay.",
    "",
]


@pytest.mark.parametrize("text", GREETS)
def test_a_greeting_is_recognised(text: str) -> None:
    assert starts_with_salutation(text)


@pytest.mark.parametrize("text", DOES_NOT_GREET)
def test_plain_text_is_not_a_greeting(text: str) -> None:
    assert not starts_with_salutation(text)


OWN_LETTER = {
    "zh-CN": "王女士，您好！\n\n我们已核实，破损发生在中转环节，赔偿将在3个工作日内到账。"
    "\n\n客服 李娜",
    "en": "Dear Ms Carter,\n\nWe have checked: the cartons were crushed at the hub."
    "\n\nBest regards,\nLi Na",
}
LAYOUT_GREETING = {"zh-CN": ("尊敬的王丽：", "您好！关于您的投诉"), "en": ("Dear Emily Carter,",)}


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_reply_that_greets_is_greeted_once(renderer: TemplateRenderer, language: str) -> None:
    context = {**sample_context("reply", language), "text": OWN_LETTER[language]}
    mail = renderer.render("reply", language, context)
    for body in (mail.text, mail.html):
        assert [g for g in LAYOUT_GREETING[language] if g in body] == []
        greeting = OWN_LETTER[language].splitlines()[0]
        assert body.count(greeting) == 1
        assert "TS-202611-0001" in body  # still says which complaint and how to answer
        assert context["desk"]["name"] in body
    if language == "en":  # the agent signed off already: no second "Kind regards"
        assert "Kind regards" not in mail.text + mail.html


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_reply_without_greeting_gets_the_layouts(renderer: TemplateRenderer, language: str) -> None:
    mail = renderer.render("reply", language, sample_context("reply", language))
    for body in (mail.text, mail.html):
        assert all(greeting in body for greeting in LAYOUT_GREETING[language])
