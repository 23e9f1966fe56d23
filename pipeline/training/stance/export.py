"""Checkpoint -> shipped model folder: ONNX encoder quantised to int8, numpy head, tokenizer.

    python -m pipeline.training.stance.export --checkpoint RUN/checkpoint.pt \
        [RUN2/checkpoint.pt ...] --base-dir DIR [--out pipeline/models/stance] [--per-target]

Training-only (needs torch and onnx). The fp32 graph is statically quantised to int8
(`quantise.build`: fixed activation scales calibrated on NewsMTSC training rows, per-channel
weight scales), which shrinks the encoder about 3x and speeds it up on CPU at a small cost in
accuracy (see eval stance) while keeping each row's score independent of its batch mates.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch

from pipeline.stance_model import LABELS
from pipeline.stance_model.runtime import DEFAULT_MODEL_DIR
from pipeline.training.stance.encoder import BertEncoder
from pipeline.training.stance.quantise import build, calibration_rows
from pipeline.training.stance.train import StanceNet


def average(checkpoints: list[Path]) -> dict[str, torch.Tensor]:
    """Mean of the checkpoints' weights: a "model soup" of fine-tunes from the same base model,
    which scored better on dev than either fine-tune alone and costs nothing at inference."""
    states = [torch.load(path, map_location="cpu") for path in checkpoints]
    return {name: sum(state[name].float() for state in states) / len(states) for name in states[0]}


def export(
    checkpoints: list[Path],
    base_dir: Path,
    out: Path,
    max_tokens: int,
    quantise: bool,
    calibration: int = 400,
    per_target: bool = False,
    temperature: float = 1.0,
) -> None:
    model = StanceNet(BertEncoder.from_pretrained(base_dir))
    model.load_state_dict(average(checkpoints))
    model.eval()
    out.mkdir(parents=True, exist_ok=True)
    example = (
        torch.ones(2, 12, dtype=torch.int64),
        torch.ones(2, 12, dtype=torch.int64),
        torch.zeros(2, 12, dtype=torch.int64),
    )
    axes = {0: "rows", 1: "tokens"}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "encoder.fp32.onnx"
        torch.onnx.export(
            model.encoder,
            example,
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["hidden"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "hidden": axes,
            },
            opset_version=17,
            dynamo=False,
        )
        rows = (
            calibration_rows(base_dir / "tokenizer.json", max_tokens, calibration)
            if quantise
            else None
        )
        build(fp32, out / "encoder.onnx", rows)
    np.savez(
        out / "head.npz",
        weight=model.head.weight.detach().numpy(),
        bias=model.head.bias.detach().numpy(),
    )
    shutil.copy(base_dir / "tokenizer.json", out / "tokenizer.json")
    config = {
        "labels": list(LABELS),
        "max_tokens": max_tokens,
        "quantised": "static int8" if quantise else False,
        "per_target": per_target,
    }
    if temperature != 1.0:
        config["temperature"] = temperature
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--checkpoint", type=Path, nargs="+", required=True, help="several: their weights' mean"
    )
    parser.add_argument("--base-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--no-quantise", action="store_true")
    parser.add_argument(
        "--calibration-rows",
        type=int,
        default=400,
        help="NewsMTSC training rows that set the int8 activation scales",
    )
    parser.add_argument(
        "--per-target",
        action="store_true",
        help="config.json: score one row per target (for encoders trained with "
        "train --per-target); default one pass marking all of a sentence's targets",
    )
    parser.add_argument(
        "--temperature",
        type=float,
        default=1.0,
        help="config.json: divide the logits by this (fitted on dev, see "
        "PROVENANCE.md); 1 leaves them as they are",
    )
    args = parser.parse_args()
    export(
        args.checkpoint,
        args.base_dir,
        args.out,
        args.max_tokens,
        not args.no_quantise,
        args.calibration_rows,
        args.per_target,
        args.temperature,
    )


if __name__ == "__main__":
    main()
