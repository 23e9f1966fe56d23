"""The runtime stays apart from training, experiments and benchmarks (STYLE.md, point 11), and
the command-line app imports the commands it registers, never the reverse.

A model builder may import the runtime, never the reverse: a worker image would otherwise need
torch, and a change to an experiment could break a worker.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import orjson

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"
NOT_RUNTIME = ("pipeline.training", "pipeline.bench")
HEAVY = ("torch", "transformers", "safetensors", "onnx")


def _runtime_modules() -> list[Path]:
    return [
        path
        for path in PACKAGE.rglob("*.py")
        if not any(part in ("training", "bench") for part in path.relative_to(PACKAGE).parts)
    ]


def _imported_names(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function, as an absolute name; for
    ``from a import b`` both ``a`` and ``a.b``, since ``b`` may be a module."""
    package = path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # `from ..cli import app` in pipeline/ingest/cli.py is pipeline.cli.app.
            parent = package[: len(package) - node.level + 1] if node.level else ()
            base = ".".join([*parent, *([node.module] if node.module else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_no_runtime_module_imports_training_or_benchmarks_even_lazily() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name
            for name in _imported_names(path)
            if name.startswith(NOT_RUNTIME) or name.split(".")[0] in HEAVY
        )
        for path in _runtime_modules()
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_ingest_package_never_imports_the_cli_package_even_lazily() -> None:
    # pipeline.cli.app imports pipeline.ingest.cli to register `ingest`: an import back would
    # make a cycle. What both need is in pipeline.cli_options.
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name
            for name in _imported_names(path)
            if name == "pipeline.cli" or name.startswith("pipeline.cli.")
        )
        for path in (PACKAGE / "ingest").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_stages_never_import_kafka_even_lazily() -> None:
    # Stages are pure: a stage with state gets its store through StageContext.stores, which
    # the worker fills from pipeline.kafka.stores.
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name
            for name in _imported_names(path)
            if name.split(".")[:2] == ["pipeline", "kafka"]
            or name.split(".")[0] in ("kafka", "faust", "aiokafka")
        )
        for path in (PACKAGE / "stages").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_a_worker_with_every_stage_loaded_imports_no_training_code_and_no_torch() -> None:
    script = """
import sys, orjson
import pipeline.cli.app, pipeline.worker, pipeline.app, pipeline.producer, pipeline.tail
import pipeline.enrich, pipeline.demo
from pipeline.chain import Chain
Chain()  # loads every stage's model
print(orjson.dumps(sorted(sys.modules)).decode())
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = orjson.loads(result.stdout.strip().splitlines()[-1])
    unwanted = [m for m in loaded if m.startswith(NOT_RUNTIME) or m.split(".")[0] in HEAVY]
    assert unwanted == []
