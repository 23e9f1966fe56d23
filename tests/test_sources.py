from __future__ import annotations

from pathlib import Path

import orjson

from pipeline.sources import SourceError, article_id, read_records

REPO = Path(__file__).resolve().parents[1]


def test_article_id_prefers_given_id_then_url_then_content() -> None:
    assert article_id({"id": "x-1", "url": "u", "body": "b"}) == "x-1"
    assert article_id({"id": 7, "body": "b"}) == "7"
    by_url = article_id({"url": "https://a.example/1", "body": "one"})
    assert by_url == article_id({"url": "https://a.example/1", "body": "two"})
    assert article_id({"body": "one"}) != article_id({"body": "two"})
    assert article_id({"body": "one"}) == article_id({"body": "one"})


def test_reads_every_format_and_reports_bad_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A title\n\nThe body.\n\nSecond paragraph.", "utf-8")
    (tmp_path / "b.txt").write_text("Just one paragraph of text, no title.", "utf-8")
    (tmp_path / "c.html").write_text("<html><body><p>Hi</p></body></html>", "utf-8")
    (tmp_path / "d.json").write_bytes(orjson.dumps({"id": "d", "body": "x"}))
    (tmp_path / "e.jsonl").write_bytes(b'{"id": "e1", "body": "x"}\n\n{bad\n{"html": "<p>y</p>"}\n')
    (tmp_path / "f.json").write_bytes(b"[1, 2]")
    (tmp_path / "g.json").write_bytes(b'{"title": "no body"}')
    (tmp_path / "notes.md").write_text("ignored", "utf-8")

    items = list(read_records([tmp_path]))
    records = {Path(r["origin"]).name: r for r in items if isinstance(r, dict)}
    errors = [e for e in items if isinstance(e, SourceError)]

    assert records["a.txt"]["title"] == "A title"
    assert records["a.txt"]["body"].startswith("The body.")
    assert "title" not in records["b.txt"]
    assert records["c.html"]["html"].startswith("<html>")
    assert records["d.json"]["id"] == "d"
    assert records["e.jsonl:1"]["id"] == "e1"
    assert records["e.jsonl:4"]["html"] == "<p>y</p>"
    # A record without a body is still a record: the worker dead-letters it, nothing is lost.
    assert records["g.json"]["title"] == "no body"
    assert sorted(Path(e.origin).name for e in errors) == ["e.jsonl:3", "f.json"]


def test_wrong_field_types_pass_through_for_the_worker_to_dead_letter(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_bytes(b'{"id": "bad", "body": 404}')
    [record] = read_records([tmp_path / "bad.json"])
    assert isinstance(record, dict) and record["body"] == 404


def test_the_repo_seeds_cover_every_format() -> None:
    items = list(read_records([REPO / "seeds"]))
    assert not [i for i in items if isinstance(i, SourceError)]
    suffixes = {Path(str(r["origin"]).split(":")[0]).suffix for r in items if isinstance(r, dict)}
    assert suffixes == {".txt", ".json", ".jsonl", ".html"}
