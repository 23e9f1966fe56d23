"""Throughput of each stage on one core: ``python -m pipeline.bench.stages [--limit N]``.

Replays the BBC corpus (shared/data/corpora/bbc) through every stage of the registry in
order (normalise, dedup, tag, stance), each fed the previous stage's output, then counts the
enriched articles' trends (the trends stage's own work, without its Kafka hops; the articles
are dated as a feed of 10,000 a day), and prints
articles/s, per-article latency and the process's peak memory after each stage. The process
is pinned to one CPU and every math library to one thread, because a stream worker gets one
core per partition.
"""

from __future__ import annotations

import os

# Before numpy, onnxruntime or torch are imported by a stage: they read these once, at import.
for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable, Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

from pipeline.errors import PipelineError  # noqa: E402
from pipeline.shared_data import SharedData  # noqa: E402
from pipeline.sources import SourceError, read_records  # noqa: E402
from pipeline.stages.registry import STAGES, TRENDS_STAGE, Record, StageContext  # noqa: E402
from pipeline.stages.trends import (  # noqa: E402
    TrendsState,
    contributions,
    encode_row,
    row_key,
    windows_from,
)


@dataclass(frozen=True)
class StageResult:
    name: str
    articles: int
    failed: int
    load_s: float
    wall_s: float
    cpu_s: float
    latencies_ms: list[float]
    peak_rss_mb: float


def read_bbc(corpus_dir: Path, limit: int | None = None) -> Iterator[Record]:
    """Raw records from the BBC corpus (line 1 the title, a blank line, then the body), read
    as ``replay`` reads .txt files; one file has a Latin-1 byte, replaced on decoding."""
    paths = sorted(corpus_dir.glob("*/*.txt"))[:limit]
    # read_records yields exactly one item per .txt file, in the order given.
    for path, record in zip(paths, read_records(paths), strict=True):
        if isinstance(record, SourceError):
            continue
        yield {
            **record,
            "id": f"bbc/{path.parent.name}/{path.stem}",
            "source": "bbc",
            "body": str(record["body"]).strip(),
        }


def run_stage(
    name: str, load: Callable[[], Callable[[Record], Record]], records: list[Record]
) -> tuple[StageResult, list[Record]]:
    """Load the stage once, then time it on each record separately."""
    start = time.perf_counter()
    stage = load()
    load_s = time.perf_counter() - start
    outputs: list[Record] = []
    latencies: list[float] = []
    failed = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for record in records:
        begin = time.perf_counter()
        try:
            outputs.append(stage(record))
        except PipelineError:
            failed += 1
        latencies.append((time.perf_counter() - begin) * 1000)
    result = StageResult(
        name,
        len(records),
        failed,
        load_s,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        latencies,
        _peak_rss_mb(),
    )
    return result, outputs


def format_table(results: list[StageResult]) -> str:
    header = (
        "stage",
        "articles",
        "failed",
        "load s",
        "art/s CPU",
        "art/s wall",
        "p50 ms",
        "p95 ms",
        "peak RSS MB",
    )
    rows = [header]
    for r in results:
        p50, p95 = _percentile(r.latencies_ms, 50), _percentile(r.latencies_ms, 95)
        rows.append(
            (
                r.name,
                f"{r.articles}",
                f"{r.failed}",
                f"{r.load_s:.2f}",
                f"{r.articles / r.cpu_s:.1f}",
                f"{r.articles / r.wall_s:.1f}",
                f"{p50:.2f}",
                f"{p95:.2f}",
                f"{r.peak_rss_mb:.0f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.bench.stages", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument(
        "--shared-dir",
        type=Path,
        default=None,
        help="the shared/ folder (env NEWS_PIPELINE_SHARED_DIR; default ../shared)",
    )
    args = parser.parse_args(argv)

    corpus = SharedData.at(args.shared_dir).bbc
    if not corpus.is_dir():
        print(f"skipped: no BBC corpus at {corpus} (set --shared-dir or NEWS_PIPELINE_SHARED_DIR)")
        return 0
    _pin_to_one_cpu()
    records = dated(read_bbc(corpus, args.limit))
    print(
        f"{len(records)} BBC articles, one core, peak RSS so far {_peak_rss_mb():.0f} MB",
        flush=True,
    )

    results: list[StageResult] = []
    for spec in STAGES:
        name = spec.name
        try:
            result, records = run_stage(name, partial(spec.load, StageContext()), records)
        except (PipelineError, ImportError) as error:
            print(f"{name}: skipped ({type(error).__name__}: {error})", flush=True)
            break
        results.append(result)
        print(f"{name}: done", flush=True)
    state = TrendsState(windows_from())
    if len(results) == len(STAGES):
        result, _ = run_stage(TRENDS_STAGE, partial(load_trends, state), records)
        results.append(result)
        print(f"{TRENDS_STAGE}: done", flush=True)
    if results:
        print(format_table(results))
    if len(state):
        print(trends_state_size(state, len(records)))
    return 0


# The BBC articles carry no dates: they are given one each, as a feed of this many a day would.
ARTICLES_PER_DAY = 10_000
DATED_FROM = datetime(2030, 1, 1, tzinfo=UTC)


def dated(records: Iterable[Record]) -> list[Record]:
    """The records with ``published_at`` spread evenly at ``ARTICLES_PER_DAY``: without a time
    an article adds nothing to the trends, and the trends state would measure nothing."""
    step = timedelta(days=1) / ARTICLES_PER_DAY
    return [
        {**record, "published_at": (DATED_FROM + i * step).isoformat()}
        for i, record in enumerate(records)
    ]


def trends_state_size(state: TrendsState, articles: int) -> str:
    """The trends state's rows and their size on ``news.trends``, for articles dated as a feed
    of ``ARTICLES_PER_DAY`` a day; per 10,000 articles scaled from these, an upper bound (an
    entity named again in the day adds no row to the day's window)."""
    rows = state.rows()
    size = sum(len(encode_row(row)) + len(row_key(row)) for row in rows)
    per_10k = 10_000 / articles
    return (
        f"trends state after {articles} articles: {len(rows)} rows, {size / 1024:.0f} KiB as "
        f"records on news.trends; at most {len(rows) * per_10k:.0f} rows, "
        f"{size * per_10k / 2**20:.1f} MiB per 10,000 articles ({ARTICLES_PER_DAY:,} a day; "
        f"windows {', '.join(state.windows)})"
    )


def load_trends(state: TrendsState) -> Callable[[Record], Record]:
    """The trends stage's own work on an enriched article, in-process: its contributions
    counted in ``state`` (the Kafka hops are not in it)."""
    windows = list(state.windows.values())

    def count(record: Record) -> Record:
        for contribution in contributions(record, windows):
            state.apply(contribution)
        return record

    return count


def _pin_to_one_cpu() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20  # KiB on Linux, B on macOS


def _percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100)[percent - 1]


if __name__ == "__main__":
    sys.exit(main())
