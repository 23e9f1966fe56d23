"""``news-pipeline``: the command-line entry point. The commands are in ``app``; the options they
share with commands defined elsewhere (``pipeline.ingest.cli``) are in ``pipeline.cli_options``,
outside this package, so that those commands never import it."""

from __future__ import annotations


def main() -> None:
    from pipeline.cli.app import main as run

    run()
