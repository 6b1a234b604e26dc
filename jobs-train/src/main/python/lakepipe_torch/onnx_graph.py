"""The ONNX file of a trained DelayNet, in the contract of lakepipe's scorers (docs/serving.md, ONNX bundles): one
input per feature, named as the feature, shape [rows, 1]; numbers as float (NaN when missing), categories as
strings, mapped to the training's indexes inside the graph (ONNX-ML's CategoryMapper; unseen and missing ones to
the index past the labels, Spark's bucket); one output, probability, shape [rows]. The known categories are in the
metadata, lakepipe.categories.<feature>, as JSON lists.

torch.onnx exports the network with two inputs (the numbers, the category indexes); the per-feature inputs, their
concatenation and the category mapping are then added to the graph with the onnx package.
"""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import torch
from onnx import TensorProto, helper
from torch import nn

OPSET = 18
ML_OPSET = 3
CATEGORY_METADATA = "lakepipe.categories."
NUMBERS, INDEXES = "numbers", "indexes"


class Probability(nn.Module):
    """The network's probability: a subclass per kind of inputs the features have (the exporter needs each
    input a tensor with rows, so a kind without columns is made inside)."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net


class BothInputs(Probability):
    def forward(self, numbers: torch.Tensor, indexes: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(numbers, indexes))


class NumbersOnly(Probability):
    def forward(self, numbers: torch.Tensor) -> torch.Tensor:
        indexes = torch.zeros(numbers.shape[0], 0, dtype=torch.int64)
        return torch.sigmoid(self.net(numbers, indexes))


class IndexesOnly(Probability):
    def forward(self, indexes: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(torch.zeros(indexes.shape[0], 0), indexes))


def export(net: nn.Module, numeric: list[dict], categorical: list[dict], path: Path) -> None:
    rows = torch.export.Dim("rows", min=1)
    examples = {NUMBERS: torch.zeros(4, len(numeric)), INDEXES: torch.zeros(4, len(categorical), dtype=torch.int64)}
    kinds = [kind for kind, count in ((NUMBERS, len(numeric)), (INDEXES, len(categorical))) if count]
    wrapper = {(NUMBERS, INDEXES): BothInputs, (NUMBERS,): NumbersOnly, (INDEXES,): IndexesOnly}[tuple(kinds)]
    torch.onnx.export(
        wrapper(net).eval(),
        tuple(examples[kind] for kind in kinds),
        str(path),
        input_names=kinds,
        output_names=["probability"],
        dynamic_shapes={kind: {0: rows} for kind in kinds},
        opset_version=OPSET,
        dynamo=True,
        external_data=False,
        verbose=False,
    )
    model = onnx.load(str(path))
    per_feature_inputs(model, [n["name"] for n in numeric], categorical)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, str(path))


def per_feature_inputs(model: onnx.ModelProto, numeric: list[str], categorical: list[dict]) -> None:
    """Replaces the two matrix inputs by one [rows, 1] input per feature, the categories mapped to indexes."""
    graph = model.graph
    for kind in (NUMBERS, INDEXES):
        for matrix in [i for i in graph.input if i.name == kind]:
            graph.input.remove(matrix)
    nodes = []
    for name in numeric:
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["rows", 1]))
    if numeric:
        nodes.append(helper.make_node("Concat", numeric, [NUMBERS], name="numbers", axis=1))
    mapped = []
    for category in categorical:
        name, labels = category["name"], category["labels"]
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.STRING, ["rows", 1]))
        mapped.append(f"{name}.index")
        nodes.append(
            helper.make_node(
                "CategoryMapper",
                [name],
                [mapped[-1]],
                name=f"{name}_to_index",
                domain="ai.onnx.ml",
                cats_strings=labels,
                cats_int64s=list(range(len(labels))),
                default_int64=len(labels),
            )
        )
        entry = model.metadata_props.add()
        entry.key, entry.value = CATEGORY_METADATA + name, json.dumps(labels)
    if mapped:
        nodes.append(helper.make_node("Concat", mapped, [INDEXES], name="indexes", axis=1))
        if not any(o.domain == "ai.onnx.ml" for o in model.opset_import):
            model.opset_import.append(helper.make_opsetid("ai.onnx.ml", ML_OPSET))
    network = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + network)
