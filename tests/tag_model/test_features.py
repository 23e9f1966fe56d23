import pytest

from pipeline.tag_model.features import DOMAIN_SPORT, Featurizer
from pipeline.tag_model.gazetteer import Gazetteer

SPORT = [
    ["Sheffield", "beat", "Leeds", "3-1", "in", "the", "league", "match", "."],
    ["The", "striker", "scored", "twice", "."],
    ["The", "Dutch", "won", "the", "World", "Cup", "."],
]
NEWS = [["Floods", "hit", "Sheffield", "and", "the", "homes", "along", "the", "river", "."]]
GAZETTEER = Gazetteer({("sheffield",): ("LOC", "ORG"), ("world", "cup"): ("MISC",)})
CLUSTERS = {"sheffield": "9/222/675/ORG", "dutch": "9/18/854/MISC"}


def _token(featurizer: Featurizer, doc: list[list[str]], sentence: int, index: int) -> list[str]:
    return featurizer.document(doc)[sentence][index]


def test_without_a_domain_sports_documents_are_featurised_as_before():
    featurizer = Featurizer(GAZETTEER, CLUSTERS)
    feats = _token(featurizer, SPORT, 0, 0)
    assert "l=sheffield" in feats and "g=U-ORG" in feats and "k=ORG" in feats
    assert not any(f.endswith("|sp") for f in feats) and "sport" not in feats


def test_in_a_sports_document_a_capitalised_words_identity_is_conjoined_with_the_domain():
    featurizer = Featurizer(GAZETTEER, CLUSTERS, domain=DOMAIN_SPORT)
    feats = _token(featurizer, SPORT, 0, 0)
    for conjoined in ("w=Sheffield|sp", "l=sheffield|sp", "k=ORG|sp", "g=U-ORG|sp", "sport"):
        assert conjoined in feats
    assert "l=sheffield" not in feats and "g=U-ORG" not in feats
    # Shape, affixes and clusters stay shared between the domains.
    assert "s=Xx" in feats and "c1=222" in feats


def test_lower_case_words_of_a_sports_document_keep_their_plain_identity():
    featurizer = Featurizer(GAZETTEER, CLUSTERS, domain=DOMAIN_SPORT)
    feats = _token(featurizer, SPORT, 1, 1)
    assert "l=striker" in feats and "sport" in feats


def test_other_documents_are_featurised_as_without_a_domain():
    plain = Featurizer(GAZETTEER, CLUSTERS).document(NEWS)
    assert Featurizer(GAZETTEER, CLUSTERS, domain=DOMAIN_SPORT).document(NEWS) == plain


def test_an_unknown_domain_is_refused():
    with pytest.raises(ValueError, match="unknown feature domain"):
        Featurizer(GAZETTEER, CLUSTERS, domain="weather")


def test_alongside_keeps_the_plain_features_and_adds_the_conjoined_copies():
    featurizer = Featurizer(GAZETTEER, CLUSTERS, domain="sport-alongside")
    feats = _token(featurizer, SPORT, 0, 0)
    for wanted in ("l=sheffield", "l=sheffield|sp", "g=U-ORG", "g=U-ORG|sp", "k=ORG|sp", "sport"):
        assert wanted in feats


def test_misc_readings_stay_plain_in_a_sports_document():
    featurizer = Featurizer(GAZETTEER, CLUSTERS, domain=DOMAIN_SPORT)
    dutch = _token(featurizer, SPORT, 2, 1)
    assert "l=dutch" in dutch and "k=MISC" in dutch and "sport" in dutch
    assert not any(f.endswith("|sp") for f in dutch)
    world = _token(featurizer, SPORT, 2, 4)
    assert "g=B-MISC" in world and "g=B-MISC|sp" not in world
