"""`news-pipeline predict extraction` and `news-pipeline eval extraction`.

Predictions and ground truth share the article-extraction-benchmark's format:
``{page_id: {"articleBody": text}}``. The predicted text is exactly the body the normalise stage
would produce, so the score measures what flows down the pipeline. Scoring: see shingles.py.
"""

from __future__ import annotations

import gzip
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import orjson
import typer

from pipeline.evaluation.options import (
    SHARED_DIR_ENV,
    SharedDirOption,
    existing_file,
    shared_data,
)
from pipeline.evaluation.options import exit_with as _exit
from pipeline.evaluation.shingles import Score, page_counts, score_bodies


@dataclass(frozen=True)
class Timing:
    pages: int
    wall_s: float
    cpu_s: float


def read_pages(html_dir: Path) -> Iterator[tuple[str, bytes]]:
    """(id, raw HTML bytes) for every *.html.gz and *.html file, in name order."""
    for path in sorted(html_dir.iterdir()):
        if path.name.endswith(".html.gz"):
            yield path.name.removesuffix(".html.gz"), gzip.decompress(path.read_bytes())
        elif path.name.endswith(".html"):
            yield path.name.removesuffix(".html"), path.read_bytes()


def predict_pages(pages: list[tuple[str, bytes]]) -> tuple[dict[str, str], Timing]:
    """Extract every page as the normalise stage would, and time the extraction alone."""
    from pipeline.text.cleaning import clean_text
    from pipeline.text.extraction import extract_body

    bodies: dict[str, str] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    for page_id, html in pages:
        bodies[page_id] = clean_text(extract_body(html), lines_are_paragraphs=True)
    return bodies, Timing(len(pages), time.perf_counter() - wall, time.process_time() - cpu)


def load_bodies(path: Path) -> dict[str, str]:
    """Read ``{id: {"articleBody": text}}`` into ``{id: text}`` (missing bodies are empty)."""
    data = orjson.loads(path.read_bytes())
    return {page_id: (entry or {}).get("articleBody") or "" for page_id, entry in data.items()}


def dump_bodies(bodies: dict[str, str]) -> bytes:
    return orjson.dumps(
        {k: {"articleBody": v} for k, v in bodies.items()}, option=orjson.OPT_INDENT_2
    )


def predict_cli(
    html_dir: Annotated[
        Path | None,
        typer.Option(
            help="Folder of <id>.html.gz / <id>.html pages [default: the shared extraction pages]",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of standard output")
    ] = None,
    shared_dir: SharedDirOption = None,
) -> None:
    """Extract the article body of every HTML page in a folder, as JSON {id: {"articleBody"}}."""
    html_dir = html_dir or _data_dir(shared_dir) / "html"
    pages = _pages_or_exit(html_dir)
    bodies, timing = predict_pages(pages)
    if output is None:
        sys.stdout.buffer.write(dump_bodies(bodies) + b"\n")
    else:
        output.write_bytes(dump_bodies(bodies))
    typer.echo(
        f"{timing.pages} pages, {timing.pages / timing.cpu_s:.1f} pages/s on one core", err=True
    )


def eval_cli(
    predictions: Annotated[
        Path | None,
        existing_file("Score this predictions file instead of running the extractor"),
    ] = None,
    gold: Annotated[
        Path | None,
        existing_file('Ground truth {id: {"articleBody"}} [default: the shared ground-truth.json]'),
    ] = None,
    html_dir: Annotated[
        Path | None,
        typer.Option(
            help="Pages to extract [default: the shared extraction pages]",
            show_default=False,
        ),
    ] = None,
    worst: Annotated[int, typer.Option(help="Also list the N pages with the lowest F1")] = 0,
    folds: Annotated[
        int,
        typer.Option(
            help="Cross-validate the extraction rules over N folds of sites instead (N >= 2): rules"
            " chosen on the other folds, scored on each",
            show_default=False,
        ),
    ] = 0,
    shared_dir: SharedDirOption = None,
) -> None:
    """Score HTML body extraction: 4-gram shingle precision, recall and F1, and pages/s.

    With no options it extracts the shared development pages itself and scores them against
    their ground truth (set NEWS_PIPELINE_SHARED_DIR or --shared-dir to point elsewhere).
    """
    data_dir = _data_dir(shared_dir)
    gold = gold or data_dir / "ground-truth.json"
    if not gold.is_file():
        _exit(f"no ground truth at {gold}: pass --gold or --shared-dir ({SHARED_DIR_ENV})")
    truth = load_bodies(gold)
    if folds:
        if folds < 2 or predictions is not None:
            _exit("--folds takes N >= 2 and extracts the pages itself (no --predictions)")
        from pipeline.evaluation.extraction_folds import cross_validate

        urls = {k: (v or {}).get("url") or k for k, v in orjson.loads(gold.read_bytes()).items()}
        pages = _pages_or_exit(html_dir or data_dir / "html")
        typer.echo(cross_validate(pages, truth, urls, folds))
        return
    timing = None
    if predictions is not None:
        predicted = load_bodies(predictions)
    else:
        predicted, timing = predict_pages(_pages_or_exit(html_dir or data_dir / "html"))
    missing = len(truth.keys() - predicted.keys())
    typer.echo(format_report(score_bodies(truth, predicted), timing, missing))
    if worst:
        typer.echo(format_worst(truth, predicted, worst))


def format_report(result: Score, timing: Timing | None, missing: int = 0) -> str:
    rows = [
        ("pages", f"{result.pages}"),
        ("precision", f"{result.precision:.4f}"),
        ("recall", f"{result.recall:.4f}"),
        ("F1", f"{result.f1:.4f}"),
    ]
    if missing:
        rows.append(("pages without a prediction (scored 0)", f"{missing}"))
    if timing is not None:
        rows += [
            ("pages/s, one core (CPU time)", f"{timing.pages / timing.cpu_s:.1f}"),
            ("pages/s, wall clock", f"{timing.pages / timing.wall_s:.1f}"),
        ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value:>8}" for name, value in rows)


def format_worst(truth: dict[str, str], predicted: dict[str, str], n: int) -> str:
    scored = []
    for page_id, text in truth.items():
        counts = page_counts(text, predicted.get(page_id, ""))
        p, r = counts.precision, counts.recall
        scored.append((2 * p * r / (p + r) if p + r else 0.0, p, r, page_id))
    lines = ["", f"{'F1':>6} {'prec':>6} {'recall':>6}  page"]
    lines += [f"{f:6.3f} {p:6.3f} {r:6.3f}  {page_id}" for f, p, r, page_id in sorted(scored)[:n]]
    return "\n".join(lines)


def _data_dir(shared_dir: Path | None) -> Path:
    return shared_data(shared_dir).extraction


def _pages_or_exit(html_dir: Path) -> list[tuple[str, bytes]]:
    if not html_dir.is_dir():
        _exit(f"no HTML folder at {html_dir}: pass --html-dir or --shared-dir ({SHARED_DIR_ENV})")
    pages = list(read_pages(html_dir))
    if not pages:
        _exit(f"no *.html.gz or *.html files in {html_dir}")
    return pages
