"""Where the test mail lives, and small helpers shared by the parse tests."""

from __future__ import annotations

from pathlib import Path

from complaintd.parse import ParsedMessage, parse_message

CORPORA = Path(__file__).resolve().parent.parent / "corpora"
HANDMADE = Path(__file__).resolve().parent / "eml"

# Files copied for their licence or as reply-parser text fixtures: not mail.
LICENCE_NAMES = frozenset(
    {"LICENSE", "LICENSE.md", "LICENSE.txt", "LICENSE-PSF", "MIT-LICENSE", "NOTICE",
     "NOTICE.txt", "COPYING", "COPYING-GPL-3", "README.md"}
)  # fmt: skip
TEXT_FIXTURE_DIRS = ("zapier-email-reply-parser", "crisp-email-reply-parser")
TEXT_FIXTURE_SUFFIX = "_reply_text"  # talon's expected outputs


def corpus_bytes(relative: str) -> bytes:
    """Raw bytes of a copied corpus file (path relative to tests/corpora)."""
    return (CORPORA / relative).read_bytes()


def corpus_text(relative: str) -> str:
    """A reply-parser text fixture, decoded as the upstream tests read it (UTF-8)."""
    return corpus_bytes(relative).decode("utf-8")


def parse_corpus(relative: str) -> ParsedMessage:
    """Parse a copied corpus message."""
    return parse_message(corpus_bytes(relative))


def parse_handmade(name: str) -> ParsedMessage:
    """Parse one of the hand-made messages in tests/parse/eml."""
    return parse_message((HANDMADE / name).read_bytes())


def mail_files() -> list[str]:
    """Every copied corpus file that is a mail message (relative paths, sorted)."""
    found = []
    for path in sorted(CORPORA.rglob("*")):
        relative = path.relative_to(CORPORA).as_posix()
        if not path.is_file() or path.name in LICENCE_NAMES:
            continue
        if relative.startswith(TEXT_FIXTURE_DIRS) or path.name.endswith(TEXT_FIXTURE_SUFFIX):
            continue
        found.append(relative)
    return found


def all_text(message: ParsedMessage) -> list[str]:
    """Every text field a message stores, for "never U+FFFD" style checks."""
    texts = [message.subject, message.body.text, message.reply_text]
    addresses = [message.from_addr, *message.to, *message.cc, *message.reply_to]
    texts += [a.name for a in addresses if a is not None]
    texts += [a.filename for a in message.attachments]
    texts += list(message.headers.values())
    return texts
