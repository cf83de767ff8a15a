"""Micro-benchmark: parse_message against the stdlib floor.

Times ``complaintd.parse.parse_message`` and
``email.message_from_bytes(raw, policy=email.policy.default)`` over every copied
corpus message and the hand-made ones, best of N rounds, and prints the ratio.
Not a test (pytest only collects test_*.py); run it directly::

    .venv/bin/python tests/parse/bench_parse.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root, for tests.parse

from complaintd.parse import parse_message
from tests.parse.corpus import CORPORA, HANDMADE, mail_files


def _messages() -> list[bytes]:
    """Raw bytes of every corpus mail file and every hand-made .eml."""
    raws = [(CORPORA / name).read_bytes() for name in mail_files()]
    return raws + [path.read_bytes() for path in sorted(HANDMADE.glob("*.eml"))]


def _best_time(function: Callable[[bytes], object], raws: list[bytes], rounds: int) -> float:
    """Fastest of ``rounds`` passes over all messages, in seconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for raw in raws:
            function(raw)
        best = min(best, time.perf_counter() - start)
    return best


def _floor(raw: bytes) -> object:
    """What the ingest benchmark compares against."""
    return email.message_from_bytes(raw, policy=email.policy.default)


def main() -> None:
    """Run the benchmark and print the parse/floor ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    raws = _messages()
    parse_message(raws[0])  # warm caches (codec tables, CJK sets) outside the timing
    ours = _best_time(parse_message, raws, rounds)
    floor = _best_time(_floor, raws, rounds)
    print(f"messages: {len(raws)} ({sum(map(len, raws)) / 1e6:.2f} MB), best of {rounds}")
    print(f"parse_message:                     {ours * 1000:8.1f} ms")
    print(f"message_from_bytes(policy=default): {floor * 1000:8.1f} ms")
    print(f"ratio parse/floor: {ours / floor:.2f}")


if __name__ == "__main__":
    main()
