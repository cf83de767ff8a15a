"""The timed jobs' pure decisions: which chase step is next, when a survey step falls due."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from complaintd.config.model import ScheduleConfig
from complaintd.jobs.chase import next_chase_step
from complaintd.jobs.survey import score_links, survey_mailto
from complaintd.jobs.survey_plan import EXPIRY, REMINDER, SURVEY, next_survey_step
from complaintd.jobs.survey_reply import read_survey_answer
from complaintd.store.timed import Survey

SCHEDULE = ScheduleConfig(time(8), 24, 2, 3, 4)
T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("reminders", "escalate_after", "expected"),
    [
        (0, 2, ("chaser", 1)),
        (1, 2, ("chaser", 2)),
        (2, 2, ("escalation", 1)),
        (0, 0, ("escalation", 1)),  # escalate_after_reminders = 0: straight to the manager
    ],
)
def test_next_chase_step(reminders: int, escalate_after: int, expected: tuple[str, int]) -> None:
    assert next_chase_step(reminders, escalate_after) == expected


def days(n: float) -> timedelta:
    return timedelta(days=n)


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, (SURVEY, T0 + days(3), True)),
        ({"sent_at": T0 + days(3)}, (REMINDER, T0 + days(7), True)),
        ({"sent_at": T0 + days(3), "reminded_at": T0 + days(8)}, (EXPIRY, T0 + days(12), False)),
        ({"sent_at": T0 + days(3), "answered_at": T0 + days(4)}, None),
        ({"sent_at": T0, "reminded_at": T0, "expired_at": T0}, None),
    ],
)
def test_next_survey_step(facts: dict[str, datetime], expected: tuple | None) -> None:
    survey = Survey(started_at=T0, **facts)
    step = next_survey_step(survey, SCHEDULE)
    assert (None if step is None else (step.step, step.due_at, step.sends_mail)) == expected


def test_every_score_link_answers_with_its_own_score() -> None:
    """What a client puts in the reply when the customer clicks a score is read back as it."""
    from urllib.parse import parse_qs, urlsplit

    links = score_links("complaints+tok@lida.example", "TS-202611-0001", "zh-CN")
    assert [link["score"] for link in links] == [5, 4, 3, 2, 1]
    for link in links:
        url = urlsplit(str(link["mailto"]))
        assert url.scheme == "mailto" and url.path == "complaints+tok@lida.example"
        query = parse_qs(url.query)
        answer = read_survey_answer(query["body"][0], query["subject"][0])
        assert answer is not None and answer.score == link["score"]
    assert survey_mailto("a@b.example", "TS-1", 3).startswith("mailto:a@b.example?subject=")
