"""The shipped stance model at run time: ONNX Runtime encoder + numpy head (no torch).

Files in the model folder: ``encoder.onnx`` (MiniLM, statically int8-quantised, outputs token
states), ``head.npz`` (``weight`` (3, 768), ``bias`` (3,)), ``tokenizer.json`` and
``config.json`` (``max_tokens``, ``labels``, ``per_target``, optionally ``temperature``).
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

    def __init__(
        self,
        model_dir: Path = DEFAULT_MODEL_DIR,
        *,
        threads: int = 1,
        batch_rows: int = 16,
        per_target: bool | None = None,
        pad_slack: int = 4,
    ) -> None:
        """Rows are sorted by length and run ``batch_rows`` at a time, padded to the longest in
        their batch. The encoder's activation scales are fixed at export (static
        quantisation) and padding is masked, so a row scores the same whatever its batch
        mates (tests/stance_model/test_runtime.py checks it on the shipped model)."""
        missing = [name for name in _FILES if not (model_dir / name).is_file()]
        if missing:
            raise ModelNotAvailable(
                f"stance model files {missing} missing from {model_dir}; reinstall the package "
                "or rebuild them with `python -m pipeline.training.stance.export`"
            )
        import onnxruntime

        config = json.loads((model_dir / "config.json").read_text())
        self.labels: tuple[str, ...] = tuple(config["labels"])
        # One row per target reads multi-target sentences better (see inputs.py) at the cost
        # of more encoder rows; the model's config says whether to, unless the caller does.
        self._builder = RowBuilder(
            model_dir / "tokenizer.json",
            int(config["max_tokens"]),
            per_target=bool(config.get("per_target", False)) if per_target is None else per_target,
        )
        self.per_target = self._builder.per_target
        # Fitted on the dev split after training (see PROVENANCE.md); 1 leaves logits as they are.
        self._temperature = float(config.get("temperature", 1.0))
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
        # Rows within ``pad_slack`` tokens of a batch's shortest join it: on one core a padded
        # token costs as much as a real one.
        self._pad_slack = pad_slack

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
        for batch_rows in self._batches(rows):
            batch = collate(batch_rows)
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
        probabilities = _softmax(logits / self._temperature)
        results = [np.zeros((len(q.targets), len(self.labels)), np.float32) for q in queries]
        for (q, t), p in zip(owners, probabilities, strict=True):
            results[q][t] = p
        return results

    def _batches(self, rows: list[Row]) -> list[list[Row]]:
        """Rows sorted by length, in batches of rows of about the same length (an article's
        dozen rows rarely share one, and wide batches lost more to padding than they saved)."""
        batches: list[list[Row]] = []
        for row in sorted(rows, key=lambda r: len(r.ids)):
            if (
                batches
                and len(batches[-1]) < self._batch_rows
                and len(row.ids) <= len(batches[-1][0].ids) + self._pad_slack
            ):
                batches[-1].append(row)
            else:
                batches.append([row])
        return batches


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)
