"""MLflow pyfunc loader of lakepipe's deep-learning family: its ONNX file, scored by ONNX Runtime, no Spark.

The ``python_function`` flavor of the model names this module as its ``loader_module``, ``code`` as its code
folder (which MLflow puts on ``sys.path``) and ``model.onnx`` as its data. The file takes one [rows, 1] input per
feature (numbers as float, NaN when missing; categories as strings, "" when missing); pandas columns are brought to
that form here, so that ``predict`` takes the frame a Spark model's pyfunc takes and returns the same thing: one
P(label = 1) per row.

Written into the model's ``code/`` folder by lakepipe's jobs-train (``TorchPyfunc``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import onnxruntime
import pandas as pd


class OnnxProbability:
    def __init__(self, path: str):
        self.session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        self.inputs = [(i.name, i.type) for i in self.session.get_inputs()]

    def predict(self, data: pd.DataFrame, params: dict[str, Any] | None = None) -> np.ndarray:
        feeds = {}
        for name, kind in self.inputs:
            column = data[name]
            if kind == "tensor(string)":
                values = np.array(["" if pd.isna(v) else str(v) for v in column], dtype=object)
            else:
                values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float32", na_value=np.nan)
            feeds[name] = values.reshape(-1, 1)
        (probability,) = self.session.run(["probability"], feeds)
        return np.asarray(probability, dtype="float64").reshape(-1)


def _load_pyfunc(path: str) -> OnnxProbability:
    return OnnxProbability(path)
