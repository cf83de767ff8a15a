"""Realistic complaint mail for tests, ``make demo`` and ``make bench``.

LiDa Logistics' complaint desk (``complaints@lida.example``) receives mail from
customers in simplified and traditional Chinese and in English, from Foxmail,
Outlook, Coremail, QQ Mail, Gmail, Apple Mail and Thunderbird, with all their
habits: GBK text labelled ``gb2312``, Big5, GB18030, RFC 2047 words inside
``filename=`` parameters, Outlook's ``-----原始邮件-----`` quote headers,
out-of-office auto-replies and bounces.

* ``demo_messages()`` returns eight hand-written messages for the demo.
* ``generate_mailbox(n, seed)`` returns *n* varied messages for benchmarks,
  byte-for-byte identical for the same seed; ``generate_mailbox_with_meta``
  adds a ``SampleMeta`` per message so tests can check decoding.

Waybill numbers follow ``WAYBILL_RE``: SF/YT/JT + 13 digits (domestic) or a UPU
S10 EMS number ending in CN (international).  All domains end in ``.example``
and all IP addresses are documentation ranges; nothing here is deliverable.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import math
import random
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from email.message import Message

from tests.support import corpus
from tests.support.images import make_jpeg, make_png
from tests.support.mime import (
    address,
    attachment_part,
    encoded_words,
    flatten,
    multipart,
    text_part,
)

__all__ = [
    "DESK_ADDRESS",
    "WAYBILL_RE",
    "SampleMeta",
    "demo_messages",
    "demo_messages_with_meta",
    "generate_mailbox",
    "generate_mailbox_with_meta",
]

DESK_ADDRESS = "complaints@lida.example"
DESK_DOMAIN = "lida.example"
DESK_NAME_ZH = "利达物流客户服务中心"
MX_HOST = "mx1.lida.example"

WAYBILL_RE = re.compile(r"(?:SF|YT|JT)\d{13}|E[A-Z]\d{9}CN")

# Kinds of message in a mailbox; "reply" is a customer's follow-up.
KINDS: tuple[str, ...] = ("complaint", "reply", "auto_reply", "bounce")

_START = dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
_CST = dt.timezone(dt.timedelta(hours=8))
_MONTHS = tuple(calendar.month_name[m] for m in range(13))  # English regardless of locale
_DOC_NETS = ("192.0.2", "198.51.100", "203.0.113")  # RFC 5737: never routable

# (mailer, charset label as that client writes it, Python codec, weight)
_PROFILES: dict[str, tuple[tuple[str, str, str, int], ...]] = {
    "zh-Hans": (
        ("foxmail", "GB2312", "gbk", 18),
        ("outlook", "gb2312", "gbk", 14),
        ("coremail", "GBK", "gbk", 18),
        ("qqmail", "gb18030", "gb18030", 12),
        ("apple", "utf-8", "utf-8", 14),
        ("gmail", "UTF-8", "utf-8", 12),
        ("thunderbird", "UTF-8", "utf-8", 6),
    ),
    "zh-Hant": (
        ("outlook", "big5", "big5", 40),
        ("foxmail", "big5", "big5", 15),
        ("apple", "utf-8", "utf-8", 25),
        ("gmail", "UTF-8", "utf-8", 20),
    ),
    "en": (
        ("outlook", "us-ascii", "ascii", 25),
        ("outlook", "utf-8", "utf-8", 10),
        ("outlook", "windows-1252", "cp1252", 12),
        ("gmail", "UTF-8", "utf-8", 20),
        ("apple", "us-ascii", "ascii", 10),
        ("apple", "utf-8", "utf-8", 8),
        ("thunderbird", "ISO-8859-1", "latin-1", 10),
        ("thunderbird", "UTF-8", "utf-8", 5),
    ),
}
_LANGUAGE_WEIGHTS = (("zh-Hans", 40), ("zh-Hant", 10), ("en", 50))

# Transfer encoding each client uses for non-ASCII text (CJK, Latin).
_CTE_CJK = {
    "foxmail": "base64",
    "outlook": "base64",
    "coremail": "base64",
    "qqmail": "base64",
    "gmail": "base64",
    "apple": "quoted-printable",
    "thunderbird": "8bit",
}
_CTE_LATIN = {
    "outlook": "quoted-printable",
    "gmail": "quoted-printable",
    "apple": "quoted-printable",
}
# (layout, weight): plain text only, text+HTML alternative, HTML only.
_LAYOUTS = {
    "apple": (("plain", 80), ("alternative", 15), ("html", 5)),
    "thunderbird": (("plain", 80), ("html", 20)),
}
_DEFAULT_LAYOUTS = (("plain", 15), ("alternative", 73), ("html", 12))
_BLOCKQUOTE = '<blockquote style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">'
_RFC2231_MAILERS = ("apple", "thunderbird", "gmail")
_X_MAILER = {
    "foxmail": ("X-Mailer", "Foxmail 7.2.25.254[cn]"),
    "outlook": ("X-Mailer", "Microsoft Outlook 16.0"),
    "coremail": ("X-Mailer", "Coremail Webmail Server Version XT5.0.14 build 20230109"),
    "qqmail": ("X-QQ-MIME", "TCMime 1.0 by Tencent"),
    "apple": ("X-Mailer", "iPhone Mail (21F90)"),
    "thunderbird": ("User-Agent", "Mozilla Thunderbird"),
}


@dataclass(frozen=True)
class SampleMeta:
    """What a sample message contains, for checking the decoder's results."""

    kind: str  # complaint | reply | auto_reply | bounce
    language: str  # zh-Hans | zh-Hant | en
    charset: str  # declared charset of the main text part, lower case
    codec: str  # Python codec the text bytes really use (gbk under a gb2312 label)
    expected_waybills: tuple[str, ...]  # in order of first appearance, subject first
    has_attachment: bool
    message_id: str
    sender: str  # bare address
    subject: str  # decoded
    layout: str  # plain | alternative | html | report
    transfer_encoding: str  # of the main text part
    topic: str | None = None
    in_reply_to: str | None = None
    reply_to_index: int | None = None  # index in the same mailbox for replies
    ticket: str | None = None  # desk ticket referenced in the subject, if any
    order_numbers: tuple[str, ...] = ()
    attachment_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Customer:
    """A sender with stable habits: language, mail client, charset."""

    name: str
    addr: str
    language: str
    mailer: str
    label: str
    codec: str
    company: str
    phone: str
    utc_offset: int


@dataclass
class _Draft:
    """A message being composed: text blocks plus everything the headers need."""

    customer: _Customer
    subject: str
    blocks: list[str]
    when: dt.datetime
    topic: str | None = None
    quote: _Quote | None = None
    photos: list[tuple[bytes, str, str]] = field(default_factory=list)  # data, mime, name
    extra_headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Quote:
    """An earlier message quoted below a reply."""

    style: str  # outlook_zh | outlook_en | gmail
    sender: str
    addr: str
    when: dt.datetime
    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class _Complaint:
    """What later replies, auto-replies and bounces need from a complaint."""

    index: int
    customer: _Customer
    subject: str
    message_id: str
    core_text: str
    when: dt.datetime
    ticket: str


# -- small generators -----------------------------------------------------------


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    """Pick one label from (label, weight) pairs."""
    labels = [label for label, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(labels, weights)[0]


def _digits(rng: random.Random, count: int) -> str:
    """A string of *count* random digits not starting with 0."""
    return str(rng.randrange(10 ** (count - 1), 10**count))


def _s10_waybill(rng: random.Random) -> str:
    """A UPU S10 EMS number (e.g. EA123456785CN) with a valid check digit."""
    serial = f"{rng.randrange(10**8):08d}"
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"E{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{serial}{check}CN"


def _waybill(rng: random.Random, language: str) -> str:
    """A waybill number in one of the formats ``WAYBILL_RE`` knows."""
    roll = rng.random()
    if language == "en" and roll < 0.15:
        return _s10_waybill(rng)
    if roll < 0.75:
        return "SF" + _digits(rng, 13)
    return ("YT" if roll < 0.88 else "JT") + _digits(rng, 13)


def _waybills_in(*texts: str) -> tuple[str, ...]:
    """All waybill numbers in *texts*, deduplicated, in order of appearance."""
    found: list[str] = []
    for text in texts:
        for number in WAYBILL_RE.findall(text):
            if number not in found:
                found.append(number)
    return tuple(found)


def _hex(rng: random.Random, width: int) -> str:
    """*width* random lower-case hex digits."""
    return f"{rng.getrandbits(width * 4):0{width}x}"


def _ip(rng: random.Random) -> str:
    """An address from the RFC 5737 documentation ranges."""
    return f"{rng.choice(_DOC_NETS)}.{rng.randrange(1, 255)}"


def _date_text(when: dt.date, language: str, rng: random.Random) -> str:
    """A date as a customer would write it in running text."""
    if language != "en":
        return f"{when.month}月{when.day}日"
    if rng.random() < 0.5:
        return f"{when.day} {_MONTHS[when.month]} {when.year}"
    return f"{_MONTHS[when.month][:3]} {when.day}"


def _money(rng: random.Random, language: str, low: int, high: int) -> tuple[str, str]:
    """Two amounts, quoted then (higher) charged, formatted for *language*."""
    quoted = rng.randrange(low, high)
    charged = quoted + rng.randrange(max(2, quoted // 10), quoted + 2)
    if language != "en":
        return str(quoted), str(charged)
    currency = rng.choice(("USD", "CNY", "EUR"))
    return f"{currency} {quoted:,.2f}", f"{currency} {charged:,.2f}"


def _smarten(text: str) -> str:
    """Use typographic apostrophes, as Outlook and Apple Mail do."""
    return text.replace("'", "\u2019")


# -- customers --------------------------------------------------------------------


def _pick_name(rng: random.Random, language: str, codec: str) -> tuple[str, str]:
    """A (name, handle) the customer's charset can carry, sometimes an awkward one."""
    if language == "zh-Hant":
        return rng.choice(corpus.NAMES_ZH_HANT)
    if language == "en":
        accented_ok = codec != "ascii" and rng.random() < 0.3
        return rng.choice(corpus.NAMES_EN_ACCENTED if accented_ok else corpus.NAMES_EN)
    roll = rng.random()
    if codec in ("gb18030", "utf-8") and roll < 0.25:
        return rng.choice(corpus.NAMES_ZH_GB18030_ONLY)
    if roll < 0.55:
        return rng.choice(corpus.NAMES_ZH_GBK_ONLY)
    return rng.choice(corpus.NAMES_ZH)


def _phone(rng: random.Random, language: str) -> str:
    """A plausible phone number (fictional ranges where they exist)."""
    if language == "zh-Hans":
        return f"+86 1{rng.choice('3589')}{rng.randrange(10)}-{_digits(rng, 4)}-{_digits(rng, 4)}"
    if language == "zh-Hant":
        return f"+886 9{rng.randrange(10, 99)}-{_digits(rng, 3)}-{_digits(rng, 3)}"
    return f"+1 312-555-01{rng.randrange(10, 99)}"


def _customer_address(rng: random.Random, language: str, handle: str) -> tuple[str, str]:
    """Return (company, address): a company mailbox or a free-mail one."""
    companies = {
        "zh-Hans": corpus.COMPANIES_ZH,
        "zh-Hant": corpus.COMPANIES_ZH_HANT,
        "en": corpus.COMPANIES_EN,
    }[language]
    if rng.random() < 0.45:
        company, domain = rng.choice(companies)
        return company, f"{handle}@{domain}"
    free = corpus.FREE_MAIL_EN if language == "en" else corpus.FREE_MAIL_ZH
    domain = rng.choice(free)
    if domain == "qq.example":
        return "", f"{_digits(rng, rng.randrange(8, 11))}@{domain}"
    suffix = str(rng.randrange(1970, 2005)) if rng.random() < 0.5 else ""
    return "", f"{handle}{suffix}@{domain}"


def _make_customer(rng: random.Random, language: str | None = None) -> _Customer:
    """Invent a customer with consistent language, client and charset."""
    language = language or _weighted(rng, _LANGUAGE_WEIGHTS)
    profiles = _PROFILES[language]
    mailer, label, codec, _ = rng.choices(profiles, [p[3] for p in profiles])[0]
    name, handle = _pick_name(rng, language, codec)
    company, addr = _customer_address(rng, language, handle)
    offset = 8 if language != "en" else rng.choice((0, 1, -5, -6, 8, 10))
    return _Customer(
        name, addr, language, mailer, label, codec, company, _phone(rng, language), offset
    )


# -- message ids, boundaries, headers --------------------------------------------------


def _message_id(rng: random.Random, customer: _Customer, when: dt.datetime) -> str:
    """A Message-ID shaped like the customer's mail client makes them."""
    domain = customer.addr.split("@", 1)[1]
    mailer = customer.mailer
    if mailer == "foxmail":
        return f"<{when:%Y%m%d%H%M%S}{_digits(rng, 7)}@{domain}>"
    if mailer == "outlook":
        return f"<000001db{_hex(rng, 4)}${_hex(rng, 8)}${_hex(rng, 8)}$@{domain}>"
    if mailer == "coremail":
        stamp = int(when.timestamp() * 1000)
        local = customer.addr.split("@", 1)[0]
        return f"<{_hex(rng, 8)}.{_hex(rng, 4)}.{stamp:x}.Coremail.{local}@{domain}>"
    if mailer == "gmail":
        return f"<CA+{_hex(rng, 24)}{_hex(rng, 16).upper()}@mail.{domain}>"
    if mailer == "qqmail":
        return f"<tencent_{_hex(rng, 32).upper()}@{domain}>"
    uuid = "-".join(_hex(rng, n).upper() for n in (8, 4, 4, 4, 12))
    return f"<{uuid}@{domain}>"


def _boundary(rng: random.Random, mailer: str, level: int) -> str:
    """A multipart boundary in the mail client's style (deterministic from *rng*)."""
    if mailer == "outlook":
        a, b, c = _hex(rng, 4).upper(), _hex(rng, 4).upper(), _hex(rng, 8).upper()
        return f"----=_NextPart_00{level}_{a}_01DB{b}.{c}"
    if mailer == "foxmail":
        return f"----=_00{level}_NextPart{_digits(rng, 12)}_=----"
    if mailer == "apple":
        return f"Apple-Mail={_hex(rng, 8).upper()}-{_hex(rng, 4).upper()}-{_hex(rng, 12).upper()}"
    if mailer == "gmail":
        return f"0000000000{_hex(rng, 18)}"
    return f"----=_Part_{rng.randrange(10**5, 10**6)}_{_digits(rng, 9)}.{_digits(rng, 13)}"


def _received(rng: random.Random, customer: _Customer, when: dt.datetime) -> str:
    """The Received header our MX would add for a message from *customer*."""
    domain = customer.addr.split("@", 1)[1]
    helo = f"smtp{rng.randrange(1, 20)}.{domain}"
    queue_id = _hex(rng, 10).upper()
    stamp = _format_date(when.astimezone(_CST) + dt.timedelta(seconds=rng.randrange(1, 30)))
    return (
        f"from {helo} ({helo} [{_ip(rng)}])\r\n\tby {MX_HOST} (Postfix) with ESMTPS id "
        f"{queue_id}\r\n\tfor <{DESK_ADDRESS}>; {stamp}"
    )


def _format_date(when: dt.datetime) -> str:
    """RFC 5322 date, e.g. "Tue, 03 Nov 2026 10:15:00 +0800" (locale independent)."""
    day = calendar.day_abbr[when.weekday()]
    offset = when.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    month = _MONTHS[when.month][:3]
    return f"{day}, {when.day:02d} {month} {when.year} {when:%H:%M:%S} {sign}{hours:02d}{mins:02d}"


def _desk_to(rng: random.Random, customer: _Customer) -> str:
    """The To header as customers address the desk (bare, Chinese or English name)."""
    roll = rng.random()
    if roll < 0.4:
        return DESK_ADDRESS
    if roll < 0.7 and customer.language != "en":
        name = "利达物流客服" if customer.language == "zh-Hans" else "利達物流客服"
        return address(name, DESK_ADDRESS, customer.codec, customer.label, _word_method(customer))
    return address("LiDa Logistics Complaints", DESK_ADDRESS)


def _word_method(customer: _Customer) -> str:
    """RFC 2047 method the client uses: Apple and Thunderbird prefer Q for UTF-8/Latin."""
    if customer.mailer in ("apple", "thunderbird") and customer.codec in ("utf-8", "latin-1"):
        return "Q"
    return "B"


def _envelope_headers(
    rng: random.Random, customer: _Customer, draft: _Draft, message_id: str
) -> list[tuple[str, str]]:
    """Trace and identity headers in the order a delivered message carries them."""
    local_when = draft.when.astimezone(dt.timezone(dt.timedelta(hours=customer.utc_offset)))
    method = _word_method(customer)
    headers = [
        ("Return-Path", f"<{customer.addr}>"),
        ("Received", _received(rng, customer, draft.when)),
        ("Date", _format_date(local_when)),
        ("From", address(customer.name, customer.addr, customer.codec, customer.label, method)),
        ("To", _desk_to(rng, customer)),
        ("Subject", encoded_words(draft.subject, customer.codec, customer.label, method)),
        ("Message-ID", message_id),
    ]
    headers.extend(draft.extra_headers)
    headers.append(("MIME-Version", "1.0"))
    tag = _X_MAILER.get(customer.mailer)
    if tag:
        headers.append(tag)
    if customer.mailer == "outlook":
        headers.append(("Thread-Index", "AQ" + _hex(rng, 20)))
        headers.append(
            (
                "Content-Language",
                {"en": "en-us", "zh-Hant": "zh-tw"}.get(customer.language, "zh-cn"),
            )
        )
    return headers


# -- body text ----------------------------------------------------------------------------


def _fields(rng: random.Random, language: str, when: dt.datetime) -> dict[str, str]:
    """Values for every placeholder the sentence banks use."""
    ship = (when - dt.timedelta(days=rng.randrange(3, 16))).date()
    amount, amount2 = _money(rng, language, 180, 20000)
    kg = rng.randrange(2, 80)
    cities = {
        "zh-Hans": corpus.CITIES_ZH,
        "zh-Hant": corpus.CITIES_ZH_HANT,
        "en": corpus.CITIES_EN,
    }[language]
    items = {"zh-Hans": corpus.ITEMS_ZH, "zh-Hant": corpus.ITEMS_ZH_HANT, "en": corpus.ITEMS_EN}[
        language
    ]
    city_from, city_to = rng.sample(cities, 2)
    return {
        "wb": _waybill(rng, language),
        "wb2": _waybill(rng, language),
        "po": f"PO-2026-{rng.randrange(1000, 9999)}",
        "inv": f"INV-2026{when.month:02d}-{rng.randrange(1, 99999):05d}",
        "ship_date": _date_text(ship, language, rng),
        "days": str(rng.randrange(4, 15)),
        "city_from": city_from,
        "city_to": city_to,
        "item": rng.choice(items),
        "amount": amount,
        "amount2": amount2,
        "kg": str(kg),
        "kg2": str(kg + rng.randrange(3, 40)),
        "courier": _digits(rng, 6),
    }


def _joiner(language: str) -> str:
    """Sentences run together in Chinese and are space-separated in English."""
    return " " if language == "en" else ""


def _complaint_paragraphs(
    rng: random.Random, language: str, topic: str, values: dict[str, str], photo: bool
) -> list[str]:
    """Greeting, 2-5 topic sentences (the first names the waybill) and a demand."""
    bank = corpus.TOPIC_SENTENCES[language][topic]
    rest = list(bank[1:])
    chosen = [bank[0], *rng.sample(rest, rng.randrange(1, len(rest) + 1))]
    sentences = [s.format(**values) for s in chosen]
    if photo:
        sentences.append(corpus.PHOTO_SENTENCES[language])
    split = rng.randrange(1, len(sentences) + 1)
    join = _joiner(language)
    paragraphs = [rng.choice(corpus.GREETINGS[language]), join.join(sentences[:split])]
    if sentences[split:]:
        paragraphs.append(join.join(sentences[split:]))
    paragraphs.append(rng.choice(corpus.DEMANDS[language]).format(**values))
    return paragraphs


def _signature(rng: random.Random, customer: _Customer) -> str:
    """Closing line, name, company and phone."""
    lines = [rng.choice(corpus.CLOSINGS[customer.language]), customer.name]
    if customer.company:
        lines.append(customer.company)
    lines.append(corpus.PHONE_LABEL[customer.language] + customer.phone)
    return "\n".join(lines)


def _tracking_section(rng: random.Random, language: str, when: dt.datetime) -> str:
    """A pasted tracking history: 4-12 timestamped events."""
    cities = {
        "zh-Hans": corpus.CITIES_ZH,
        "zh-Hant": corpus.CITIES_ZH_HANT,
        "en": corpus.CITIES_EN,
    }[language]
    stamp = when - dt.timedelta(days=rng.randrange(4, 12))
    lines = [corpus.SECTION_TITLES[language]["tracking"]]
    for _ in range(rng.randrange(4, 13)):
        stamp += dt.timedelta(minutes=rng.randrange(30, 900))
        event = rng.choice(corpus.TRACKING_EVENTS[language])
        city, city2 = rng.sample(cities, 2)
        lines.append(f"{stamp:%Y-%m-%d %H:%M}  {event.format(city=city, city2=city2)}")
    return "\n".join(lines)


def _goods_section(rng: random.Random, language: str) -> str:
    """A pasted list of the goods in the shipment: 3-25 lines."""
    items = {"zh-Hans": corpus.ITEMS_ZH, "zh-Hant": corpus.ITEMS_ZH_HANT, "en": corpus.ITEMS_EN}[
        language
    ]
    lines = [corpus.SECTION_TITLES[language]["goods"]]
    for i in range(1, rng.randrange(4, 26)):
        sku = f"{rng.choice('ABCDHKMT')}{rng.choice('BCKLTX')}-{rng.randrange(1000, 9999)}"
        price = f"{rng.randrange(5, 900)}.{rng.randrange(100):02d}"
        lines.append(
            corpus.GOODS_LINES[language].format(
                i=i, item=rng.choice(items), sku=sku, qty=rng.randrange(1, 200), price=price
            )
        )
    return "\n".join(lines)


def _chat_section(rng: random.Random, language: str, when: dt.datetime) -> str:
    """A pasted chat with the driver."""
    stamp = when - dt.timedelta(hours=rng.randrange(2, 48))
    lines = [corpus.SECTION_TITLES[language]["chat"]]
    for template in corpus.CHAT_LINES[language][
        : rng.randrange(3, len(corpus.CHAT_LINES[language]) + 1)
    ]:
        stamp += dt.timedelta(minutes=rng.randrange(1, 40))
        lines.append(template.format(time=f"{stamp:%m-%d %H:%M}"))
    return "\n".join(lines)


def _padding(
    rng: random.Random, language: str, when: dt.datetime, codec: str, budget: int
) -> list[str]:
    """Pasted sections until about *budget* bytes: real complaints carry such bulk."""
    sections: list[str] = []
    used = 0
    while used < budget and len(sections) < 40:
        roll = rng.random()
        if roll < 0.45:
            section = _tracking_section(rng, language, when)
        elif roll < 0.85:
            section = _goods_section(rng, language)
        else:
            section = _chat_section(rng, language, when)
        sections.append(section)
        used += len(section.encode(codec))
    return sections


def _size_multiplier(cte: str, layout: str, codec: str) -> float:
    """How many wire bytes one byte of text turns into (transfer encoding x layout)."""
    wide = codec not in ("ascii", "latin-1", "cp1252")
    cte_factor = {"base64": 1.37, "quoted-printable": 3.0 if wide else 1.05}.get(cte, 1.0)
    layout_factor = {"plain": 1.0, "html": 1.35, "alternative": 2.35}[layout]
    return cte_factor * layout_factor


def _target_size(rng: random.Random) -> int:
    """A message size in bytes: mostly 1.5-6 KB, a long tail to 19 KB (log-uniform)."""
    low, high = (1500, 6000) if rng.random() < 0.7 else (6000, 16000)
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


# -- rendering ---------------------------------------------------------------------------------


def _plain_quote(quote: _Quote) -> str:
    """The quoted earlier message in plain text, Outlook or Gmail style."""
    if quote.style == "gmail":
        head = f"On {_format_date(quote.when)}, {quote.sender} <{quote.addr}> wrote:"
        return (
            head + "\n" + "\n".join(f"> {line}" if line else ">" for line in quote.text.split("\n"))
        )
    if quote.style == "outlook_zh":
        head = (
            f"-----原始邮件-----\n发件人: {quote.sender} <{quote.addr}>\n"
            f"发送时间: {quote.when.year}年{quote.when.month}月{quote.when.day}日"
            f" {quote.when:%H:%M}\n"
            f"收件人: {quote.to}\n主题: {quote.subject}"
        )
    else:
        head = (
            f"-----Original Message-----\nFrom: {quote.sender} <{quote.addr}>\n"
            f"Sent: {calendar.day_name[quote.when.weekday()]}, {_MONTHS[quote.when.month]} "
            f"{quote.when.day}, {quote.when.year} {quote.when:%H:%M}\n"
            f"To: {quote.to}\nSubject: {quote.subject}"
        )
    return f"{head}\n\n{quote.text}"


def _plain_text(draft: _Draft) -> str:
    """The text/plain rendering: blocks separated by blank lines, then the quote."""
    blocks = list(draft.blocks)
    if draft.quote is not None:
        blocks.append(_plain_quote(draft.quote))
    return "\n\n".join(blocks) + "\n"


def _html_block(block: str, outlook: bool) -> str:
    """One text block as HTML paragraphs, in Outlook's or a webmail's markup."""
    lines = [html.escape(line, quote=False) or "&nbsp;" for line in block.split("\n")]
    if outlook:
        return "\n".join(f'<p class="MsoNormal">{line}<o:p></o:p></p>' for line in lines)
    return "<div>" + "<br>\n".join(lines) + "</div>"


def _html_text(draft: _Draft) -> str:
    """The text/html rendering of *draft*, with a <meta> charset like real clients."""
    customer = draft.customer
    outlook = customer.mailer == "outlook"
    font = {"zh-Hans": "等线", "zh-Hant": "新細明體", "en": "Calibri"}[customer.language]
    parts = [_html_block(block, outlook) for block in draft.blocks]
    if draft.quote is not None:
        quoted = _html_block(_plain_quote(draft.quote), outlook)
        parts.append(f"{_BLOCKQUOTE}\n{quoted}\n</blockquote>")
    body = "\n<div>&nbsp;</div>\n".join(parts)
    return (
        "<html>\n<head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={customer.label}">\n'
        f"<style>p.MsoNormal, div {{margin:0; font-size:11pt; font-family:{font};}}</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _choose_cte(rng: random.Random, customer: _Customer, text: str) -> str:
    """Transfer encoding for the text: the client's habit, with some variety."""
    if text.isascii():
        return "7bit" if rng.random() < 0.85 else "quoted-printable"
    if rng.random() < 0.15:
        return rng.choice(("base64", "quoted-printable", "8bit"))
    if customer.codec in ("ascii", "latin-1", "cp1252"):
        return _CTE_LATIN.get(customer.mailer, "8bit")
    return _CTE_CJK.get(customer.mailer, "base64")


def _photo_param(name: str, customer: _Customer) -> str:
    """The filename parameter as the customer's client writes a (maybe non-ASCII) name."""
    if name.isascii():
        return f'filename="{name}"'
    if customer.mailer in _RFC2231_MAILERS:
        return f"filename*=utf-8''{urllib.parse.quote(name, safe='')}"
    # Outlook, Foxmail and Coremail put RFC 2047 words inside the quoted string.
    return f'filename="{encoded_words(name, customer.codec, customer.label, separator=" ")}"'


def _body(rng: random.Random, draft: _Draft, layout: str, cte: str) -> Message:
    """Assemble the MIME tree: text and/or HTML, wrapped with attachments if any."""
    customer = draft.customer
    plain = text_part(_plain_text(draft), "plain", customer.codec, customer.label, cte)
    if layout == "plain":
        body = plain
    else:
        rich = text_part(_html_text(draft), "html", customer.codec, customer.label, cte)
        body = (
            rich
            if layout == "html"
            else multipart("alternative", _boundary(rng, customer.mailer, 1), [plain, rich])
        )
    if not draft.photos:
        return body
    parts = [body]
    for data, mime_type, name in draft.photos:
        parts.append(attachment_part(data, mime_type, _photo_param(name, customer)))
    return multipart(
        "mixed",
        _boundary(rng, customer.mailer, 0),
        parts,
        preamble="This is a multi-part message in MIME format.",
    )


def _render(
    rng: random.Random,
    draft: _Draft,
    message_id: str,
    layout: str | None = None,
    cte: str | None = None,
) -> tuple[bytes, str, str]:
    """Serialise *draft*; return (raw bytes, layout, transfer encoding)."""
    customer = draft.customer
    layout = layout or _weighted(rng, _LAYOUTS.get(customer.mailer, _DEFAULT_LAYOUTS))
    cte = cte or _choose_cte(rng, customer, _plain_text(draft))
    headers = _envelope_headers(rng, customer, draft, message_id)
    return flatten(headers, _body(rng, draft, layout, cte)), layout, cte


def _meta(draft: _Draft, kind: str, message_id: str, layout: str, cte: str) -> SampleMeta:
    """Describe a rendered draft (callers add reply links with dataclasses.replace)."""
    customer = draft.customer
    text = _plain_text(draft)
    return SampleMeta(
        kind=kind,
        language=customer.language,
        charset=customer.label.lower(),
        codec=customer.codec,
        expected_waybills=_waybills_in(draft.subject, text),
        has_attachment=bool(draft.photos),
        message_id=message_id,
        sender=customer.addr,
        subject=draft.subject,
        layout=layout,
        transfer_encoding=cte,
        topic=draft.topic,
        order_numbers=tuple(dict.fromkeys(re.findall(r"PO-\d{4}-\d{4}", draft.subject + text))),
        attachment_names=tuple(name for _, _, name in draft.photos),
    )


# -- photos ----------------------------------------------------------------------------------


def _photo(
    rng: random.Random, customer: _Customer, when: dt.datetime, number: int, png_ok: bool = True
) -> tuple[bytes, str, str]:
    """A photo of the damage: a small JPEG, or a PNG of 4-44 KB."""
    stamp = when.astimezone(_CST)
    if rng.random() < 0.6 or not png_ok:
        width, height = rng.choice(((320, 240), (480, 360), (640, 480), (800, 600)))
        data, mime_type, ext = make_jpeg(width, height, rng), "image/jpeg", "jpg"
    else:
        width = rng.randrange(80, 160)
        data = make_png(width, max(1, rng.randrange(4000, 44000) // (3 * width)), rng)
        mime_type, ext = "image/png", "png"
    if customer.language == "en":
        name = rng.choice(
            (f"IMG_{rng.randrange(1000, 9999)}.{ext.upper()}", f"damage_{number}.{ext}")
        )
    else:
        name = rng.choice(
            (
                f"破损照片{number}.{ext}",
                f"IMG_{stamp:%Y%m%d_%H%M%S}.{ext}",
                f"微信图片_{stamp:%Y%m%d%H%M%S}.{ext}",
            )
        )
        if customer.language == "zh-Hant" and not name.isascii():
            name = f"破損照片{number}.{ext}"
    return data, mime_type, name


# -- message kinds ----------------------------------------------------------------------------


def _ack_id(rng: random.Random, ticket: str) -> str:
    """Message-ID of the desk's acknowledgement for *ticket*."""
    return f"<{ticket}.{_hex(rng, 8)}@{DESK_DOMAIN}>"


def _unique_id(rng: random.Random, customer: _Customer, when: dt.datetime, used: set[str]) -> str:
    """A Message-ID not used before in this mailbox."""
    while True:
        candidate = _message_id(rng, customer, when)
        if candidate not in used:
            used.add(candidate)
            return candidate


def _complaint_draft(
    rng: random.Random, customer: _Customer, when: dt.datetime, photo_share: float | None
) -> tuple[_Draft, str]:
    """Compose a complaint; return the draft and its core text (for later quoting).

    ``photo_share``: the share of complaints with photos (None: a quarter of damage
    reports and 1% of the others).
    """
    language = customer.language
    topic = rng.choice(corpus.TOPICS)
    values = _fields(rng, language, when)
    share = (0.25 if topic == "damage" else 0.01) if photo_share is None else photo_share
    with_photo = rng.random() < share
    subject = rng.choice(corpus.SUBJECTS[language][topic]).format(**values)
    paragraphs = _complaint_paragraphs(rng, language, topic, values, with_photo)
    if language == "en" and customer.codec in ("utf-8", "cp1252") and rng.random() < 0.5:
        paragraphs = [_smarten(p) for p in paragraphs]
        subject = _smarten(subject)
    draft = _Draft(customer, subject, paragraphs, when, topic=topic)
    if with_photo:
        # One photo (JPEG or a PNG of up to ~44 KB) or two small JPEGs: <= ~60 KB encoded.
        count = 1 if rng.random() < 0.8 else 2
        draft.photos = [
            _photo(rng, customer, when, k, png_ok=count == 1) for k in range(1, count + 1)
        ]
    return draft, "\n\n".join(paragraphs)


def _finish_blocks(rng: random.Random, draft: _Draft, padding: list[str]) -> None:
    """Append pasted sections, the signature and maybe the company disclaimer."""
    customer = draft.customer
    draft.blocks.extend(padding)
    draft.blocks.append(_signature(rng, customer))
    if customer.company and rng.random() < 0.6:
        notice = corpus.DISCLAIMERS[customer.language].format(company=customer.company)
        draft.blocks.append("_" * 32 + "\n" + notice)


def _padding_budget(rng: random.Random, draft: _Draft, layout: str, cte: str) -> int:
    """Bytes of pasted text needed to reach a realistic total size."""
    customer = draft.customer
    target = _target_size(rng)
    current = len(_plain_text(draft).encode(customer.codec)) + 200  # + signature
    wire_budget = (target - 1100) / _size_multiplier(cte, layout, customer.codec)
    return max(0, int(wire_budget) - current)


def _render_complaint(rng: random.Random, draft: _Draft, message_id: str) -> tuple[bytes, str, str]:
    """Pick layout and encoding, pad to a realistic size, and serialise."""
    customer = draft.customer
    layout = _weighted(rng, _LAYOUTS.get(customer.mailer, _DEFAULT_LAYOUTS))
    cte = _choose_cte(rng, customer, _plain_text(draft) + customer.name)
    budget = _padding_budget(rng, draft, layout, cte)
    padding = (
        _padding(rng, customer.language, draft.when, customer.codec, budget) if budget > 150 else []
    )
    _finish_blocks(rng, draft, padding)
    return _render(rng, draft, message_id, layout, cte)


def _quote_style(customer: _Customer) -> str:
    """How the customer's client quotes: Outlook-like header block or Gmail '>' lines."""
    if customer.mailer in ("outlook", "foxmail", "coremail", "qqmail"):
        return {"zh-Hans": "outlook_zh", "en": "outlook_en"}.get(customer.language, "gmail")
    return "gmail"


def _follow_up_draft(rng: random.Random, earlier: _Complaint, when: dt.datetime) -> _Draft:
    """A customer's follow-up on their own earlier complaint, quoting it."""
    customer = earlier.customer
    language = customer.language
    subject = rng.choice(corpus.REPLY_PREFIXES[language]) + earlier.subject
    text = rng.choice(corpus.FOLLOW_UPS[language]).format(days=rng.randrange(2, 10))
    quote = _Quote(
        style=_quote_style(customer),
        sender=customer.name,
        addr=customer.addr,
        when=earlier.when.astimezone(dt.timezone(dt.timedelta(hours=customer.utc_offset))),
        to=DESK_ADDRESS,
        subject=earlier.subject,
        text=earlier.core_text,
    )
    draft = _Draft(customer, subject, [text, customer.name], when, topic=None, quote=quote)
    draft.extra_headers = [("In-Reply-To", earlier.message_id), ("References", earlier.message_id)]
    return draft


def _auto_reply_draft(
    rng: random.Random, customer: _Customer, ticket: str, ack_id: str, when: dt.datetime
) -> _Draft:
    """An out-of-office answer from *customer*'s mailbox to the desk's acknowledgement."""
    language = customer.language
    ack_subject = corpus.ACK_SUBJECTS[language].format(ticket=ticket)
    subject = rng.choice(corpus.AUTO_REPLY_PREFIXES[language]) + ack_subject
    back = (when + dt.timedelta(days=rng.randrange(2, 12))).date()
    body = rng.choice(corpus.AUTO_REPLY_BODIES[language]).format(
        date=_date_text(back, language, rng)
    )
    draft = _Draft(customer, subject, [body], when)
    draft.extra_headers = [
        ("In-Reply-To", ack_id),
        ("References", ack_id),
        ("Auto-Submitted", "auto-replied"),
        ("X-Autoreply", "yes"),
        ("X-Auto-Response-Suppress", "All"),
    ]
    return draft


# Folding inside a text/rfc822-headers payload, written with LF like the rest of it.
_LF_FOLD = "\n "


@dataclass(frozen=True)
class _BounceSpec:
    """What a bounce of one of the desk's acknowledgements reports."""

    rcpt: str
    ack_id: str
    ack_subject: str
    ack_when: dt.datetime
    ticket: str
    status: str
    diagnostic: str
    remote: str


def _postfix_notice(spec: _BounceSpec, remote_ip: str) -> str:
    """The human-readable first part of a Postfix bounce."""
    return (
        f"This is the mail system at host {MX_HOST}.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "For further assistance, please send mail to postmaster.\n\n"
        "If you do so, please include this problem report. You can\n"
        "delete your own text from the attached returned message.\n\n"
        "                   The mail system\n\n"
        f"<{spec.rcpt}>: host {spec.remote}[{remote_ip}] said: {spec.diagnostic} (in reply\n"
        "    to end of DATA command)\n"
    )


def _dsn_fields(spec: _BounceSpec, queue_id: str, remote_ip: str) -> Message:
    """The message/delivery-status part: per-message and per-recipient field blocks."""
    per_message = Message()
    per_message["Reporting-MTA"] = f"dns; {MX_HOST}"
    per_message["X-Postfix-Queue-ID"] = queue_id
    per_message["X-Postfix-Sender"] = f"rfc822; {DESK_ADDRESS}"
    per_message["Arrival-Date"] = _format_date(spec.ack_when)
    per_recipient = Message()
    per_recipient["Final-Recipient"] = f"rfc822; {spec.rcpt}"
    per_recipient["Original-Recipient"] = f"rfc822;{spec.rcpt}"
    per_recipient["Action"] = "failed"
    per_recipient["Status"] = spec.status
    per_recipient["Remote-MTA"] = f"dns; {spec.remote}"
    per_recipient["Diagnostic-Code"] = f"smtp; {spec.diagnostic}"
    part = Message()
    part["Content-Description"] = "Delivery report"
    part["Content-Type"] = "message/delivery-status"
    part.set_payload([per_message, per_recipient])
    return part


def _ack_headers(spec: _BounceSpec) -> str:
    """Headers of the desk's acknowledgement, as returned in text/rfc822-headers."""
    return (
        f"Return-Path: <{DESK_ADDRESS}>\n"
        f"Date: {_format_date(spec.ack_when)}\n"
        f"From: {address(DESK_NAME_ZH, DESK_ADDRESS, 'utf-8', 'UTF-8')}\n"
        f"To: {spec.rcpt}\n"
        f"Subject: {encoded_words(spec.ack_subject, 'utf-8', 'UTF-8', separator=_LF_FOLD)}\n"
        f"Message-ID: {spec.ack_id}\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: base64\n"
    )


def _bounce(rng: random.Random, spec: _BounceSpec, when: dt.datetime) -> tuple[bytes, SampleMeta]:
    """A Postfix DSN (multipart/report) for an acknowledgement that could not be delivered."""
    queue_id = _hex(rng, 10).upper()
    remote_ip = _ip(rng)
    notice = text_part(_postfix_notice(spec, remote_ip), "plain", "ascii", "us-ascii", "7bit")
    notice["Content-Description"] = "Notification"
    returned = Message()
    returned["Content-Description"] = "Undelivered Message Headers"
    returned["Content-Type"] = "text/rfc822-headers"
    returned.set_payload(_ack_headers(spec))
    boundary = f"{queue_id}.{int(when.timestamp())}/{MX_HOST}"
    report = multipart(
        "report",
        boundary,
        [notice, _dsn_fields(spec, queue_id, remote_ip), returned],
        params=" report-type=delivery-status;",
        preamble="This is a MIME-encapsulated message.",
    )
    message_id = f"<{when:%Y%m%d%H%M%S}.{queue_id}@{MX_HOST}>"
    subject = "Undelivered Mail Returned to Sender"
    headers = [
        ("Return-Path", "<>"),
        ("Received", f"by {MX_HOST} (Postfix)\r\n\tid {queue_id}; {_format_date(when)}"),
        ("Date", _format_date(when)),
        ("From", f"MAILER-DAEMON@{MX_HOST} (Mail Delivery System)"),
        ("Subject", subject),
        ("To", DESK_ADDRESS),
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        ("Message-Id", message_id),
    ]
    meta = SampleMeta(
        kind="bounce",
        language="en",
        charset="us-ascii",
        codec="ascii",
        expected_waybills=_waybills_in(spec.ack_subject),
        has_attachment=False,
        message_id=message_id,
        sender=f"MAILER-DAEMON@{MX_HOST}",
        subject=subject,
        layout="report",
        transfer_encoding="7bit",
        ticket=spec.ticket,
    )
    return flatten(headers, report), meta


_BOUNCE_REASONS = (
    ("5.2.2", "552 5.2.2 Mailbox full, message rejected"),
    ("5.1.1", "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown"),
    ("5.7.1", "554 5.7.1 Message rejected as spam by content filter"),
)


def _bounce_spec(rng: random.Random, earlier: _Complaint, ack_id: str) -> _BounceSpec:
    """Describe the bounce of the acknowledgement sent for *earlier*."""
    customer = earlier.customer
    status, diagnostic = rng.choice(_BOUNCE_REASONS)
    return _BounceSpec(
        rcpt=customer.addr,
        ack_id=ack_id,
        ack_subject=corpus.ACK_SUBJECTS[customer.language].format(ticket=earlier.ticket),
        ack_when=(earlier.when + dt.timedelta(minutes=2)).astimezone(_CST),
        ticket=earlier.ticket,
        status=status,
        diagnostic=diagnostic.format(rcpt=customer.addr),
        remote=f"mx{rng.randrange(1, 4)}.{customer.addr.split('@', 1)[1]}",
    )


# -- the generated mailbox -------------------------------------------------------------------


@dataclass
class _MailboxState:
    """Everything carried from one generated message to the next."""

    rng: random.Random
    customers: list[_Customer]
    complaints: list[_Complaint] = field(default_factory=list)
    ack_ids: dict[str, str] = field(default_factory=dict)  # ticket → ack Message-ID
    used_ids: set[str] = field(default_factory=set)
    tickets: dict[str, int] = field(default_factory=dict)  # yyyymm → last number
    photo_share: float | None = None  # see _complaint_draft


def _pick_kind(rng: random.Random, have_earlier: bool) -> str:
    """~1% bounces, ~2% auto-replies, ~5% follow-ups, the rest complaints."""
    roll = rng.random()
    if not have_earlier or roll >= 0.08:
        return "complaint"
    if roll < 0.01:
        return "bounce"
    return "auto_reply" if roll < 0.03 else "reply"


def _earlier(state: _MailboxState) -> _Complaint:
    """A previous complaint, usually a recent one."""
    back = min(len(state.complaints) - 1, int(state.rng.expovariate(1 / 15)))
    return state.complaints[-1 - back]


def _next_ticket(state: _MailboxState, when: dt.datetime) -> str:
    """The desk's ticket number for the next complaint, e.g. TS-202611-0042."""
    month = f"{when.astimezone(_CST):%Y%m}"
    state.tickets[month] = state.tickets.get(month, 0) + 1
    return f"TS-{month}-{state.tickets[month]:04d}"


def _ack_for(state: _MailboxState, ticket: str) -> str:
    """The (stable) Message-ID of the desk's acknowledgement for *ticket*."""
    if ticket not in state.ack_ids:
        state.ack_ids[ticket] = _ack_id(state.rng, ticket)
    return state.ack_ids[ticket]


def _generate_complaint(
    state: _MailboxState, index: int, when: dt.datetime
) -> tuple[bytes, SampleMeta]:
    """One new complaint from a (possibly repeat) customer."""
    rng = state.rng
    customer = state.customers[int(len(state.customers) * rng.random() ** 1.8)]
    draft, core = _complaint_draft(rng, customer, when, state.photo_share)
    message_id = _unique_id(rng, customer, when, state.used_ids)
    raw, layout, cte = _render_complaint(rng, draft, message_id)
    ticket = _next_ticket(state, when)
    state.complaints.append(
        _Complaint(index, customer, draft.subject, message_id, core, when, ticket)
    )
    return raw, _meta(draft, "complaint", message_id, layout, cte)


def _generate_reply(state: _MailboxState, when: dt.datetime) -> tuple[bytes, SampleMeta]:
    """A follow-up to an earlier complaint in the same mailbox."""
    earlier = _earlier(state)
    draft = _follow_up_draft(state.rng, earlier, when)
    message_id = _unique_id(state.rng, earlier.customer, when, state.used_ids)
    raw, layout, cte = _render(state.rng, draft, message_id)
    meta = _meta(draft, "reply", message_id, layout, cte)
    return raw, replace(meta, in_reply_to=earlier.message_id, reply_to_index=earlier.index)


def _generate_auto_reply(state: _MailboxState, when: dt.datetime) -> tuple[bytes, SampleMeta]:
    """An out-of-office reply to the acknowledgement of an earlier complaint."""
    earlier = _earlier(state)
    ack_id = _ack_for(state, earlier.ticket)
    draft = _auto_reply_draft(state.rng, earlier.customer, earlier.ticket, ack_id, when)
    message_id = _unique_id(state.rng, earlier.customer, when, state.used_ids)
    raw, layout, cte = _render(state.rng, draft, message_id)
    meta = _meta(draft, "auto_reply", message_id, layout, cte)
    return raw, replace(meta, in_reply_to=ack_id, ticket=earlier.ticket)


def _generate_bounce(state: _MailboxState, when: dt.datetime) -> tuple[bytes, SampleMeta]:
    """A bounce of the acknowledgement of an earlier complaint."""
    earlier = _earlier(state)
    spec = _bounce_spec(state.rng, earlier, _ack_for(state, earlier.ticket))
    raw, meta = _bounce(state.rng, spec, when.astimezone(_CST))
    state.used_ids.add(meta.message_id)
    return raw, meta


def generate_mailbox_with_meta(
    n: int, seed: int = 1, photo_share: float | None = None
) -> list[tuple[bytes, SampleMeta]]:
    """Generate *n* realistic messages with metadata, identical for the same *seed*.

    The mix is about 46% Chinese (GB2312-labelled GBK, GBK, GB18030, Big5,
    UTF-8) and 46% English complaints, ~5% follow-ups to earlier messages of the
    same mailbox (In-Reply-To), ~2% out-of-office auto-replies and ~1% bounces;
    ~5% carry photos (``photo_share`` of the complaints when given); sizes are mostly
    1.5-20 KB.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = random.Random(seed)
    state = _MailboxState(rng, [_make_customer(rng) for _ in range(max(12, n // 5))])
    state.photo_share = photo_share
    out: list[tuple[bytes, SampleMeta]] = []
    when = _START
    for index in range(n):
        when = (when + dt.timedelta(minutes=rng.expovariate(1 / 12))).replace(microsecond=0)
        kind = _pick_kind(rng, bool(state.complaints))
        if kind == "reply":
            out.append(_generate_reply(state, when))
        elif kind == "auto_reply":
            out.append(_generate_auto_reply(state, when))
        elif kind == "bounce":
            out.append(_generate_bounce(state, when))
        else:
            out.append(_generate_complaint(state, index, when))
    return out


def generate_mailbox(n: int, seed: int = 1, photo_share: float | None = None) -> list[bytes]:
    """Generate *n* realistic raw messages (see ``generate_mailbox_with_meta``)."""
    return [raw for raw, _ in generate_mailbox_with_meta(n, seed, photo_share)]


# -- the hand-written demo set ---------------------------------------------------------------


def _at(year: int, month: int, day: int, hour: int, minute: int, offset: int = 8) -> dt.datetime:
    """A fixed timestamp in a given UTC offset (hours)."""
    return dt.datetime(
        year, month, day, hour, minute, tzinfo=dt.timezone(dt.timedelta(hours=offset))
    )


_WANG = _Customer(
    name="王喆",
    addr="wangzhe@hengtong-elec.example",
    language="zh-Hans",
    mailer="outlook",
    label="gb2312",
    codec="gbk",
    company="深圳恒通电子有限公司",
    phone="+86 138-2650-7731",
    utc_offset=8,
)
_TURNER = _Customer(
    name="Michael Turner",
    addr="m.turner@northwind-traders.example",
    language="en",
    mailer="outlook",
    label="us-ascii",
    codec="ascii",
    company="Northwind Traders Ltd.",
    phone="+1 312-555-0147",
    utc_offset=-6,
)
_CHEN = _Customer(
    name="陳志明",
    addr="chen.zhiming@formosa-trading.example",
    language="zh-Hant",
    mailer="outlook",
    label="big5",
    codec="big5",
    company="福爾摩沙貿易有限公司",
    phone="+886 912-345-678",
    utc_offset=8,
)
_LI = _Customer(
    name="李堃",
    addr="likun1988@163.example",
    language="zh-Hans",
    mailer="coremail",
    label="UTF-8",
    codec="utf-8",
    company="",
    phone="+86 139-1024-5566",
    utc_offset=8,
)
_OCONNOR = _Customer(
    name="Sarah O\u2019Connor",
    addr="sarah.oconnor@brightstar-electronics.example",
    language="en",
    mailer="gmail",
    label="UTF-8",
    codec="utf-8",
    company="BrightStar Electronics GmbH",
    phone="+1 312-555-0123",
    utc_offset=1,
)

_DEMO_ACK_1 = "<TS-202611-0001.5f3a9c21@lida.example>"
_DEMO_ACK_4 = "<TS-202611-0004.0b7e44d2@lida.example>"
_DEMO_ACK_5 = "<TS-202611-0005.c19d2e08@lida.example>"
_DEMO_ID_1 = "<000001db2d6e$8a41c7f0$9ec557d0$@hengtong-elec.example>"


def _demo_damage_gbk(rng: random.Random) -> tuple[_Draft, str]:
    """GBK text labelled gb2312 (喆 is not in GB2312), with a JPEG photo of the damage."""
    draft = _Draft(
        _WANG,
        "投诉：运单SF1234567890123货物严重破损",
        [
            "客服您好：",
            "我司于10月30日通过贵公司从深圳寄往上海的一批蓝牙耳机（运单号：SF1234567890123，共3箱），"
            "今天下午到货时发现外包装严重破损，其中一箱明显被重物压过，里面有12台耳机外壳碎裂，已经无法销售。",
            "签收时派送员一直催促签字，不让我们开箱验货。我们当场拍了照片，见附件。",
            "这批货价值约8600元，是要按期交付给客户的。请贵公司尽快核实并给予赔偿，谢谢！",
            "王喆\n深圳恒通电子有限公司 采购部\n电话：+86 138-2650-7731",
        ],
        _at(2026, 11, 3, 16, 42),
        topic="damage",
    )
    draft.photos = [(make_jpeg(640, 480, rng), "image/jpeg", "破损照片1.jpg")]
    return draft, _DEMO_ID_1


def _demo_delay_en(rng: random.Random) -> tuple[_Draft, str]:
    """Plain US-ASCII English complaint about a late shipment."""
    draft = _Draft(
        _TURNER,
        "Delayed delivery - order PO-2026-1188 (waybill SF3302918844710)",
        [
            "Dear LiDa Customer Service,",
            "Our order PO-2026-1188 was shipped from Shenzhen on 28 October 2026 under waybill "
            "SF3302918844710. Your sales team promised delivery to our Chicago warehouse within 5 "
            "working days, but as of today the goods have still not arrived.",
            'The tracking page has shown "In transit - Los Angeles hub" since 2 November without '
            "any further update. I have called your hotline twice and was told to wait.",
            "These are LED panels for a retail installation scheduled for next week. Please "
            "confirm the current location of the shipment and a firm delivery date by return "
            "email.",
            "Best regards,\nMichael Turner\nLogistics Manager\nNorthwind Traders Ltd.\n"
            "Tel: +1 312-555-0147",
        ],
        _at(2026, 11, 3, 9, 15, -6),
        topic="delay",
    )
    return draft, "<000001db2d2a$41b0e9a0$c512bce0$@northwind-traders.example>"


def _demo_loss_big5(rng: random.Random) -> tuple[_Draft, str]:
    """Traditional Chinese in Big5: a lost parcel."""
    draft = _Draft(
        _CHEN,
        "貨物遺失投訴 運單號SF7781204455016",
        [
            "您好：",
            "本公司於10月27日從台北寄往高雄的一箱電子零件（運單號：SF7781204455016），至今已超過一週仍未送達。"
            "查詢物流紀錄，最後一筆資料停留在10月28日「台中轉運中心」，之後就沒有任何更新。",
            "10月31日致電客服，對方表示貨物可能遺失，會再回覆，但到現在都沒有消息。",
            "包裹內是客戶訂購的精密零件，價值新台幣45,000元。請貴公司盡快查明下落，若確定遺失，請依規定全額賠償。",
            "敬祝 商祺\n陳志明\n福爾摩沙貿易有限公司\n電話：+886 912-345-678",
        ],
        _at(2026, 11, 4, 10, 5),
        topic="loss",
    )
    return draft, "<000001db2d9c$0f3e1a20$2dba4e60$@formosa-trading.example>"


def _demo_attitude_html(rng: random.Random) -> tuple[_Draft, str]:
    """UTF-8, HTML only: a rude courier."""
    draft = _Draft(
        _LI,
        "投诉快递员态度恶劣（运单 SF5120398846627）",
        [
            "你好，",
            "今天（11月3日）下午三点左右，贵公司派送员给我送运单号为SF5120398846627的快递。"
            "我只是提出想当面打开检查一下，他就很不耐烦，说“不要就退回去”，还对我大声呵斥。",
            "最后他把包裹扔在楼道里就走了，包裹一角都摔瘪了。我打他的电话也不接。",
            "我对这种服务态度非常不满，希望贵公司严肃处理这名派送员，并给我一个答复。",
            "李堃\n电话：+86 139-1024-5566",
        ],
        _at(2026, 11, 3, 18, 47),
        topic="attitude",
    )
    return draft, "<5c1e77a2.3f41.19a48c2b7e1.Coremail.likun1988@163.example>"


def _demo_billing_en(rng: random.Random) -> tuple[_Draft, str]:
    """UTF-8 English (typographic quotes, en dash), quoted-printable, text+HTML."""
    draft = _Draft(
        _OCONNOR,
        "Overcharged freight on invoice INV-202610-00321",
        [
            "Hello,",
            "We have been overcharged on invoice INV-202610-00321 for waybill SF6650213987702 "
            "(Shanghai to Hamburg, shipped 21 October 2026).",
            "Our contract rate is CNY 18.50/kg and the shipment weighed 126 kg, i.e. CNY 2,331.00. "
            "The invoice, however, bills 168 kg at CNY 23.00/kg \u2013 CNY 3,864.00, a difference "
            "of CNY 1,533.00.",
            "We also note a \u201cremote area surcharge\u201d of CNY 280.00, although Hamburg is "
            "not a remote area.",
            "Please issue a corrected invoice or a credit note for the difference.",
            "Kind regards,\nSarah O\u2019Connor\nAccounts Payable\nBrightStar Electronics GmbH",
        ],
        _at(2026, 11, 4, 11, 30, 1),
        topic="billing",
    )
    return (
        draft,
        "<CA+r7Qm2x9LkV0aTn4bFz8wYdE3sH6uJcP1gKoN5iXqW2e@mail.brightstar-electronics.example>",
    )


def _demo_reply_to_ack(rng: random.Random) -> tuple[_Draft, str]:
    """A reply to the desk's acknowledgement, quoting it Outlook-style in Chinese."""
    ack_subject = "[TS-202611-0001] 已受理：运单SF1234567890123货物严重破损"
    quote = _Quote(
        style="outlook_zh",
        sender=DESK_NAME_ZH,
        addr=DESK_ADDRESS,
        when=_at(2026, 11, 3, 16, 45),
        to=f"{_WANG.name} <{_WANG.addr}>",
        subject=ack_subject,
        text=(
            "王喆 您好：\n\n"
            "我们已收到您关于运单SF1234567890123货物破损的投诉，工单号为TS-202611-0001。"
            "我们将在2个工作日内核实并与您联系。\n\n"
            "利达物流客户服务中心"
        ),
    )
    draft = _Draft(
        _WANG,
        "Re: " + ack_subject,
        [
            "你好，",
            "已经过去三天了，还没有人联系我们。对方客户一直在催货，请问赔偿方案什么时候能出来？",
            "另外，破损的12台耳机我们已经单独封存，需要的话可以安排上门取件查验。",
            "王喆",
        ],
        _at(2026, 11, 6, 9, 12),
        quote=quote,
    )
    draft.extra_headers = [
        ("In-Reply-To", _DEMO_ACK_1),
        ("References", f"{_DEMO_ID_1}\r\n {_DEMO_ACK_1}"),
    ]
    return draft, "<000001db2f41$6c0d2b10$44278130$@hengtong-elec.example>"


def _demo_auto_reply(rng: random.Random) -> tuple[_Draft, str]:
    """An out-of-office auto-reply to the acknowledgement of TS-202611-0004."""
    draft = _auto_reply_draft(rng, _LI, "TS-202611-0004", _DEMO_ACK_4, _at(2026, 11, 4, 9, 0))
    draft.subject = "自动回复: [TS-202611-0004] 我们已收到您的投诉"
    draft.blocks = [
        "您好，我11月10日前在外地出差，期间邮件回复可能不及时，急事请拨打139-1024-5566。谢谢！"
    ]
    return draft, "<6a0f13c9.1b22.19a4c51d3a0.Coremail.likun1988@163.example>"


def _demo_bounce(rng: random.Random) -> tuple[bytes, SampleMeta]:
    """A Postfix bounce of the acknowledgement sent for TS-202611-0005 (mailbox full)."""
    spec = _BounceSpec(
        rcpt=_OCONNOR.addr,
        ack_id=_DEMO_ACK_5,
        ack_subject="[TS-202611-0005] We have received your complaint",
        ack_when=_at(2026, 11, 4, 18, 31),
        ticket="TS-202611-0005",
        status="5.2.2",
        diagnostic="552 5.2.2 Mailbox full, message rejected",
        remote="mx2.brightstar-electronics.example",
    )
    return _bounce(rng, spec, _at(2026, 11, 4, 18, 31))


_DEMO_LAYOUTS = (
    (_demo_damage_gbk, "alternative", "base64", "complaint"),
    (_demo_delay_en, "plain", "7bit", "complaint"),
    (_demo_loss_big5, "plain", "base64", "complaint"),
    (_demo_attitude_html, "html", "base64", "complaint"),
    (_demo_billing_en, "alternative", "quoted-printable", "complaint"),
    (_demo_reply_to_ack, "alternative", "base64", "reply"),
    (_demo_auto_reply, "plain", "base64", "auto_reply"),
)


def demo_messages_with_meta() -> list[tuple[bytes, SampleMeta]]:
    """The eight demo messages with their metadata (always the same bytes)."""
    rng = random.Random(20261103)
    out: list[tuple[bytes, SampleMeta]] = []
    for build, layout, cte, kind in _DEMO_LAYOUTS:
        draft, message_id = build(rng)
        raw, _, _ = _render(rng, draft, message_id, layout, cte)
        in_reply_to = next((v for k, v in draft.extra_headers if k == "In-Reply-To"), None)
        ticket = re.search(r"TS-\d{6}-\d{4}", draft.subject)
        meta = _meta(draft, kind, message_id, layout, cte)
        meta = replace(meta, in_reply_to=in_reply_to, ticket=ticket.group(0) if ticket else None)
        out.append((raw, meta))
    out.append(_demo_bounce(rng))
    return out


def demo_messages() -> list[bytes]:
    """Eight hand-written messages covering the desk's everyday cases (see module doc)."""
    return [raw for raw, _ in demo_messages_with_meta()]
