"""Safe attachment file names.

A name from a mail is attacker-controlled: it may carry directories
(``../../etc/passwd``, ``C:\\x``), control or bidi-override characters that
disguise an extension (``invoice\\u202egpj.exe``), Windows-reserved characters
or device names, or be longer than a file system allows.  :func:`safe_filename`
returns a name that is safe to show and to write anywhere, never empty.
"""

from __future__ import annotations

import re
import unicodedata

MAX_BYTES = 200  # UTF-8 bytes; below the usual 255-byte limit, leaving room for suffixes
_MAX_EXT = 16  # longer "extensions" are treated as part of the stem
_RESERVED = re.compile(r'[<>:"/\\|?*]')  # Windows-reserved, plus the POSIX separator
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_DEVICE = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)

# Extensions for the fallback name, by MIME type; a fixed table keeps the parse
# stage pure (the mimetypes module reads system files).
_EXTENSIONS: dict[str, str] = {
    "text/plain": "txt",
    "text/html": "html",
    "text/calendar": "ics",
    "text/enriched": "txt",
    "text/richtext": "txt",
    "text/rtf": "rtf",
    "application/rtf": "rtf",
    "text/csv": "csv",
    "text/rfc822-headers": "txt",
    "text/x-vcard": "vcf",
    "text/vcard": "vcf",
    "message/rfc822": "eml",
    "message/delivery-status": "txt",
    "message/disposition-notification": "txt",
    "message/feedback-report": "txt",
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "image/pjpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/bmp": "bmp",
    "image/webp": "webp",
    "image/tiff": "tif",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "application/zip": "zip",
    "application/x-zip-compressed": "zip",
    "application/x-rar-compressed": "rar",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/pgp-signature": "asc",
    "application/pkcs7-signature": "p7s",
    "application/x-pkcs7-signature": "p7s",
    "application/ms-tnef": "dat",
    "audio/mpeg": "mp3",
    "video/mp4": "mp4",
}


def extension_for(content_type: str) -> str:
    """File extension (without dot) for a MIME type; ``bin`` when unknown."""
    return _EXTENSIONS.get(content_type.lower(), "bin")


def safe_filename(name: str | None, content_type: str, index: int) -> str:
    """Return a safe file name for attachment number ``index`` (1-based).

    Directories, control, bidi and reserved characters are removed, length is
    capped at :data:`MAX_BYTES` UTF-8 bytes keeping the extension, and an empty
    result becomes ``attachment-<index>.<ext from content type>``.
    """
    cleaned = _clean(name or "")
    if not cleaned.strip("._ "):
        return f"attachment-{index}.{extension_for(content_type)}"
    if _DEVICE.match(cleaned):
        cleaned = "_" + cleaned
    return _truncate(cleaned)


def _clean(name: str) -> str:
    """Strip directories and unsafe characters, normalise to NFC."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]  # basename under POSIX and Windows rules
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc")
    name = _BIDI.sub("", name)
    name = _RESERVED.sub("_", name)
    # Windows drops trailing dots and spaces; leading dots hide files on POSIX.
    return _SPACES.sub(" ", name).strip(" .")


def _truncate(name: str) -> str:
    """Cut the stem so the UTF-8 name fits in :data:`MAX_BYTES`, keeping the extension."""
    if len(name.encode("utf-8")) <= MAX_BYTES:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > _MAX_EXT:
        stem, ext = name, ""
    suffix = f".{ext}" if ext else ""
    budget = MAX_BYTES - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(" .")
    return cut + suffix
