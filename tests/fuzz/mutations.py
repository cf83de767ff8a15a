"""Hostile variants of real mail for the fuzz harness: seeds and the ways to break them.

Seeds are the third-party corpora in ``tests/corpora`` (real clients' and servers'
mail, byte for byte), the hand-made messages of ``tests/parse/eml``, generated
Chinese/English complaints, replies to the desk (department forms, agent commands,
reply tokens) and the HTML bombs.  A mutation is data (a tuple), so Hypothesis can
shrink a failing case to the fewest, smallest mutations and print it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from hypothesis import strategies as st

from complaintd.thread.tokens import make_token, reply_address
from tests.integration.mails import mail
from tests.parse.corpus import CORPORA, HANDMADE, LICENCE_NAMES, TEXT_FIXTURE_DIRS
from tests.support.hostile import BOMB_UNITS, bomb_markup, html_mail
from tests.support.samples import generate_mailbox

SECRET = b"fuzz-token-secret-0123456789"
TICKET_NUMBER = "TS-202611-0007"
SHEET_ID = 3
DEPARTMENT = "qc@lida.example"
AGENT = "agent1@lida.example"
MAX_SEED_BYTES = 400_000  # bigger files only slow the search down

CHARSET_LABELS = (
    "utf-8", "gb2312", "gbk", "gb18030", "big5", "big5-hkscs", "iso-2022-jp", "shift_jis",
    "euc-kr", "iso-8859-1", "windows-1252", "koi8-r", "utf-16", "utf-7", "x-unknown",
    "iso-gb2312", "x-windows-950", "windows-932", "", '"', "utf-8''", "unicode-1-1-utf-7",
)  # fmt: skip
NASTY_BYTES = (
    b"\x00", b"\r", b"\n", b"\r\n\r\n", b"\xff\xfe", b"\xef\xbb\xbf", b"=?", b"?=", b"=?gb2312?B?",
    b"\x1b$B", b"<", b">", b"--", b"\t", b":", b"\xa1\xa1", b"\xe4\xb8", b"&#0;", b"&#x110000;",
    b"=?utf-8?B?AA==?=", b"=?gb2312?Q?=00=A1?=", b"%00", b"\\0", b"=00",
)  # fmt: skip
HEADER_LINE = re.compile(rb"^[!-9;-~]+:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*\r?\n", re.M)
CHARSET_PARAM = re.compile(rb"(charset\s*=\s*)(\"?)([^\";\s]*)(\"?)", re.I)

Seed = tuple[str, bytes]
Mutation = tuple[str, int, int]


def _corpus_seeds() -> list[Seed]:
    seeds = []
    for root in (CORPORA, HANDMADE):
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.name in LICENCE_NAMES:
                continue
            if path.stat().st_size > MAX_SEED_BYTES:
                continue
            name = str(path.relative_to(root.parent))
            data = path.read_bytes()
            if any(part in TEXT_FIXTURE_DIRS for part in path.parts) and path.suffix == ".txt":
                data = _desk_reply(data.decode("utf-8", "replace"), path.stem)
            seeds.append((name, data))
    return seeds


def _desk_reply(body: str, name: str, agent: bool = False) -> bytes:
    """``body`` as a department's (or an agent's) reply to the desk: the contact sheet's
    (or the agent's) reply token in the address, the ticket's tag in the subject."""
    scope = "a" if agent else f"s{SHEET_ID}"
    token = make_token(SECRET, TICKET_NUMBER, scope)
    return mail(
        f"Re: [{TICKET_NUMBER}] 联系单 {name}",
        body,
        to=reply_address("complaints@lida.example", token),
        sender=("客服 王静", AGENT) if agent else ("质检部 李明", DEPARTMENT),
        in_reply_to="sheet-7@lida.example",
    )


FORM = "调查结果：成立\n原因：业务人员操作失误\n责任：分拨中心\n处理方案：赔偿 200 元\n备注：已联系"
COMMANDS = "好的。\n#severity serious\n#category damage\n#dispatch qc\n#note 已回电\n#close 已赔付"


def _made_seeds() -> list[Seed]:
    seeds: list[Seed] = [
        (f"generated-{n}", raw) for n, raw in enumerate(generate_mailbox(60, seed=2026))
    ]
    seeds.append(("department-form", _desk_reply(FORM, "form")))
    seeds.append(("agent-commands", _desk_reply(COMMANDS, "agent", agent=True)))
    seeds += [(f"bomb-{kind}", html_mail(bomb_markup(kind, 3_000))) for kind in BOMB_UNITS]
    return seeds


SEEDS: list[Seed] = _corpus_seeds() + _made_seeds()


def _flip(raw: bytes, at: int, value: int) -> bytes:
    if not raw:
        return bytes([value % 256])
    at %= len(raw)
    return raw[:at] + bytes([value % 256]) + raw[at + 1 :]


def _insert(raw: bytes, at: int, which: int) -> bytes:
    at %= len(raw) + 1
    return raw[:at] + NASTY_BYTES[which % len(NASTY_BYTES)] + raw[at:]


def _delete(raw: bytes, at: int, length: int) -> bytes:
    at %= len(raw) + 1
    return raw[:at] + raw[at + length % 512 :]


def _truncate(raw: bytes, at: int, _unused: int) -> bytes:
    return raw[: at % (len(raw) + 1)]


def _headers(raw: bytes) -> list[re.Match[bytes]]:
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    return list(HEADER_LINE.finditer(raw, 0, end if end >= 0 else len(raw)))


def _duplicate_header(raw: bytes, which: int, times: int) -> bytes:
    headers = _headers(raw)
    if not headers:
        return raw
    line = headers[which % len(headers)]
    return raw[: line.end()] + line.group() * (1 + times % 50) + raw[line.end() :]


def _truncate_header(raw: bytes, which: int, keep: int) -> bytes:
    headers = _headers(raw)
    if not headers:
        return raw
    line = headers[which % len(headers)]
    cut = line.start() + keep % max(1, len(line.group()))
    return raw[:cut] + b"\r\n" + raw[line.end() :]


def _swap_charset(raw: bytes, which: int, label: int) -> bytes:
    params = list(CHARSET_PARAM.finditer(raw))
    new = CHARSET_LABELS[label % len(CHARSET_LABELS)].encode()
    if not params:
        return raw.replace(b"Subject: ", b"Subject: =?" + new + b"?B?5Lit5paH?= ", 1)
    param = params[which % len(params)]
    return raw[: param.start(3)] + new + raw[param.end(3) :]


def _nest_multipart(raw: bytes, depth: int, _unused: int) -> bytes:
    """Wrap the body in up to 400 levels of multipart/mixed (deep MIME trees)."""
    split = re.search(rb"\r?\n\r?\n", raw)
    if split is None:
        return raw
    head, body = raw[: split.start()], raw[split.end() :]
    depth = 1 + depth % 400
    opening = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (n, n + 1)
        for n in range(depth)
    )
    closing = b"".join(b"\r\n--b%d--" % n for n in reversed(range(depth + 1)))
    leaf = b"--b%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" % depth
    head = re.sub(
        rb"(?im)^content-(?:type|transfer-encoding):[^\r\n]*(\r?\n[ \t][^\r\n]*)*",
        b"X-Was: ct",
        head,
    )
    top = b"\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    return head + top + opening + leaf + body + closing


def _nest_html(raw: bytes, kind: int, size: int) -> bytes:
    """Append an HTML bomb of up to 20 KB as an extra text/html body."""
    kinds = sorted(BOMB_UNITS)
    markup = bomb_markup(kinds[kind % len(kinds)], size % 20_000)
    return html_mail(markup) if kind % 3 == 0 else raw + markup.encode()


MUTATIONS: dict[str, Callable[[bytes, int, int], bytes]] = {
    "flip": _flip,
    "insert": _insert,
    "delete": _delete,
    "truncate": _truncate,
    "duplicate_header": _duplicate_header,
    "truncate_header": _truncate_header,
    "swap_charset": _swap_charset,
    "nest_multipart": _nest_multipart,
    "nest_html": _nest_html,
}


def mutate(raw: bytes, mutations: list[Mutation]) -> bytes:
    """Apply ``mutations`` in order."""
    for name, first, second in mutations:
        raw = MUTATIONS[name](raw, first, second)
    return raw


mutations = st.lists(
    st.tuples(
        st.sampled_from(sorted(MUTATIONS)),
        st.integers(min_value=0, max_value=2**31),
        st.integers(min_value=0, max_value=2**16),
    ),
    max_size=6,
)
seeds = st.sampled_from(SEEDS)
