"""Bytes of a page to text, trusting the declared charset only as far as the bytes agree.

Order: a byte-order mark; the charset of the Content-Type header; a ``<meta>`` charset in the
first 4 KiB; UTF-8; windows-1252. Each is tried strictly, so a declaration the bytes
contradict (the usual case: windows-1252 text served as UTF-8) falls through to the next
one, and the caller is told so it can count it. A single-byte declaration (latin-1 and kin
decode any bytes) is overruled by valid non-ASCII UTF-8, which latin-1 text almost never is.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    # The declared charset (header or meta) could not be used as declared.
    fell_back: bool


def decode_html(body: bytes, content_type: str = "") -> Decoded:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return Decoded(body.decode(encoding, errors="replace"), encoding, False)
    declared = [c for c in (_header_charset(content_type), _meta_charset(body)) if c]
    if declared and _single_byte(declared[0]) and _is_non_ascii_utf8(body):
        return Decoded(body.decode("utf-8"), "utf-8", True)
    for position, encoding in enumerate([*declared, "utf-8"]):
        text = _strict(body, encoding)
        if text is not None:
            return Decoded(text, encoding, position > 0 and bool(declared))
    return Decoded(body.decode("windows-1252", errors="replace"), "windows-1252", True)


def _header_charset(content_type: str) -> str | None:
    found = _HEADER_CHARSET.search(content_type)
    return _known(found.group(1)) if found else None


def _meta_charset(body: bytes) -> str | None:
    found = _META_CHARSET.search(body[:4096])
    return _known(found.group(1).decode("ascii")) if found else None


def _known(label: str) -> str | None:
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # As browsers do (WHATWG Encoding): pages labelled latin-1 or ASCII are windows-1252.
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _single_byte(encoding: str) -> bool:
    return encoding.startswith(("cp125", "iso8859", "latin", "mac-", "koi8"))


def _is_non_ascii_utf8(body: bytes) -> bool:
    return not body.isascii() and _strict(body, "utf-8") is not None
