import numpy as np
import orjson
import pytest
import typer
from typer.testing import CliRunner

from pipeline.errors import ModelNotAvailable
from pipeline.evaluation import stance
from pipeline.stance_model.data import Sentence, Target
from pipeline.stance_model.mention_only import MENTION_ONLY_CONFIDENCE
from pipeline.stance_model.runtime import DEFAULT_MODEL_DIR

HAS_MODEL = (DEFAULT_MODEL_DIR / "encoder.onnx").is_file()

SENTENCES = [
    {
        "primary_gid": "a_1_1_0_X_0_5",
        "sentence_normalized": "Voters adored Anna Weber, a brilliant and honest leader.",
        "targets": [
            {"Input.gid": "t1", "from": 14, "to": 24, "mention": "Anna Weber", "polarity": 6.0}
        ],
    },
    {
        "primary_gid": "a_2_1_0_X_0_5",
        "sentence_normalized": "Tom Hale is a corrupt liar who betrayed everyone.",
        "targets": [
            {"Input.gid": "t2", "from": 0, "to": 8, "mention": "Tom Hale", "polarity": 2.0}
        ],
    },
]


def _app(command):
    app = typer.Typer()
    app.command()(command)
    return app


def _write(path, records):
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def test_eval_scores_a_predictions_file_against_gold(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", SENTENCES)
    predictions = _write(
        tmp_path / "pred.jsonl",
        [
            {"primary_gid": "a_1_1_0_X_0_5", "gid": "t1", "stance": "favor", "score": 0.9},
            {"primary_gid": "a_2_1_0_X_0_5", "gid": "t2", "stance": "neutral", "score": 0.5},
        ],
    )
    result = CliRunner().invoke(
        _app(stance.eval_cli), ["--predictions", str(predictions), "--gold", str(gold)]
    )
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[2:]}
    assert lines["favor"][:3] == ["1.0000", "1.0000", "1.0000"]
    assert lines["against"][:3] == ["0.0000", "0.0000", "0.0000"]
    assert lines["macro-F1"] == [f"{1 / 3:.4f}"]


def test_missing_predictions_count_as_wrong(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", SENTENCES)
    predictions = _write(
        tmp_path / "pred.jsonl",
        [{"primary_gid": "a_1_1_0_X_0_5", "gid": "t1", "stance": "favor", "score": 0.9}],
    )
    result = CliRunner().invoke(
        _app(stance.eval_cli), ["--predictions", str(predictions), "--gold", str(gold)]
    )
    assert "targets without a prediction (counted wrong): 1" in result.output


def test_eval_without_shared_data_says_how_to_fix_it(tmp_path):
    result = CliRunner().invoke(_app(stance.eval_cli), ["--shared-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "--gold" in result.output


@pytest.mark.skipif(not HAS_MODEL, reason="no shipped model")
def test_predict_writes_one_line_per_target_without_reading_polarity(tmp_path):
    unlabeled = [
        {**s, "targets": [{k: v for k, v in t.items() if k != "polarity"} for t in s["targets"]]}
        for s in SENTENCES
    ]
    source = _write(tmp_path / "in.jsonl", unlabeled)
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        _app(stance.predict_cli), ["--newsmtsc", str(source), "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    records = [orjson.loads(line) for line in output.read_bytes().splitlines()]
    assert [(r["gid"], r["stance"]) for r in records] == [("t1", "favor"), ("t2", "against")]
    assert all(set(r) == {"primary_gid", "gid", "stance", "score"} for r in records)
    assert all(0.0 <= r["score"] <= 1.0 for r in records)


class _FavorModel:
    labels = ("against", "neutral", "favor")

    def __init__(self):
        self.queries = []

    def score(self, queries):
        self.queries.extend(queries)
        return [np.tile(np.float32([0.1, 0.2, 0.7]), (len(q.targets), 1)) for q in queries]


def test_predict_calls_mention_only_targets_neutral_without_the_model():
    text = "KYIV (Reuters) - Ukraine praised the deal."
    sentences = [
        Sentence(
            "a_1_1_0_X_0_5",
            text,
            (Target("kyiv", ((0, 4),), None), Target("ukraine", ((17, 24),), None)),
        ),
        Sentence("a_1_1_0_X_1_5", text, (Target("agency", ((6, 13),), None),)),
    ]
    model = _FavorModel()
    predictions, _ = stance.predict(sentences, model)
    assert [(p["gid"], p["stance"], p["score"]) for p in predictions] == [
        ("kyiv", "neutral", MENTION_ONLY_CONFIDENCE),
        ("ukraine", "favor", 0.7),
        ("agency", "neutral", MENTION_ONLY_CONFIDENCE),
    ]
    assert [list(q.targets) for q in model.queries] == [[((17, 24),)]]


def test_eval_reports_multi_target_sentences_and_calibration_apart(tmp_path):
    two_targets = {
        "primary_gid": "a_3_1_0_X_0_5",
        "sentence_normalized": "Anna Weber praised Tom Hale.",
        "targets": [
            {"Input.gid": "t3", "from": 0, "to": 10, "mention": "Anna Weber", "polarity": 4.0},
            {"Input.gid": "t4", "from": 19, "to": 27, "mention": "Tom Hale", "polarity": 6.0},
        ],
    }
    gold = _write(tmp_path / "gold.jsonl", [*SENTENCES, two_targets])
    predictions = _write(
        tmp_path / "pred.jsonl",
        [
            {"primary_gid": "a_1_1_0_X_0_5", "gid": "t1", "stance": "favor", "score": 0.9},
            {"primary_gid": "a_2_1_0_X_0_5", "gid": "t2", "stance": "against", "score": 0.9},
            {"primary_gid": "a_3_1_0_X_0_5", "gid": "t3", "stance": "favor", "score": 0.9},
            {"primary_gid": "a_3_1_0_X_0_5", "gid": "t4", "stance": "favor", "score": 0.9},
        ],
    )
    result = CliRunner().invoke(
        _app(stance.eval_cli), ["--predictions", str(predictions), "--gold", str(gold)]
    )
    assert result.exit_code == 0, result.output
    # Of the two multi-target targets one is right (favor): F1 favor 2/3, neutral 0, against 0.
    assert f"multi-target sentences: {(2 / 3) / 3:.4f}" in result.output
    # Every score says 0.9, three of four are right.
    assert "expected calibration error of the scores (10 bins): 0.1500" in result.output


def test_eval_runs_the_model_in_model_dir(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", SENTENCES)
    empty = tmp_path / "model"
    empty.mkdir()
    result = CliRunner().invoke(
        _app(stance.eval_cli), ["--gold", str(gold), "--model-dir", str(empty)]
    )
    assert isinstance(result.exception, ModelNotAvailable)
    assert str(empty) in str(result.exception)


@pytest.mark.skipif(not HAS_MODEL, reason="no shipped model")
def test_eval_with_model_dir_scores_with_that_model(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", SENTENCES)
    result = CliRunner().invoke(
        _app(stance.eval_cli), ["--gold", str(gold), "--model-dir", str(DEFAULT_MODEL_DIR)]
    )
    assert result.exit_code == 0, result.output
    # Both targets right: F1 1 for favor and against (neutral, absent, counts 0 in the mean).
    assert "macro-F1                          0.6667" in result.output


def test_article_level_needs_the_bbc_corpus_only_when_asked_for(tmp_path):
    gold = _write(tmp_path / "gold.jsonl", SENTENCES)
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("")
    common = ["--predictions", str(predictions), "--gold", str(gold), "--shared-dir", str(tmp_path)]
    result = CliRunner().invoke(_app(stance.eval_cli), common)
    assert result.exit_code == 0, result.output
    assert "article level" not in result.output
    result = CliRunner().invoke(_app(stance.eval_cli), [*common, "--articles"])
    assert result.exit_code == 2
    assert "no BBC corpus" in result.output
