"""The context contract: one typed content class per kind, shared by workflow and samples."""

from __future__ import annotations

import textwrap
from dataclasses import fields
from pathlib import Path

import pytest
from mypy import api as mypy_api

from complaintd.render import LANGUAGES, sample_context
from complaintd.render.contexts import (
    CUSTOMER_MAILS,
    INTERNAL_KINDS,
    INTERNAL_MAILS,
    KINDS,
    MAIL_CLASSES,
    CaseFacts,
    CustomerContext,
    CustomerMail,
    InternalContext,
    InternalMail,
    TicketFacts,
)
from complaintd.render.samples import sample_mail
from complaintd.store.mail_kind import MailKind

EVERY = [(kind, language) for language in LANGUAGES for kind in MailKind]
ROOT = Path(__file__).resolve().parents[2]


def test_every_mail_kind_has_exactly_one_content_class() -> None:
    assert set(MAIL_CLASSES) == set(MailKind)
    assert len(CUSTOMER_MAILS) + len(INTERNAL_MAILS) == len(MailKind)
    assert all(issubclass(mail, CustomerMail) for mail in CUSTOMER_MAILS)
    assert all(issubclass(mail, InternalMail) for mail in INTERNAL_MAILS)
    assert set(KINDS) | set(INTERNAL_KINDS) == set(MailKind)


@pytest.mark.parametrize(("kind", "language"), EVERY)
def test_each_sample_is_its_kinds_content_and_nothing_more(kind: MailKind, language: str) -> None:
    """What ``complaintd check`` renders with is what the workflow must build to send."""
    mail = sample_mail(kind, language)
    assert type(mail) is MAIL_CLASSES[kind]
    context = sample_context(kind, language)
    internal = kind in INTERNAL_KINDS
    base = (InternalContext if internal else CustomerContext).__required_keys__
    assert set(context) == base | {field.name for field in fields(mail)}
    ticket = (CaseFacts if internal else TicketFacts).__required_keys__
    assert set(context["ticket"]) == ticket


def test_a_key_nobody_passes_fails_the_type_check(tmp_path: Path) -> None:
    """A field the workflow leaves out, or a sample key the kind does not have, is a
    mypy error: the same class is built to send the mail and to check its templates."""
    code = tmp_path / "mail_use.py"
    code.write_text(
        textwrap.dedent(
            """
            from complaintd.render.contexts import EmergencyMail, SolutionMail

            SolutionMail(text="our proposal", agree_mailto="mailto:desk")
            EmergencyMail(reason="serious", phone="+86 21 5888 6721")
            """
        ),
        encoding="utf-8",
    )
    report, _, status = mypy_api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path), str(code)]
    )
    assert status == 1, report
    assert 'Missing named argument "disagree_mailto" for "SolutionMail"' in report
    assert 'Unexpected keyword argument "phone" for "EmergencyMail"' in report
