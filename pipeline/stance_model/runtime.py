"""The shipped stance model at run time: ONNX Runtime encoder + numpy head (no torch).

Files in the model folder: ``encoder.onnx`` (int8-quantised MiniLM, outputs token states),
``head.npz`` (``weight`` (3, 768), ``bias`` (3,)), ``tokenizer.json`` and ``config.json``
(``max_tokens``, ``labels``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.errors import ModelNotAvailable
from pipeline.stance_model.inputs import Row, RowBuilder, Span, collate, pool

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "stance"
_FILES = ("encoder.onnx", "head.npz", "tokenizer.json", "config.json")


@dataclass(frozen=True, slots=True)
class Query:
    """One sentence and the targets to score in it, each as its mention spans in ``text``."""

    text: str
    targets: Sequence[Sequence[Span]]


class StanceModel:
    """Scores targets in sentences; returns class probabilities in ``self.labels`` order."""

    def __init__(self, model_dir: Path = DEFAULT_MODEL_DIR, *, threads: int = 1,
                 batch_rows: int = 1, per_target: bool | None = None) -> None:
        """``batch_rows`` > 1 is a little faster, but int8 dynamic quantisation scales each
        batch's activations together, so a sentence's score would depend on its batch mates
        (and on their padding); one row per run keeps every score reproducible."""
        missing = [name for name in _FILES if not (model_dir / name).is_file()]
        if missing:
            raise ModelNotAvailable(
                f"stance model files {missing} missing from {model_dir}; reinstall the package "
                "or rebuild them with `python -m pipeline.training.stance.export`"
            )
        import onnxruntime

        config = json.loads((model_dir / "config.json").read_text())
        self.labels: tuple[str, ...] = tuple(config["labels"])
        # One row per target reads multi-target sentences better (see inputs.py) but costs the
        # stage about twice the encoder passes; off unless the model's config or caller asks.
        self._builder = RowBuilder(
            model_dir / "tokenizer.json",
            int(config["max_tokens"]),
            per_target=bool(config.get("per_target", False)) if per_target is None else per_target,
        )
        options = onnxruntime.SessionOptions()
        # The worker runs one stage per process; extra threads would fight the other stages.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(model_dir / "encoder.onnx"), options, providers=["CPUExecutionProvider"]
        )
        head = np.load(model_dir / "head.npz")
        self._weight = head["weight"].astype(np.float32)
        self._bias = head["bias"].astype(np.float32)
        self._batch_rows = batch_rows

    def score(self, queries: Sequence[Query]) -> list[np.ndarray]:
        """For each query, an array (targets, labels) of probabilities."""
        rows: list[Row] = []
        owners: list[tuple[int, int]] = []  # (query, target) per global target index
        for q, query in enumerate(queries):
            for row in self._builder.rows(query.text, query.targets):
                renumbered = []
                for t, tokens in row.targets:
                    renumbered.append((len(owners), tokens))
                    owners.append((q, t))
                row.targets = renumbered
                rows.append(row)
        logits = np.zeros((len(owners), len(self.labels)), dtype=np.float32)
        # Length-sorted batches keep padding (wasted compute) small.
        rows.sort(key=lambda r: len(r.ids))
        for start in range(0, len(rows), self._batch_rows):
            batch = collate(rows[start : start + self._batch_rows])
            (hidden,) = self._session.run(
                None,
                {
                    "input_ids": batch.input_ids,
                    "attention_mask": batch.attention_mask,
                    "token_type_ids": batch.token_type_ids,
                },
            )
            features = pool(hidden, batch)
            indices = [index for index, _, _ in batch.targets]
            logits[indices] = features @ self._weight.T + self._bias
        probabilities = _softmax(logits)
        results = [np.zeros((len(q.targets), len(self.labels)), np.float32) for q in queries]
        for (q, t), p in zip(owners, probabilities, strict=True):
            results[q][t] = p
        return results


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)
