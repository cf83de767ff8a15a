"""How often decode_bytes gets short texts right, by encoding and label.

Not a test; run it directly (the corpora directory as for measure_corpora.py)::

    .venv/bin/python tests/parse/measure_charset_fragments.py [CORPORA_DIR] [--seed 7]

Chinese fragments (1-30 characters) are cut from the hand-checked Chinese
fixtures, Western lines from corpus bodies decoded as Latin text; each is
encoded and decoded under a label (or none) and counted right only when the
text comes back exactly.  Short fragments are where the GB/Big5/Latin guesses
are hardest, so these figures are lower than whole messages would give.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root, for tests.parse

from complaintd.parse import decode_bytes, parse_message
from tests.parse.corpus import CORPORA
from tests.parse.measure_corpora import mail_paths

CHINESE_SOURCES = (
    "letters/test_chinese_plaintext_gbk_over_base64.txt",
    "spamassassin/nice/cjk/gb2312.2",
    "spamassassin/nice/cjk/big5-base64.1",
    "gen_smtp/fixtures/chinesemail",
    "mailcore2/summary/input/4851-chinese.eml",
    "spamscope-mail-parser/mails/mail_test_12",
)
CHINESE_CASES = (
    ("gbk", None), ("gbk", "gb2312"), ("gb18030", "gbk"), ("big5", None), ("big5", "big5"),
    ("utf-8", None), ("gbk", "iso-8859-1"), ("gbk", "us-ascii"),
)  # fmt: skip
WESTERN_CASES = (
    ("utf-8", "utf-8"), ("latin-1", "iso-8859-1"), ("latin-1", None), ("cp1252", "windows-1252"),
)  # fmt: skip
_RUN = re.compile(r"[\u4e00-\u9fff，。、！？：；“”（）0-9A-Za-z ]{2,}")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WESTERN_LINE = re.compile(r"^[\x20-\x7e\xa0-\xff]*[\xc0-\xff][\x20-\x7e\xa0-\xff]*$")


def chinese_fragments(root: Path, count: int, rng: random.Random) -> list[str]:
    """``count`` random fragments of the Chinese fixtures' bodies."""
    text = "".join(parse_message((root / name).read_bytes()).body.text for name in CHINESE_SOURCES)
    runs = [run for run in _RUN.findall(text) if _HAN.search(run)]
    fragments: list[str] = []
    while len(fragments) < count:
        run = rng.choice(runs)
        size = rng.randint(1, 30)
        start = rng.randint(0, max(0, len(run) - size))
        if _HAN.search(run[start : start + size]):
            fragments.append(run[start : start + size])
    return fragments


def western_lines(root: Path) -> list[str]:
    """Lines with Latin-1 letters from corpus bodies, and their capitalised forms."""
    lines: set[str] = set()
    for path in mail_paths(root):
        try:
            message = parse_message(path.read_bytes())
        except Exception:  # not mail; measure_corpora counts those
            continue
        lines.update(line.strip() for line in message.body.text.splitlines())
    found = sorted(line for line in lines if _WESTERN_LINE.match(line) and len(line) < 200)
    return found + [line.upper() for line in found if _WESTERN_LINE.match(line.upper())]


def score(texts: list[str], cases: tuple[tuple[str, str | None], ...]) -> None:
    """Print, per (encoding, label), how many texts decode back exactly."""
    for encoding, label in cases:
        right = total = 0
        for text in texts:
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                continue
            total += 1
            right += decode_bytes(data, label).text == text
        print(f"{encoding + ' labelled ' + str(label):32} {right}/{total} ({right / total:.1%})")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=CORPORA)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--count", type=int, default=6000)
    args = parser.parse_args()
    print("Chinese fragments:")
    score(chinese_fragments(args.root, args.count, random.Random(args.seed)), CHINESE_CASES)
    print("Western lines:")
    score(western_lines(args.root), WESTERN_CASES)


if __name__ == "__main__":
    main()
