"""The shipped dynamic-int8 encoder -> fp32 graph -> the graph `export` now ships.

    git show 5530654:pipeline/models/stance/encoder.onnx > /tmp/encoder.dynamic.onnx
    python -m pipeline.training.stance.requantise --source /tmp/encoder.dynamic.onnx
        [--out pipeline/models/stance] [--calibration-rows 400] [--keep-fp32 PATH]

The fp32 training checkpoints of the shipped model were not kept, so this recovers an fp32
graph from the shipped one instead of retraining: every ``DynamicQuantizeLinear`` ->
``MatMulInteger`` -> ``Cast`` -> ``Mul`` (scales) chain becomes one ``MatMul`` on float
weights ``(int8 - zero point) * scale``, and every quantised embedding table read
(``Gather`` -> ``DequantizeLinear``) a ``Gather`` on the float table. The weights are then
exactly the int8 values the model was shipped with, so nothing is lost beyond what the first
quantisation lost; only the activations stop being quantised per batch. The fp32 graph then
takes the same step as a fresh export (`pipeline.training.stance.quantise.build`).

Training-only: needs onnx (the `train` extra) besides the runtime's onnxruntime.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from pipeline.stance_model.runtime import DEFAULT_MODEL_DIR
from pipeline.training.stance.quantise import build, calibration_rows


def dequantise(model: onnx.ModelProto) -> onnx.ModelProto:
    """The same network with float weights and no activation quantisation."""
    graph = model.graph
    weights = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    dropped: set[int] = set()  # id() of the nodes replaced
    added: dict[int, list[onnx.NodeProto]] = {}  # id() of a replaced node -> its replacement
    new_weights: dict[str, np.ndarray] = {}
    for node in graph.node:
        if node.op_type == "MatMulInteger":
            a_q, w_q, _, w_zero = node.input
            quantise_a = producer[a_q]
            (cast,) = consumers[node.output[0]]
            (rescale,) = consumers[cast.output[0]]
            if (
                quantise_a.op_type != "DynamicQuantizeLinear"
                or cast.op_type != "Cast"
                or rescale.op_type != "Mul"
            ):
                raise ValueError(f"unexpected pattern around {node.name}")
            scales = producer[next(i for i in rescale.input if i != cast.output[0])]
            w_scale = next(i for i in scales.input if i in weights)
            # Per-channel scales run along the output axis (columns) of the (in, out) weight.
            w_float = (
                weights[w_q].astype(np.float32) - weights[w_zero].astype(np.float32)
            ) * weights[w_scale].astype(np.float32)
            name = w_q.removesuffix("_quantized")
            new_weights[name] = w_float
            added[id(node)] = [
                helper.make_node(
                    "MatMul", [quantise_a.input[0], name], [rescale.output[0]], name=node.name
                )
            ]
            dropped.update({id(node), id(cast), id(rescale), id(scales)})
        elif node.op_type == "DequantizeLinear":
            gather = producer[node.input[0]]
            table_q, scale, zero = gather.input[0], node.input[1], node.input[2]
            if gather.op_type != "Gather" or table_q not in weights:
                raise ValueError(f"unexpected pattern around {node.name}")
            table = (
                weights[table_q].astype(np.float32) - weights[zero].astype(np.float32)
            ) * weights[scale].astype(np.float32)
            name = table_q.removesuffix("_quantized")
            new_weights[name] = table
            added[id(node)] = [
                helper.make_node(
                    "Gather",
                    [name, gather.input[1]],
                    [node.output[0]],
                    name=gather.name,
                    axis=next((a.i for a in gather.attribute if a.name == "axis"), 0),
                )
            ]
            dropped.update({id(node), id(gather)})
    dropped.update(id(n) for n in graph.node if n.op_type == "DynamicQuantizeLinear")

    nodes: list[onnx.NodeProto] = []
    for node in graph.node:
        nodes.extend(added.get(id(node), []))
        if id(node) not in dropped:
            nodes.append(node)
    used = {name for node in nodes for name in node.input}
    initializers = [init for init in graph.initializer if init.name in used]
    initializers += [numpy_helper.from_array(array, name) for name, array in new_weights.items()]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    leftover = {n.op_type for n in graph.node} & {
        "MatMulInteger",
        "DynamicQuantizeLinear",
        "DequantizeLinear",
        "ConvInteger",
    }
    if leftover:
        raise ValueError(f"quantised operations left: {sorted(leftover)}")
    onnx.checker.check_model(model)
    model.producer_name = "pytorch"  # what it was exported from, before quantisation renamed it
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--source",
        type=Path,
        required=True,
        help="the dynamic-int8 encoder.onnx shipped before static quantisation",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_MODEL_DIR,
        help="model folder: its tokenizer.json and config.json are read, "
        "encoder.onnx and config.json written",
    )
    parser.add_argument("--calibration-rows", type=int, default=400)
    parser.add_argument("--shared-dir", type=Path, default=None)
    parser.add_argument(
        "--keep-fp32", type=Path, default=None, help="also write the dequantised fp32 graph here"
    )
    parser.add_argument("--no-quantise", action="store_true", help="ship the fp32 graph")
    args = parser.parse_args()
    config = json.loads((args.out / "config.json").read_text())
    fp32 = dequantise(onnx.load(str(args.source)))
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep_fp32 or Path(tmp) / "encoder.fp32.onnx"
        onnx.save(fp32, str(path))
        rows = (
            None
            if args.no_quantise
            else calibration_rows(
                args.out / "tokenizer.json",
                int(config["max_tokens"]),
                args.calibration_rows,
                args.shared_dir,
            )
        )
        build(path, args.out / "encoder.onnx", rows)
    config["quantised"] = "static int8" if rows is not None else False
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n")


if __name__ == "__main__":
    main()
