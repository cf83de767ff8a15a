"""The shipped templates: every kind renders in both languages, safely."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pytest

from complaintd.render import (
    KINDS,
    LANGUAGES,
    RenderedMail,
    TemplateRenderer,
    check_templates,
    default_templates_dir,
    html_problems,
    sample_context,
)
from complaintd.render.times import format_time

ALL = [(kind, language) for language in LANGUAGES for kind in KINDS]
HOSTILE_SUBJECT = "Damaged box\r\nBcc: evil@x\r\n\tX-Evil: 1\x00\x1b[31m\u2028end"


def _render(renderer: TemplateRenderer, kind: str, language: str, **ticket: Any) -> RenderedMail:
    """Render ``kind`` with its sample context, some ticket fields overridden."""
    context = sample_context(kind, language)
    context["ticket"].update(ticket)
    return renderer.render(kind, language, context)


def _width(line: str) -> int:
    """Display columns of ``line``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def test_default_templates_dir_is_the_repository_folder() -> None:
    """The shipped templates live in the checkout's top-level templates/ folder."""
    directory = default_templates_dir()
    assert directory.name == "templates"
    assert (directory.parent / "pyproject.toml").is_file()
    assert (directory / "zh-CN" / "ack.subject.txt").is_file()


def test_every_triplet_is_shipped() -> None:
    """11 kinds x 2 languages x (subject, text, HTML) = 66 files."""
    directory = default_templates_dir()
    files = [
        directory / language / f"{kind}.{part}"
        for kind, language in ALL
        for part in ("subject.txt", "txt", "html")
    ]
    assert len(files) == 72
    assert [f for f in files if not f.is_file()] == []


def test_shipped_templates_pass_the_check(renderer: TemplateRenderer) -> None:
    """``complaintd check`` finds nothing wrong with what we ship."""
    assert check_templates(renderer) == []


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_every_kind_renders(renderer: TemplateRenderer, kind: str, language: str) -> None:
    """Subject tagged, bodies non-empty and naming the ticket, HTML well-formed."""
    mail = renderer.render(kind, language, sample_context(kind, language))
    assert mail.subject.startswith("[TS-202611-0001] ")
    assert "TS-202611-0001" in mail.text
    assert "TS-202611-0001" in mail.html
    assert mail.text.endswith("\n")
    assert html_problems(mail.html) == []
    assert mail.html.startswith("<!DOCTYPE html>\n")
    assert f'<html lang="{language}">' in mail.html
    assert '<meta charset="utf-8">' in mail.html


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_customer_subject_appears_in_the_subject(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """The customer recognises the thread by their own subject."""
    mail = _render(renderer, kind, language, subject="Parcel 12345 never arrived")
    assert mail.subject.endswith("Parcel 12345 never arrived")


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_subject_never_carries_line_breaks(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """A hostile customer subject cannot inject headers."""
    mail = _render(renderer, kind, language, subject=HOSTILE_SUBJECT)
    assert "\r" not in mail.subject
    assert "\n" not in mail.subject
    assert not any(unicodedata.category(char) == "Cc" for char in mail.subject)
    assert "\u2028" not in mail.subject
    assert mail.subject.startswith("[TS-202611-0001] ")
    assert "Damaged box Bcc: evil@x X-Evil: 1" in mail.subject


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_html_escapes_customer_values(renderer: TemplateRenderer, kind: str, language: str) -> None:
    """Customer-supplied values never become markup in the HTML part."""
    script = "<script>alert(1)</script>"
    context = sample_context(kind, language)
    context["ticket"].update(
        subject=f"Box {script}",
        customer_name=f"Eve {script}",
        attachments=[f"photo{script}.jpg"],
        waybills=[f"SF1{script}"],
    )
    for key in ("text", "reason"):
        if key in context:
            context[key] = f"I said {script} & more"
    mail = renderer.render(kind, language, context)
    assert "<script" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert html_problems(mail.html) == []
    # Plain text is not HTML: it shows what the customer wrote, unescaped.
    assert "&lt;" not in mail.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_text_keeps_line_breaks_in_html(renderer: TemplateRenderer, language: str) -> None:
    """The desk's multi-line text keeps its lines in HTML, as <br>."""
    context = sample_context("reply", language)
    context["text"] = "first line\nsecond <line>"
    mail = renderer.render("reply", language, context)
    assert "first line<br>\nsecond &lt;line&gt;" in mail.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_ack_lists_what_was_registered(renderer: TemplateRenderer, language: str) -> None:
    """Ticket number, waybills, order numbers, category, attachments with count, due time."""
    mail = renderer.render("ack", language, sample_context("ack", language))
    ticket = sample_context("ack", language)["ticket"]
    category = {"zh-CN": "破损", "en": "Damage"}[language]
    for body in (mail.text, mail.html):
        assert "SF1402736591" in body
        assert "PO-2026-11873" in body
        assert category in body
        assert format_time(ticket["due_at"].at, language) in body
        assert format_time(ticket["created_at"].at, language) in body
        assert all(name in body for name in ticket["attachments"])
    count = {"zh-CN": "共 2 个", "en": "2 files"}[language]
    assert count in mail.text
    assert count in mail.html
    greeting = {"zh-CN": "尊敬的王丽：", "en": "Dear Emily Carter,"}[language]
    assert greeting in mail.text
    assert greeting in mail.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_ack_without_name_or_numbers(renderer: TemplateRenderer, language: str) -> None:
    """An anonymous complaint without waybills or attachments still reads well."""
    mail = _render(
        renderer, "ack", language, customer_name=None, waybills=[], order_numbers=[], attachments=[]
    )
    greeting = {"zh-CN": "尊敬的客户：", "en": "Dear Customer,"}[language]
    assert greeting in mail.text
    assert "None" not in mail.text
    assert "None" not in mail.html
    missing = {"zh-CN": "收到附件：无", "en": "none received"}[language]
    assert missing in mail.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_ack_for_a_serious_complaint_says_it_is_urgent(
    renderer: TemplateRenderer, language: str
) -> None:
    """A serious complaint starts the emergency response; the customer is told."""
    urgent = {"zh-CN": "紧急事项", "en": "urgent"}[language]
    assert urgent in _render(renderer, "ack", language, severity="serious").text
    assert urgent not in _render(renderer, "ack", language, severity="general").text


def test_ack_attachment_count_is_singular_for_one_file(renderer: TemplateRenderer) -> None:
    """English counts one file as "1 file"."""
    mail = _render(renderer, "ack", "en", attachments=["a.jpg"])
    assert "1 file received" in mail.text
    assert "1 file: a.jpg" in mail.html


@pytest.mark.parametrize("language", LANGUAGES)
def test_solution_offers_one_click_answers(renderer: TemplateRenderer, language: str) -> None:
    """HTML links to both mailto URLs; text shows them and the reply words."""
    context = sample_context("solution", language)
    mail = renderer.render("solution", language, context)
    for key in ("agree_mailto", "disagree_mailto"):
        url = context[key]
        assert url in mail.text
        assert f'<a href="{url.replace("&", "&amp;")}"' in mail.html
    # Either word is accepted as a plain reply, in both languages.
    for body in (mail.text, mail.html):
        assert all(word in body for word in ("同意", "不同意", "agree", "disagree"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_resolution_announces_survey(renderer: TemplateRenderer, language: str) -> None:
    """The customer learns the ticket is being closed and a survey follows."""
    mail = renderer.render("resolution", language, sample_context("resolution", language))
    words = {"zh-CN": ("结案", "满意度调查"), "en": ("closing", "satisfaction survey")}[language]
    assert all(word in mail.text for word in words)


def test_unknown_language_falls_back_to_chinese(renderer: TemplateRenderer) -> None:
    """A language we have no templates for gets the zh-CN mail."""
    context = sample_context("ack", "zh-CN")
    fallback = renderer.render("ack", "fr", context)
    assert fallback == renderer.render("ack", "zh-CN", context)
    assert '<html lang="zh-CN">' in fallback.html


def test_language_variants_are_resolved(renderer: TemplateRenderer) -> None:
    """en-GB is English; labels follow the language used, not the context's claim."""
    context = sample_context("ack", "en")
    context["language"] = "zh-CN"  # inconsistent caller: the template language wins
    mail = renderer.render("ack", "en-GB", context)
    assert '<html lang="en">' in mail.html
    assert "Category:          Damage" in mail.text


def test_render_does_not_modify_the_context(renderer: TemplateRenderer) -> None:
    """The renderer works on a copy: the caller's mapping is left as it was."""
    context = sample_context("ack", "en")
    context["language"] = "xx"
    renderer.render("ack", "xx", context)
    assert context["language"] == "xx"


@pytest.mark.parametrize("by_fax", [False, True], ids=["mail", "fax"])
@pytest.mark.parametrize(("kind", "language"), ALL)
def test_text_lines_stay_short(
    renderer: TemplateRenderer, kind: str, language: str, by_fax: bool
) -> None:
    """Template lines fit 78 columns; URLs and unwrapped Chinese insertions may not."""
    context = sample_context(kind, language)
    context["reply_by_fax"] = by_fax
    inserted = [context[key] for key in ("text", "reason") if key in context]
    mail = renderer.render(kind, language, context)
    long_lines = [
        line
        for line in mail.text.splitlines()
        if _width(line) > 78
        and not re.match(r"\s*mailto:", line)
        and not (language == "zh-CN" and any(line.strip() in value for value in inserted))
    ]
    assert long_lines == []


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_a_faxed_letter_says_to_answer_by_email_and_a_mailed_one_to_reply(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """A faxed copy cannot be replied to: it names the desk's address (and the number to
    quote) instead; the mailed copy asks for a reply.  Text and HTML say the same."""
    context = sample_context(kind, language)
    address = context["desk"]["address"]
    reply = {"zh-CN": "回复本邮件", "en": "reply to this email"}[language]
    by_email = {"zh-CN": f"发送电子邮件至 {address}", "en": f"email {address}"}[language]
    mailed = renderer.render(kind, language, context)
    faxed = renderer.render(kind, language, {**context, "reply_by_fax": True})
    for body in (_words(mailed.text), _words(mailed.html)):
        assert reply in body and by_email not in body
    for body in (_words(faxed.text), _words(faxed.html)):
        assert reply not in body and by_email in body


def _words(body: str) -> str:
    """Text or HTML as one line of words (tags dropped, runs of space as one)."""
    text = " ".join(re.sub(r"<[^>]+>", " ", body).split())
    return re.sub(r"(?<=[\u3000-\uffff]) (?=[\u3000-\uffff])", "", text)


def test_sample_context_rejects_unknown_kinds() -> None:
    """A typo in a kind is a programming error."""
    with pytest.raises(ValueError, match="unknown mail kind"):
        sample_context("acknowledgement", "en")


def test_sample_context_holds_only_the_guaranteed_keys() -> None:
    """Each kind's sample has exactly the keys the workflow promises for it."""
    base = {"language", "desk", "ticket", "reply_by_fax"}
    assert set(sample_context("ack", "en")) == base
    assert set(sample_context("invalid", "en")) == base | {"reason"}
    assert set(sample_context("reply", "en")) == base | {"text"}
    assert set(sample_context("desk_reopened", "en")) == base | {"reason"}
    assert set(sample_context("solution", "en")) == base | {
        "text",
        "agree_mailto",
        "disagree_mailto",
    }


@pytest.mark.parametrize("kind", ["survey", "survey_reminder"])
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_a_faxed_survey_has_no_score_links_and_asks_for_the_score_by_email(
    renderer: TemplateRenderer, kind: str, language: str
) -> None:
    """Paper cannot be clicked: the faxed copy lists the scale and asks for an email with
    the score; the mailed copy keeps one ``mailto:`` button per score."""
    context = sample_context(kind, language)
    links = [score["mailto"] for score in context["scores"]]
    mailed = renderer.render(kind, language, context)
    faxed = renderer.render(kind, language, {**context, "reply_by_fax": True})
    assert all(link.replace("&", "&amp;") in mailed.html for link in links)
    example = {"zh-CN": "在邮件中写上“5”", "en": 'write "5" in your email'}[language]
    for body in (faxed.text, faxed.html):
        assert "?subject=" not in body and "回复“5”" not in body and 'reply "5"' not in body
        assert example in _words(body)
        assert all(score["label"] in body for score in context["scores"])
