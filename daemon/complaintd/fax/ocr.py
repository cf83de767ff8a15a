"""Reading fax pages: render each page, then recognise its text (OCR worker only).

Imported by the OCR worker process alone: RapidOCR and onnxruntime take hundreds of
megabytes, which the daemon's main process must never hold.

Pages are rendered by pypdfium2 (PDF; PDFium, no system service) and Pillow (TIFF, G3
and G4, multi-page).  A standard-resolution page (204 x 98 dpi) is stretched to square
pixels first: the engines are trained on square pixels, and on squashed characters
their errors multiply.

Engines, chosen by measurement (``make bench``): RapidOCR (PaddleOCR's models on
onnxruntime, shipped in the ``rapidocr`` wheel, offline) reads noisy standard-
resolution Chinese faxes with about 1 % character errors where Tesseract
``chi_sim+eng`` makes about 26 %; RapidOCR's text-angle classifier is off (it turned
lines upside down).  Tesseract is the fallback where RapidOCR is missing or fails on
a page.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any, Protocol

from PIL import Image

from complaintd.fax.gateway import document_kind

log = logging.getLogger(__name__)

SQUARE_TOLERANCE = 1.25  # x/y resolution ratio beyond which pixels are stretched


@dataclass(frozen=True)
class PageText:
    """What one engine read on one page."""

    text: str
    confidence: float  # 0..1, the engine's mean over its lines (0 when nothing read)
    engine: str


class Engine(Protocol):
    """An OCR engine: a grey page (square pixels) in, text out."""

    name: str

    def read(self, page: Image.Image) -> PageText:
        """The page's text, lines in reading order."""
        ...


# --- pages ---------------------------------------------------------------------------


def page_count(document: bytes, content_type: str, filename: str) -> int:
    """How many pages the TIFF or PDF has."""
    if document_kind(content_type, filename) == "pdf":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(document)
        try:
            return len(pdf)
        finally:
            pdf.close()
    with Image.open(io.BytesIO(document)) as image:
        return int(getattr(image, "n_frames", 1))


def render_page(document: bytes, content_type: str, filename: str, index: int) -> Image.Image:
    """Page ``index`` as a greyscale image with square pixels (about 200 dpi)."""
    if document_kind(content_type, filename) == "pdf":
        import pypdfium2

        pdf = pypdfium2.PdfDocument(document)
        try:
            page = pdf[index]
            return page.render(scale=200 / 72, grayscale=True).to_pil().convert("L")
        finally:
            pdf.close()
    with Image.open(io.BytesIO(document)) as image:
        image.seek(index)
        return square_pixels(image.convert("L"), image.info.get("dpi"))


def square_pixels(image: Image.Image, dpi: object) -> Image.Image:
    """Stretch a page whose pixels are not square (204 x 98 dpi) to square pixels."""
    try:
        x_dpi, y_dpi = (float(v) for v in dpi)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        # No resolution: a fax page 1728 wide and about 1100 high is standard resolution.
        x_dpi, y_dpi = (204.0, 98.0) if image.height * 1.2 < image.width else (1.0, 1.0)
    if y_dpi <= 0 or x_dpi / y_dpi < SQUARE_TOLERANCE:
        return image
    height = round(image.height * x_dpi / y_dpi)
    return image.resize((image.width, height), Image.Resampling.BILINEAR)


# --- engines ---------------------------------------------------------------------------


class RapidOcrEngine:
    """RapidOCR on onnxruntime with its text-angle classifier off."""

    name = "rapidocr"

    def __init__(self) -> None:
        logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        from rapidocr import RapidOCR

        self._ocr: Any = RapidOCR(params={"Global.use_cls": False})
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)

    def read(self, page: Image.Image) -> PageText:
        import numpy

        result = self._ocr(numpy.asarray(page.convert("RGB")))
        lines = [str(t) for t in (result.txts or ())]
        scores = [float(s) for s in (result.scores or ())]
        confidence = sum(scores) / len(scores) if scores else 0.0
        return PageText("\n".join(lines), confidence, self.name)


class TesseractEngine:
    """The ``tesseract`` command (Debian's tesseract-ocr and its language packs)."""

    name = "tesseract"

    def __init__(self, languages: str) -> None:
        self.languages = languages
        self.binary = shutil.which("tesseract")
        if self.binary is None:
            raise RuntimeError("tesseract is not installed")

    def read(self, page: Image.Image) -> PageText:
        png = io.BytesIO()
        page.save(png, format="PNG", dpi=(200, 200))
        assert self.binary is not None
        done = subprocess.run(
            [self.binary, "stdin", "stdout", "-l", self.languages, "--psm", "6", "tsv"],
            input=png.getvalue(),
            capture_output=True,
            check=True,
        )
        return tesseract_tsv_text(done.stdout.decode("utf-8", "replace"), self.name)


def tesseract_tsv_text(tsv: str, engine: str = "tesseract") -> PageText:
    """Lines and mean word confidence from Tesseract's TSV output.  Tesseract puts a
    space between Chinese characters; spaces between two CJK characters are dropped."""
    lines: dict[tuple[str, str, str], list[str]] = {}
    confidences = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        lines.setdefault((cells[2], cells[3], cells[4]), []).append(cells[11])
        with contextlib.suppress(ValueError):
            confidences.append(float(cells[10]) / 100)
    text = "\n".join(_join_words(words) for words in lines.values())
    confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return PageText(text, confidence, engine)


def _join_words(words: list[str]) -> str:
    out = ""
    for word in words:
        if out and not (_is_cjk(out[-1]) and _is_cjk(word[0])):
            out += " "
        out += word
    return out


def _is_cjk(char: str) -> bool:
    return any(low <= char <= high for low, high in _CJK_RANGES)


_CJK_RANGES = (("\u2e80", "\u9fff"), ("\uff00", "\uffef"), ("\u3000", "\u303f"))


def available_engines(languages: str = "chi_sim+eng") -> list[str]:
    """The engines this machine has, best first, found without loading them."""
    engines = []
    if importlib.util.find_spec("rapidocr") and importlib.util.find_spec("onnxruntime"):
        engines.append("rapidocr")
    if shutil.which("tesseract") and not missing_tesseract_languages(languages):
        engines.append("tesseract")
    return engines


def fax_readiness(languages: str) -> list[str]:
    """What ``complaintd check`` says about reading and answering faxes."""
    from complaintd.fax.answer import cjk_font

    engines = available_engines(languages)
    lines = []
    if engines:
        roles = ["primary", *["fallback"] * (len(engines) - 1)]
        named = [
            f"{name}{f' ({languages})' if name == 'tesseract' else ''} - {role}"
            for name, role in zip(engines, roles, strict=True)
        ]
        lines.append(f"fax OCR: {', '.join(named)}")
    else:
        missing = missing_tesseract_languages(languages)
        lines.append(
            "warning: fax OCR: no engine available (pip install rapidocr onnxruntime, or "
            f"tesseract with {'+'.join(missing) or languages}): faxes are flagged for "
            "manual reading"
        )
    font = cjk_font()
    if font is None:
        lines.append("warning: fax answers: no CJK font installed (fonts-wqy-microhei)")
    else:
        lines.append(f"fax answers: PDF with {font.name} embedded")
    return lines


def missing_tesseract_languages(languages: str) -> list[str]:
    """Languages of ``languages`` Tesseract has no data for (all, without Tesseract)."""
    wanted = [language for language in languages.split("+") if language]
    binary = shutil.which("tesseract")
    if binary is None:
        return wanted
    try:
        listed = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return wanted
    have = {line.strip() for line in listed.splitlines()[1:]}
    return [language for language in wanted if language not in have]


def load_engines(languages: str, only: tuple[str, ...] = ()) -> list[Engine]:
    """Every available engine (or those of ``only``), loaded, best first (RapidOCR, then
    Tesseract)."""
    engines: list[Engine] = []
    for name in available_engines(languages):
        if only and name not in only:
            continue
        try:
            engines.append(RapidOcrEngine() if name == "rapidocr" else TesseractEngine(languages))
        except Exception as exc:  # an engine that will not load leaves the others
            log.warning("OCR engine %s unavailable: %s", name, exc)
    return engines


def read_page(engines: list[Engine], page: Image.Image) -> PageText:
    """The first engine's reading of ``page``; the next engine only when one fails (a
    page the best engine finds nothing on is left to a person, not guessed at)."""
    for engine in engines:
        try:
            return engine.read(page)
        except Exception as exc:
            log.warning("OCR engine %s failed on a page: %s", engine.name, exc)
    return PageText("", 0.0, "none")
