"""`news-pipeline predict stance` and `news-pipeline eval stance`: the stance model on NewsMTSC.

Predictions are JSON lines ``{"primary_gid", "gid", "stance", "score"}``, one per target, where
``gid`` is the target's ``Input.gid`` and ``score`` the probability of the predicted stance.
The default evaluation set is the dev split of the shared NewsMTSC training file (about 10%
of its source articles, chosen by hash and never trained on when the model was selected); it
is a development figure, not a test score.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from pipeline.evaluation.options import (
    SHARED_DIR_ENV,
    ModelDirOption,
    SharedDirOption,
    existing_file,
    shared_data,
    write_jsonl,
)
from pipeline.evaluation.options import exit_with as _exit
from pipeline.stance_model.data import Sentence, read_newsmtsc, split
from pipeline.stance_model.mention_only import MENTION_ONLY_CONFIDENCE, mention_only
from pipeline.stance_model.metrics import (
    ClassScore,
    expected_calibration_error,
    macro_f1,
    per_class,
)

Key = tuple[str, str]


@dataclass(frozen=True)
class Timing:
    targets: int
    wall_s: float
    cpu_s: float


def predict(
    sentences: Iterable[Sentence],
    model: Any = None,
    per_target: bool | None = None,
    model_dir: Path | None = None,
) -> tuple[list[dict[str, Any]], Timing]:
    """One prediction per target; only the text and spans of ``sentences`` are read. A target
    only named where it is (a dateline, a credit, a list of attendees) is neutral without the
    model, as in the stance stage."""
    from pipeline.stance_model.runtime import DEFAULT_MODEL_DIR, Query, StanceModel

    model = model or StanceModel(model_dir or DEFAULT_MODEL_DIR, per_target=per_target)
    sentences = list(sentences)
    neutral = model.labels.index("neutral")
    read = [[t for t in s.targets if mention_only(s.text, t.spans) is None] for s in sentences]
    wall, cpu = time.perf_counter(), time.process_time()
    queries = [
        Query(s.text, [t.spans for t in targets])
        for s, targets in zip(sentences, read, strict=True)
        if targets
    ]
    scores = iter(model.score(queries) if queries else [])
    timing_wall, timing_cpu = time.perf_counter() - wall, time.process_time() - cpu
    predictions = []
    for sentence, targets in zip(sentences, read, strict=True):
        probabilities = iter(next(scores) if targets else [])
        for target in sentence.targets:
            if target in targets:
                p = next(probabilities)
                best, score = int(p.argmax()), float(p.max())
            else:
                best, score = neutral, MENTION_ONLY_CONFIDENCE
            predictions.append(
                {
                    "primary_gid": sentence.primary_gid,
                    "gid": target.gid,
                    "stance": model.labels[best],
                    "score": round(score, 4),
                }
            )
    return predictions, Timing(len(predictions), timing_wall, timing_cpu)


def gold_labels(sentences: Iterable[Sentence]) -> dict[Key, str]:
    return {(s.primary_gid, t.gid): t.label or "" for s in sentences for t in s.targets}


def load_predictions(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as lines:
        return [orjson.loads(line) for line in lines if line.strip()]


def multi_target_keys(sentences: Iterable[Sentence]) -> set[Key]:
    """Targets of sentences that name two or more: the case NewsMTSC's devtest_mt is built of."""
    return {(s.primary_gid, t.gid) for s in sentences if len(s.targets) >= 2 for t in s.targets}


def predict_cli(
    newsmtsc: Annotated[
        Path,
        typer.Option(
            help="NewsMTSC-format JSONL to classify (its polarity fields are never read)",
            exists=True,
            dir_okay=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(help="Write the JSON lines here (default: stdout)", show_default=False),
    ] = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Classify every target of a NewsMTSC file: favor, against or neutral, with its probability.

    Writes one JSON line per target: {"primary_gid", "gid", "stance", "score"}.
    """
    predictions, _ = predict(read_newsmtsc(newsmtsc, with_labels=False), model_dir=model_dir)
    write_jsonl(predictions, output)


def eval_cli(
    predictions: Annotated[
        Path | None,
        existing_file(
            "Score this predictions file (from predict stance) instead of running the model"
        ),
    ] = None,
    gold: Annotated[
        Path | None,
        existing_file(
            "NewsMTSC-format JSONL with polarities; all its targets are scored (default: the "
            "dev split of the shared NewsMTSC training file)"
        ),
    ] = None,
    bbc: Annotated[
        int,
        typer.Option(
            help="Also time the stance stage (one thread) on this many BBC articles from the"
            " shared corpus, normalised and tagged beforehand (untimed)"
        ),
    ] = 0,
    shared_dir: SharedDirOption = None,
    per_target: Annotated[
        bool | None,
        typer.Option(
            "--per-target/--one-pass",
            help="Score each target of a multi-target sentence in a row of its own, or all in one "
            "row [default: as the model's config says]",
            show_default=False,
        ),
    ] = None,
    model_dir: ModelDirOption = None,
    article_level: Annotated[
        bool | None,
        typer.Option(
            "--articles/--no-articles",
            help="Also score the stance stage's article-level readings on the article-level "
            "gold (BBC articles of the shared corpus, tune and held-out halves), the shipped "
            "aggregation beside the plain mean [default: only without --gold and --predictions]",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Score stance classification: per-class precision/recall/F1, macro-F1 and targets/s.

    With no options it classifies the dev split of the shared NewsMTSC training file itself
    (set NEWS_PIPELINE_SHARED_DIR or --shared-dir to point elsewhere); the figure is a
    development one, since that split also chose the shipped model's epoch. It then scores
    what the article's record carries, an entity's stance in a whole article, on the
    article-level gold (pipeline/evaluation/article_stance_gold.json).
    """
    if gold is None:
        train = shared_data(shared_dir).newsmtsc_train
        if not train.is_file():
            _exit(f"no NewsMTSC data at {train}: pass --gold or --shared-dir ({SHARED_DIR_ENV})")
        sentences = split(list(read_newsmtsc(train)))[1]
        title = f"dev split of {train}"
    else:
        sentences = list(read_newsmtsc(gold))
        title = str(gold)
    truth = gold_labels(sentences)
    timing = None
    if predictions is None:
        predicted_records, timing = predict(sentences, per_target=per_target, model_dir=model_dir)
    else:
        predicted_records = load_predictions(predictions)
    predicted = {(r["primary_gid"], r["gid"]): r["stance"] for r in predicted_records}
    missing = len(truth.keys() - predicted.keys())
    keys = sorted(truth)
    gold_list = [truth[k] for k in keys]
    # A target without a prediction counts as wrong: "" matches no class.
    predicted_list = [predicted.get(k, "") for k in keys]
    typer.echo(f"{title}: {len(keys)} targets")
    typer.echo(
        format_report(
            per_class(gold_list, predicted_list),
            macro_f1(gold_list, predicted_list),
            timing,
            missing,
        )
    )
    multi = [k for k in keys if k in multi_target_keys(sentences)]
    if multi:
        multi_f1 = macro_f1([truth[k] for k in multi], [predicted.get(k, "") for k in multi])
        typer.echo(
            f"macro-F1 on the {len(multi)} targets of multi-target sentences: {multi_f1:.4f}"
        )
    scored = [
        r
        for r in predicted_records
        if isinstance(r.get("score"), float | int) and (r["primary_gid"], r["gid"]) in truth
    ]
    if scored:
        ece = expected_calibration_error(
            [float(r["score"]) for r in scored],
            [r["stance"] == truth[(r["primary_gid"], r["gid"])] for r in scored],
        )
        typer.echo(f"expected calibration error of the scores (10 bins): {ece:.4f}")
    if article_level or (article_level is None and gold is None and predictions is None):
        corpus = shared_data(shared_dir).bbc
        if corpus.is_dir():
            typer.echo(article_report(corpus, per_target, model_dir))
        elif article_level:
            _exit(f"no BBC corpus at {corpus}: pass --shared-dir ({SHARED_DIR_ENV})")
        else:
            typer.echo(f"article level: skipped, no BBC corpus at {corpus}")
    if bbc:
        corpus = shared_data(shared_dir).bbc
        if not corpus.is_dir():
            _exit(f"no BBC corpus at {corpus}: pass --shared-dir ({SHARED_DIR_ENV})")
        articles, wall_s, cpu_s = time_stage(corpus, bbc, model_dir)
        typer.echo(
            f"stance stage on {articles} BBC articles: {articles / cpu_s:.1f} articles/s "
            f"(CPU time, one thread); wall clock {articles / wall_s:.1f}/s"
        )


def article_report(corpus: Path, per_target: bool | None, model_dir: Path | None) -> str:
    from pipeline.evaluation.article_stance import report
    from pipeline.stages.stance import StanceSettings
    from pipeline.stance_model.aggregation import Aggregation
    from pipeline.stance_model.runtime import DEFAULT_MODEL_DIR, StanceModel

    model = StanceModel(model_dir or DEFAULT_MODEL_DIR, per_target=per_target)
    rules = {"mean (before #22)": Aggregation.mean(), "shipped": StanceSettings().aggregation}
    return report(model, corpus, rules)


def time_stage(corpus: Path, count: int, model_dir: Path | None = None) -> tuple[int, float, float]:
    """(articles, wall s, CPU s) of the stance stage's ``pipe`` over the first ``count`` BBC
    texts in a fixed shuffled order; normalising and tagging them is not timed."""
    import random

    from pipeline.stages.normalise import normalise
    from pipeline.stages.stance import StanceClassifier
    from pipeline.stages.tag import Tagger
    from pipeline.stance_model.runtime import DEFAULT_MODEL_DIR, StanceModel

    paths = sorted(corpus.glob("*/*.txt"))
    random.Random(0).shuffle(paths)
    tagger = Tagger.load()
    tagged = []
    for path in paths[:count]:
        title, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n\n")
        raw = {"id": path.name, "title": title.strip(), "body": body}
        tagged.append(tagger(normalise(raw)))
    classifier = StanceClassifier(StanceModel(model_dir or DEFAULT_MODEL_DIR))
    classifier(tagged[0])  # first-call set-up is not steady-state throughput
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in classifier.pipe(tagged):
        pass
    return len(tagged), time.perf_counter() - wall, time.process_time() - cpu


def format_report(
    scores: list[ClassScore], macro: float, timing: Timing | None, missing: int = 0
) -> str:
    lines = [f"{'class':<10} {'precision':>9} {'recall':>9} {'F1':>9} {'support':>8}"]
    lines += [
        f"{s.label:<10} {s.precision:9.4f} {s.recall:9.4f} {s.f1:9.4f} {s.support:8d}"
        for s in scores
    ]
    lines.append(f"{'macro-F1':<10} {'':>9} {'':>9} {macro:9.4f}")
    if missing:
        lines.append(f"targets without a prediction (counted wrong): {missing}")
    if timing is not None and timing.targets:
        lines.append(
            f"targets/s, CPU time: {timing.targets / timing.cpu_s:.1f}; "
            f"wall clock: {timing.targets / timing.wall_s:.1f}"
        )
    return "\n".join(lines)
