"""``python -m pipeline.cli.run ...``: the console script, for environments without it on PATH."""

from pipeline.cli import main

main()
