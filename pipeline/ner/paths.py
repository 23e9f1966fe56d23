"""Where the shared (never committed) data lives, for the training and evaluation commands.

The stage itself only ever loads the committed model.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.settings import Settings


def shared_dir() -> Path:
    """The checkout's sibling `shared/`, or $NEWS_PIPELINE_SHARED_DIR when set."""
    return Settings().shared_dir


def conll_dir() -> Path:
    return shared_dir() / "data" / "ner" / "conll2003"
