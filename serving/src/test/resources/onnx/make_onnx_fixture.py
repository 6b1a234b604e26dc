# SPDX-License-Identifier: Apache-2.0
"""Writes the ONNX test models of the serving module, beside this script.

The serving tests (OnnxTestBundles, OnnxScorerTest, OnnxServiceTest) score these files with ONNX
Runtime's Java API and compare with the formula written in Java, so the weights below and there
must agree.

Regenerate (needs the Python packages onnx and numpy; onnxruntime too for the check at the end):

    python3 -m venv /tmp/venv-onnx && /tmp/venv-onnx/bin/pip install onnx onnxruntime numpy
    /tmp/venv-onnx/bin/python serving/src/test/resources/onnx/make_onnx_fixture.py

The output is deterministic: the same onnx package writes the same bytes.

lr.onnx is a logistic regression over three inputs, each of shape [N, 1] as the bundle contract
says (docs/serving.md, ONNX bundles):

    logit = -1.2 + 0.05 * hour + 0.0005 * distance + w[origin]
    probability = sigmoid(logit), shape [N]

hour is float, NaN (missing) replaced by 13.5 inside the graph (IsNaN + Where); distance is float
with no replacement, so a missing distance gives NaN; origin is a string mapped by CategoryMapper
(ai.onnx.ml) to ORD 0.4, ATL -0.3, DFW 0.1, and anything else, "" (missing) included, to 0. Its
metadata lakepipe.categories.origin lists the known categories. The other files break the contract
one way each, for the load checks.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = Path(__file__).resolve().parent
INTERCEPT = -1.2
HOUR_WEIGHT = 0.05
HOUR_WHEN_MISSING = 13.5
DISTANCE_WEIGHT = 0.0005
ORIGINS = {"ORD": 0.4, "ATL": -0.3, "DFW": 0.1}


def constant(name: str, values: list[float] | list[int], dtype: type) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


def logistic_model(
    output: str = "probability",
    hour_type: int = TensorProto.FLOAT,
    hour_shape: list[str | int] | None = None,
    categories: bool = True,
) -> onnx.ModelProto:
    """The logistic regression; the arguments break the contract for the variants."""
    hour_shape = hour_shape if hour_shape is not None else ["N", 1]
    nodes = []
    hour = "hour"
    if hour_type != TensorProto.FLOAT:
        nodes.append(helper.make_node("Cast", [hour], ["hour_float"], to=TensorProto.FLOAT))
        hour = "hour_float"
    if len(hour_shape) == 1:
        nodes.append(helper.make_node("Unsqueeze", [hour, "axis_1"], ["hour_column"]))
        hour = "hour_column"
    nodes += [
        helper.make_node("IsNaN", [hour], ["hour_missing"]),
        helper.make_node("Where", ["hour_missing", "hour_fill", hour], ["hour_filled"]),
        helper.make_node("Mul", ["hour_filled", "hour_weight"], ["hour_term"]),
        helper.make_node("Mul", ["distance", "distance_weight"], ["distance_term"]),
        helper.make_node(
            "CategoryMapper",
            ["origin"],
            ["origin_index"],
            domain="ai.onnx.ml",
            cats_strings=list(ORIGINS),
            cats_int64s=list(range(1, len(ORIGINS) + 1)),
            default_int64=0,
        ),
        helper.make_node("Gather", ["origin_weights", "origin_index"], ["origin_term"]),
        helper.make_node("Sum", ["intercept", "hour_term", "distance_term", "origin_term"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], ["probability_column"]),
        helper.make_node("Squeeze", ["probability_column", "axis_1"], [output]),
    ]
    initializers = [
        constant("hour_fill", [HOUR_WHEN_MISSING], np.float32),
        constant("hour_weight", [HOUR_WEIGHT], np.float32),
        constant("distance_weight", [DISTANCE_WEIGHT], np.float32),
        # Index 0 is the default of CategoryMapper: an unknown or missing origin adds nothing.
        constant("origin_weights", [0.0, *ORIGINS.values()], np.float32),
        constant("intercept", [INTERCEPT], np.float32),
        constant("axis_1", [1], np.int64),
    ]
    graph = helper.make_graph(
        nodes,
        "lakepipe_flights_delay_lr",
        inputs=[
            helper.make_tensor_value_info("hour", hour_type, hour_shape),
            helper.make_tensor_value_info("distance", TensorProto.FLOAT, ["N", 1]),
            helper.make_tensor_value_info("origin", TensorProto.STRING, ["N", 1]),
        ],
        outputs=[helper.make_tensor_value_info(output, TensorProto.FLOAT, ["N"])],
        initializer=initializers,
    )
    model = helper.make_model(
        graph,
        producer_name="lakepipe make_onnx_fixture.py",
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)],
    )
    # IR 8 (ONNX 1.12, which introduced opset 17): read by every ONNX Runtime that runs opset 17.
    model.ir_version = 8
    if categories:
        helper.set_model_props(model, {"lakepipe.categories.origin": json.dumps(list(ORIGINS))})
    onnx.checker.check_model(model, full_check=True)
    return model


def expected(hour: float, distance: float, origin: str) -> float:
    hour = HOUR_WHEN_MISSING if np.isnan(hour) else hour
    logit = INTERCEPT + HOUR_WEIGHT * hour + DISTANCE_WEIGHT * distance + ORIGINS.get(origin, 0.0)
    return 1 / (1 + np.exp(-logit))


def check(path: Path) -> None:
    """Scores a few records with onnxruntime, when installed, against the formula."""
    try:
        import onnxruntime
    except ImportError:
        print("onnxruntime is not installed: the models were not scored")
        return
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    rows = [(10.0, 1000.0, "ORD"), (float("nan"), 250.0, "XXX"), (0.0, 1234.5, "")]
    feeds = {
        "hour": np.array([[r[0]] for r in rows], dtype=np.float32),
        "distance": np.array([[r[1]] for r in rows], dtype=np.float32),
        "origin": np.array([[r[2]] for r in rows], dtype=object),
    }
    (probability,) = session.run(["probability"], feeds)
    for row, p in zip(rows, probability, strict=True):
        assert abs(p - expected(*row)) < 1e-6, (row, p, expected(*row))
    print(f"{path.name}: {len(rows)} records as the formula says")


def main() -> None:
    models = {
        "lr.onnx": logistic_model(),
        "lr-no-probability.onnx": logistic_model(output="score"),
        "lr-hour-double.onnx": logistic_model(hour_type=TensorProto.DOUBLE),
        "lr-hour-rank1.onnx": logistic_model(hour_shape=["N"]),
        "lr-no-categories.onnx": logistic_model(categories=False),
    }
    for name, model in models.items():
        path = HERE / name
        path.write_bytes(model.SerializeToString())
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    check(HERE / "lr.onnx")


if __name__ == "__main__":
    main()
