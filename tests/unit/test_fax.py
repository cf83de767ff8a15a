"""Faxes, the pure parts: numbers, the gateways' mail, page geometry, answer PDFs."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest
from PIL import Image

from complaintd.config import build_config
from complaintd.errors import ConfigError
from complaintd.fax.answer import answer_pdf
from complaintd.fax.gateway import read_gateway_mail
from complaintd.fax.numbers import dial_digits, normalise_fax_number
from complaintd.fax.ocr import square_pixels, tesseract_tsv_text
from complaintd.parse import parse_message
from complaintd.workflow.fax import fax_subject
from tests.support.faxes import hylafax_mail, service_mail
from tests.unit.test_config import minimal


@pytest.mark.parametrize(
    "raw",
    ["+86 21 5555 0198", "0086 21 55550198", "021-5555 0198", "(021) 5555-0198", "862155550198"],
)
def test_one_number_however_written(raw: str) -> None:
    assert normalise_fax_number(raw) == "+862155550198"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "+8613812345678"),  # a mobile number with a fax app
        ("+1 (415) 555-0100", "+14155550100"),
        ("55550198", "55550198"),  # a local number without area code stays as it is
        ("HENGDA LOGISTICS", None),  # a station id, not a number
        ("", None),
        ("12", None),
    ],
)
def test_numbers_of_other_forms(raw: str, expected: str | None) -> None:
    assert normalise_fax_number(raw) == expected


def test_gateway_addresses_take_international_digits() -> None:
    assert dial_digits("+862155550198") == "862155550198"


def test_hylafax_caller_is_callid1_never_the_station_id() -> None:
    raw = hylafax_mail(b"II*\x00", call_id="021-5555 0198", station_id="+86 10 9999 0000", pages=3)
    arrival = read_gateway_mail(parse_message(raw), None)
    assert arrival.gateway == "hylafax"
    assert arrival.number == "+862155550198"
    assert arrival.pages == 3
    assert arrival.received_at is not None and arrival.received_at.hour == 9
    assert arrival.document is not None and arrival.document.filename == "fax000000123.tif"


def test_hylafax_without_callid_has_no_number_even_with_a_numeric_station_id() -> None:
    raw = hylafax_mail(b"II*\x00", call_id="", station_id="Fax from 02155550198", pages=1)
    assert read_gateway_mail(parse_message(raw), None).number is None


@pytest.mark.parametrize(
    "subject",
    [
        "Fax from 0086-21-5555 0198",
        "New fax received from +86 21 5555 0198 (2 pages)",
        "caller ID: 021 5555 0198",
        "来自 021-55550198 的传真",
    ],
)
def test_commercial_services_subjects(subject: str) -> None:
    raw = service_mail(subject, b"%PDF-1.4", "fax.pdf", "application/pdf")
    arrival = read_gateway_mail(parse_message(raw), None)
    assert (arrival.gateway, arrival.number) == ("service", "+862155550198")
    assert arrival.document is not None and arrival.document.content_type == "application/pdf"


def test_configured_caller_pattern_comes_first() -> None:
    raw = service_mail("Incoming document [TEL 021-5555-0198]", b"%PDF", "a.pdf", "application/pdf")
    parsed = parse_message(raw)
    assert read_gateway_mail(parsed, None).number is None
    arrival = read_gateway_mail(parsed, r"\[TEL (?P<number>[\d-]+)\]")
    assert (arrival.gateway, arrival.number) == ("configured", "+862155550198")


def test_customer_directory_is_read_with_normalised_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COMPLAINTD_TOKEN_SECRET", "s" * 32)
    monkeypatch.setenv("COMPLAINTD_IMAP_PASSWORD", "pw")
    directory = tmp_path / "fax.csv"
    directory.write_text(
        "fax number,name,email\n# a comment\n021-5555 0198,恒达机电,Wang@Hengda.example\n"
        "+86 10 8888 7777,北方五金,\n",
        encoding="utf-8",
    )
    raw = minimal()
    raw["fax"] = {"customer_directory": str(directory), "ocr_page_seconds": 12}
    fax = build_config(raw).fax
    assert [(c.fax, c.name, c.email) for c in fax.directory] == [
        ("+862155550198", "恒达机电", "wang@hengda.example"),
        ("+861088887777", "北方五金", None),
    ]
    assert fax.ocr_page_seconds == 12
    directory.write_text("021-5555 0198,ok\nnot a number,x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="customer_directory"):
        build_config(raw)
    raw["fax"] = {"customer_directory": str(tmp_path / "missing.csv")}
    with pytest.raises(ConfigError, match="customer_directory"):
        build_config(raw)


def test_standard_resolution_pages_are_stretched_to_square_pixels() -> None:
    page = Image.new("L", (1728, 1146), 255)
    assert square_pixels(page, (204.0, 98.0)).size == (1728, 2386)
    assert square_pixels(page, None).size == (1728, 2386)  # no resolution: a fax's shape
    assert square_pixels(page, (204.0, 196.0)) is page
    fine = Image.new("L", (1728, 2292), 255)
    assert square_pixels(fine, None) is fine


def test_tesseract_spaces_between_chinese_characters_are_dropped() -> None:
    header = "level\tpage\tblock\tpar\tline\tword\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [
        "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\t运单号",
        "5\t1\t1\t1\t1\t2\t0\t0\t1\t1\t80\t：SF1234567890123",
        "5\t1\t1\t1\t2\t1\t0\t0\t1\t1\t70\t外箱",
        "5\t1\t1\t1\t2\t2\t0\t0\t1\t1\t60\t破损",
        "5\t1\t1\t1\t2\t3\t0\t0\t1\t1\t60\tbadly",
    ]
    reading = tesseract_tsv_text("\n".join([header, *rows]))
    assert reading.text == "运单号：SF1234567890123\n外箱破损 badly"
    assert reading.confidence == pytest.approx(0.72)


def test_fax_subject_is_the_letters_title() -> None:
    assert fax_subject("\n 投诉函 \n致：立达物流", "传真 / Fax") == "投诉函"
    assert fax_subject("", "传真 / Fax +862155550198") == "传真 / Fax +862155550198"


def test_answer_pdf_is_one_a4_page_with_the_chinese_text_embedded(tmp_path: Path) -> None:
    text = "尊敬的客户：\n\n我们已收到您的传真投诉，运单号 SF1234567890123。\n" * 60
    pdf = answer_pdf("[TS-202611-0001] 您的投诉已受理", text)
    assert len(pdf) < 50_000
    assert b"/FontFile2" in pdf  # embedded, not a built-in font the gateway may lack
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1  # long text is set smaller, never a second page
        width, height = document[0].get_size()
        assert (round(width), round(height)) == (595, 842)  # A4 in points
        extracted = document[0].get_textpage().get_text_range()
        assert "您的投诉已受理" in extracted and "SF1234567890123" in extracted
        # Drawn, not blank: the Chinese glyphs put ink on the page.
        image = document[0].render(scale=1).to_pil().convert("L")
        assert image.getextrema()[0] < 100
    finally:
        document.close()


def test_an_answer_of_many_different_characters_becomes_a_fax_image_under_50_kb() -> None:
    """About 460 distinct characters: the embedded font alone would pass 50 KB."""
    templates = Path(__file__).resolve().parents[2] / "templates" / "zh-CN"
    words = "".join(path.read_text(encoding="utf-8") for path in templates.glob("*.txt"))
    chinese = sorted({char for char in words if "\u4e00" <= char <= "\u9fff"})
    assert len(chinese) > 400
    text = "\n".join("".join(chinese[i : i + 40]) for i in range(0, len(chinese), 40))
    pdf = answer_pdf("[TS-202611-0001] 答复", text)
    assert len(pdf) < 50_000
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1
        image = document[0].render(scale=1).to_pil().convert("L")
        assert image.getextrema()[0] < 100  # the letter is on the page, as an image
    finally:
        document.close()
