"""Measure the parse stage on a mail corpus: decoding and machine-mail figures.

Not a test (pytest only collects test_*.py); run it directly::

    .venv/bin/python tests/parse/measure_corpora.py [CORPORA_DIR] [--dump FILE]

CORPORA_DIR defaults to tests/corpora; the full vetted collection is
/work/shared/corpora (see its MANIFEST.md).  Prints, over every mail file:

* messages whose stored text holds U+FFFD, private-use characters, or
  ``\\xNN`` escapes for undecodable bytes, and bodies not decoded cleanly;
* for the mailcore2 ``summary`` pairs, how many of the non-ASCII characters of
  mailcore2's expected output appear in our subject and body;
* how many messages each automated kind claims;
* on the labelled out-of-office set (tests/parse/oof_samples.py, auto-reply
  headers removed): replies recognised and complaints taken for replies.

``--dump FILE`` writes one JSON line per message, to compare two runs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root, for tests.parse

from complaintd.errors import PermanentError
from complaintd.parse import ParsedMessage, parse_message
from tests.parse.corpus import CORPORA, LICENCE_NAMES, TEXT_FIXTURE_DIRS, all_text
from tests.parse.oof_samples import NEGATIVES, POSITIVES, client_mail

_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
_ESCAPED_BYTE = re.compile(r"\\x[0-9a-f]{2}")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def mail_paths(root: Path) -> list[Path]:
    """Every mail file under ``root`` (licences and reply-text fixtures left out)."""
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if not path.is_file() or path.name in LICENCE_NAMES or path.suffix == ".md":
            continue
        if relative.startswith(TEXT_FIXTURE_DIRS) or path.name.endswith("_reply_text"):
            continue
        if "/summary/output/" in f"/{relative}" or "/parser/output/" in f"/{relative}":
            continue
        found.append(path)
    return found


def text_facts(message: ParsedMessage) -> dict[str, bool]:
    """Which kinds of damage the stored text of one message shows."""
    texts = all_text(message)
    return {
        "fffd": any("\ufffd" in t for t in texts),
        "private_use": any(_PRIVATE_USE.search(t) for t in texts),
        "escaped_bytes": bool(_ESCAPED_BYTE.search(message.body.text))
        and message.body.undecoded is not None,
        "body_unclean": message.body.undecoded is not None,
    }


def expected_char_recall(message: ParsedMessage, expected: str) -> tuple[int, int]:
    """(found, total) non-ASCII characters of mailcore2's expected summary.

    The summary holds From, To, Subject and the body text, so all are searched.
    """
    wanted = Counter(_NON_ASCII.findall(expected))
    names = [a.name for a in (message.from_addr, *message.to, *message.cc) if a is not None]
    have = Counter(_NON_ASCII.findall(" ".join([message.subject, message.body.text, *names])))
    found = sum(min(count, have[ch]) for ch, count in wanted.items())
    return found, sum(wanted.values())


def measure(root: Path, dump: Path | None) -> None:
    """Parse every message under ``root`` and print the figures."""
    totals: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    recall = [0, 0]
    lines = []
    for path in mail_paths(root):
        name = path.relative_to(root).as_posix()
        totals["messages"] += 1
        try:
            message = parse_message(path.read_bytes())
        except PermanentError:
            totals["not mail (PermanentError)"] += 1
            continue
        facts = text_facts(message)
        totals.update(key for key, value in facts.items() if value)
        kinds[message.automated.value if message.automated else "person"] += 1
        expected = path.parent.parent / "output" / f"{path.stem}.txt"
        if "/summary/input/" in f"/{name}" and expected.is_file():
            found, total = expected_char_recall(message, expected.read_text("utf-8", "replace"))
            recall[0] += found
            recall[1] += total
            totals["mailcore2 pairs"] += 1
            totals["mailcore2 pairs fully right"] += found == total
        lines.append(
            {"name": name, **facts, "kind": message.automated, "subject": message.subject,
             "reason": message.automated_reason, "charset": message.body.charset}
        )  # fmt: skip
    for key, value in totals.items():
        print(f"{key:40} {value}")
    print(f"{'mailcore2 expected non-ASCII chars':40} {recall[0]}/{recall[1]}")
    for key, value in sorted(kinds.items()):
        print(f"{'automated ' + key:40} {value}")
    measure_out_of_office()
    if dump:
        dump.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))


def measure_out_of_office() -> None:
    """Print recall and false positives on the labelled out-of-office set."""
    caught = sum(_is_auto_reply(client_mail(s, n)) for n, s in enumerate(POSITIVES))
    taken = sum(
        parse_message(client_mail(s, n)).automated is not None for n, s in enumerate(NEGATIVES)
    )
    print(f"{'out-of-office replies recognised':40} {caught}/{len(POSITIVES)}")
    print(f"{'complaints taken for machine mail':40} {taken}/{len(NEGATIVES)}")


def _is_auto_reply(raw: bytes) -> bool:
    """True when the parse stage calls ``raw`` an auto-reply."""
    kind = parse_message(raw).automated
    return kind is not None and kind.value == "auto_reply"


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("root", nargs="?", type=Path, default=CORPORA)
    parser.add_argument("--dump", type=Path, default=None)
    args = parser.parse_args()
    measure(args.root, args.dump)


if __name__ == "__main__":
    main()
