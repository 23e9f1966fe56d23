"""fp32 encoder graph -> the shipped one: statically quantised to int8 (QDQ, per-channel
weights), with activation scales calibrated on NewsMTSC training rows.

Static rather than dynamic quantisation because dynamic quantisation scales each run's
activations from that run's own range, so a row's scores depended on the rows batched with it
(and their padding). With scales fixed at export a row scores the same alone or in any batch.

Only the weight MatMuls and the embedding tables are quantised, except the feed-forward output
projections of the first four layers: their inputs (GELU outputs) reach 14-25 on a few tokens
against 99.99th percentiles of 3.5-4.4, and one fixed int8 scale over that range cost 0.02
dev macro-F1 (0.736 with them quantised, 0.756 without; see PROVENANCE.md). ONNX Runtime's
transformer optimiser (fused Attention/SkipLayerNorm/BiasGelu) was tried before quantising:
no faster in fp32 at one row per call on one core, and 0.701 macro-F1 and 3x slower once
quantised, so the plain graph is quantised.

Shared by `export` (fresh fine-tunes) and `requantise` (the shipped model); training-only.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from pipeline.shared_data import SharedData
from pipeline.stance_model.data import read_newsmtsc, split
from pipeline.stance_model.inputs import RowBuilder, collate


def calibration_rows(
    tokenizer_file: Path, max_tokens: int, count: int, shared_dir: Path | None = None, seed: int = 0
) -> list[dict[str, np.ndarray]]:
    """Encoder inputs for ``count`` rows of NewsMTSC's training side (never the dev split),
    laid out as the stage lays them out (one row per target of a multi-target sentence)."""
    train_file = SharedData.at(shared_dir).newsmtsc_train
    sentences = split(list(read_newsmtsc(train_file, with_labels=False)))[0]
    random.Random(seed).shuffle(sentences)
    builder = RowBuilder(tokenizer_file, max_tokens, per_target=True)
    rows = []
    for sentence in sentences:
        for row in builder.rows(sentence.text, [t.spans for t in sentence.targets]):
            batch = collate([row])
            rows.append(
                {
                    "input_ids": batch.input_ids,
                    "attention_mask": batch.attention_mask,
                    "token_type_ids": batch.token_type_ids,
                }
            )
        if len(rows) >= count:
            break
    return rows[:count]


# Kept in fp32 (see the module docstring); node names as torch.onnx.export writes them.
FP32_NODES = re.compile(r"/layers\.[0-3]/output/MatMul")


def build(fp32: Path, out: Path, rows: list[dict[str, np.ndarray]] | None) -> None:
    """Write the encoder to ``out``: statically quantised when calibration ``rows`` are given,
    else the fp32 graph as it is."""
    import onnx
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    if rows is None:
        out.write_bytes(fp32.read_bytes())
        return

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self._rows: Iterator[dict[str, np.ndarray]] = iter(rows or [])

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self._rows, None)

    graph = onnx.load(str(fp32)).graph
    weights = {init.name for init in graph.initializer}
    nodes = [
        node.name
        for node in graph.node
        if (
            (node.op_type == "MatMul" and node.input[1] in weights)
            or (node.op_type == "Gather" and node.input[0] in weights)
        )
        and not FP32_NODES.search(node.name)
    ]
    # Unsigned activations with signed weights: x86's fast int8 path (as dynamic quantisation
    # used); per-channel weight scales as the shipped dynamic model had.
    quantize_static(
        str(fp32),
        str(out),
        Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        nodes_to_quantize=nodes,
        calibrate_method=CalibrationMethod.MinMax,
    )
