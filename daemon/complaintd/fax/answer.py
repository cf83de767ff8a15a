"""The desk's mail to a fax customer as a one-page A4 PDF, Chinese font embedded.

A fax gateway renders the PDF it is given; one without CJK fonts draws a PDF's
built-in, non-embedded CJK font (such as STSong-Light) as blank, so every Chinese
character vanished in a trial.  Here the font is embedded, as a subset of the
characters used (fpdf2), which keeps a page to a few tens of kilobytes.  The text is
the same text body the mail carries; it is set smaller until it fits on one page.

Loading a CJK font takes about 150 MB for a moment (fontTools reads the whole font), so
the daemon renders in a child process (:func:`render_answer_pdf`): its own memory
stays small.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["FONT_CANDIDATES", "answer_pdf", "cjk_font", "render_answer_pdf"]

RENDER_SECONDS = 120.0

# TrueType fonts with Chinese and Latin letters, from Debian packages (first found).
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # fonts-wqy-microhei
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),  # fonts-wqy-zenhei
)
MAX_BYTES = 50_000  # a page the gateway takes quickly
_SIZES = (11.0, 10.0, 9.0, 8.0, 7.0, 6.0)  # points, largest that fits one page
_MARGIN = 18.0  # mm


@functools.cache
def cjk_font() -> Path | None:
    """The first installed CJK font of :data:`FONT_CANDIDATES` (None: none installed)."""
    return next((path for path in FONT_CANDIDATES if path.is_file()), None)


def answer_pdf(title: str, text: str) -> bytes:
    """``title`` and ``text`` on one A4 page, the CJK font embedded as a subset."""
    font = cjk_font()
    if font is None:
        raise RuntimeError("no CJK font installed for fax answers (fonts-wqy-microhei)")
    pdf = next(
        (page for size in _SIZES if (page := _page(font, title, text, size)).page_no() == 1),
        None,
    ) or _page(font, title, text, _SIZES[-1], clip=True)
    data = bytes(pdf.output())
    return data if len(data) <= MAX_BYTES else as_fax_image_pdf(data)


def as_fax_image_pdf(pdf: bytes) -> bytes:
    """The first page of ``pdf`` as a black-and-white image at fax resolution (CCITT G4
    in the PDF): for a letter of so many different characters that the embedded font
    alone would pass :data:`MAX_BYTES` (about 320 and more).  It loses the text layer,
    which a fax machine never had."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=200 / 72, grayscale=True).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.point(lambda v: 0 if v < 160 else 255).convert("1").save(
        out, format="PDF", resolution=200.0
    )
    return out.getvalue()


def _page(font: Path, title: str, text: str, size: float, *, clip: bool = False) -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_compression(True)
    pdf.set_auto_page_break(auto=not clip, margin=_MARGIN)
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.add_font("cjk", "", str(font), collection_font_number=0)
    pdf.add_page()
    pdf.set_font("cjk", size=size + 3)
    pdf.multi_cell(0, (size + 3) * 0.5, title)
    pdf.ln(2)
    pdf.set_font("cjk", size=size)
    pdf.multi_cell(0, size * 0.48, text)
    return pdf


def render_answer_pdf(title: str, text: str) -> bytes:
    """:func:`answer_pdf` made by a child process (``python -m complaintd.fax.answer``)."""
    done = subprocess.run(
        [sys.executable, "-m", "complaintd.fax.answer"],
        input=json.dumps({"title": title, "text": text}).encode("utf-8"),
        capture_output=True,
        timeout=RENDER_SECONDS,
        check=False,
    )
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        error = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"the fax answer PDF could not be made: {error[0]}")
    return done.stdout


if __name__ == "__main__":
    request = json.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(answer_pdf(request["title"], request["text"]))
