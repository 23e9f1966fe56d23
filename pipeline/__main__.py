"""``python -m pipeline ...``: the same as the ``news-pipeline`` command."""

from pipeline.cli import main

main()
