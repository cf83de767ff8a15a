"""Tiny, valid PNG and JPEG images made from scratch (no PIL) for sample mail.

Customers attach photos of damaged goods; the sample generator needs real image
bytes a viewer or an image library would accept, reproducible from a seed.

* ``make_png`` writes an 8-bit RGB PNG; noisy pixels make its size predictable
  (about width * height * 3 bytes), which the generator uses to hit a size.
* ``make_jpeg`` writes a baseline greyscale JPEG whose 8x8 blocks carry only a
  DC coefficient (a blocky "photo"), the simplest image every decoder accepts.
"""

from __future__ import annotations

import functools
import random
import struct
import zlib

__all__ = ["make_jpeg", "make_png"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Standard JPEG luminance DC Huffman table (ITU T.81 Annex K.3): code counts
# per length 1..16 and the categories they encode.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALUES = tuple(range(12))
# AC table with one symbol, EOB (0x00): every block has no AC coefficients.
_AC_BITS = (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
_AC_VALUES = (0x00,)
# Flat quantisation: DC = 8 * (mean - 128) / 16 stays within category 6.
_QUANT = 16


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """Frame one PNG chunk: length, type, data, CRC over type+data."""
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def make_png(width: int, height: int, rng: random.Random, noise: float = 1.0) -> bytes:
    """Return an RGB PNG of *width* x *height*; *noise* (0..1) is the share of random rows.

    Random rows do not compress, so ``noise=1`` gives a file of roughly
    ``3 * width * height`` bytes; the remaining rows are a smooth gradient.
    """
    if width < 1 or height < 1:
        raise ValueError("PNG dimensions must be positive")
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    base = rng.randrange(256)
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type "None" for every scanline
        if rng.random() < noise:
            rows += rng.randbytes(width * 3)
        else:
            shade = (base + y) & 0xFF
            rows += bytes((shade, (shade + 40) & 0xFF, (shade + 80) & 0xFF)) * width
    idat = zlib.compress(bytes(rows), 6)
    return (
        PNG_SIGNATURE
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def _huffman_codes(bits: tuple[int, ...], values: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """Derive canonical Huffman codes (symbol → (code, length)) as T.81 Annex C does."""
    codes: dict[int, tuple[int, int]] = {}
    code = 0
    index = 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[values[index]] = (code, length)
            code += 1
            index += 1
        code <<= 1
    return codes


def _category(value: int) -> int:
    """JPEG magnitude category: the bit length of abs(value)."""
    return abs(value).bit_length()


def _magnitude_bits(value: int, category: int) -> int:
    """Bits appended after a category code; negatives use one's complement."""
    return value if value >= 0 else value + (1 << category) - 1


def _stuff(bits: str) -> bytes:
    """Pad a bit string with 1-bits to a byte (T.81 F.1.2.3) and apply 0xFF stuffing."""
    bits += "1" * (-len(bits) % 8)
    if not bits:
        return b""
    data = int(bits, 2).to_bytes(len(bits) // 8, "big")
    # A 0xFF data byte is followed by 0x00 so it is not read as a marker.
    return data.replace(b"\xff", b"\xff\x00")


@functools.cache
def _block_codes() -> dict[int, str]:
    """Bits of one DC-only block for every DC difference: category, magnitude, EOB."""
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALUES)
    eob_code, eob_length = _huffman_codes(_AC_BITS, _AC_VALUES)[0x00]
    eob = format(eob_code, f"0{eob_length}b")
    table: dict[int, str] = {}
    for diff in range(-2 * 63, 2 * 63 + 1):
        category = _category(diff)
        code, length = dc_codes[category]
        magnitude = format(_magnitude_bits(diff, category), f"0{category}b") if category else ""
        table[diff] = format(code, f"0{length}b") + magnitude + eob
    return table


def _segment(marker: int, payload: bytes) -> bytes:
    """Frame a JPEG marker segment (the length field counts itself)."""
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def _jpeg_headers(width: int, height: int) -> bytes:
    """SOI, JFIF APP0, DQT, SOF0 (1 component), both DHTs and SOS."""
    jfif = _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = _segment(0xFFDB, b"\x00" + bytes([_QUANT]) * 64)
    sof = _segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00")
    dht_dc = _segment(0xFFC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALUES))
    dht_ac = _segment(0xFFC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALUES))
    sos = _segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00")
    return b"\xff\xd8" + jfif + dqt + sof + dht_dc + dht_ac + sos


def make_jpeg(width: int, height: int, rng: random.Random) -> bytes:
    """Return a baseline greyscale JPEG: a smooth random walk of 8x8 grey blocks."""
    if width < 1 or height < 1 or width > 65535 or height > 65535:
        raise ValueError("JPEG dimensions must be 1..65535")
    codes = _block_codes()
    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    # A bounded random walk looks like a blurry photo and keeps diffs small.
    steps = rng.choices(range(-6, 7), k=blocks)
    level = rng.randrange(-40, 40)  # quantised DC, i.e. (mean grey - 128) / 2
    previous = 0
    bits: list[str] = []
    for step in steps:
        level = max(-63, min(63, level + step))
        bits.append(codes[level - previous])
        previous = level
    return _jpeg_headers(width, height) + _stuff("".join(bits)) + b"\xff\xd9"
