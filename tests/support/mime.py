"""Byte-exact MIME building blocks for the sample mail.

The stdlib ``email`` package picks charsets and transfer encodings itself and
draws random multipart boundaries; real Chinese mail needs things it will not
do on its own (GBK bytes under a ``gb2312`` label, RFC 2047 words inside
``filename=`` parameters).  These helpers build ``email.message.Message``
objects whose payloads are already encoded, with explicit boundaries, and
flatten them with CRLF line ends, so the output is reproducible byte for byte.
"""

from __future__ import annotations

import base64
import io
import quopri
from collections.abc import Sequence
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32

__all__ = [
    "address",
    "attachment_part",
    "encoded_words",
    "flatten",
    "multipart",
    "text_part",
]

# RFC 2047 caps an encoded word at 75 characters; keeping words to 66 lets the
# first one share a line with "Subject: " within 78 columns, as clients do.
_MAX_WORD = 66
_Q_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


class _PreFolded(Compat32):
    """compat32 that writes header values exactly as given, with CRLF line ends.

    Every value built here is ASCII and already folded the way the imitated
    mail client folds it; compat32's own folding would re-wrap it (and is the
    slowest step of bulk generation).
    """

    def fold_binary(self, name: str, value: str) -> bytes:
        """Write ``Name: value`` with any embedded line breaks as CRLF."""
        lines = value.replace("\r\n", "\n").split("\n")
        return f"{name}: {self.linesep.join(lines)}{self.linesep}".encode("ascii")


# Wire format: CRLF everywhere, pre-folded headers.
_POLICY = _PreFolded(linesep="\r\n")


def _chunks_by_bytes(text: str, codec: str, limit: int) -> list[str]:
    """Split *text* into pieces whose encoding stays within *limit* bytes.

    Splitting on characters (never inside one) keeps every encoded word
    decodable on its own, as RFC 2047 requires for multi-byte charsets.
    """
    if len(text.encode(codec)) <= limit:
        return [text]  # the common short case, without per-character work
    pieces: list[str] = []
    current = ""
    size = 0
    for char in text:
        width = len(char.encode(codec))
        if current and size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    if current:
        pieces.append(current)
    return pieces


def _q_encode(raw: bytes) -> str:
    """RFC 2047 "Q" encoding: like quoted-printable, with "_" for space."""
    out = []
    for byte in raw:
        if byte == 0x20:
            out.append("_")
        elif byte in _Q_SAFE:
            out.append(chr(byte))
        else:
            out.append(f"={byte:02X}")
    return "".join(out)


def encoded_words(
    text: str, codec: str, label: str, method: str = "B", separator: str = "\r\n "
) -> str:
    """Encode *text* as RFC 2047 words: bytes from *codec*, named *label*.

    *codec* and *label* differ on purpose for mislabelled mail, e.g. GBK bytes
    labelled gb2312.  Pure ASCII text is returned unchanged.  *method* is "B"
    (base64) or "Q".  Words are joined by *separator*: the default folds one
    word per line, as Outlook and Foxmail do, so the first word stays on the
    header's own line.
    """
    if text.isascii():
        return text
    room = _MAX_WORD - len(label) - len("=??B??=")
    if method == "B":
        return separator.join(
            f"=?{label}?B?{base64.b64encode(piece.encode(codec)).decode('ascii')}?="
            for piece in _chunks_by_bytes(text, codec, room // 4 * 3)
        )
    # Worst case every byte becomes "=XX".
    pieces = _chunks_by_bytes(text, codec, room // 3)
    return separator.join(f"=?{label}?Q?{_q_encode(piece.encode(codec))}?=" for piece in pieces)


def address(
    name: str, addr: str, codec: str = "utf-8", label: str = "utf-8", method: str = "B"
) -> str:
    """Format ``Display Name <addr>`` with the name RFC 2047-encoded when needed."""
    if not name:
        return addr
    if name.isascii():
        specials = '()<>[]:;@\\,."'
        shown = f'"{name}"' if any(ch in specials for ch in name) else name
        return f"{shown} <{addr}>"
    return f"{encoded_words(name, codec, label, method)} <{addr}>"


def _transfer_encode(raw: bytes, cte: str) -> str:
    """Encode canonical body bytes for Content-Transfer-Encoding *cte*."""
    if cte == "base64":
        return base64.encodebytes(raw).decode("ascii")
    if cte == "quoted-printable":
        return quopri.encodestring(raw).decode("ascii")
    if cte in ("7bit", "8bit"):
        # surrogateescape lets BytesGenerator write the raw 8-bit bytes back.
        return raw.decode("ascii", "surrogateescape")
    raise ValueError(f"unsupported transfer encoding {cte!r}")


def text_part(
    text: str,
    subtype: str,
    codec: str,
    label: str,
    cte: str,
    extra_params: str = "",
) -> Message:
    """Build a text/* part whose bytes use *codec* under the charset *label*.

    Base64 carries CRLF line ends (the canonical form); quoted-printable and
    8bit bodies are written with LF and become CRLF on output.
    """
    lines = text.replace("\r\n", "\n")
    canonical = lines.replace("\n", "\r\n") if cte == "base64" else lines
    raw = canonical.encode(codec)
    if cte == "7bit" and not raw.isascii():
        raise ValueError("7bit transfer encoding needs ASCII text")
    part = Message()
    part["Content-Type"] = f'text/{subtype}; charset="{label}"{extra_params}'
    part["Content-Transfer-Encoding"] = cte
    part.set_payload(_transfer_encode(raw, cte))
    return part


def attachment_part(
    data: bytes,
    mime_type: str,
    filename_param: str,
    disposition: str = "attachment",
    content_id: str | None = None,
) -> Message:
    """Build a base64 attachment; *filename_param* is the ready-made parameter text.

    Passing the parameter text (``name="..."`` or ``filename*=utf-8''...``)
    lets callers imitate each mail client's way of encoding non-ASCII names.
    """
    part = Message()
    part["Content-Type"] = f"{mime_type};\r\n\t{filename_param.replace('filename', 'name', 1)}"
    part["Content-Transfer-Encoding"] = "base64"
    part["Content-Disposition"] = f"{disposition};\r\n\t{filename_param}"
    if content_id:
        part["Content-ID"] = f"<{content_id}>"
    part.set_payload(base64.encodebytes(data).decode("ascii"))
    return part


def multipart(
    subtype: str,
    boundary: str,
    parts: Sequence[Message],
    params: str = "",
    preamble: str | None = None,
) -> Message:
    """Build a multipart/* container with an explicit (deterministic) boundary."""
    container = Message()
    container["Content-Type"] = f'multipart/{subtype};{params}\r\n\tboundary="{boundary}"'
    container.preamble = preamble
    for part in parts:
        container.attach(part)
    return container


def flatten(headers: Sequence[tuple[str, str]], body: Message) -> bytes:
    """Serialise *headers*, then *body*'s own (Content-*) headers and payload, with CRLF.

    *body* becomes the top-level message: its headers are moved below *headers*.
    Its payload is never copied, because ``get_payload()`` would decode 8-bit
    text that must be written back byte for byte.
    """
    content_headers = list(body.items())
    for name in dict.fromkeys(name for name, _ in content_headers):
        del body[name]
    for name, value in [*headers, *content_headers]:
        body[name] = value
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_POLICY).flatten(body)
    return out.getvalue()
