"""Desk mail queued as a recipe is the mail that would have been rendered at commit."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintd.outbox.compose import OutgoingMail, build_message
from complaintd.outbox.recipe import FileRef, MailRecipe, compose, dump_recipe, load_recipe
from complaintd.render.samples import ALL_KINDS, sample_context
from complaintd.render.templates import TemplateRenderer, default_templates_dir, template_values
from complaintd.store.mail_kind import MailKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@pytest.fixture(scope="module")
def renderer() -> TemplateRenderer:
    return TemplateRenderer(default_templates_dir())


def recipe_of(renderer: TemplateRenderer, kind: str, language: str, **extra: object) -> MailRecipe:
    """What ``queue_mail`` stores for a sample ``kind`` mail."""
    values = template_values(sample_context(kind, language), language)
    fields: dict[str, object] = {
        "kind": MailKind(kind),
        "language": language,
        "values": values,
        "from_address": "complaints@lida.example",
        "from_name": "利达物流客户服务中心",
        "to": ("张伟 <zhangwei@example.cn>",),
        "subject": renderer.render_subject(kind, language, values),
        "message_id": "c0ffee00c0ffee00c0ffee00c0ffee00@lida.example",
        "date": datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI),
        "in_reply_to": "parent@example.cn",
        "references": ("first@example.cn", "parent@example.cn"),
        "reply_to": "complaints+ts-202611-0001.c.k7q2@lida.example",
        **extra,
    }
    return MailRecipe(**fields)  # type: ignore[arg-type]


def no_pdf(subject: str, text: str) -> bytes:
    raise AssertionError("no PDF was asked for")


def no_message(message_id: int) -> str:
    raise AssertionError("no message text was asked for")


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("kind", ALL_KINDS)
def test_stored_recipe_composes_the_mail_rendered_at_commit(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """Every kind: the values survive the JSON they are stored as, and the mail composed
    from them is byte for byte the mail rendered from the live context."""
    recipe = recipe_of(renderer, kind, language)
    stored = load_recipe(dump_recipe(recipe))
    composed = compose(stored, renderer, lambda hashes: {}, no_pdf, no_message)
    rendered = renderer.render(kind, language, sample_context(kind, language))
    assert (composed.text, composed.html) == (rendered.text, rendered.html)
    assert stored.subject == rendered.subject
    direct = OutgoingMail(
        kind=MailKind(kind),
        from_address=recipe.from_address,
        from_name=recipe.from_name,
        to=recipe.to,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        message_id=recipe.message_id,
        date=recipe.date,
        in_reply_to=recipe.in_reply_to,
        references=recipe.references,
        reply_to=recipe.reply_to,
    )
    assert composed.raw == build_message(direct)


def test_files_are_read_by_hash_and_the_fax_pdf_comes_last(renderer: TemplateRenderer) -> None:
    files = (
        FileRef("破损照片.png", "image/png", "ab" * 32),
        FileRef("b.png", "image/png", "cd" * 32),
    )
    recipe = recipe_of(renderer, "ack", "zh-CN", files=files, fax_pdf="TS-202611-0001.pdf")
    asked: list[list[str]] = []

    def blobs(hashes: object) -> dict[str, bytes]:
        asked.append(list(hashes))  # type: ignore[call-overload]
        return {"ab" * 32: PHOTO, "cd" * 32: PHOTO[:100]}

    def pdf(subject: str, text: str) -> bytes:
        assert subject == recipe.subject and "TS-202611-0001" in text
        return b"%PDF-1.4 answer"

    composed = compose(load_recipe(dump_recipe(recipe)), renderer, blobs, pdf, no_message)
    assert asked == [["ab" * 32, "cd" * 32]]
    parsed = email.message_from_bytes(composed.raw, policy=email.policy.default)
    attached = [(part.get_filename(), part.get_content()) for part in parsed.iter_attachments()]
    assert attached == [
        ("破损照片.png", PHOTO),
        ("b.png", PHOTO[:100]),
        ("TS-202611-0001.pdf", b"%PDF-1.4 answer"),
    ]


def test_a_value_json_cannot_hold_is_refused_when_queued(renderer: TemplateRenderer) -> None:
    recipe = recipe_of(renderer, "ack", "en")
    broken = MailRecipe(**{**recipe.__dict__, "values": {**recipe.values, "at": object()}})
    with pytest.raises(TypeError):
        dump_recipe(broken)


def test_a_stored_recipe_keeps_every_header(renderer: TemplateRenderer) -> None:
    recipe = recipe_of(renderer, "reply", "en", auto_submitted=None)
    assert load_recipe(dump_recipe(recipe)) == recipe
    assert "利达" in dump_recipe(recipe)  # stored as text, not escaped


QUOTING_KINDS = [
    kind for kind in ALL_KINDS if "complaint_text" in sample_context(kind, "en").get("ticket", {})
]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("kind", QUOTING_KINDS)
def test_the_quoted_complaint_is_stored_by_reference_and_read_back_when_composed(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """Staff mail quoting the complaint in full stores the message it is in, not the
    text; composed, the mail is byte for byte the one rendered with the text."""
    recipe = recipe_of(renderer, kind, language, complaint_from=41)
    complaint = recipe.values["ticket"]["complaint_text"]
    stored = dump_recipe(recipe)
    assert complaint and complaint not in stored and '"complaint_from":41' in stored
    asked: list[int] = []

    def message_text(message_id: int) -> str:
        asked.append(message_id)
        return str(complaint)

    by_reference = compose(load_recipe(stored), renderer, lambda h: {}, no_pdf, message_text)
    inline = recipe_of(renderer, kind, language)
    whole = compose(load_recipe(dump_recipe(inline)), renderer, lambda h: {}, no_pdf, no_message)
    assert asked == [41]
    assert by_reference == whole


def test_a_recipe_stored_with_its_complaint_inline_still_composes(
    renderer: TemplateRenderer,
) -> None:
    """Recipes queued before the complaint was stored apart hold the text themselves."""
    recipe = recipe_of(renderer, QUOTING_KINDS[0], "zh-CN")
    stored = dump_recipe(recipe)
    assert "complaint_from" not in stored
    loaded = load_recipe(stored)
    assert loaded == recipe and loaded.complaint_from is None
    composed = compose(loaded, renderer, lambda h: {}, no_pdf, no_message)
    assert str(recipe.values["ticket"]["complaint_text"]).split("\n")[0] in composed.text
