"""The content board: what the enriched articles talk about (entities, stances, languages)."""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as dash

from .panels import Panel, bars, base, fixed_color, graph, share, with_rows
from .queries import query, rate_by, series, sum_by, total_over_range_by

ENTITY_MENTIONS = "news_pipeline_entity_mentions_total"
STANCES = "news_pipeline_entity_stances_total"
LANGUAGES = "news_pipeline_articles_by_language_total"
STANCE_COLORS = (("favor", "green"), ("against", "red"), ("neutral", "blue"))


def content() -> dash.Dashboard:
    board = base(
        "news-pipeline-content",
        "News pipeline: content",
        "What the enriched articles talk about: entities, stances and languages.",
    )
    return with_rows(board, {"Entities": entities(), "Over time": over_time()})


def entities() -> list[Panel]:
    return [
        graph(
            "Entity mentions by type",
            "Entity mentions found per second, by type (PER, ORG, LOC, MISC).",
            "ops",
            [rate_by(ENTITY_MENTIONS, "type")],
            stacked=True,
        ),
        bars(
            "Top entities",
            "Most mentioned entities over each worker's recent window (15 minutes by default), "
            "summed over workers. Each worker exports only its own top 10.",
            "short",
            query(
                f"topk(10, {sum_by(series('news_pipeline_top_entity_mentions'), 'name', 'type')})",
                "{{name}} ({{type}})",
                instant=True,
            ),
        ),
        share(
            "Mentions by type (range)",
            "Share of entity mentions per type in the selected time range.",
            total_over_range_by(ENTITY_MENTIONS, "type"),
        ),
        share(
            "Stances by label (range)",
            "Share of favor / against / neutral stances in the selected time range.",
            total_over_range_by(STANCES, "label"),
        ),
        share(
            "Languages (range)",
            "Enriched articles per detected language in the selected time range.",
            total_over_range_by(LANGUAGES, "language"),
        ),
    ]


def over_time() -> list[Panel]:
    stance_mix = graph(
        "Stance mix",
        "Share of stances assigned per label over time.",
        "percentunit",
        [rate_by(STANCES, "label")],
        percent=True,
    )
    # Colours that read as the label (against is red) and stay put whichever labels the range
    # holds; Grafana's palette would colour series by their order.
    for label, color in STANCE_COLORS:
        stance_mix.override_by_name(label, [fixed_color(color)])
    return [
        stance_mix,
        graph(
            "Stances by entity type",
            "Stances assigned per second, by entity type and label.",
            "ops",
            [rate_by(STANCES, "type", "label")],
            stacked=True,
        ),
        graph(
            "Languages",
            "Enriched articles per second by detected language.",
            "ops",
            [rate_by(LANGUAGES, "language")],
            stacked=True,
        ),
        graph(
            "Duplicate articles",
            "Enriched articles the dedup stage found to repeat an earlier one, per second, by "
            "kind: same_url, same_content (the same words), near (a near copy).",
            "ops",
            [rate_by("news_pipeline_duplicate_articles_total", "kind")],
            stacked=True,
        ),
        graph(
            "Articles skipped by a content stage",
            "Enriched articles a stage left untouched on purpose (e.g. language not supported).",
            "ops",
            [rate_by("news_pipeline_articles_skipped_total", "stage")],
        ),
    ]
