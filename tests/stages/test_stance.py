import re

import numpy as np
import pytest

from pipeline.stages.stance import StanceClassifier, StanceSettings
from pipeline.stance_model.aggregation import Aggregation
from pipeline.stance_model.mention_only import MENTION_ONLY_CONFIDENCE
from pipeline.stance_model.runtime import DEFAULT_MODEL_DIR

LABELS = ("against", "neutral", "favor")


class ScriptedModel:
    """Reads the stance off the sentence: 'praised' -> favor, 'attacked' and (surer)
    'condemned' -> against."""

    labels = LABELS
    per_target = False

    def __init__(self):
        self.calls = []

    def score(self, queries):
        self.calls.append([q.text for q in queries])
        out = []
        for query in queries:
            if "praised" in query.text:
                p = [0.1, 0.1, 0.8]
            elif "attacked" in query.text:
                p = [0.7, 0.2, 0.1]
            elif "condemned" in query.text:
                p = [0.8, 0.15, 0.05]
            else:
                p = [0.2, 0.6, 0.2]
            out.append(np.array([p] * len(query.targets), dtype=np.float32))
        return out


def _entity(body, name, salience=0.5):
    mentions = [
        {"start": m.start(), "end": m.end(), "text": m.group()}
        for m in re.finditer(re.escape(name), body)
    ]
    return {
        "name": name,
        "type": "PER",
        "mentions": mentions,
        "count": len(mentions),
        "salience": salience,
    }


def _article(body, names, language="en"):
    return {
        "id": "a1",
        "body": body,
        "language": language,
        "entities_skipped": None,
        "entities": [_entity(body, n) for n in names],
    }


# The plain mean of the sentence readings, for the tests of which sentences are read.
MEAN = StanceSettings(aggregation=Aggregation.mean())

BODY = (
    "Smith praised the plan on Monday. Jones attacked it.\n\n"
    "Later Smith praised the council again. Smith met Brown for talks."
)


def _check(article):
    body = article["body"]
    assert article["stance_skipped"] is None
    for entity in article["entities"]:
        stance = entity["stance"]
        assert stance["label"] in LABELS
        assert 0.0 <= stance["confidence"] <= 1.0
        for evidence in stance["evidence"]:
            sentence = body[evidence["start"] : evidence["end"]]
            assert sentence and sentence == sentence.strip()
            assert any(
                evidence["start"] <= m["start"] < evidence["end"] for m in entity["mentions"]
            )


def test_one_stance_per_entity_with_valid_evidence():
    out = StanceClassifier(ScriptedModel())(_article(BODY, ["Smith", "Jones", "Brown"]))
    _check(out)
    stances = {e["name"]: e["stance"] for e in out["entities"]}
    assert [e["name"] for e in out["entities"]] == ["Smith", "Jones", "Brown"]
    assert stances["Jones"]["label"] == "against"
    assert (
        BODY[stances["Jones"]["evidence"][0]["start"] : stances["Jones"]["evidence"][0]["end"]]
        == "Jones attacked it."
    )
    assert stances["Brown"]["label"] == "neutral"


def test_aggregates_over_mentions():
    out = StanceClassifier(ScriptedModel(), MEAN)(_article(BODY, ["Smith"]))
    stance = out["entities"][0]["stance"]
    # Two favourable sentences outweigh one neutral one; only those two are evidence.
    assert stance["label"] == "favor"
    assert stance["confidence"] == pytest.approx((0.8 + 0.8 + 0.2) / 3, abs=1e-4)
    assert [BODY[e["start"] : e["end"]] for e in stance["evidence"]] == [
        "Smith praised the plan on Monday.",
        "Later Smith praised the council again.",
    ]


def test_one_side_taken_among_neutral_sentences_is_not_outvoted():
    body = "Smith condemned the plan. Smith met Jones. Smith met Brown on Monday."
    mean = StanceClassifier(ScriptedModel(), MEAN)(_article(body, ["Smith"]))
    assert mean["entities"][0]["stance"]["label"] == "neutral"
    stance = StanceClassifier(ScriptedModel())(_article(body, ["Smith"]))["entities"][0]["stance"]
    assert stance["label"] == "against"
    evidence = [body[e["start"] : e["end"]] for e in stance["evidence"]]
    assert evidence == ["Smith condemned the plan."]


def test_conflicting_sentences_take_no_side():
    body = "Smith attacked the plan. Smith praised the council."
    stance = StanceClassifier(ScriptedModel())(_article(body, ["Smith"]))["entities"][0]["stance"]
    assert stance["label"] == "neutral"


def test_caps_mentions_per_entity():
    settings = StanceSettings(max_sentences_per_entity=1)
    out = StanceClassifier(ScriptedModel(), settings)(_article(BODY, ["Smith"]))
    assert len(out["entities"][0]["stance"]["evidence"]) == 1


def test_sentence_budget_scores_each_sentence_once_and_leaves_the_rest_neutral():
    model = ScriptedModel()
    settings = StanceSettings(max_rows_per_article=2)
    body = "Smith praised the plan. Jones attacked it. Brown said nothing."
    out = StanceClassifier(model, settings)(_article(body, ["Smith", "Jones", "Brown"]))
    (texts,) = model.calls
    assert len(texts) == len(set(texts)) == 2
    brown = out["entities"][2]["stance"]
    assert brown == {"label": "neutral", "confidence": 0.0, "evidence": []}


def test_sentence_budget_prefers_sentences_that_read_several_entities():
    # Smith's earliest sentence names only Smith; the one naming Brown too reads both in one
    # pass, so a budget of two still gives all three entities a reading.
    model = ScriptedModel()
    settings = StanceSettings(max_rows_per_article=2)
    out = StanceClassifier(model, settings)(_article(BODY, ["Smith", "Jones", "Brown"]))
    (texts,) = model.calls
    assert sorted(texts) == ["Jones attacked it.", "Smith met Brown for talks."]
    assert all(e["stance"]["evidence"] for e in out["entities"])


def test_with_per_target_rows_every_reading_costs_a_row():
    # Smith and Brown share a sentence, but a per-target model scores each in a row of its
    # own: a budget of two rows reads two entities and leaves the third without a reading.
    model = ScriptedModel()
    model.per_target = True
    settings = StanceSettings(max_rows_per_article=2, max_sentences_per_entity=1)
    out = StanceClassifier(model, settings)(_article(BODY, ["Smith", "Jones", "Brown"]))
    (texts,) = model.calls
    readings = sum(len(e["stance"]["evidence"]) for e in out["entities"])
    assert readings == 2 and len(texts) <= 2
    assert sum(not e["stance"]["evidence"] for e in out["entities"]) == 1


def test_skips_non_english_and_keeps_entities():
    article = _article("Smith a loué le plan.", ["Smith"], language="fr")
    model = ScriptedModel()
    out = StanceClassifier(model)(article)
    assert out["entities"] == article["entities"]
    assert "fr" in out["stance_skipped"]
    assert model.calls == []


def test_skips_when_entities_were_skipped():
    article = {
        "id": "a2",
        "body": "x",
        "language": "und",
        "entities": [],
        "entities_skipped": "language 'und' not supported",
    }
    out = StanceClassifier(ScriptedModel())(article)
    assert out["entities"] == []
    assert out["stance_skipped"].startswith("entities skipped")


def test_no_entities_is_not_a_skip():
    out = StanceClassifier(ScriptedModel())(_article("Nothing to see here.", []))
    assert out["entities"] == [] and out["stance_skipped"] is None


def test_mention_only_sentences_are_neutral_and_cost_no_row():
    body = (
        "LONDON (Reuters) - Smith attacked the plan. Jones, Brown and Smith attended the "
        "summit. Smith praised the council."
    )
    article = _article(body, ["London", "Brown", "Smith"])
    article["entities"][0] = {**_entity(body, "LONDON"), "name": "London"}
    model = ScriptedModel()
    out = StanceClassifier(model, MEAN)(article)
    _check(out)
    (texts,) = model.calls
    assert "Jones, Brown and Smith attended the summit." not in texts
    london, brown, smith = (e["stance"] for e in out["entities"])
    # Named only in a dateline or a list of attendees: neutral, with those sentences as evidence.
    assert london["label"] == brown["label"] == "neutral"
    assert london["confidence"] == brown["confidence"] == MENTION_ONLY_CONFIDENCE
    assert [body[e["start"] : e["end"]] for e in brown["evidence"]] == [
        "Jones, Brown and Smith attended the summit."
    ]
    # Smith's place in the list does not dilute the two readings of him (against, favor).
    assert smith["label"] == "favor"
    assert smith["confidence"] == pytest.approx((0.1 + 0.8) / 2, abs=1e-4)
    assert len(texts) == 2


def test_pipe_matches_single_calls_and_returns_new_dicts():
    articles = [_article(BODY, ["Smith", "Jones"]), _article("Brown attacked Smith.", ["Smith"])]
    classifier = StanceClassifier(ScriptedModel(), StanceSettings(articles_per_batch=2))
    assert list(classifier.pipe(articles)) == [classifier(a) for a in articles]
    assert "stance" not in articles[0]["entities"][0]


@pytest.mark.skipif(not (DEFAULT_MODEL_DIR / "encoder.onnx").is_file(), reason="no shipped model")
def test_shipped_model_reads_obvious_stances():
    body = (
        "The minister praised Anna Weber for her brilliant, courageous leadership. "
        "Critics said Tom Hale was a corrupt liar who betrayed voters."
    )
    out = StanceClassifier.load()(_article(body, ["Anna Weber", "Tom Hale"]))
    _check(out)
    stances = {e["name"]: e["stance"]["label"] for e in out["entities"]}
    assert stances == {"Anna Weber": "favor", "Tom Hale": "against"}
