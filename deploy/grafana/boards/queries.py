"""PromQL for the dashboards: the label selectors and the query shapes the boards share.

Every expression is filtered by the ``job`` and ``instance`` variables (and ``stage`` where the
metric has one), so a panel can never mix in another job's series by accident.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import prometheus as prom
from grafana_foundation_sdk.models.dashboard import DataSourceRef

# The provisioned datasource (provisioning/datasources/prometheus.yaml) has this fixed uid.
DATASOURCE = DataSourceRef(type_val="prometheus", uid="prometheus")
WORKER = 'job=~"$job", instance=~"$instance"'
STAGE = f'{WORKER}, stage=~"$stage"'
RATE_WINDOW = "[$__rate_interval]"
DASHBOARD_RANGE = "[$__range]"
QUANTILES = (("p50", "0.5"), ("p95", "0.95"), ("p99", "0.99"))


def series(metric: str, selector: str = WORKER) -> str:
    return f"{metric}{{{selector}}}"


def rate(metric: str, selector: str = WORKER) -> str:
    return f"rate({series(metric, selector)}{RATE_WINDOW})"


def increase_over_range(metric: str, selector: str = WORKER) -> str:
    return f"increase({series(metric, selector)}{DASHBOARD_RANGE})"


def sum_by(expr: str, *labels: str) -> str:
    return f"sum by ({', '.join(labels)}) ({expr})"


def per_partition(expr: str) -> str:
    """Every worker reports the same lag and end offset for a partition, so take one (the
    ``max``); a sum would count each partition once per worker."""
    return f"max by (topic, partition) ({expr})"


def legend_of(*labels: str) -> str:
    """A legend template naming each series by its label values, e.g. ``{{stage}} {{type}}``."""
    return " ".join(f"{{{{{label}}}}}" for label in labels)


def query(expr: str, legend: str = "__auto", instant: bool = False) -> prom.Dataquery:
    target = prom.Dataquery().expr(expr).legend_format(legend).datasource(DATASOURCE)
    return target.instant() if instant else target.range()


def rate_by(metric: str, *labels: str, selector: str = WORKER) -> prom.Dataquery:
    """A counter's per-second rate, one series per combination of ``labels``."""
    return query(sum_by(rate(metric, selector), *labels), legend_of(*labels))


def total_over_range_by(metric: str, label: str) -> prom.Dataquery:
    """How much a counter grew in the selected time range, per value of ``label``: one number
    each (an instant query), for panels that show shares rather than a curve."""
    return query(sum_by(increase_over_range(metric), label), legend_of(label), instant=True)


def quantiles(bucket: str, *labels: str, selector: str = WORKER) -> list[prom.Dataquery]:
    """p50, p95 and p99 of a histogram (its ``_bucket`` series), per combination of ``labels``."""
    return [
        query(
            f"histogram_quantile({q}, {sum_by(rate(bucket, selector), *labels, 'le')})",
            " ".join([*(legend_of(label) for label in labels), name]),
        )
        for name, q in QUANTILES
    ]
