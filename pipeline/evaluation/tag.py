"""`news-pipeline predict tag` and `news-pipeline eval tag`: the tagger on CoNLL-2003 files.

Scores are conlleval's: entity-level exact match, micro-averaged, IOB1 and IOB2 both read.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer

from pipeline.evaluation.options import ModelDirOption
from pipeline.shared_data import SharedData
from pipeline.tag_model import conll
from pipeline.tag_model.conlleval import Scores, format_table, score

SCHEMES = {"iob1": conll.to_iob1, "iob2": conll.to_iob2}


def _documents(lines: Iterable[str]) -> Iterator[list[str]]:
    """Lines grouped per document, verbatim (each group starts at a -DOCSTART- line, if any)."""
    group: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.startswith(conll.DOCSTART) and group:
            yield group
            group = []
        group.append(line)
    if group:
        yield group


def predict_lines(lines: Iterable[str], model: object, scheme: str = "iob2") -> Iterator[str]:
    """Every input line with the predicted tag appended; only the first column is read."""
    from pipeline.tag_model.model import NerModel

    assert isinstance(model, NerModel)
    convert = SCHEMES[scheme]
    for group in _documents(lines):
        sentences: list[list[str]] = [[]]
        for line in group:
            if line.startswith(conll.DOCSTART) or not line.strip():
                if sentences[-1]:
                    sentences.append([])
            else:
                sentences[-1].append(line.split()[0])
        if not sentences[-1]:
            sentences.pop()
        tags = iter(tag for s in model.tag_document(sentences) for tag in convert(s))
        for line in group:
            if line.startswith(conll.DOCSTART):
                yield f"{line} O"
            elif not line.strip():
                yield line
            else:
                yield f"{line} {next(tags)}"


def _open_output(output: Path | None) -> TextIO:
    return output.open("w", encoding="utf-8") if output else sys.stdout


def predict_cli(
    conll_file: Annotated[
        Path,
        typer.Option(
            "--conll", exists=True, dir_okay=False, help="CoNLL file; only column 1 is read"
        ),
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write here, not stdout")
    ] = None,
    scheme: Annotated[
        str, typer.Option(help="tag scheme of the added column: iob2 or iob1")
    ] = "iob2",
    model_dir: ModelDirOption = None,
) -> None:
    """Tag a CoNLL-format file: every line comes back with the predicted tag as a last column."""
    from pipeline.tag_model.model import NerModel

    if scheme not in SCHEMES:
        raise typer.BadParameter(f"scheme must be one of {sorted(SCHEMES)}")
    model = NerModel.load(model_dir)
    with conll_file.open(encoding="utf-8") as lines:
        out = _open_output(output)
        try:
            for line in predict_lines(lines, model, scheme):
                out.write(line + "\n")
        finally:
            if output:
                out.close()


def score_columns(lines: Iterable[str], gold_lines: Iterable[str] | None = None) -> Scores:
    """Scores from a file whose last two columns are gold then predicted, or, with
    `gold_lines`, from the last column of each of two line-aligned files."""
    pairs: list[tuple[list[str], list[str]]] = []
    gold: list[str] = []
    predicted: list[str] = []
    gold_iter = iter(gold_lines) if gold_lines is not None else None
    for raw in lines:
        fields = raw.split()
        gold_fields = next(gold_iter).split() if gold_iter is not None else fields[:-1]
        if not fields or fields[0] == conll.DOCSTART:
            if gold:
                pairs.append((gold, predicted))
                gold, predicted = [], []
            continue
        gold.append(gold_fields[-1])
        predicted.append(fields[-1])
    if gold:
        pairs.append((gold, predicted))
    return score(pairs)


def eval_cli(
    predictions: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="score this file (last two columns gold, predicted) instead of running the tagger",
        ),
    ] = None,
    gold: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="with --predictions: gold file, line-aligned; its last column is the gold tag",
        ),
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="gold CoNLL file to tag and score (default: shared eng.testa)",
        ),
    ] = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Entity-level precision, recall and F1 per type (conlleval), and tagging speed."""
    if predictions is not None:
        with predictions.open(encoding="utf-8") as lines:
            if gold is None:
                scores = score_columns(lines)
            else:
                with gold.open(encoding="utf-8") as gold_lines:
                    scores = score_columns(lines, gold_lines)
        typer.echo(format_table(scores))
        return
    from pipeline.tag_model.model import NerModel

    path = data or SharedData.default().conll / "eng.testa"
    if not path.exists():
        raise typer.BadParameter(f"{path} not found; pass --data or set NEWS_PIPELINE_SHARED_DIR")
    model = NerModel.load(model_dir)
    docs = conll.read_documents(path)
    pairs: list[tuple[list[str], list[str]]] = []
    tokens = 0
    started = time.perf_counter()
    for doc in docs:
        sentences = [s.tokens for s in doc.sentences]
        tokens += sum(map(len, sentences))
        pairs.extend(
            zip([s.column(-1) for s in doc.sentences], model.tag_document(sentences), strict=True)
        )
    elapsed = time.perf_counter() - started
    typer.echo(f"{path.name}: {len(docs)} documents, {tokens} tokens")
    typer.echo(format_table(score(pairs)))
    typer.echo(f"speed: {tokens / elapsed:,.0f} tokens/s (tokenised input, one thread)")
