"""Realistic received faxes, made from scratch for the OCR tests and the benchmark.

A complaint letter is drawn with a CJK font on an A4 page at fax resolution, turned
by a fraction of a degree (paper fed askew), streaked with the scanner's line noise
and speckle, reduced to black and white and saved as a fax machine stores it:

* standard resolution, 204 x 98 dpi, CCITT Group 3 TIFF (every other scan line);
* fine resolution, 204 x 196 dpi, CCITT Group 4 TIFF;
* a PDF of the fine page (what commercial fax-to-email services attach).

The known text of each page is kept, so recognition can be scored (character error
rate) against it.  Nothing here is shipped: it is test and benchmark material.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

__all__ = [
    "CJK_FONT",
    "FaxPage",
    "complaint_letter",
    "fax_pdf",
    "fax_tiff",
    "hylafax_mail",
    "letter_page",
    "noise_page",
    "service_mail",
]

CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # fonts-wqy-microhei
WIDTH = 1728  # pixels across an A4 fax line (ITU-T T.4)
FINE_HEIGHT = 2292  # A4 at 196 lines per inch
FINE_DPI, STANDARD_DPI = (204, 196), (204, 98)


@dataclass(frozen=True)
class FaxPage:
    """One page as drawn (fine resolution, 1 bit) and the text written on it."""

    image: Image.Image
    text: str


_CUSTOMERS = (
    "上海恒达机电有限公司",
    "苏州新源纺织品有限公司",
    "宁波永盛五金制品厂",
    "杭州联华食品有限公司",
)
_GOODS = ("电机配件", "纺织面料", "五金工具", "食品原料", "电子元件")
_TROUBLES = (
    ("货物到达时外箱严重破损，里面的{goods}已经压坏，无法使用。", "damage"),
    ("货物比约定时间晚到了五天，耽误了我们的生产计划。", "delay"),
    ("签收时发现少了两箱{goods}，司机说不清楚去向。", "loss"),
)


def complaint_letter(
    seed: int, waybill: str = "SF1234567890123", category: str | None = None
) -> tuple[str, str]:
    """A Chinese complaint letter (lines joined by newlines) and its category (drawn
    from the seed unless given: damage, delay or loss)."""
    rng = random.Random(seed)
    company = rng.choice(_CUSTOMERS)
    goods = rng.choice(_GOODS)
    trouble, category = rng.choice([t for t in _TROUBLES if category in (None, t[1])])
    lines = [
        "投诉函",
        "致：立达物流客户服务部",
        f"发件单位：{company}",
        f"运单号：{waybill}",
        f"我司于11月{rng.randint(2, 18)}日委托贵司运输一批{goods}，共{rng.randint(3, 40)}箱。",
        trouble.format(goods=goods),
        "请贵司尽快调查处理，并给予书面答复。",
        f"联系人：{rng.choice(['王经理', '李先生', '陈女士', '赵主任'])}",
        f"电话：021-{rng.randint(5000, 6999)}{rng.randint(1000, 9999)}",
        f"日期：2026年11月{rng.randint(19, 20)}日",
    ]
    return "\n".join(lines), category


def letter_page(
    text: str, seed: int, *, skew_degrees: float = 0.6, body_px: int = 44, specks: int = 3000
) -> FaxPage:
    """``text`` drawn on a fine-resolution A4 fax page, askew, with line noise;
    ``body_px`` is the body text's size (44 px at 204 dpi is 15.5 pt, 34 px a 12 pt
    letter)."""
    rng = random.Random(seed)
    page = Image.new("L", (WIDTH, FINE_HEIGHT), 255)
    draw = ImageDraw.Draw(page)
    title = ImageFont.truetype(str(CJK_FONT), 64)
    body = ImageFont.truetype(str(CJK_FONT), body_px)
    y = 180
    for number, line in enumerate(text.split("\n")):
        font = title if number == 0 else body
        x = (WIDTH - draw.textlength(line, font=font)) // 2 if number == 0 else 150
        draw.text((x, y), line, font=font, fill=0)
        y += 130 if number == 0 else body_px * 2
    page = page.rotate(skew_degrees, resample=Image.Resampling.BILINEAR, fillcolor=255)
    _line_noise(page, rng, specks=specks)
    return FaxPage(page.point(lambda v: 0 if v < 150 else 255).convert("1"), text)


def noise_page(seed: int) -> FaxPage:
    """A page with nothing legible on it: a bad transmission (black streaks, speckle)."""
    rng = random.Random(seed)
    page = Image.new("L", (WIDTH, FINE_HEIGHT), 255)
    _line_noise(page, rng, streaks=60, specks=40000)
    return FaxPage(page.convert("1"), "")


def _line_noise(
    page: Image.Image, rng: random.Random, streaks: int = 3, specks: int = 3000
) -> None:
    """Horizontal streaks across the page (a dirty scan line) and salt-and-pepper specks."""
    draw = ImageDraw.Draw(page)
    for _ in range(streaks):
        y = rng.randrange(page.height)
        draw.line([(0, y), (page.width, y + rng.randint(-2, 2))], fill=0, width=rng.randint(1, 2))
    pixels = page.load()
    assert pixels is not None
    for _ in range(specks):
        pixels[rng.randrange(page.width), rng.randrange(page.height)] = 0


def _standard(image: Image.Image) -> Image.Image:
    """The page as a standard-resolution fax machine sends it: every other scan line."""
    return image.resize((image.width, image.height // 2), Image.Resampling.NEAREST)


def fax_tiff(pages: Sequence[FaxPage], *, fine: bool) -> bytes:
    """A multi-page TIFF: fine (G4, 204x196 dpi) or standard (G3, 204x98 dpi)."""
    images = [page.image if fine else _standard(page.image) for page in pages]
    out = io.BytesIO()
    images[0].save(
        out,
        format="TIFF",
        compression="group4" if fine else "group3",
        dpi=FINE_DPI if fine else STANDARD_DPI,
        save_all=True,
        append_images=images[1:],
    )
    return out.getvalue()


def fax_pdf(pages: Sequence[FaxPage]) -> bytes:
    """A PDF of the fine-resolution pages, as fax-to-email services attach them."""
    images = [page.image for page in pages]
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=204.0, save_all=True, append_images=images[1:])
    return out.getvalue()


def hylafax_mail(
    document: bytes,
    *,
    call_id: str,
    station_id: str,
    pages: int,
    fine: bool = False,
    comm_id: str = "000000123",
) -> bytes:
    """The mail HylaFAX's ``faxrcvd`` script sends for a received fax (its English
    template): the subject names the sending machine's station id, the body's
    ``CallID1`` the caller's number as the telephone network gave it."""
    body = f"""recvq/fax{comm_id}.tif (ftp://fax.lida.example:4559/recvq/fax{comm_id}.tif):
                 Sender: {station_id}
                  Pages: {pages}
                Quality: {"Fine" if fine else "Normal"}
                   Size: ISO A4
               Received: 2026:11:20 09:58:31
        Time To Receive: 0:41
            Signal Rate: 14400 bit/s
            Data Format: 2-D MMR
          Error Correct: Yes
                CallID1: {call_id}
                CallID2:
            Received On: ttyS0
                 CommID: {comm_id} (ftp://fax.lida.example:4559/log/c{comm_id})
"""
    return _gateway_mail(
        ("HylaFAX Receive Agent", "fax@hylafax.lida.example"),
        f"Facsimile received from {station_id}",
        body,
        (f"fax{comm_id}.tif", "image/tiff", document),
    )


def service_mail(subject: str, document: bytes, filename: str, content_type: str) -> bytes:
    """The mail of a commercial fax-to-email service ("Fax from NUMBER")."""
    body = "You have received a fax. Please see the attachment.\n\n您收到一份传真，请查看附件。\n"
    return _gateway_mail(
        ("Fax Gateway", "noreply-fax@faxservice.example"),
        subject,
        body,
        (filename, content_type, document),
    )


_mail_numbers = iter(range(1, 1_000_000))


def _gateway_mail(
    sender: tuple[str, str], subject: str, body: str, document: tuple[str, str, bytes]
) -> bytes:
    from email.message import EmailMessage
    from email.utils import formataddr

    message = EmailMessage()
    message["From"] = formataddr(sender)
    message["To"] = "fax@lida.example"
    message["Subject"] = subject
    message["Date"] = "Fri, 20 Nov 2026 01:59:02 +0000"
    message["Message-ID"] = f"<fax-{next(_mail_numbers)}-{random.randrange(10**9)}@gateway.example>"
    message.set_content(body)
    filename, content_type, data = document
    maintype, subtype = content_type.split("/")
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def peak_rss_mb(pid: int | str = "self") -> float:
    """A process's peak resident set (VmHWM, Linux), in MB: the OCR memory figures."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"process {pid} reports no VmHWM")
