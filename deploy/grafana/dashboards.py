"""The pipeline's Grafana dashboards, as code (grafana-foundation-sdk).

    python deploy/grafana/dashboards.py           # rewrite deploy/grafana/dashboards/*.json
    python deploy/grafana/dashboards.py --check   # exit 1 if the committed JSON is stale

Edit the boards (``boards/``), never the JSON: tests regenerate it and fail on any difference,
and the integration test runs every PromQL expression in the JSON against a real Prometheus.

This script renders and checks; ``boards/queries.py`` holds the PromQL shapes and selectors,
``boards/panels.py`` the panel kinds, and ``boards/overview.py``, ``boards/content.py``,
``boards/ingest.py`` and ``boards/trends.py`` the four dashboards.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# Tests load this script by path rather than running it, so its folder is not on sys.path
# for the boards package unless put there.
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from boards.content import content  # noqa: E402
from boards.ingest import ingest  # noqa: E402
from boards.overview import overview  # noqa: E402
from boards.trends import trends  # noqa: E402
from grafana_foundation_sdk.builders import dashboard as dash  # noqa: E402
from grafana_foundation_sdk.cog.encoder import JSONEncoder  # noqa: E402

OUT_DIR = HERE / "dashboards"

DASHBOARDS: dict[str, Callable[[], dash.Dashboard]] = {
    "pipeline-overview.json": overview,
    "pipeline-content.json": content,
    "pipeline-ingest.json": ingest,
    "pipeline-trends.json": trends,
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
