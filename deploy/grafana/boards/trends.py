"""The trends board: who is in the news this hour and today, who is rising, and which way the
coverage of them leans over time (the trends workers' top entities; docs/metrics.md)."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as dash

from .panels import Panel, bars, base, fixed_color, graph, variable, with_rows
from .queries import WORKER, query, rate_by, series, sum_by

ARTICLES = "news_pipeline_trend_articles"
STANCE = "news_pipeline_trend_stance_articles"
LATE = "news_pipeline_trends_late_contributions_total"
ENTITY = "news_pipeline_trend_articles"
STANCE_COLORS = (("favor", "green"), ("against", "red"), ("neutral", "blue"))


def top(window: str, period: str = "current") -> str:
    """Articles per entity of ``window``'s period, summed over workers (each entity is counted
    by one worker, so this is its count, and topk of it is the pipeline's top)."""
    selector = f'{WORKER}, window="{window}", period="{period}"'
    return sum_by(series(ARTICLES, selector), "key", "name", "type")


def trends() -> dash.Dashboard:
    board = base(
        "news-pipeline-trends",
        "News pipeline: trends",
        "Entities in the news per window (1h, 1d): the top, the rising, and their stance.",
    ).with_variable(variable("entity", "Entity", f'label_values({ENTITY}{{job=~"$job"}}, name)'))
    return with_rows(board, {"Who is in the news": leaders(), "How they are read": stances()})


def leaders() -> list[Panel]:
    return [
        bars(
            "Top entities this hour",
            "The 10 entities named in most articles in the latest hour (stream time).",
            "short",
            query(f"topk(10, {top('1h')})", "{{name}} ({{type}})", instant=True),
        ),
        bars(
            "Top entities today",
            "The 10 entities named in most articles in the latest day (UTC).",
            "short",
            query(f"topk(10, {top('1d')})", "{{name}} ({{type}})", instant=True),
        ),
        bars(
            "Rising entities",
            "Articles this hour minus articles the hour before, for the entities that rose "
            "most (an entity new this hour rises by all of its articles).",
            "short",
            query(
                f"topk(10, ({top('1h')} - {top('1h', 'previous')}) or {top('1h')})",
                "{{name}} ({{type}})",
                instant=True,
            ),
        ),
        graph(
            "Late contributions",
            "Entity contributions to a window already past its retention, per second: left out "
            "of news.trends (never out of news.enriched).",
            "ops",
            [rate_by(LATE, "window")],
        ),
    ]


def stances() -> list[Panel]:
    top_today = graph(
        "Stance balance of today's top entities",
        "Articles reading each of today's 5 most named entities as favor / against / neutral.",
        "short",
        [
            query(
                sum_by(
                    series(STANCE, f'{WORKER}, window="1d", period="current"')
                    + f" and on (key) topk(5, {top('1d')})",
                    "name",
                    "label",
                ),
                "{{name}} {{label}}",
            )
        ],
    )
    chosen = graph(
        "Stance balance of $entity",
        "Articles reading the chosen entity (the Entity variable) as favor / against / "
        "neutral, in the latest day.",
        "short",
        [
            query(
                sum_by(
                    series(STANCE, f'{WORKER}, window="1d", period="current", name=~"$entity"'),
                    "label",
                ),
                "{{label}}",
            )
        ],
        stacked=True,
    )
    for label, color in STANCE_COLORS:
        chosen.override_by_name(label, [fixed_color(color)])
    return [top_today, chosen]
