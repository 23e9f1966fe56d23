"""``news-pipeline``: the command-line entry point. The commands are in ``app``; options that
commands defined elsewhere (``pipeline.ingest.cli``) share are in ``options``. Nothing is
imported here, so that those modules can import ``options`` without loading the app."""

from __future__ import annotations


def main() -> None:
    from pipeline.cli.app import main as run

    run()
