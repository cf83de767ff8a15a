"""Render the admins' digest and monthly report from a seeded ledger, to look at them.

    python -m tools.report_preview OUT_DIR [--screenshot]

Writes, per language, the mail as sent (``*.eml``), its HTML with each ``cid:`` pointed
at the PNG beside it (``*.html``), the charts (``*.png``) and the text version; with
``--screenshot`` also a headless Chromium screenshot of each HTML.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import re
import subprocess
import tempfile
import tomllib
from pathlib import Path

from tests.support.report_ledger import DAY, MONTH, MONTH_NOW, NOW, seed_day, seed_month

from complaintd.clock import FixedClock
from complaintd.config.loader import build_config
from complaintd.outbox.compose import OutgoingMail, build_message
from complaintd.reports.digest import build_digest
from complaintd.reports.monthly import build_monthly
from complaintd.reports.send import Report
from complaintd.runtime import open_runtime
from complaintd.store.db import close_database
from complaintd.store.models import Ticket

CONFIG = """
[database]
url = "sqlite:///{db}"
[desk]
name = "立达物流客服中心"
name_en = "Lida Logistics Customer Service"
address = "complaints@lida.example"
timezone = "Asia/Shanghai"
default_language = "{language}"
admins = ["boss@lida.example"]
token_secret_env = "PREVIEW_SECRET"
[[mailbox]]
name = "complaints"
kind = "complaint"
host = "127.0.0.1"
username = "c"
password_env = "PREVIEW_SECRET"
[smtp]
host = "127.0.0.1"
from_address = "complaints@lida.example"
[[department]]
key = "qc"
name = "{qc}"
emails = ["qc@lida.example"]
[[department]]
key = "ops"
name = "{ops}"
emails = ["ops@lida.example"]
"""
NAMES = {"zh-CN": ("质检部", "运营部"), "en": ("Quality Control", "Operations")}


def write(report: Report, out: Path, stem: str) -> Path:
    """The mail as sent, its HTML for a browser, charts and text; the HTML's path."""
    raw = build_message(
        OutgoingMail(
            kind=report.kind,
            from_address="complaints@lida.example",
            from_name="complaintd",
            to=("boss@lida.example",),
            subject=report.mail.subject,
            text=report.mail.text,
            html=report.mail.html,
            message_id=f"{stem}@preview",
            date=NOW,
            inline_images=tuple((c.cid, c.filename, c.png) for c in report.charts),
        )
    )
    (out / f"{stem}.eml").write_bytes(raw)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    html = report.mail.html
    for part in parsed.walk():
        if part.get_content_type() == "image/png":
            cid = str(part["Content-ID"]).strip("<>")
            png = out / f"{stem}-{part.get_filename()}"
            png.write_bytes(part.get_content())
            html = html.replace(f"cid:{cid}", png.name)
    assert not re.search(r'src="cid:', html), "a cid: reference without its image part"
    (out / f"{stem}.txt").write_text(report.mail.text, encoding="utf-8")
    page = out / f"{stem}.html"
    page.write_text(html, encoding="utf-8")
    return page


def screenshot(page: Path) -> None:
    """A 760-pixel-wide full-page screenshot beside the HTML."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                "/usr/bin/chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--window-size=760,3200",
                f"--screenshot={page.with_suffix('.png')}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--screenshot", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREVIEW_SECRET", "preview-secret-preview-secret-32")
    for language in ("zh-CN", "en"):
        db = args.out / f"ledger-{language}.db"
        db.unlink(missing_ok=True)
        qc, ops = NAMES[language]
        text = CONFIG.format(db=db, language=language, qc=qc, ops=ops)
        config = build_config(tomllib.loads(text), str(db), base_dir=args.out)
        runtime = open_runtime(config, FixedClock(NOW))
        quiet = build_digest(runtime, DAY.date(), NOW)  # the empty ledger first
        with runtime.database.atomic():
            expected = seed_day()
            seed_month()
            # A fax OCR could not read, so the section of work waiting for a person shows it.
            Ticket.update(needs_manual_reading=True).where(
                Ticket.number == expected["investigating"][0]
            ).execute()
        pages = [
            write(build_digest(runtime, DAY.date(), NOW), args.out, f"digest-{language}"),
            write(build_monthly(runtime, MONTH.date(), MONTH_NOW), args.out, f"monthly-{language}"),
        ]
        pages.append(write(quiet, args.out, f"digest-quiet-{language}"))
        close_database()
        for page in pages:
            if args.screenshot:
                screenshot(page)
            print(page)


if __name__ == "__main__":
    main()
