"""The entity trends on the dashboards: the top entities of each window's current and previous
period, computed from the trends worker's own rows at every scrape.

Prometheus cannot hold a series per entity for every entity, so each worker exports only its
top ``TOP_N`` per window and period. A worker counts only the entities of its own partitions,
and each entity is counted by exactly one worker (pipeline.trends_agents), so ``topk`` over all
workers' series is the true top of the pipeline. "Current" is each window's latest start in the
worker's stream time; "previous" the one before it, for the rising-entities panel.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from pipeline.metrics.names import PREFIX
from pipeline.stages.trends import STANCE_LABELS, Row, window_seconds
from pipeline.text.dates import to_utc, utc_iso

TOP_N = 20
_LABELS = ["window", "period", "key", "name", "type"]


class TrendsCollector(Collector):
    def __init__(self, rows: Callable[[], Iterable[Row]], top: int = TOP_N) -> None:
        """``rows`` returns a snapshot of the worker's rows (``TrendsAgents.rows``)."""
        self._rows = rows
        self._top = top

    def describe(self) -> Iterable[Metric]:
        return self._families()

    def collect(self) -> Iterator[Metric]:
        articles, stances = self._families()
        for (window, period), rows in top_rows(self._rows(), self._top).items():
            for row in rows:
                labels = [window, period, row.key, row.name, row.type]
                articles.add_metric(labels, row.articles)
                for label in STANCE_LABELS:
                    stances.add_metric([*labels, label], getattr(row, label))
        yield articles
        yield stances

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                f"{PREFIX}_trend_articles",
                "Articles naming the entity in the window's current or previous period: this "
                "worker's top entities only (topk over workers is the pipeline's top).",
                labels=_LABELS,
            ),
            GaugeMetricFamily(
                f"{PREFIX}_trend_stance_articles",
                "Of those articles, how many read the entity with each stance label.",
                labels=[*_LABELS, "label"],
            ),
        )


def top_rows(rows: Iterable[Row], top: int) -> dict[tuple[str, str], list[Row]]:
    """``{(window, "current" | "previous"): the top rows by articles}``, per window name."""
    by_window: dict[str, dict[str, list[Row]]] = {}
    for row in rows:
        by_window.setdefault(row.window, {}).setdefault(row.window_start, []).append(row)
    out: dict[tuple[str, str], list[Row]] = {}
    for window, starts in by_window.items():
        current = max(starts)  # "YYYY-MM-DDTHH:MM:SSZ" sorts as time does
        moment = to_utc(current)
        if moment is None:
            continue
        previous = utc_iso(moment - timedelta(seconds=window_seconds(window)))
        for period, start in (("current", current), ("previous", previous)):
            ranked = sorted(starts.get(start, ()), key=lambda r: (-r.articles, -r.mentions, r.key))
            if ranked:
                out[(window, period)] = ranked[:top]
    return out
