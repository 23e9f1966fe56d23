"""What the evaluation commands share: the ``--shared-dir`` and ``--model-dir`` options, input
file options, and the way they stop."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import orjson
import typer

from pipeline.shared_data import SharedData

SHARED_DIR_ENV = "NEWS_PIPELINE_SHARED_DIR"

SharedDirOption = Annotated[
    Path | None,
    typer.Option(
        help=f"The shared/ folder [env: {SHARED_DIR_ENV}; default: ../shared beside the "
        "repository]",
        show_default=False,
    ),
]

# The model folder a command scores: the tagger's (eval/predict tag, entities) or the stance
# model's (eval/predict stance), as the command's help says.
ModelDirOption = Annotated[
    Path | None,
    typer.Option(
        help="model directory (default: the shipped one)",
        show_default=False,
        exists=True,
        file_okay=False,
    ),
]


def existing_file(help: str) -> Any:
    """A ``typer.Option`` for an input file that must exist; its default is in ``help``, so
    typer does not print one (use as ``Annotated[Path | None, existing_file("...")]``)."""
    return typer.Option(help=help, show_default=False, exists=True, dir_okay=False)


def shared_data(shared_dir: Path | None) -> SharedData:
    return SharedData.at(shared_dir)


def exit_with(message: str) -> NoReturn:
    """Print ``message`` on stderr and exit 2, as a usage error would."""
    typer.echo(message, err=True)
    raise typer.Exit(2)


def write_jsonl(records: Iterable[dict[str, Any]], output: Path | None) -> None:
    """One JSON object per line, to ``output`` or, without one, to stdout (what predict writes)."""
    data = b"".join(orjson.dumps(record) + b"\n" for record in records)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
