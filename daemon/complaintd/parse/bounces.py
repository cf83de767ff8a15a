"""Find the Message-IDs of the message a bounce (DSN) is about.

The pipeline uses them to attach a bounce to the ticket whose reply bounced.
Sources, best first:

1. the returned message or its headers (RFC 3462 ``message/rfc822`` or
   ``text/rfc822-headers`` part, kept by the parse stage as attachments);
2. ``Message-ID:`` lines in the text (qmail and Exim quote the original
   message below the explanation instead of attaching it);
3. the bounce's own In-Reply-To, then References (newest first).
"""

from __future__ import annotations

import re

from complaintd.parse.headers import parse_msg_ids
from complaintd.parse.message import parse_message
from complaintd.parse.model import ParsedMessage

# Exchange names the original in its DSN as X-Original-Message-ID; the id may
# be folded onto the next line.
_MESSAGE_ID_LINE = re.compile(
    r"^[ \t>]*(?:x-original-)?message-id:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE
)


def bounced_message_ids(raw_or_parsed: bytes | ParsedMessage) -> tuple[str, ...]:
    """Message-IDs (no angle brackets) of the original message of a bounce.

    Accepts raw bytes (parsed here) or an already parsed message.  Meant for
    messages classified as bounces; for others it simply returns their
    In-Reply-To and References.
    """
    parsed = (
        raw_or_parsed if isinstance(raw_or_parsed, ParsedMessage) else parse_message(raw_or_parsed)
    )
    found: list[str] = []
    for attachment in parsed.attachments:
        if _is_report_part(attachment.content_type):
            found.extend(_first_id(attachment.data))
    found.extend(parse_msg_ids(_MESSAGE_ID_LINE.findall(parsed.body.text)))
    found.extend(parsed.in_reply_to)
    found.extend(reversed(parsed.references))
    own = parsed.message_id
    return tuple(i for i in dict.fromkeys(found) if i != own)


def _is_report_part(content_type: str) -> bool:
    """Returned messages, header blocks and delivery-status parts."""
    return content_type.startswith("message/") or content_type == "text/rfc822-headers"


def _first_id(data: bytes) -> tuple[str, ...]:
    """The first Message-ID field in a returned message or report part.

    The top-level header of a returned message comes first, so its id is the
    first one; later ones belong to messages nested inside it.
    """
    match = _MESSAGE_ID_LINE.search(data.decode("latin-1"))
    return parse_msg_ids([match.group(1)]) if match else ()
