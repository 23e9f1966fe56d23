from __future__ import annotations

import codecs

import pytest

from pipeline.ingest.decode import decode_html

TEXT = "<p>Caf\u00e9 \u2013 na\u00efve</p>"


@pytest.mark.parametrize(
    ("body", "content_type", "encoding", "fell_back"),
    [
        (TEXT.encode(), "text/html; charset=UTF-8", "utf-8", False),
        (TEXT.encode(), "text/html", "utf-8", False),
        (TEXT.encode("cp1252"), "text/html; charset=windows-1252", "cp1252", False),
        # Declared UTF-8, sent as windows-1252: the usual mislabelling.
        (TEXT.encode("cp1252"), "text/html; charset=utf-8", "windows-1252", True),
        # Declared latin-1, sent as UTF-8.
        (TEXT.encode(), 'text/html; charset="iso-8859-1"', "utf-8", True),
        # No header charset; the meta tag is right.
        (b'<meta charset="windows-1252">' + TEXT.encode("cp1252"), "text/html", "cp1252", False),
        # The header is wrong and the meta tag is right.
        (
            b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
            + TEXT.encode("cp1252"),
            "text/html; charset=utf-8",
            "cp1252",
            True,
        ),
        (codecs.BOM_UTF8 + TEXT.encode(), "text/html; charset=cp1252", "utf-8-sig", False),
        (TEXT.encode(), "text/html; charset=no-such-charset", "utf-8", False),
    ],
)
def test_decode(body: bytes, content_type: str, encoding: str, fell_back: bool) -> None:
    decoded = decode_html(body, content_type)
    assert TEXT in decoded.text
    assert (decoded.encoding, decoded.fell_back) == (encoding, fell_back)
