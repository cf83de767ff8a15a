"""Measure how well the parse stage reads real mail shapes, over whole corpora.

Not a test (pytest only collects test_*.py); run it directly::

    .venv/bin/python tests/parse/measure_reading.py [--corpora /work/shared/corpora]

To measure another checkout's parser with the same yardstick, put its package
first on the path::

    PYTHONPATH=/work/main/daemon .venv/bin/python tests/parse/measure_reading.py

What is counted (every figure is "kept right / tried"):

* **messages**: every mail file of the corpora parses (no PermanentError).
* **senders**: a From address is found; how many came from a fallback header.
* **From shapes**: each message's own From address rewritten the way real
  clients and web forms write it (no angle brackets, encoded name before a bare
  address, quoted address, raw comma or colon inside a Q-encoded name, a stray
  ``>`` in the name, no address at all but a Reply-To) still gives that address.
* **header blocks**: a junk line before the headers, or a Subject continued on
  an unindented line, still gives the same From and Subject.
* **reply bodies**: every reply fixture and every corpus body, quoted below a
  customer line that ends in a colon and carries a waybill (Chinese, English)
  or an address, keeps that line; a customer line put right above the first
  ``>`` quote of each text is kept; signatures and mobile tags left in replies.
* **format=flowed**: soft line breaks left in flowed bodies.
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # repo root, for tests.parse

from complaintd.errors import PermanentError
from complaintd.parse import ParsedMessage, parse_message, strip_reply
from tests.parse.corpus import LICENCE_NAMES, TEXT_FIXTURE_DIRS, TEXT_FIXTURE_SUFFIX

SHARED = Path("/work/shared/corpora")
_FROM_FIELD = re.compile(rb"^From:[^\n]*\n(?:[ \t][^\n]*\n)*", re.IGNORECASE | re.MULTILINE)
_SUBJECT_FIELD = re.compile(rb"^Subject:([^\n]*)\n", re.IGNORECASE | re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
# The shapes of item 2 of issue 11; {a} is the message's own address.
FROM_SHAPES = {
    "name_no_brackets": "张三 {a}",
    "gb2312_name_bare_address": "=?gb2312?B?1cXI/Q==?= {a}",
    "quoted_address_no_brackets": '"{a}"',
    "quoted_name_bare_address": '"张三" {a}',
    "raw_comma_in_q_name": "=?utf-8?Q?Zhang,_San?= <{a}>",
    "raw_colon_in_q_name": "=?utf-8?Q?Support:_Desk?= <{a}>",
    "stray_angle_in_name": "Zhang \u2039San> <{a}>",
}
CUSTOMER_LINES = (
    "运单号 SF123456789012 的包裹破损了，详情见下：",
    "My parcel 1Z999AA10123456784 arrived damaged, details below:",
    "照片请发到 zhangsan@example.cn，原邮件如下：",
)
SIGNATURE_TAGS = (
    "-- \n张三\n13800000000",
    "Sent from my iPhone",
    "发自我的iPhone",
    "从我的小米手机发送",
    "Get Outlook for Android",
    "获取 Outlook for Android",
    "发自网易邮箱大师",
    "发自我的 Galaxy",
    "从 Windows 版邮件发送",
    "Enviado do meu iPhone",
)
_LEFT_SIGNATURE = re.compile(
    r"^(?:-- ?|sent from my .*|发自我的.*|从我的.*发送|get outlook for .*|获取 outlook.*|发自网易.*"
    r"|来自网易.*)$",
    re.IGNORECASE | re.MULTILINE,
)


def mail_files(root: Path) -> list[Path]:
    """Every mail file under ``root`` (licences and reply-text fixtures left out)."""
    return [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file()
        and path.name not in LICENCE_NAMES
        and not path.name.endswith(TEXT_FIXTURE_SUFFIX)
        and not path.relative_to(root).as_posix().startswith(TEXT_FIXTURE_DIRS)
        and path.name != "MANIFEST.md"
    ]


def text_fixtures(root: Path) -> list[str]:
    """The reply-parser text fixtures (crisp, zapier), decoded as UTF-8."""
    paths = [p for d in TEXT_FIXTURE_DIRS for p in sorted((root / d).rglob("*.txt"))]
    return [p.read_bytes().decode("utf-8", "replace") for p in paths]


def parse_or_none(raw: bytes) -> ParsedMessage | None:
    """The parsed message, or None when the parser rejects it as not mail."""
    try:
        return parse_message(raw)
    except PermanentError:
        return None


class Tally:
    """Named "right / tried" counters, printed in order of first use."""

    def __init__(self) -> None:
        """Start with no counters."""
        self.right: Counter[str] = Counter()
        self.tried: Counter[str] = Counter()

    def add(self, name: str, ok: bool) -> None:
        """Count one try of ``name``."""
        self.tried[name] += 1
        self.right[name] += ok

    def lines(self) -> Iterator[str]:
        """One "name: right / tried" line per counter."""
        for name, tried in self.tried.items():
            yield f"  {name:<44} {self.right[name]:>6} / {tried}"


def measure_messages(raws: list[bytes], tally: Tally) -> list[tuple[bytes, ParsedMessage]]:
    """Parse every message; count parsed ones, senders and fallbacks."""
    parsed: list[tuple[bytes, ParsedMessage]] = []
    for raw in raws:
        message = parse_or_none(raw)
        tally.add("messages parsed", message is not None)
        if message is None:
            continue
        parsed.append((raw, message))
        tally.add("sender found", message.from_addr is not None)
        source = getattr(message, "sender_source", "from")
        tally.add("sender found in a fallback header", source not in ("from", None))
    return parsed


def with_from(raw: bytes, value: str, extra: str = "") -> bytes:
    """``raw`` with its first From field replaced by ``value`` (UTF-8) and ``extra`` fields."""
    eol = "\r\n" if b"\r\n" in raw[:2000] else "\n"
    field = f"From: {value}{eol}{extra}".encode()
    return _FROM_FIELD.sub(lambda _match: field, raw, count=1)


def sender_of(raw: bytes) -> str | None:
    """The sender address parse_message finds in ``raw``, or None."""
    message = parse_or_none(raw)
    return message.from_addr.email if message and message.from_addr else None


def measure_from_shapes(parsed: list[tuple[bytes, ParsedMessage]], tally: Tally) -> None:
    """Rewrite each message's From the ways clients write it; is the address kept?"""
    for raw, message in parsed:
        address = message.from_addr.email if message.from_addr else ""
        if "@" not in address or not _FROM_FIELD.search(raw):
            continue
        for shape, template in FROM_SHAPES.items():
            changed = with_from(raw, template.format(a=address))
            tally.add(f"From: {shape}", sender_of(changed) == address)
        if not message.reply_to:  # a Reply-To of its own would come first
            no_address = with_from(raw, "张三", _reply_to(raw, address))
            tally.add("From: no address, Reply-To has it", sender_of(no_address) == address)


def _reply_to(raw: bytes, address: str) -> str:
    """A Reply-To field in ``raw``'s line-end style."""
    eol = "\r\n" if b"\r\n" in raw[:2000] else "\n"
    return f"Reply-To: {address}{eol}"


def same_reading(raw: bytes, message: ParsedMessage) -> bool:
    """``raw`` parses to ``message``'s From and Subject."""
    again = parse_or_none(raw)
    if again is None:
        return False
    return again.from_addr == message.from_addr and _words(again.subject) == _words(message.subject)


def _words(text: str) -> str:
    """Text with all white space removed (folding may add or drop spaces)."""
    return "".join(text.split())


def measure_header_blocks(parsed: list[tuple[bytes, ParsedMessage]], tally: Tally) -> None:
    """Junk before the headers, and a Subject continued without indentation."""
    for raw, message in parsed:
        if message.from_addr is None:
            continue
        eol = b"\r\n" if b"\r\n" in raw[:2000] else b"\n"
        junk = b"---- Original email message ----" + eol + raw
        tally.add("junk line before the headers", same_reading(junk, message))
        unindented = _unindent_subject(raw, eol)
        if unindented is not None:
            tally.add("Subject continued without indentation", same_reading(unindented, message))


def _unindent_subject(raw: bytes, eol: bytes) -> bytes | None:
    """``raw`` with its Subject split over two lines, the second unindented."""
    end = _HEADER_END.search(raw)
    match = _SUBJECT_FIELD.search(raw, 0, end.start() if end else len(raw))
    if match is None or b" " not in match.group(1).strip():
        return None
    value = match.group(1).rstrip(b"\r").strip()
    if value.startswith(b"=?"):  # an encoded word: keep it whole
        return None
    first, _, rest = value.partition(b" ")
    field = b"Subject: " + first + eol + rest + eol
    return raw[: match.start()] + field + raw[match.end() :]


def measure_replies(texts: list[str], tally: Tally) -> None:
    """Customer lines above quotes kept; signatures removed."""
    for text in texts:
        original = strip_reply(text)
        for number, line in enumerate(CUSTOMER_LINES, 1):
            reply = "您好，\n" + line + "\n\n" + _quoted(original)
            tally.add(f"customer colon line {number} above a quote", line in strip_reply(reply))
        _measure_line_above_first_quote(text, tally)
        tally.add("reply without a signature or mobile tag", not _LEFT_SIGNATURE.search(original))
    replies = [strip_reply(text) for text in texts]
    replies = [body for body in replies if strip_reply("您好\n\n" + body) != "您好"]
    for tag in SIGNATURE_TAGS:
        last = tag.splitlines()[-1]
        for body in replies:  # those that are not all quote or signature themselves
            reply = strip_reply(body + "\n\n" + tag)
            tally.add(f"signature {tag.splitlines()[0]!r} stripped", last not in reply.split("\n"))


def _quoted(text: str) -> str:
    """``text`` quoted the way clients quote it (``> `` before every line)."""
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


def _measure_line_above_first_quote(text: str, tally: Tally) -> None:
    """Put the Chinese customer line right above the first ``>`` quote of ``text``."""
    lines = text.replace("\r\n", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.lstrip().startswith(">")), None)
    if first is None:
        return
    kept = set(strip_reply(text).split("\n"))
    position = first  # above the attribution or header that introduces the quote, if any
    while position > 0 and lines[position - 1].rstrip() not in kept - {""}:
        position -= 1
    line = CUSTOMER_LINES[0]
    changed = "\n".join([*lines[:position], "", line, *lines[position:]])
    tally.add("customer colon line right above a text's first quote", line in strip_reply(changed))


def measure_flowed(parsed: list[tuple[bytes, ParsedMessage]], tally: Tally) -> None:
    """Messages with a format=flowed part: soft line breaks left unjoined in the body."""
    for raw, message in parsed:
        if re.search(rb"format\s*=\s*\"?flowed", raw, re.IGNORECASE):
            lines = message.body.text.split("\n")
            soft = [a for a, b in itertools.pairwise(lines) if _soft_break(a, b)]
            tally.add("format=flowed body without soft breaks left", not soft)


def _soft_break(line: str, following: str) -> bool:
    """``line`` ends in a space and ``following`` continues it at the same quote depth."""
    if not line.endswith(" ") or line.strip(" >") in ("", "--") or not following.strip(" >"):
        return False
    return len(line) - len(line.lstrip(">")) == len(following) - len(following.lstrip(">"))


def run(root: Path, out: Callable[[str], None]) -> None:
    """Measure everything over the corpora in ``root`` and print the counts."""
    files = mail_files(root)
    raws = [path.read_bytes() for path in files]
    tally = Tally()
    parsed = measure_messages(raws, tally)
    measure_from_shapes(parsed, tally)
    measure_header_blocks(parsed, tally)
    bodies = [message.body.text for _raw, message in parsed if message.body.text.strip()]
    measure_replies(text_fixtures(root) + bodies, tally)
    measure_flowed(parsed, tally)
    out(f"corpora: {root} ({len(files)} mail files)")
    for line in tally.lines():
        out(line)


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=SHARED)
    run(parser.parse_args().corpora, print)


if __name__ == "__main__":
    main()
