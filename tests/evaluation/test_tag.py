import pytest
from typer.testing import CliRunner

from pipeline.evaluation.tag import eval_cli, predict_lines, score_columns
from pipeline.shared_data import SharedData
from pipeline.tag_model.conll import read_documents
from pipeline.tag_model.model import NerModel

SAMPLE = [
    "-DOCSTART- -X- -X- O",
    "",
    "Angela NNP I-NP I-PER",
    "Merkel NNP I-NP I-PER",
    "visited VBD I-VP O",
    "Paris NNP I-NP I-LOC",
    ". . O O",
    "",
    "-DOCSTART- -X- -X- O",
    "",
    "Siemens NNP I-NP I-ORG",
    "",
]


@pytest.fixture(scope="module")
def model():
    return NerModel.load()


def test_predict_writes_every_line_back_with_a_tag_column(model):
    out = list(predict_lines(SAMPLE, model))
    assert len(out) == len(SAMPLE)
    for original, predicted in zip(SAMPLE, out, strict=True):
        if original:
            assert predicted.startswith(original + " ")
            assert predicted.split()[-1].split("-")[0] in {"O", "B", "I"}
        else:
            assert predicted == ""
    assert [line.split()[-1] for line in out[2:7]] == ["B-PER", "I-PER", "O", "B-LOC", "O"]


def test_predict_ignores_the_gold_column(model):
    blinded = [" ".join(line.split()[:1] + ["X", "X", "O"]) if line else "" for line in SAMPLE]
    tags = [line.split()[-1] for line in predict_lines(blinded, model) if line]
    assert tags == [line.split()[-1] for line in predict_lines(SAMPLE, model) if line]


def test_score_columns_reads_gold_and_predicted_from_one_or_two_files():
    scored = ["a X I-PER B-PER", "b X I-PER I-PER", "", "c X I-LOC O", "d X O O"]
    assert score_columns(scored).prf("PER") == (1.0, 1.0, 1.0)
    assert score_columns(scored).prf() == (1.0, 0.5, pytest.approx(2 / 3))
    gold = ["a X I-PER", "b X I-PER", "", "c X I-LOC", "d X O"]
    predicted = ["a B-PER", "b I-PER", "", "c O", "d O"]
    assert score_columns(predicted, gold).prf() == score_columns(scored).prf()


def test_eval_scores_a_given_file(tmp_path):
    path = tmp_path / "gold.txt"
    path.write_text("\n".join(SAMPLE) + "\n", "utf-8")
    assert read_documents(path)
    app_result = CliRunner().invoke(_app(), ["--data", str(path)])
    assert app_result.exit_code == 0, app_result.output
    assert "overall" in app_result.output and "tokens/s" in app_result.output


@pytest.mark.slow
@pytest.mark.skipif(
    not (SharedData.default().conll / "eng.testa").exists(), reason="shared CoNLL data absent"
)
def test_eval_defaults_to_the_shared_dev_set():
    result = CliRunner().invoke(_app(), [])
    assert result.exit_code == 0, result.output
    assert "eng.testa" in result.output


def _app():
    import typer

    app = typer.Typer()
    app.command()(eval_cli)
    return app
