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
    np.testing.assert_array_equal(alone, together)


def test_all_targets_of_a_sentence_in_one_query(model):
    text = "Critics attacked Acme Corp, but voters praised Maria Lopez for her honesty."
    (scores,) = model.score([Query(text, [[(17, 26)], [(47, 58), (63, 66)]])])
    assert [model.labels[int(p.argmax())] for p in scores] == ["against", "favor"]


def test_missing_files_say_how_to_fix_it(tmp_path):
    with pytest.raises(ModelNotAvailable, match="export"):
        StanceModel(tmp_path)
