import pytest

from pipeline.tag_model.conlleval import format_table, score


def test_exact_match_only_counts_whole_chunks_of_the_right_type():
    gold = ["B-PER", "I-PER", "O", "B-LOC", "B-ORG"]
    predicted = ["B-PER", "O", "O", "B-LOC", "B-MISC"]
    scores = score([(gold, predicted)])
    precision, recall, f1 = scores.prf()
    assert (precision, recall) == (1 / 3, 1 / 3)
    assert f1 == pytest.approx(1 / 3)
    assert scores.prf("LOC") == (1.0, 1.0, 1.0)
    assert scores.prf("PER") == (0.0, 0.0, 0.0)
    assert "overall" in format_table(scores)


def test_iob1_gold_against_iob2_predictions_scores_perfectly():
    scores = score([(["I-PER", "I-PER", "B-PER", "O"], ["B-PER", "I-PER", "B-PER", "O"])])
    assert scores.prf() == (1.0, 1.0, 1.0)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError):
        score([(["O"], ["O", "O"])])
