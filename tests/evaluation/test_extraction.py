from __future__ import annotations

import gzip
import re
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from pipeline.evaluation.extraction import eval_cli, predict_cli
from pipeline.evaluation.shingles import PageCounts, page_counts, score, score_bodies, shingles
from tests.text.test_extraction import ARTICLE, page

TEXT = "one two three four five six"


def test_shingles_are_four_token_windows() -> None:
    assert list(shingles("One, two; three four five!")) == [
        ("One", "two", "three", "four"),
        ("two", "three", "four", "five"),
    ]


def test_a_short_text_is_one_short_shingle() -> None:
    assert list(shingles("just two")) == [("just", "two")]
    assert shingles("  ,; ") == {}


def test_perfect_and_disjoint() -> None:
    assert page_counts(TEXT, TEXT) == PageCounts(1.0, 0.0, 0.0)
    counts = page_counts(TEXT, "seven eight nine ten")
    assert (counts.precision, counts.recall) == (0.0, 0.0)


def test_counts_are_normalised_per_page() -> None:
    counts = page_counts(TEXT, "one two three four five")  # 2 of the 3 true shingles
    assert counts == PageCounts(2 / 3, 0.0, 1 / 3)
    assert (counts.precision, counts.recall) == (1.0, 2 / 3)


def test_repeated_shingles_count_as_a_multiset() -> None:
    counts = page_counts("a b c d", "a b c d a b c d")
    assert counts.precision == pytest.approx(1 / 5)  # "a b c d" twice is 1 tp; the other 4 fp


@pytest.mark.parametrize(
    ("truth", "prediction", "precision", "recall"),
    [("", "", 1.0, 1.0), (TEXT, "", 0.0, 0.0), ("", TEXT, 0.0, 0.0)],
)
def test_empty_sides_follow_the_benchmark(
    truth: str, prediction: str, precision: float, recall: float
) -> None:
    counts = page_counts(truth, prediction)
    assert (counts.precision, counts.recall) == (precision, recall)


def test_f1_comes_from_the_averages_not_per_page() -> None:
    result = score([PageCounts(0.5, 0.5, 0.0), PageCounts(0.5, 0.0, 0.5)])
    assert (result.precision, result.recall) == (0.75, 0.75)
    assert result.f1 == pytest.approx(0.75)


def test_a_missing_prediction_scores_zero() -> None:
    result = score_bodies({"a": TEXT, "b": TEXT}, {"a": TEXT})
    assert (result.precision, result.recall, result.pages) == (0.5, 0.5, 2)


def test_nothing_to_score() -> None:
    with pytest.raises(ValueError, match="no pages"):
        score([])


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("predict")(predict_cli)
    app.command("eval")(eval_cli)
    return app


def test_predict_then_eval(app: typer.Typer, tmp_path: Path) -> None:
    html_dir = tmp_path / "html"
    html_dir.mkdir()
    (html_dir / "p1.html.gz").write_bytes(gzip.compress(page().encode()))
    (html_dir / "p2.html").write_text(page(ARTICLE[:2]), encoding="utf-8")
    (html_dir / "notes.txt").write_text("not a page")
    predictions = tmp_path / "predictions.json"
    result = CliRunner().invoke(
        app, ["predict", "--html-dir", str(html_dir), "-o", str(predictions)]
    )
    assert result.exit_code == 0, result.output
    predicted = orjson.loads(predictions.read_bytes())
    assert predicted == {
        "p1": {"articleBody": "\n\n".join(ARTICLE)},
        "p2": {"articleBody": "\n\n".join(ARTICLE[:2])},
    }

    gold = tmp_path / "gold.json"
    gold.write_bytes(
        orjson.dumps(
            {
                "p1": {"articleBody": "\n".join(ARTICLE), "url": "u"},
                "p2": {"articleBody": "\n".join(ARTICLE), "url": "u"},
            }
        )
    )
    result = CliRunner().invoke(
        app, ["eval", "--predictions", str(predictions), "--gold", str(gold)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"precision\s+1\.0000\n", result.output)
    assert re.search(r"recall\s+0\.\d{4}\n", result.output)  # p2 lacks half the truth

    result = CliRunner().invoke(app, ["eval", "--html-dir", str(html_dir), "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    assert "pages/s" in result.output


def test_eval_without_data_says_where_it_looked(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "--shared-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "ground truth" in result.output


@pytest.mark.slow
def test_eval_on_the_shared_pages(app: typer.Typer, shared_dir: Path) -> None:
    if not (shared_dir / "data" / "extraction" / "ground-truth.json").is_file():
        pytest.skip("shared extraction data not present")
    result = CliRunner().invoke(app, ["eval", "--shared-dir", str(shared_dir)])
    assert result.exit_code == 0, result.output
    assert "F1" in result.output
