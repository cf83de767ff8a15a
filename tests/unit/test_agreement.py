"""The customer's answer to a proposed solution: agree, disagree or unclear (pure)."""

from __future__ import annotations

import time

import pytest

from complaintd.workflow.agreement import Verdict, own_words, read_answer

AGREE, DISAGREE, UNCLEAR = Verdict.AGREE, Verdict.DISAGREE, Verdict.UNCLEAR
SUBJECT = "Re: [TS-202611-0001] 解决方案：请确认是否同意"
S = SUBJECT  # short, for the table

# What a reply quotes below the customer's words: the desk's proposal with its links.
OUTLOOK_ZH = (
    "\n\n________________________________\n"
    "发件人: 利达物流客户服务中心 <complaints+ts-202611-0001.c.abcdefghijkl@lida.example>\n"
    "发送时间: 2026年11月21日 10:00\n"
    "收件人: 张伟 <zhang.wei@customer.example>\n"
    "主题: [TS-202611-0001] 解决方案：请确认是否同意\n\n"
    "尊敬的张伟先生：\n针对您的投诉，我们的处理方案如下：赔偿运费并补发货物。\n"
    "如您同意，请点击“同意 / Agree”；如不同意，请点击“不同意 / Disagree”并写明原因。\n"
)
QQ_ZH = (
    "\n\n------------------ 原始邮件 ------------------\n"
    '发件人: "利达物流客户服务中心"<complaints@lida.example>;\n'
    "发送时间: 2026年11月21日(星期六) 上午10:00\n"
    '收件人: "张伟"<zhang.wei@customer.example>;\n'
    "主题: [TS-202611-0001] 解决方案：请确认是否同意\n\n"
    "如您同意，请回复“同意”。\n"
)
NETEASE_ZH = (
    '\n\n\n在 2026-11-21 10:00:00，"利达物流客户服务中心" <complaints@lida.example> 写道：\n'
    "> 尊敬的客户：我们建议赔偿运费并补发货物，请确认是否同意。\n"
    "> 同意 / Agree    不同意 / Disagree\n"
)
GMAIL_EN = (
    "\n\nOn Sat, 21 Nov 2026 at 10:00, Lida Logistics Customer Service <\n"
    "complaints+ts-202611-0001.c.abcdefghijkl@lida.example> wrote:\n\n"
    "> Dear Ms Carter,\n> We propose to refund the freight. Do you agree?\n"
    "> Agree | Disagree\n"
)
APPLE_ZH = (
    "\n\n> 2026年11月21日 10:00，利达物流客户服务中心 <complaints@lida.example> 写道：\n"
    "> \n> 我们建议赔偿运费并补发货物。同意请回复“同意”。\n"
)
SIGNATURE_ZH = "\n\n王丽\n上海悦庭餐饮管理有限公司 采购部\n电话：021-5888 6721"
SIGNATURE_EN = "\n\nBest regards,\nTom Walker\nFine Foods Ltd\nTel. +86 21 5888 6721"

CASES: list[tuple[str, str, str, Verdict, str]] = [
    # (id, reply body, subject, verdict, why) - why only for UNCLEAR
    # --- plain agreement -----------------------------------------------------------------
    ("zh-agree", "同意", S, AGREE, ""),
    ("zh-agree-thanks-sig", "同意，谢谢。" + SIGNATURE_ZH + OUTLOOK_ZH, S, AGREE, ""),
    ("zh-agree-proceed", "我们同意这个方案，请尽快安排。" + QQ_ZH, S, AGREE, ""),
    ("zh-ok-do-it", "可以，就这样办吧", S, AGREE, ""),
    ("zh-haode", "好的，没问题。" + NETEASE_ZH, S, AGREE, ""),
    ("zh-accept", "接受贵司的处理方案。\n发自我的iPhone", S, AGREE, ""),
    ("zh-no-objection", "对方案没有意见，按方案办理即可。", S, AGREE, ""),
    ("zh-very-satisfied", "非常满意，感谢贵司的处理！", S, AGREE, ""),
    ("zh-grudging", "不得不同意吧，希望下次注意。", S, AGREE, ""),
    ("zh-so-be-it", "那就这样吧。", S, AGREE, ""),
    ("zh-repeated", "好的好的，辛苦了", S, AGREE, ""),
    ("zht-agree", "我同意這個方案，麻煩儘快處理，謝謝。" + APPLE_ZH, S, AGREE, ""),
    ("zht-no-problem", "沒問題，就這樣辦。", S, AGREE, ""),
    ("en-agree", "I agree, please go ahead." + SIGNATURE_EN + GMAIL_EN, S, AGREE, ""),
    ("en-ok", "OK", S, AGREE, ""),
    ("en-fine", "That's fine with me. Thanks for sorting it out.", S, AGREE, ""),
    ("en-accept", "We accept the proposal.\n\n--\nEmily Carter\nHarbour Bistro", "", AGREE, ""),
    ("en-yes-proceed", "Yes, please proceed.", S, AGREE, ""),
    ("en-no-objection", "No objection from our side, go ahead.", S, AGREE, ""),
    ("en-curly", "I’m happy with this solution.", S, AGREE, ""),
    # --- one-click links -----------------------------------------------------------------
    ("link-agree", "同意 / I agree.", "[TS-202611-0001] 同意 / Agree", AGREE, ""),
    ("link-agree-empty", "", "[TS-202611-0001] 同意 / Agree", AGREE, ""),
    ("link-agree-re", "", "Re: [TS-202611-0001] 同意 / Agree", AGREE, ""),
    (
        "link-disagree",
        "不同意 / I do not agree. 原因 / Reason: 金额太低，货值2560元。",
        "[TS-202611-0001] 不同意 / Disagree",
        DISAGREE,
        "",
    ),
    ("link-disagree-empty", "", "Re: [TS-202611-0001] 不同意 / Disagree", DISAGREE, ""),
    # --- refusals ------------------------------------------------------------------------
    ("zh-cannot-agree", "这个方案我没法同意。" + SIGNATURE_ZH, S, DISAGREE, ""),
    ("zh-unable", "无法同意，赔偿金额和实际损失相差太大。", S, DISAGREE, ""),
    ("zh-must-not", "不能同意，货物本身损坏了，需要赔偿货款。" + OUTLOOK_ZH, S, DISAGREE, ""),
    ("zh-hard", "很难同意这样的处理。", S, DISAGREE, ""),
    ("zh-cant-do", "同意不了，请重新考虑赔偿标准" + QQ_ZH, S, DISAGREE, ""),
    ("zh-cant-do-plain", "同意不了，你们必须全额赔偿。", S, DISAGREE, ""),
    ("zh-not-really", "不太能接受，运费也应该退。", S, DISAGREE, ""),
    ("zh-not-satisfied", "对这个方案不怎么满意。", S, DISAGREE, ""),
    ("zh-disagree", "不同意，赔偿太少了。", S, DISAGREE, ""),
    ("zh-reject", "我拒绝这个方案，我会向消费者协会投诉。", S, DISAGREE, ""),
    ("zh-no", "不行。" + NETEASE_ZH, S, DISAGREE, ""),
    ("zh-refusal-question", "不同意。为什么只赔这么少？", S, DISAGREE, ""),
    ("zht-unable", "我無法接受這個方案，損失遠不止這些。", S, DISAGREE, ""),
    ("zht-not-satisfied", "不滿意，請重新處理。", S, DISAGREE, ""),
    ("en-cant-agree", "I can't agree to this." + SIGNATURE_EN, S, DISAGREE, ""),
    ("en-cannot-accept", "I cannot accept this offer.", S, DISAGREE, ""),
    ("en-not-something", "It is not something we can accept.", S, DISAGREE, ""),
    ("en-disagree", "I disagree with the amount." + GMAIL_EN, S, DISAGREE, ""),
    ("en-no", "No. The cartons were worth twice as much.", S, DISAGREE, ""),
    ("en-unacceptable", "This is unacceptable.", S, DISAGREE, ""),
    ("en-not-happy", "We are not at all happy with this proposal.", S, DISAGREE, ""),
    ("en-dont-agree-curly", "I don’t agree.", S, DISAGREE, ""),
    ("en-do-not-proceed", "Please do not proceed with this.", S, DISAGREE, ""),
    # --- questions -----------------------------------------------------------------------
    ("zh-more", "你们可以再多赔一点吗？", S, UNCLEAR, "question"),
    ("zh-more-no-mark", "能不能再多赔一点", S, UNCLEAR, "question"),
    ("zh-when", "请问什么时候到货？", "Re: [TS-202611-0001] 解决方案", UNCLEAR, "question"),
    ("zh-agree-and-ask", "同意。赔款什么时候到账？", S, UNCLEAR, "question"),
    ("zh-a-not-a", "我想问一下同意不同意会有什么区别", S, UNCLEAR, "question"),
    ("zht-more", "可以再多賠一點嗎？", S, UNCLEAR, "question"),
    ("en-more", "Could you pay a bit more?", S, UNCLEAR, "question"),
    ("en-more-no-mark", "Is that the best you can do", S, UNCLEAR, "question"),
    ("en-accept-returns", "Can you accept a return instead?", S, UNCLEAR, "question"),
    # --- conditions ----------------------------------------------------------------------
    ("zh-but-freight", "同意，但运费要退", S, UNCLEAR, "condition"),
    ("zh-if", "如果能在周五前补发，我就同意。", S, UNCLEAR, "condition"),
    ("zh-also", "可以接受，另外运费也要退还给我。", S, UNCLEAR, "condition"),
    ("zht-but", "同意，不過運費要退。", S, UNCLEAR, "condition"),
    ("en-but", "I agree, but the freight charge must be refunded too.", S, UNCLEAR, "condition"),
    ("en-if", "Yes, if you also refund the delivery fee.", S, UNCLEAR, "condition"),
    ("en-as-long-as", "OK as long as the replacement arrives by Friday.", S, UNCLEAR, "condition"),
    # --- polite conditionals are not conditions -----------------------------------------
    ("zh-polite-if", "同意。如有问题请联系我。", S, AGREE, ""),
    ("en-polite-if", "Agreed. Let me know if you need anything else from me.", S, AGREE, ""),
    # --- double negatives, hesitation, mixed, nothing -------------------------------------
    ("zh-double-negative", "不是不同意，只是金额太少了。", S, UNCLEAR, "hedged"),
    ("zh-not-no", "我没有不同意，先等我问一下老板。", S, UNCLEAR, "hedged"),
    ("zh-think", "好的，我再考虑一下。", S, UNCLEAR, "hedged"),
    ("en-double-negative", "I don't disagree, but the amount seems low.", S, UNCLEAR, "hedged"),
    ("en-not-sure", "Not sure about this, let me check with my manager.", S, UNCLEAR, "hedged"),
    ("zh-mixed", "赔偿金额可以接受，补发时间不能接受。", S, UNCLEAR, "mixed"),
    ("en-mixed", "I accept the refund but I do not accept the delay.", S, UNCLEAR, "mixed"),
    ("zh-received", "收到。" + SIGNATURE_ZH + OUTLOOK_ZH, S, UNCLEAR, "nothing"),
    ("zh-thanks", "谢谢", S, UNCLEAR, "nothing"),
    ("en-thanks", "Thanks, received." + GMAIL_EN, S, UNCLEAR, "nothing"),
    ("empty-quote-only", OUTLOOK_ZH, S, UNCLEAR, "nothing"),
    ("empty", "", S, UNCLEAR, "nothing"),
]


@pytest.mark.parametrize(
    ("body", "subject", "verdict", "why"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_customer_answer_to_a_proposal(body: str, subject: str, verdict: Verdict, why: str) -> None:
    answer = read_answer(body, subject)
    assert (answer.verdict, answer.why) == (verdict, why), answer


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({case[0] for case in CASES}) == len(CASES)


def test_a_refusal_carries_the_customers_own_words_as_the_objection() -> None:
    answer = read_answer("不同意，赔偿太少了，货值2560元。" + SIGNATURE_ZH + OUTLOOK_ZH, SUBJECT)
    assert answer.verdict is DISAGREE
    assert answer.text.startswith("不同意，赔偿太少了，货值2560元。")
    assert "赔偿运费并补发货物" not in answer.text  # the quoted proposal is not theirs


def test_the_decisive_words_are_named() -> None:
    assert read_answer("这个方案我没法同意。").phrase == "方案我没法同意"
    assert read_answer("同意，但运费要退").phrase == "但"
    assert read_answer("I can't agree to this.").phrase == "can't agree"


def test_a_subject_deeper_than_its_start_is_no_answer() -> None:
    assert read_answer("", "Re: [TS-202611-0001] 解决方案：请确认是否同意").why == "nothing"


@pytest.mark.parametrize(
    ("reply", "own"),
    [
        ("同意\n\nBest regards,\nTom\nFine Foods Ltd", "同意"),
        ("不同意。\n此致\n敬礼\n王丽", "不同意。"),
        ("OK\n\n-- \nFine Foods", "OK"),
        ("I agree.\n\nOn Sat, 21 Nov 2026, Desk <d@lida.example> wrote:\n> Agree", "I agree."),
    ],
)
def test_own_words_stop_at_sign_off_signature_and_quote(reply: str, own: str) -> None:
    assert own_words(reply) == own


@pytest.mark.parametrize(
    "text",
    [" " * 200000 + "x", "\u3000" * 50000 + "\n同意", "best " * 100000, "同意，" * 100000],
)
def test_long_and_odd_replies_are_read_quickly(text: str) -> None:
    started = time.perf_counter()
    read_answer(text, "Re: [TS-202611-0001] 解决方案")
    assert time.perf_counter() - started < 1.0
