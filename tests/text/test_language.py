from __future__ import annotations

import pytest

from pipeline.text.language import UNDETERMINED, LanguageDetector, default_detector

TEXTS = {
    "en": "The government announced on Tuesday that it would raise taxes on large companies "
    "to pay for the new hospitals promised during the election campaign.",
    "de": "Die Bundesregierung hat am Dienstag angekündigt, die Steuern für große Unternehmen "
    "zu erhöhen, um die im Wahlkampf versprochenen neuen Krankenhäuser zu bezahlen.",
    "fr": "Le gouvernement a annoncé mardi qu'il allait augmenter les impôts des grandes "
    "entreprises pour financer les nouveaux hôpitaux promis pendant la campagne.",
    "es": "El Gobierno anunció el martes que subirá los impuestos a las grandes empresas para "
    "pagar los nuevos hospitales prometidos durante la campaña electoral.",
    "ru": "Правительство во вторник объявило, что повысит налоги для крупных компаний, чтобы "
    "оплатить новые больницы, обещанные во время избирательной кампании.",
}


@pytest.fixture(scope="module")
def detect() -> LanguageDetector:
    return default_detector()


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_detects(detect: LanguageDetector, code: str) -> None:
    language = detect(TEXTS[code])
    assert language.code == code
    assert 0.5 < language.confidence <= 1.0


def test_a_wrong_hint_is_overruled(detect: LanguageDetector) -> None:
    assert detect(TEXTS["de"], hint="en").code == "de"


@pytest.mark.parametrize("hint", ["de", "DE", "de-AT", "de_CH"])
def test_a_right_hint_is_kept_in_any_spelling(detect: LanguageDetector, hint: str) -> None:
    assert detect(TEXTS["de"], hint=hint).code == "de"


def test_a_plausible_hint_settles_close_languages(detect: LanguageDetector) -> None:
    # Galician and Portuguese share most words: the model alone leans to Portuguese.
    text = "O goberno anunciou que vai subir os impostos."
    assert detect(text).code == "pt"
    assert detect(text, hint="gl").code == "gl"


@pytest.mark.parametrize("text", ["", "ok", "12345 678 90", "!!! ??? ..."])
def test_too_little_text_is_undetermined(detect: LanguageDetector, text: str) -> None:
    assert detect(text) == (UNDETERMINED, 0.0)


def test_short_text_keeps_a_known_hint(detect: LanguageDetector) -> None:
    assert detect("ok", hint="en") == ("en", 0.0)
    assert detect("ok", hint="klingon") == (UNDETERMINED, 0.0)


def test_only_two_letter_codes(detect: LanguageDetector) -> None:
    assert all(len(code) == 2 for code in detect.languages)


def test_model_is_loaded_once() -> None:
    assert default_detector() is default_detector()
