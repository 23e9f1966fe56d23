from __future__ import annotations

import unicodedata

import pytest

from pipeline.text.cleaning import clean_line, clean_text


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("donâ€™t", "don’t"),
        ("â€œquotedâ€\x9d", "“quoted”"),
        ("cafÃ© crÃ¨me", "café crème"),
        ("MÃ¼nchen and ZÃ¼rich", "München and Zürich"),
    ],
)
def test_repairs_mojibake(broken: str, fixed: str) -> None:
    assert clean_text(broken) == fixed


@pytest.mark.parametrize(
    "quoted",
    [
        "He said “yes” and ‘no’, then don’t.",
        "Straight \"double\" and 'single' quotes.",
        "Deutsch: „Anführungszeichen“ und ‚einfache‘.",
        "Français : « guillemets » et ‹ simples ›.",
        "日本語の「かぎ括弧」と『二重かぎ括弧』。",
        "Prime ′ and double prime ″ and modifier apostrophe ʼ.",
    ],
)
def test_keeps_every_kind_of_quote_as_written(quoted: str) -> None:
    assert clean_text(quoted) == quoted


def test_removes_control_and_invisible_characters() -> None:
    text = "Bell\x07 null\x00 esc\x1b[31mred\x1b[0m zero\u200bwidth soft\u00adhyphen \ufeffbom\x7f"
    assert clean_text(text) == "Bell null escred zerowidth softhyphen bom"


def test_keeps_joiners_that_change_meaning() -> None:
    text = "می\u200cخواهم 👩\u200d💻"
    assert clean_text(text) == text


def test_is_nfc() -> None:
    decomposed = "e\u0301te\u0301 a\u0300 Montre\u0301al"
    cleaned = clean_text(decomposed)
    assert cleaned == "été à Montréal"
    assert unicodedata.is_normalized("NFC", cleaned)


def test_nfc_after_removing_a_character_between_letter_and_accent() -> None:
    assert clean_text("e\u200b\u0301") == "é"


def test_blank_lines_separate_paragraphs_and_single_line_feeds_are_wraps() -> None:
    text = "  First line\nwrapped\there.\r\n\r\n\n  Second\u00a0paragraph.  \n \n"
    assert clean_text(text) == "First line wrapped here.\n\nSecond paragraph."


def test_one_paragraph_per_line_when_there_is_no_blank_line() -> None:
    assert clean_text("One.\nTwo.\r\nThree.") == "One.\n\nTwo.\n\nThree."


def test_extracted_lines_are_always_paragraphs() -> None:
    assert clean_text("A\nB\n\nC", lines_are_paragraphs=True) == "A\n\nB\n\nC"


def test_unicode_separators() -> None:
    assert clean_text("A\u2028b\u2029C\u3000d") == "A b\n\nC d"


@pytest.mark.parametrize("empty", ["", "   ", "\n\n\t", "\x00\u200b\ufeff"])
def test_nothing_left(empty: str) -> None:
    assert clean_text(empty) == ""


def test_clean_line_collapses_everything() -> None:
    assert clean_line("  Breaking:\n\n  the\ttitle  ") == "Breaking: the title"
