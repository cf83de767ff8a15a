"""Authentication-Results (RFC 8601) as agent and department actions read it (pure).

The header values are shaped as Postfix with OpenDKIM/OpenDMARC, Exchange Online and
Gmail write them.
"""

from __future__ import annotations

import pytest

from complaintd.thread.authentication import AuthStatus, check_authentication

MX = "mx.lida.example"
OPENDMARC_PASS = "mx.lida.example; dmarc=pass (p=reject dis=none) header.from=lida.example"
OPENDKIM_PASS = (
    "mx.lida.example;\r\n\tdkim=pass (2048-bit key; unprotected) header.d=lida.example"
    " header.i=@lida.example header.a=rsa-sha256 header.s=mail header.b=Xy3kq9aB"
)
EXCHANGE = (
    "mx.lida.example; spf=pass (sender IP is 10.1.2.3) smtp.mailfrom=lida.example;"
    " dkim=pass (signature was verified) header.d=lida.example;"
    " dmarc=pass action=none header.from=lida.example;compauth=pass reason=100"
)


@pytest.mark.parametrize(
    ("header", "from_domain", "status"),
    [
        (OPENDMARC_PASS, "lida.example", AuthStatus.PASS),
        (EXCHANGE, "lida.example", AuthStatus.PASS),
        (OPENDKIM_PASS, "lida.example", AuthStatus.PASS),
        (OPENDKIM_PASS, "mail.lida.example", AuthStatus.PASS),  # relaxed alignment
        (OPENDKIM_PASS, "evil.example", AuthStatus.FAIL),  # signed, but not for From
        (
            "mx.lida.example; dmarc=fail (p=reject) header.from=lida.example",
            "lida.example",
            AuthStatus.FAIL,
        ),
        ("mx.lida.example; spf=pass smtp.mailfrom=lida.example", "lida.example", AuthStatus.FAIL),
        ("mx.lida.example; none", "lida.example", AuthStatus.FAIL),
        # an outsider's header, further down in a real mail, is never the topmost one
        ("mx.evil.example; dmarc=pass header.from=lida.example", "lida.example", AuthStatus.FAIL),
        ("mx.lida.example.evil.example; dmarc=pass", "lida.example", AuthStatus.FAIL),
        (None, "lida.example", AuthStatus.FAIL),
        ("", "lida.example", AuthStatus.FAIL),
        (";;;garbage", "lida.example", AuthStatus.FAIL),
    ],
)
def test_check_authentication(header: str | None, from_domain: str, status: AuthStatus) -> None:
    verdict = check_authentication(header, MX, from_domain)
    assert verdict.status is status, verdict.basis
    assert verdict.basis


def test_the_authserv_id_is_compared_caselessly() -> None:
    verdict = check_authentication(
        OPENDMARC_PASS.replace(MX, "MX.Lida.Example"), MX, "lida.example"
    )
    assert verdict.status is AuthStatus.PASS


def test_nothing_is_required_without_a_trusted_authserv_id() -> None:
    verdict = check_authentication(None, None, "lida.example")
    assert verdict.status is AuthStatus.NOT_REQUIRED and not verdict.refused
