import numpy as np
import pytest

from pipeline.errors import ModelNotAvailable
from pipeline.stance_model.runtime import DEFAULT_MODEL_DIR, Query, StanceModel

pytestmark = pytest.mark.skipif(
    not (DEFAULT_MODEL_DIR / "encoder.onnx").is_file(), reason="no shipped model"
)

PRAISE = Query("Fans cheered Maria Lopez, whose brilliant goal won the final.", [[(13, 24)]])
BLAME = Query("Investigators said Acme Corp cheated thousands of customers.", [[(19, 28)]])


@pytest.fixture(scope="module")
def model():
    return StanceModel()


def test_scores_obvious_sentences(model):
    praise, blame = model.score([PRAISE, BLAME])
    assert model.labels[int(praise[0].argmax())] == "favor"
    assert model.labels[int(blame[0].argmax())] == "against"
    for p in (praise, blame):
        assert p.shape == (1, 3) and np.isclose(p.sum(), 1.0, atol=1e-5)


def test_a_sentence_scores_the_same_whatever_it_is_batched_with(model):
    (alone,) = model.score([PRAISE])
    _, together = model.score([BLAME, PRAISE])
    np.testing.assert_allclose(alone, together, atol=1e-4)


def test_scores_do_not_depend_on_batch_mates_or_their_padding():
    # Rows of different lengths in one padded batch, per-target rows included: each must
    # score as it does alone (the shipped dynamic-int8 encoder moved probabilities by up to
    # 0.1 and flipped labels here, as each batch set its own activation scales).
    queries = [
        PRAISE,
        BLAME,
        Query("Acme Corp fell.", [[(0, 9)]]),
        Query(
            "Critics attacked Acme Corp, but voters praised Maria Lopez for her honesty "
            "and her long record of service to the people of the northern district.",
            [[(17, 26)], [(47, 58)]],
        ),
    ]
    alone = StanceModel(batch_rows=1, per_target=True)
    batched = StanceModel(batch_rows=16, per_target=True, pad_slack=1000)  # one padded batch
    expected = [alone.score([q])[0] for q in queries]
    for got, want in zip(batched.score(queries[::-1])[::-1], expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-4)
        assert (got.argmax(-1) == want.argmax(-1)).all()


def test_all_targets_of_a_sentence_in_one_query(model):
    text = "Critics attacked Acme Corp, but voters praised Maria Lopez for her honesty."
    (scores,) = model.score([Query(text, [[(17, 26)], [(47, 58), (63, 66)]])])
    assert [model.labels[int(p.argmax())] for p in scores] == ["against", "favor"]


def test_missing_files_say_how_to_fix_it(tmp_path):
    with pytest.raises(ModelNotAvailable, match="export"):
        StanceModel(tmp_path)
