"""Readable one-article summaries for the terminal (``tail``, ``make run``)."""

from __future__ import annotations

from typing import Any

_STANCE_MARK = {"favor": "+", "against": "-", "neutral": "="}


def headline(record: dict[str, Any], words: int = 12) -> str:
    title = record.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    body = str(record.get("body") or "").split()
    return " ".join(body[:words]) + (" ..." if len(body) > words else "")


def summarise(record: dict[str, Any], max_entities: int = 12) -> str:
    """An enriched, tagged or normalised article, a dead letter or a trend row, in a few
    lines."""
    if "error_type" in record:
        return (
            f"DEAD LETTER {record.get('id') or '?'} at {record.get('stage')}: "
            f"{record.get('error_type')}: {record.get('error_message')}"
        )
    if "window_start" in record:
        stance = record.get("stance") or {}
        marks = " ".join(f"{mark}{stance.get(label, 0)}" for label, mark in _STANCE_MARK.items())
        return (
            f"TREND {record.get('window')} {record.get('window_start')} {record.get('type')} "
            f"{record.get('name')}: {record.get('articles')} article(s), "
            f"{record.get('mentions')} mention(s), {marks}"
        )
    lines = [f"{headline(record)}  [{record.get('id')}] lang={record.get('language', '?')}"]
    if record.get("duplicate_of"):
        lines.append(f"    duplicate of {record['duplicate_of']} ({record.get('duplicate_kind')})")
    skipped = record.get("entities_skipped") or record.get("stance_skipped")
    if skipped:
        lines.append(f"    skipped: {skipped}")
    entities = sorted(record.get("entities") or [], key=lambda e: -e.get("salience", 0))
    for entity in entities[:max_entities]:
        stance = entity.get("stance")
        stance_text = (
            f"  {_STANCE_MARK.get(stance['label'], '?')}{stance['label']} "
            f"({stance['confidence']:.2f})"
            if stance
            else ""
        )
        lines.append(
            f"    {entity['type']:<4} {entity['name']:<32} x{entity['count']}{stance_text}"
        )
    if len(entities) > max_entities:
        lines.append(f"    ... and {len(entities) - max_entities} more entities")
    return "\n".join(lines)
