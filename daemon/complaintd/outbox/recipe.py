"""Desk mail the sender composes: fixed when it was queued, its bodies written when sent.

Rendering a mail's text and HTML and writing its MIME bytes was most of what a new
ticket cost, inside the transaction that created it.  That transaction now stores a
recipe instead: every header fixed at commit (Message-ID, recipients, Date, subject,
In-Reply-To, References, Reply-To), the template values with every time already written
out in the mail's language, and the customer's files by their stored blob.  The sender
renders and composes just before it sends (:func:`compose`).  A process that dies
between the commit and the send leaves the recipe in the outbox; the mail then goes out
once, later, with the Message-ID it was given at commit.

Staff mail quotes the customer's complaint in full, and a new ticket sends three or
four of them: the complaint is stored by reference to its message row (which is never
changed), not once a mail - it was half of the outbox's bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from complaintd.outbox.compose import OutgoingMail, build_message
from complaintd.render.templates import TemplateRenderer
from complaintd.store.mail_kind import MailKind


class FileRef(NamedTuple):
    """A file to attach, by the blob it is stored in (``blob.sha256``)."""

    filename: str
    content_type: str
    blob: str


@dataclass(frozen=True)
class MailRecipe:
    """Everything a desk mail is made of, as it was when the mail was queued."""

    kind: MailKind
    language: str  # resolved: the templates' own language
    values: Mapping[str, Any]  # the template values (render.templates.template_values)
    from_address: str
    from_name: str
    to: tuple[str, ...]
    subject: str  # rendered and signed at commit
    message_id: str
    date: datetime  # aware, in the desk's zone
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    reply_to: str | None = None
    auto_submitted: str | None = "auto-generated"
    files: tuple[FileRef, ...] = ()
    fax_pdf: str | None = None  # the text also goes as a one-page PDF of this name
    # The message whose full text ``values["ticket"]["complaint_text"]`` is: stored as
    # this reference, put back by :func:`compose` (None: the text is stored as it is).
    complaint_from: int | None = None


@dataclass(frozen=True)
class ComposedMail:
    """A recipe made into mail: its bodies (for the ledger) and its MIME bytes."""

    text: str
    html: str
    raw: bytes


def dump_recipe(recipe: MailRecipe) -> str:
    """``recipe`` as the JSON text stored in ``outbox.recipe``.

    Raises :class:`TypeError` for a template value JSON cannot hold: the values are
    plain by contract (times are written out before they get here).
    """
    document: dict[str, object] = {
        "kind": str(recipe.kind),
        "language": recipe.language,
        "values": _without_complaint(recipe.values) if recipe.complaint_from else recipe.values,
        "from": [recipe.from_name, recipe.from_address],
        "to": list(recipe.to),
        "subject": recipe.subject,
        "message_id": recipe.message_id,
        "date": recipe.date.isoformat(),
        "in_reply_to": recipe.in_reply_to,
        "references": list(recipe.references),
        "reply_to": recipe.reply_to,
        "auto_submitted": recipe.auto_submitted,
        "files": [list(file) for file in recipe.files],
        "fax_pdf": recipe.fax_pdf,
    }
    if recipe.complaint_from:
        document["complaint_from"] = recipe.complaint_from
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _without_complaint(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` without ``ticket.complaint_text`` (pure; ``values`` is not changed)."""
    ticket = {k: v for k, v in values["ticket"].items() if k != "complaint_text"}
    return {**values, "ticket": ticket}


def _with_complaint(values: Mapping[str, Any], text: str) -> dict[str, Any]:
    """``values`` with ``ticket.complaint_text`` set to ``text`` (pure)."""
    return {**values, "ticket": {**values["ticket"], "complaint_text": text}}


def load_recipe(text: str) -> MailRecipe:
    """The recipe stored as ``text`` by :func:`dump_recipe`."""
    document = json.loads(text)
    from_name, from_address = document["from"]
    return MailRecipe(
        kind=MailKind(document["kind"]),
        language=document["language"],
        values=document["values"],
        from_address=from_address,
        from_name=from_name,
        to=tuple(document["to"]),
        subject=document["subject"],
        message_id=document["message_id"],
        date=datetime.fromisoformat(document["date"]),
        in_reply_to=document["in_reply_to"],
        references=tuple(document["references"]),
        reply_to=document["reply_to"],
        auto_submitted=document["auto_submitted"],
        files=tuple(FileRef(*file) for file in document["files"]),
        fax_pdf=document["fax_pdf"],
        complaint_from=document.get("complaint_from"),  # absent before it was stored apart
    )


def compose(
    recipe: MailRecipe,
    templates: TemplateRenderer,
    blobs: Callable[[Sequence[str]], Mapping[str, bytes]],
    fax_pdf: Callable[[str, str], bytes],
    message_text: Callable[[int], str],
) -> ComposedMail:
    """Render ``recipe``'s bodies and write its MIME bytes.

    ``blobs`` reads stored files by hash; ``fax_pdf(subject, text)`` makes the PDF a
    faxed customer is answered with; ``message_text`` reads the full text of a message
    row (the complaint a recipe refers to).  Raises what rendering raises (a template
    the operator broke: :class:`~complaintd.errors.ConfigError`) and
    :class:`KeyError` for a file or message no longer stored.
    """
    values = recipe.values
    if recipe.complaint_from:
        values = _with_complaint(values, message_text(recipe.complaint_from))
    text, html = templates.render_bodies(recipe.kind, recipe.language, values)
    stored = blobs([file.blob for file in recipe.files]) if recipe.files else {}
    attachments = [(f.filename, f.content_type, stored[f.blob]) for f in recipe.files]
    if recipe.fax_pdf is not None:
        attachments.append((recipe.fax_pdf, "application/pdf", fax_pdf(recipe.subject, text)))
    mail = OutgoingMail(
        kind=recipe.kind,
        from_address=recipe.from_address,
        from_name=recipe.from_name,
        to=recipe.to,
        subject=recipe.subject,
        text=text,
        html=html,
        message_id=recipe.message_id,
        date=recipe.date,
        in_reply_to=recipe.in_reply_to,
        references=recipe.references,
        reply_to=recipe.reply_to,
        auto_submitted=recipe.auto_submitted,
        attachments=tuple(attachments),
    )
    return ComposedMail(text=text, html=html, raw=build_message(mail))
