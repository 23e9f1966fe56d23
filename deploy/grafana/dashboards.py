"""The pipeline's Grafana dashboards, as code (grafana-foundation-sdk).

    python deploy/grafana/dashboards.py           # rewrite deploy/grafana/dashboards/*.json
    python deploy/grafana/dashboards.py --check   # exit 1 if the committed JSON is stale

Edit this file, never the JSON: tests regenerate it and fail on any difference, and the
integration test runs every PromQL expression in the JSON against a real Prometheus.

Every query is filtered by the ``job`` and ``instance`` variables (and ``stage`` where the metric
has one). Consumer lag is the same number whichever worker measured it, so lag panels take the
``max`` over workers rather than a sum.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders import bargauge, stat, timeseries
from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import piechart as pie
from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.common import (
    BarGaugeDisplayMode,
    LegendDisplayMode,
    LegendPlacement,
    StackingMode,
    VizOrientation,
)
from grafana_foundation_sdk.models.dashboard import (
    DataSourceRef,
    DynamicConfigValue,
    VariableOption,
    VariableRefresh,
    VariableSort,
)
from grafana_foundation_sdk.models.piechart import PieChartLegendValues, PieChartType

OUT_DIR = Path(__file__).resolve().parent / "dashboards"
# The provisioned datasource (provisioning/datasources/prometheus.yaml) has this fixed uid.
DATASOURCE = DataSourceRef(type_val="prometheus", uid="prometheus")
TAGS = ["news-pipeline"]
# One sample of every selector, so a query can never mix in another job's series by accident.
WORKER = 'job=~"$job", instance=~"$instance"'
STAGE = f'{WORKER}, stage=~"$stage"'
RATE = "[$__rate_interval]"
QUANTILES = (("p50", "0.5"), ("p95", "0.95"), ("p99", "0.99"))

Panel = dash.Panel | timeseries.Panel | stat.Panel | bargauge.Panel | pie.Panel


# ---------------------------------------------------------------- building blocks


def query(expr: str, legend: str = "__auto", instant: bool = False) -> prom.Dataquery:
    q = prom.Dataquery().expr(expr).legend_format(legend).datasource(DATASOURCE)
    return q.instant() if instant else q.range()


def with_targets(panel: Panel, targets: list[prom.Dataquery]) -> Panel:
    for ref, target in zip("ABCDEFGH", targets, strict=False):
        panel.with_target(target.ref_id(ref))
    return panel


def graph(
    title: str,
    description: str,
    unit: str,
    targets: list[prom.Dataquery],
    *,
    width: int = 12,
    stacked: bool = False,
    percent: bool = False,
) -> timeseries.Panel:
    panel = (
        timeseries.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .height(8)
        .span(width)
        .fill_opacity(15 if stacked or percent else 5)
        .line_width(1)
        .no_value("0")
        .legend(
            common_builders.VizLegendOptions()
            .display_mode(LegendDisplayMode.TABLE)
            .placement(LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["mean", "max", "lastNotNull"])
        )
    )
    if stacked or percent:
        mode = StackingMode.PERCENT if percent else StackingMode.NORMAL
        panel.stacking(common_builders.StackingConfig().mode(mode))
    with_targets(panel, targets)
    return panel


def single_stat(
    title: str, description: str, unit: str, target: prom.Dataquery, *, width: int = 4
) -> stat.Panel:
    panel = (
        stat.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .height(4)
        .span(width)
        .no_value("0")
    )
    with_targets(panel, [target])
    return panel


def bars(title: str, description: str, unit: str, target: prom.Dataquery) -> bargauge.Panel:
    panel = (
        bargauge.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit(unit)
        .height(10)
        .span(12)
        .display_mode(BarGaugeDisplayMode.GRADIENT)
        .orientation(VizOrientation.HORIZONTAL)
        .show_unfilled(True)
        .no_value("No data yet")
        .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
    )
    with_targets(panel, [target])
    return panel


def share(title: str, description: str, target: prom.Dataquery) -> pie.Panel:
    panel = (
        pie.Panel()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .unit("short")
        .height(8)
        .span(8)
        .pie_type(PieChartType.DONUT)
        .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
        .legend(
            pie.PieChartLegendOptions()
            .show_legend(True)
            .display_mode(LegendDisplayMode.TABLE)
            .placement(LegendPlacement.RIGHT)
            .values([PieChartLegendValues.VALUE, PieChartLegendValues.PERCENT])
        )
    )
    with_targets(panel, [target])
    return panel


def variable(name: str, label: str, query_expr: str) -> dash.QueryVariable:
    """A multi-select variable whose "All" is the regex ``.*`` (so new workers appear at once)."""
    return (
        dash.QueryVariable(name)
        .label(label)
        .datasource(DATASOURCE)
        .query({"query": query_expr, "refId": f"{name}-values"})
        .refresh(VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(".*")
        .current(VariableOption(selected=True, text=["All"], value=["$__all"]))
    )


def base(uid: str, title: str, description: str) -> dash.Dashboard:
    return (
        dash.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(TAGS)
        .refresh("10s")
        .time("now-30m", "now")
        .timezone("browser")
        .readonly()
        .with_variable(variable("job", "Job", "label_values(news_pipeline_build_info, job)"))
        .with_variable(
            variable(
                "instance",
                "Worker",
                'label_values(news_pipeline_build_info{job=~"$job"}, instance)',
            )
        )
    )


# ---------------------------------------------------------------- pipeline overview


def overview() -> dash.Dashboard:
    board = base(
        "news-pipeline-overview",
        "News pipeline: overview",
        "Throughput, errors, latency, consumer lag and health of the news-pipeline workers.",
    ).with_variable(
        variable(
            "stage",
            "Stage",
            'label_values(news_pipeline_messages_in_total{job=~"$job"}, stage)',
        )
    )

    board.with_row(dash.Row("Health"))
    board.with_panel(
        single_stat(
            "Workers up",
            "Workers Prometheus scraped successfully on its last attempt.",
            "short",
            query(f"sum(up{{{WORKER}}})", "up", instant=True),
        )
    )
    board.with_panel(
        single_stat(
            "Broker reachable",
            "1 when every worker reached the Kafka broker on its last offset lookup.",
            "bool_yes_no",
            query(f"min(news_pipeline_broker_up{{{WORKER}}})", "broker", instant=True),
        )
    )
    board.with_panel(
        single_stat(
            "Articles enriched",
            "Articles written to news.enriched in the selected time range.",
            "short",
            query(
                f"sum(increase(news_pipeline_articles_enriched_total{{{WORKER}}}[$__range]))",
                "enriched",
                instant=True,
            ),
        )
    )
    board.with_panel(
        single_stat(
            "Dead letters",
            "Messages written to news.deadletter in the selected time range.",
            "short",
            query(
                f"sum(increase(news_pipeline_deadletter_messages_total{{{STAGE}}}[$__range]))",
                "dead letters",
                instant=True,
            ),
        )
    )
    board.with_panel(
        single_stat(
            "Total consumer lag",
            "Messages waiting on the pipeline's input topics, all partitions.",
            "short",
            query(
                f"sum(max by (topic, partition) (news_pipeline_consumer_lag_messages{{{WORKER}}}))",
                "lag",
                instant=True,
            ),
        )
    )
    board.with_panel(
        single_stat(
            "Workers by version",
            "Running workers per build version.",
            "short",
            query(f"count by (version) (news_pipeline_build_info{{{WORKER}}})", "{{version}}"),
        )
    )
    board.with_panel(
        graph(
            "Worker up",
            "1 while Prometheus can scrape the worker's /metrics, 0 when it cannot.",
            "short",
            [query(f"up{{{WORKER}}}", "{{instance}}")],
            width=24,
        )
    )

    board.with_row(dash.Row("Throughput"))
    board.with_panel(
        graph(
            "Messages in per stage",
            "Messages each stage consumed per second.",
            "ops",
            [
                query(
                    f"sum by (stage) (rate(news_pipeline_messages_in_total{{{STAGE}}}{RATE}))",
                    "{{stage}}",
                )
            ],
        )
    )
    board.with_panel(
        graph(
            "Messages out per stage",
            "Messages each stage produced to its output topic per second; the gap to "
            "'in' is what it dead-lettered.",
            "ops",
            [
                query(
                    f"sum by (stage) (rate(news_pipeline_messages_out_total{{{STAGE}}}{RATE}))",
                    "{{stage}}",
                ),
                query(
                    f"sum(rate(news_pipeline_articles_enriched_total{{{WORKER}}}{RATE}))",
                    "enriched",
                ),
            ],
        )
    )
    board.with_panel(
        graph(
            "In flight per stage",
            "Messages a stage is processing right now.",
            "short",
            [query(f"sum by (stage) (news_pipeline_in_flight{{{STAGE}}})", "{{stage}}")],
        )
    )
    board.with_panel(
        graph(
            "Input topic write rate",
            "Messages per second arriving on each input topic (from its end offsets).",
            "ops",
            [
                query(
                    "sum by (topic) (max by (topic, partition) "
                    f"(rate(news_pipeline_topic_end_offset{{{WORKER}}}{RATE})))",
                    "{{topic}}",
                )
            ],
        )
    )

    board.with_row(dash.Row("Errors and dead letters"))
    board.with_panel(
        graph(
            "Failures by stage and error type",
            "Messages a stage could not process, per second.",
            "ops",
            [
                query(
                    "sum by (stage, error_type) "
                    f"(rate(news_pipeline_messages_failed_total{{{STAGE}}}{RATE}))",
                    "{{stage}} {{error_type}}",
                )
            ],
            stacked=True,
        )
    )
    board.with_panel(
        graph(
            "Dead letters by stage and error type",
            "Messages written to news.deadletter per second.",
            "ops",
            [
                query(
                    "sum by (stage, error_type) "
                    f"(rate(news_pipeline_deadletter_messages_total{{{STAGE}}}{RATE}))",
                    "{{stage}} {{error_type}}",
                )
            ],
            stacked=True,
        )
    )
    board.with_panel(
        graph(
            "Failure ratio per stage",
            "Share of consumed messages a stage failed on.",
            "percentunit",
            [
                query(
                    f"sum by (stage) (rate(news_pipeline_messages_failed_total{{{STAGE}}}{RATE}))"
                    " / "
                    f"sum by (stage) (rate(news_pipeline_messages_in_total{{{STAGE}}}{RATE}))",
                    "{{stage}}",
                )
            ],
            width=24,
        )
    )

    board.with_row(dash.Row("Latency"))
    board.with_panel(
        graph(
            "Stage processing time",
            "p50, p95 and p99 of the time one stage spends on one message.",
            "s",
            [
                query(
                    f"histogram_quantile({q}, sum by (stage, le) "
                    f"(rate(news_pipeline_stage_processing_seconds_bucket{{{STAGE}}}{RATE})))",
                    f"{{{{stage}}}} {name}",
                )
                for name, q in QUANTILES
            ],
        )
    )
    board.with_panel(
        graph(
            "End-to-end latency",
            "p50, p95 and p99 of the time from the producer sending an article to it being "
            "enriched.",
            "s",
            [
                query(
                    f"histogram_quantile({q}, sum by (le) "
                    f"(rate(news_pipeline_end_to_end_latency_seconds_bucket{{{WORKER}}}{RATE})))",
                    name,
                )
                for name, q in QUANTILES
            ],
        )
    )

    board.with_row(dash.Row("Kafka"))
    board.with_panel(
        graph(
            "Consumer lag per topic",
            "Messages not yet committed by the pipeline's consumer group, per input topic.",
            "short",
            [
                query(
                    "sum by (topic) (max by (topic, partition) "
                    f"(news_pipeline_consumer_lag_messages{{{WORKER}}}))",
                    "{{topic}}",
                )
            ],
        )
    )
    board.with_panel(
        graph(
            "Consumer lag per partition",
            "Uneven lag across partitions of one topic points at a slow or stuck consumer.",
            "short",
            [
                query(
                    f"max by (topic, partition) (news_pipeline_consumer_lag_messages{{{WORKER}}})",
                    "{{topic}}[{{partition}}]",
                )
            ],
        )
    )
    board.with_panel(
        graph(
            "Broker reachability",
            "1 when the worker's last offset lookup reached the broker, with how long it took.",
            "short",
            [
                query(f"news_pipeline_broker_up{{{WORKER}}}", "up {{instance}}"),
                query(f"news_pipeline_lag_refresh_seconds{{{WORKER}}}", "lookup s {{instance}}"),
            ],
            width=24,
        )
    )

    board.with_row(dash.Row("Process"))
    board.with_panel(
        graph(
            "CPU",
            "CPU seconds per second used by each worker process.",
            "percentunit",
            [query(f"rate(process_cpu_seconds_total{{{WORKER}}}{RATE})", "{{instance}}")],
            width=8,
        )
    )
    board.with_panel(
        graph(
            "Resident memory",
            "Resident set size of each worker process.",
            "bytes",
            [query(f"process_resident_memory_bytes{{{WORKER}}}", "{{instance}}")],
            width=8,
        )
    )
    board.with_panel(
        graph(
            "Garbage collections",
            "Python garbage collections per second, by generation.",
            "ops",
            [
                query(
                    "sum by (instance, generation) "
                    f"(rate(python_gc_collections_total{{{WORKER}}}{RATE}))",
                    "{{instance}} gen {{generation}}",
                )
            ],
            width=8,
        )
    )
    return board


# ---------------------------------------------------------------- content


def content() -> dash.Dashboard:
    board = base(
        "news-pipeline-content",
        "News pipeline: content",
        "What the enriched articles talk about: entities, stances and languages.",
    )
    board.with_row(dash.Row("Entities"))
    board.with_panel(
        graph(
            "Entity mentions by type",
            "Entity mentions found per second, by type (PER, ORG, LOC, MISC).",
            "ops",
            [
                query(
                    f"sum by (type) (rate(news_pipeline_entity_mentions_total{{{WORKER}}}{RATE}))",
                    "{{type}}",
                )
            ],
            stacked=True,
        )
    )
    top = bars(
        "Top entities",
        "Most mentioned entities over each worker's recent window (15 minutes by default), "
        "summed over workers. Each worker exports only its own top 10.",
        "short",
        query(
            f"topk(10, sum by (name, type) (news_pipeline_top_entity_mentions{{{WORKER}}}))",
            "{{name}} ({{type}})",
            instant=True,
        ),
    )
    board.with_panel(top)
    board.with_panel(
        share(
            "Mentions by type (range)",
            "Share of entity mentions per type in the selected time range.",
            query(
                "sum by (type) "
                f"(increase(news_pipeline_entity_mentions_total{{{WORKER}}}[$__range]))",
                "{{type}}",
                instant=True,
            ),
        )
    )
    board.with_panel(
        share(
            "Stances by label (range)",
            "Share of favor / against / neutral stances in the selected time range.",
            query(
                "sum by (label) "
                f"(increase(news_pipeline_entity_stances_total{{{WORKER}}}[$__range]))",
                "{{label}}",
                instant=True,
            ),
        )
    )
    board.with_panel(
        share(
            "Languages (range)",
            "Enriched articles per detected language in the selected time range.",
            query(
                "sum by (language) "
                f"(increase(news_pipeline_articles_by_language_total{{{WORKER}}}[$__range]))",
                "{{language}}",
                instant=True,
            ),
        )
    )

    board.with_row(dash.Row("Over time"))
    stance_mix = graph(
        "Stance mix",
        "Share of stances assigned per label over time.",
        "percentunit",
        [
            query(
                f"sum by (label) (rate(news_pipeline_entity_stances_total{{{WORKER}}}{RATE}))",
                "{{label}}",
            )
        ],
        percent=True,
    )
    for label, color in (("favor", "green"), ("against", "red"), ("neutral", "blue")):
        stance_mix.override_by_name(label, [fixed_color(color)])
    board.with_panel(stance_mix)
    board.with_panel(
        graph(
            "Stances by entity type",
            "Stances assigned per second, by entity type and label.",
            "ops",
            [
                query(
                    "sum by (type, label) "
                    f"(rate(news_pipeline_entity_stances_total{{{WORKER}}}{RATE}))",
                    "{{type}} {{label}}",
                )
            ],
            stacked=True,
        )
    )
    board.with_panel(
        graph(
            "Languages",
            "Enriched articles per second by detected language.",
            "ops",
            [
                query(
                    "sum by (language) "
                    f"(rate(news_pipeline_articles_by_language_total{{{WORKER}}}{RATE}))",
                    "{{language}}",
                )
            ],
            stacked=True,
        )
    )
    board.with_panel(
        graph(
            "Articles skipped by a content stage",
            "Enriched articles a stage left untouched on purpose (e.g. language not supported).",
            "ops",
            [
                query(
                    "sum by (stage) "
                    f"(rate(news_pipeline_articles_skipped_total{{{WORKER}}}{RATE}))",
                    "{{stage}}",
                )
            ],
        )
    )
    return board


def fixed_color(color: str) -> DynamicConfigValue:
    return DynamicConfigValue(id_val="color", value={"mode": "fixed", "fixedColor": color})


# ---------------------------------------------------------------- output

DASHBOARDS: dict[str, Callable[[], dash.Dashboard]] = {
    "pipeline-overview.json": overview,
    "pipeline-content.json": content,
}


@dataclass(frozen=True)
class PanelQuery:
    panel: str
    ref_id: str
    expr: str
    instant: bool


def panel_queries(board: Mapping[str, Any]) -> list[PanelQuery]:
    """Every PromQL expression of every panel in a dashboard's JSON (rows included)."""
    found = []
    panels = list(board.get("panels", []))
    while panels:
        panel = panels.pop(0)
        panels.extend(panel.get("panels", []))  # panels folded into a collapsed row
        for target in panel.get("targets", []):
            if target.get("expr"):
                found.append(
                    PanelQuery(
                        panel["title"], target["refId"], target["expr"], bool(target.get("instant"))
                    )
                )
    return found


def render() -> dict[str, str]:
    """File name -> JSON text, stable across runs (sorted keys, fixed indentation)."""
    rendered = {}
    for name, build in DASHBOARDS.items():
        model = build().build()
        # Stable, unique panel ids: Grafana needs them for links and panel state.
        for number, panel in enumerate(model.panels or [], start=1):
            panel.id_val = number
        rendered[name] = json.dumps(model, cls=JSONEncoder, indent=2, sort_keys=True) + "\n"
    return rendered


def stale(out_dir: Path = OUT_DIR) -> list[str]:
    """Names of dashboard files that are missing or differ from what this module generates."""
    return [
        name
        for name, text in render().items()
        if not (out_dir / name).is_file() or (out_dir / name).read_text() != text
    ]


def write(out_dir: Path = OUT_DIR) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (out_dir / name).write_text(text)


def main(argv: list[str]) -> int:
    if "--check" in argv:
        outdated = stale()
        if outdated:
            print(f"stale: {', '.join(outdated)}; run python {Path(__file__).name}")
            return 1
        return 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
