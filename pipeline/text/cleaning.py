"""Text clean-up that every body goes through, whether it came as plain text or from HTML.

The result is the text that all downstream character offsets refer to, so it must be stable:
NFC, mojibake repaired, no control or invisible characters, single spaces inside paragraphs and
exactly one blank line between paragraphs.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

# Quotes and apostrophes are kept as the author typed them (curly, guillemets, low-9 ...):
# straightening them would change the text that entity offsets and evidence spans point into,
# and ftfy still repairs their mojibake ("â€™" -> "’") with this setting.
# Line breaks are handled here rather than by ftfy so that U+2029 stays a paragraph break.
_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_line_breaks=False, explain=False)

# Invisible characters that carry no meaning in running text. Zero-width (non-)joiners and
# bidi marks are deliberately not here: they change how Persian, Indic and emoji text reads.
_INVISIBLE = "\u00ad\u180e\u200b\u2060\ufeff\ufffe\uffff"
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f" + _INVISIBLE + "\ud800-\udfff]")
_HORIZONTAL_SPACE = re.compile(r"[^\S\n]+")  # any whitespace but a line feed: tabs, NBSP, U+3000
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def clean_text(text: str, *, lines_are_paragraphs: bool | None = None) -> str:
    """Return ``text`` repaired and normalised, paragraphs separated by ``"\\n\\n"``.

    Plain text arrives in two layouts: blank lines between paragraphs (single line feeds are
    then hard wraps and become spaces) or one paragraph per line. ``lines_are_paragraphs=None``
    picks the layout from the text itself; extracted HTML passes ``True``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = ftfy.fix_text(text.replace("\u2029", "\n\n"), _FTFY)
    text = _CONTROL.sub("", text)
    if lines_are_paragraphs is None:
        lines_are_paragraphs = _BLANK_LINE.search(text) is None
    blocks = text.split("\n") if lines_are_paragraphs else _PARAGRAPH_BREAK.split(text)
    paragraphs = (_HORIZONTAL_SPACE.sub(" ", block.replace("\n", " ")).strip() for block in blocks)
    # Removing a character can bring a base letter and a combining mark together: NFC again.
    return unicodedata.normalize("NFC", "\n\n".join(p for p in paragraphs if p))


def clean_line(text: str) -> str:
    """Clean a one-line field such as a title: same repairs, all whitespace collapsed."""
    return clean_text(text, lines_are_paragraphs=False).replace("\n\n", " ")
