"""The text of ``tickets reply/propose/close/note``: from the option, a file or stdin."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from complaintd.errors import UsageError

STDIN = "-"


def read_text(args: argparse.Namespace) -> str:
    """The text the command was given (``--text``, ``--file F`` or ``-``), trimmed.

    Raises :class:`UsageError` for an unreadable or non-UTF-8 file and for empty text:
    nothing is sent then.
    """
    if args.text is not None:
        text = args.text
    elif args.file is not None and args.file != STDIN:
        text = _read_file(Path(args.file))
    else:
        text = _read_stdin()
    if not text.strip():
        raise UsageError("the text is empty; nothing was sent")
    return text.strip()


def _read_file(path: Path) -> str:
    """A UTF-8 text file (a byte-order mark, as Windows editors write, is allowed)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"--file {path}: {exc.strerror or exc}") from exc
    return _decode(data, f"--file {path}")


def _read_stdin() -> str:
    """Everything on standard input (UTF-8); a person at a terminal is told how to end it."""
    if sys.stdin is None:
        raise UsageError("no standard input to read the text from")
    if sys.stdin.isatty():
        print("complaintd: type the text, then Ctrl-D on a line of its own", file=sys.stderr)
    raw = getattr(sys.stdin, "buffer", None)  # bytes, whatever the locale says
    return _decode(raw.read(), "standard input") if raw is not None else sys.stdin.read()


def _decode(data: bytes, where: str) -> str:
    """UTF-8 text, a byte-order mark (as Windows editors write) allowed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{where}: not UTF-8 text (byte {exc.start}); save it as UTF-8 and try again"
        ) from exc
