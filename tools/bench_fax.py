"""Reading faxes: character errors, seconds per page and memory, per OCR engine.

A generated set of Chinese complaint letters (tests.support.faxes: drawn with a CJK
font at 12 to 15 pt, askew, line noise and speckle), each sent once at standard
resolution (204 x 98 dpi, G3 TIFF) and once at fine resolution (204 x 196 dpi, G4
TIFF): ``--letters 10`` gives 20 pages, half of each.  Every page is read through
the daemon's own OCR worker (:class:`complaintd.fax.reader.FaxReader`), once per
engine:

* **CER**: character error rate against the known text - edit distance over the
  reference length, whitespace ignored (line breaks are the engine's business).
  Target: at most 3 % at standard resolution for the engine the daemon uses.
* **seconds per page**: wall clock per page, rendering included, engines loaded.
* **peak RSS** (VmHWM) of the OCR worker, and of this process, which imports what
  the daemon's main process imports and renders an answer PDF the daemon's way
  (a child process): target under 150 MB.

``python -m tools.bench_fax [--letters N] [--engines rapidocr,tesseract]``;
results also go to bench-results/fax.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.faxes import complaint_letter, fax_tiff, letter_page, peak_rss_mb

import complaintd.cli.main
import complaintd.service.daemon
from complaintd.fax.answer import render_answer_pdf
from complaintd.fax.reader import FaxReader

assert complaintd.cli.main  # the command-line entry the daemon runs from


@dataclass(frozen=True)
class Page:
    """One page of the set: its TIFF and the text drawn on it."""

    resolution: str  # "standard" | "fine"
    tiff: bytes
    text: str


def page_set(letters: int) -> list[Page]:
    """``letters`` letters, each as a standard and as a fine single-page fax."""
    pages = []
    for seed in range(1, letters + 1):
        waybill = f"SF{1000000000000 + seed * 7919:013d}"
        text, _ = complaint_letter(seed, waybill)
        # 12 to 15 pt letters, askew by up to 0.7 degrees either way, more or less speckled.
        drawn = letter_page(
            text,
            seed,
            skew_degrees=(seed % 5 - 2) * 0.35,
            body_px=34 + (seed % 3) * 5,
            specks=3000 + (seed % 4) * 4000,
        )
        for fine in (False, True):
            tiff = fax_tiff([drawn], fine=fine)
            pages.append(Page("fine" if fine else "standard", tiff, text))
    return pages


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def cer(reference: str, read: str) -> float:
    """Character error rate, whitespace ignored."""
    ref, hyp = "".join(reference.split()), "".join(read.split())
    return edit_distance(ref, hyp) / max(1, len(ref))


def bench_engine(engine: str, pages: list[Page]) -> dict[str, object]:
    """Read every page with ``engine`` alone in the OCR worker."""
    errors: dict[str, list[float]] = {"standard": [], "fine": []}
    seconds: list[float] = []
    with FaxReader(page_seconds=600, only=(engine,)) as reader:
        reader.read(pages[0].tiff, "image/tiff", "warm-up.tif")  # start and load the engine
        for page in pages:
            started = time.monotonic()
            reading = reader.read(page.tiff, "image/tiff", "fax.tif")
            seconds.append(time.monotonic() - started)
            errors[page.resolution].append(cer(page.text, reading.text))
        worker_peak = peak_rss_mb(reader.worker_pid or 0)
        engines = reader.engines
    return {
        "engine": ",".join(engines) or f"{engine} (not available)",
        "pages": len(pages),
        "cer_standard": round(statistics.mean(errors["standard"]), 4),
        "cer_fine": round(statistics.mean(errors["fine"]), 4),
        "cer_standard_worst": round(max(errors["standard"]), 4),
        "seconds_per_page": round(statistics.mean(seconds), 2),
        "worker_peak_rss_mb": round(worker_peak, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=10, help="letters (2 pages each)")
    parser.add_argument("--engines", default="rapidocr,tesseract")
    args = parser.parse_args()
    pages = page_set(args.letters)
    results = [bench_engine(engine, pages) for engine in args.engines.split(",")]
    started = time.monotonic()
    pdf = render_answer_pdf("[TS-202611-0001] 您的投诉已受理", pages[0].text * 3)
    report = {
        "pages": len(pages),
        "engines": results,
        "answer_pdf_bytes": len(pdf),
        "answer_pdf_seconds": round(time.monotonic() - started, 2),
        "main_process_peak_rss_mb": round(peak_rss_mb(), 1),
    }
    Path("bench-results").mkdir(exist_ok=True)
    Path("bench-results/fax.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
