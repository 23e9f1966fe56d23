"""Where the shared (never committed) data lives, for the training and evaluation commands.

These are command-line edges, not the pipeline, so reading the environment here is fine; the
stage itself only ever loads the committed model.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DIR_VARIABLE = "NEWS_PIPELINE_SHARED_DIR"


def shared_dir() -> Path:
    """The checkout's sibling `shared/`, or $NEWS_PIPELINE_SHARED_DIR when set."""
    override = os.environ.get(SHARED_DIR_VARIABLE)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2].parent / "shared"


def conll_dir() -> Path:
    return shared_dir() / "data" / "ner" / "conll2003"
