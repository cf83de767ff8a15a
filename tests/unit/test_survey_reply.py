"""The survey-reply parser: scores, verdicts and comments as customers write them."""

from __future__ import annotations

import pytest

from complaintd.jobs.survey_reply import read_survey_answer

CASES = [
    # (text, score, satisfied, comment, unhappy)
    ("5", 5, None, "", False),
    ("五星", 5, None, "", False),
    ("五星！", 5, None, "", False),
    ("非常满意", 5, True, "非常满意", False),
    ("满意，谢谢你们", 4, True, "满意，谢谢你们", False),
    ("2分,司机态度也不好", 2, None, "司机态度也不好", True),
    ("2分，司机态度差", 2, None, "司机态度差", True),
    ("给4分吧，处理得还算及时", 4, None, "给4分吧，处理得还算及时", False),
    ("3分", 3, None, "", False),
    ("very satisfied", 5, True, "very satisfied", False),
    ("Very satisfied, thank you!", 5, True, "Very satisfied, thank you", False),
    ("3 - driver late again", 3, None, "driver late again", False),
    ("4/5 good job", 4, None, "good job", False),
    ("I'd give it 4 stars.", 4, None, "I'd give it 4 stars", False),
    ("★★★★☆", 4, None, "", False),
    ("1", 1, None, "", True),
    # negations
    ("不满意", 2, False, "不满意", True),
    ("不太满意，赔偿太慢", 2, False, "不太满意，赔偿太慢", True),
    ("非常不满意！！！", 1, False, "非常不满意", True),
    ("4分，但对司机不满意", 4, False, "但对司机不满意", True),
    ("not satisfied", 2, False, "not satisfied", True),
    (
        "Not very happy with how long it took.",
        2,
        False,
        "Not very happy with how long it took",
        True,
    ),
    ("dissatisfied", 2, False, "dissatisfied", True),
    ("没有不满意，挺好的", 4, True, "没有不满意，挺好的", False),
    ("I am not unhappy with the result", 4, True, "I am not unhappy with the result", False),
    # the mailto answer, and what a customer adds under it
    ("评分 / Score: 5\n意见 / Comment: ", 5, None, "", False),
    (
        "评分 / Score: 2\n意见 / Comment: 赔偿款到现在还没到账",
        2,
        None,
        "赔偿款到现在还没到账",
        True,
    ),
    ("一般般吧", 3, None, "一般般吧", False),
    ("太差了", 1, None, "太差了", True),
]


@pytest.mark.parametrize(
    ("text", "score", "satisfied", "comment", "unhappy"), CASES, ids=[c[0] for c in CASES]
)
def test_reads_scores_verdicts_and_comments(
    text: str, score: int, satisfied: bool | None, comment: str, unhappy: bool
) -> None:
    answer = read_survey_answer(text)
    assert answer is not None
    assert (answer.score, answer.satisfied, answer.comment, answer.unhappy) == (
        score,
        satisfied,
        comment,
        unhappy,
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "货到现在还没收到，请帮忙查一下",
        "3天了还没人联系我",  # a number of days, not a score
        "等了两星期",  # 星期 is a week, not a star
        "运单号SF1402736591",
        "10分钟前打过电话",
        "Please call me back at 021-58886721",
        "See the attached photos",
    ],
)
def test_text_without_a_score_or_verdict_is_no_survey_answer(text: str) -> None:
    assert read_survey_answer(text) is None


def test_the_subject_of_a_mailto_answer_counts_only_when_labelled() -> None:
    answer = read_survey_answer("", "[TS-202611-0001] 评分 3 / Score 3")
    assert answer is not None and answer.score == 3
    assert read_survey_answer("", "回复：[TS-202611-0001] 满意度回访：请为本次处理打个分") is None
    assert read_survey_answer("", "Re: [TS-202611-0005] How did we do?") is None
