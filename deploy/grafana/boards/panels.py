"""The look every board shares: its panel kinds, template variables and dashboard skeleton."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from grafana_foundation_sdk.builders import bargauge, stat, timeseries
from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.builders import piechart as pie
from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.models.common import (
    BarGaugeDisplayMode,
    LegendDisplayMode,
    LegendPlacement,
    StackingMode,
    VizOrientation,
)
from grafana_foundation_sdk.models.dashboard import (
    DynamicConfigValue,
    VariableOption,
    VariableRefresh,
    VariableSort,
)
from grafana_foundation_sdk.models.piechart import PieChartLegendValues, PieChartType

from .queries import DATASOURCE

TAGS = ["news-pipeline"]

Panel = dash.Panel | timeseries.Panel | stat.Panel | bargauge.Panel | pie.Panel
DataPanel = TypeVar("DataPanel", timeseries.Panel, stat.Panel, bargauge.Panel, pie.Panel)


def data_panel(
    panel: DataPanel,
    title: str,
    description: str,
    unit: str,
    targets: Sequence[prom.Dataquery],
    *,
    height: int,
    width: int,
) -> DataPanel:
    """``panel`` with its titles, size and Prometheus targets, which every kind sets alike."""
    panel.title(title).description(description).datasource(DATASOURCE).unit(unit)
    panel.height(height).span(width)
    for ref, target in zip("ABCDEFGH", targets, strict=False):
        panel.with_target(target.ref_id(ref))
    return panel


def graph(
    title: str,
    description: str,
    unit: str,
    targets: Sequence[prom.Dataquery],
    *,
    width: int = 12,
    stacked: bool = False,
    percent: bool = False,
) -> timeseries.Panel:
    panel = (
        timeseries.Panel()
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
    return data_panel(panel, title, description, unit, targets, height=8, width=width)


def single_stat(
    title: str, description: str, unit: str, target: prom.Dataquery, *, width: int = 4
) -> stat.Panel:
    panel = stat.Panel().no_value("0")
    return data_panel(panel, title, description, unit, [target], height=4, width=width)


def bars(title: str, description: str, unit: str, target: prom.Dataquery) -> bargauge.Panel:
    panel = (
        bargauge.Panel()
        .display_mode(BarGaugeDisplayMode.GRADIENT)
        .orientation(VizOrientation.HORIZONTAL)
        .show_unfilled(True)
        .no_value("No data yet")
        .reduce_options(last_value())
    )
    return data_panel(panel, title, description, unit, [target], height=10, width=12)


def share(title: str, description: str, target: prom.Dataquery) -> pie.Panel:
    panel = (
        pie.Panel()
        .pie_type(PieChartType.DONUT)
        .reduce_options(last_value())
        .legend(
            pie.PieChartLegendOptions()
            .show_legend(True)
            .display_mode(LegendDisplayMode.TABLE)
            .placement(LegendPlacement.RIGHT)
            .values([PieChartLegendValues.VALUE, PieChartLegendValues.PERCENT])
        )
    )
    return data_panel(panel, title, description, "short", [target], height=8, width=8)


def last_value() -> common_builders.ReduceDataOptions:
    """One value per series (its latest), so a panel shows one bar or slice each."""
    return common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False)


def fixed_color(color: str) -> DynamicConfigValue:
    return DynamicConfigValue(id_val="color", value={"mode": "fixed", "fixedColor": color})


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


def base(
    uid: str, title: str, description: str, inventory: str = "news_pipeline_build_info"
) -> dash.Dashboard:
    """A dashboard with the settings and the job and instance variables every board has,
    listed from the series of ``inventory`` (a metric every process of the board exports)."""
    return (
        dash.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(TAGS)
        .refresh("10s")
        .time("now-30m", "now")
        .timezone("browser")
        .readonly()
        .with_variable(variable("job", "Job", f"label_values({inventory}, job)"))
        .with_variable(
            variable(
                "instance",
                "Worker",
                f'label_values({inventory}{{job=~"$job"}}, instance)',
            )
        )
    )


def with_rows(board: dash.Dashboard, rows: Mapping[str, Sequence[Panel]]) -> dash.Dashboard:
    """``board`` with each row title followed by that row's panels, in order."""
    for title, panels in rows.items():
        board.with_row(dash.Row(title))
        for panel in panels:
            board.with_panel(panel)
    return board
