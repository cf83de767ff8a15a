"""Benchmark of complaintd.classify on 1,000 realistic mails (not collected by pytest).

Run: ``.venv/bin/python tests/classify/bench_classify.py``.  Seconds for 1,000 messages
are printed, which is milliseconds per message.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable

from tests.support.samples import generate_mailbox

from complaintd.classify import classify, detect_language, extract_registration
from complaintd.parse import parse_message
from complaintd.parse.model import ParsedMessage

ps = [parse_message(r) for r in generate_mailbox(1000, seed=1)]
d = datetime.date(2026, 11, 20)


def t(name: str, fn: Callable[[ParsedMessage], object]) -> None:
    """Time ``fn`` over every sample message and print ms per message."""
    s = time.perf_counter()
    for p in ps:
        fn(p)
    print(f"{name:12} {(time.perf_counter() - s):.3f} ms/msg")


t("classify", lambda p: classify(p.subject, p.body.text))
t("extract", lambda p: extract_registration(p.subject, p.body.text, d))
t("lang", lambda p: detect_language(p.subject + p.body.text))
