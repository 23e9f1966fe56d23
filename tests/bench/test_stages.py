from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline.bench.stages import (
    Record,
    dated,
    format_table,
    main,
    read_bbc,
    run_stage,
    trends_state_size,
)
from pipeline.errors import InvalidRecord
from pipeline.stages.trends import Contribution, TrendsState, windows_from


def test_reads_the_corpus_layout_and_survives_latin_1(tmp_path: Path) -> None:
    (tmp_path / "sport").mkdir()
    (tmp_path / "business").mkdir()
    (tmp_path / "business" / "001.txt").write_text("Title one\n\nBody one.\n\nMore.\n")
    latin_1 = "Caf\xe9 title\n\nBody \xa3 two.\n".encode("latin-1")
    (tmp_path / "sport" / "199.txt").write_bytes(latin_1)
    records = list(read_bbc(tmp_path))
    assert [(r["id"], r["title"], r["body"]) for r in records] == [
        ("bbc/business/001", "Title one", "Body one.\n\nMore."),
        ("bbc/sport/199", "Caf\ufffd title", "Body \ufffd two."),
    ]
    assert len(list(read_bbc(tmp_path, limit=1))) == 1


def test_run_stage_counts_failures_and_formats_a_table() -> None:
    def stage(record: Record) -> Record:
        if not record["body"]:
            raise InvalidRecord("empty")
        return record | {"seen": True}

    def load() -> Callable[[Record], Record]:
        return stage

    result, outputs = run_stage("toy", load, [{"body": "x"}, {"body": ""}, {"body": "y"}])
    assert (result.articles, result.failed, len(outputs)) == (3, 1, 2)
    assert len(result.latencies_ms) == 3
    table = format_table([result]).splitlines()
    assert table[0].split()[:3] == ["stage", "articles", "failed"]
    assert table[1].split()[:3] == ["toy", "3", "1"]


def test_skips_without_the_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--shared-dir", str(tmp_path)]) == 0
    assert "skipped: no BBC corpus" in capsys.readouterr().out


def test_the_trends_state_size_counts_rows_and_their_bytes_per_10k_articles() -> None:
    windows = windows_from("1h,1d")
    state = TrendsState(windows)
    for name in ("Putin", "Starmer"):
        for window in windows:
            state.apply(
                Contribution(
                    window.name, "2030-01-01T00:00:00Z", f"per:{name}", name, "PER", 2, None
                )
            )
    line = trends_state_size(state, articles=100)
    assert line.startswith("trends state after 100 articles: 4 rows")
    assert "at most 400 rows" in line
    assert line.endswith("(10,000 a day; windows 1h, 1d)")


def test_make_bench_times_the_trends_counting_of_a_runs_enriched_articles() -> None:
    from pipeline.bench.pipeline import trends_rate

    record = {
        "id": "a",
        "published_at": "2030-01-01T05:00:00Z",
        "entities": [{"name": "Putin", "type": "PER", "mentions": [{"text": "Putin"}]}],
    }
    assert trends_rate([record] * 50) > 0
    assert trends_rate([]) == 0


def test_bench_articles_are_dated_as_a_feed_of_ten_thousand_a_day() -> None:
    records = dated([{"id": str(i)} for i in range(3)])
    assert [r["published_at"] for r in records] == [
        "2030-01-01T00:00:00+00:00",
        "2030-01-01T00:00:08.640000+00:00",
        "2030-01-01T00:00:17.280000+00:00",
    ]
