"""Fine-tuning mechanics shared by the student (train.py) and the teacher (teacher.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from pipeline.stance_model import LABELS


class Optimiser:
    """AdamW with a linear warm-up over the first tenth of the steps, then linear decay."""

    def __init__(self, model: nn.Module, lr: float, steps: int) -> None:
        self._model = model
        self._optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        warmup = steps // 10
        self._scheduler = torch.optim.lr_scheduler.LambdaLR(
            self._optimizer,
            lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / (steps - warmup))),
        )

    def step(self, loss: torch.Tensor) -> None:
        loss.backward()
        nn.utils.clip_grad_norm_(self._model.parameters(), 1.0)
        self._optimizer.step()
        self._scheduler.step()
        self._optimizer.zero_grad()

    def state_dict(self) -> dict[str, Any]:
        """The optimiser's moments and the schedule's position, for an exact resume."""
        return {
            "optimizer": self._optimizer.state_dict(),
            "scheduler": self._scheduler.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._optimizer.load_state_dict(state["optimizer"])
        self._scheduler.load_state_dict(state["scheduler"])

    def skip(self) -> None:
        """Advance the learning-rate schedule only (resuming: the moments restart from zero)."""
        self._scheduler.step()


def class_weights(labels: Sequence[int]) -> torch.Tensor:
    """Inverse-frequency weights over the labelled targets (unlabelled ones are < 0)."""
    counts = np.bincount([y for y in labels if y >= 0], minlength=len(LABELS))
    return torch.tensor(counts.sum() / (len(LABELS) * counts), dtype=torch.float32)
