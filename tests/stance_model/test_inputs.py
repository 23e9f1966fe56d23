import numpy as np
import pytest

from pipeline.stance_model.inputs import RowBuilder, collate, pool
from pipeline.stance_model.runtime import DEFAULT_MODEL_DIR

TOKENIZER = DEFAULT_MODEL_DIR / "tokenizer.json"
pytestmark = pytest.mark.skipif(not TOKENIZER.is_file(), reason="no shipped tokenizer")

TEXT = "Hillary Clinton blamed Facebook and Infowars for her election defeat."


def _tokens(builder, row, positions):
    return [builder._tokenizer.id_to_token(row.ids[p]) for p in positions]


def test_one_row_marks_every_target():
    builder = RowBuilder(TOKENIZER)
    (row,) = builder.rows(TEXT, [[(0, 15), (49, 52)], [(23, 31)]])
    assert row.ids[0] == builder._cls and row.ids[-1] == builder._sep
    (t0, clinton), (t1, facebook) = row.targets
    assert (t0, t1) == (0, 1)
    assert _tokens(builder, row, clinton) == ["hillary", "clinton", "her"]
    assert _tokens(builder, row, facebook) == ["facebook"]
    assert [p for p, kind in enumerate(row.token_types) if kind] == sorted(clinton + facebook)


def test_long_sentences_get_a_window_per_target():
    builder = RowBuilder(TOKENIZER, max_tokens=8)
    rows = builder.rows(TEXT, [[(0, 15)], [(62, 68)]])
    assert len(rows) == 2 and all(len(r.ids) == 8 for r in rows)
    assert _tokens(builder, rows[0], rows[0].targets[0][1]) == ["hillary", "clinton"]
    assert rows[1].targets[0][0] == 1
    assert _tokens(builder, rows[1], rows[1].targets[0][1]) == ["defeat"]


def test_collate_pads_and_pool_averages_target_tokens():
    builder = RowBuilder(TOKENIZER)
    rows = builder.rows("Short one.", [[(0, 5)]]) + builder.rows(TEXT, [[(23, 31)]])
    batch = collate(rows)
    assert batch.input_ids.shape == batch.attention_mask.shape == batch.token_type_ids.shape
    assert batch.attention_mask[0].sum() == len(rows[0].ids)
    hidden = np.random.default_rng(0).normal(size=(*batch.input_ids.shape, 4)).astype(np.float32)
    features = pool(hidden, batch)
    (_, row, tokens) = batch.targets[1]
    assert features.shape == (2, 8)
    np.testing.assert_allclose(features[1, :4], hidden[row, tokens].mean(axis=0), rtol=1e-5)
    n = len(rows[0].ids)
    np.testing.assert_allclose(features[0, 4:], hidden[0, :n].mean(axis=0), rtol=1e-5)


def test_per_target_rows_mark_one_target_each_and_single_targets_keep_one_row() -> None:
    builder = RowBuilder(TOKENIZER, per_target=True)
    first, second = builder.rows(TEXT, [[(0, 15), (49, 52)], [(23, 31)]])
    assert [index for index, _ in first.targets] == [0]
    assert [index for index, _ in second.targets] == [1]
    for row in (first, second):
        ((_, tokens),) = row.targets
        marked = [i for i, kind in enumerate(row.token_types) if kind == 1]
        assert marked == tokens
    assert len(builder.rows(TEXT, [[(23, 31)]])) == 1
