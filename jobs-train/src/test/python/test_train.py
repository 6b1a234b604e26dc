"""The trainer as a Spark barrier task runs it: one or two processes training together over loopback, and the ONNX
file it exports scoring raw inputs as the network does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

import onnx_graph
import train

TRAINER = Path(train.__file__)
AIRPORTS = ["ORD", "ATL", "DEN", "LAX"]


def flights(rows: int, seed: int):
    """Evening flights (from 17:00) and flights from ORD (index 0) are late, one label in ten flipped."""
    rng = np.random.default_rng(seed)
    hour = rng.integers(0, 24, rows).astype("f4")
    distance = (100 + rng.integers(0, 2000, rows)).astype("f4")
    distance[rng.random(rows) < 0.1] = np.nan
    origin = rng.integers(0, len(AIRPORTS), rows)
    late = (hour >= 17) | (origin == 0)
    late ^= rng.random(rows) < 0.1
    return hour, distance, origin, late.astype("f4")


def write_shard(folder: Path, hour, distance, origin, label) -> None:
    folder.mkdir(parents=True)
    np.stack([hour, distance], axis=1).astype("<f4").tofile(folder / "numbers.f32")
    origin[:, None].astype("<i8").tofile(folder / "indexes.i64")
    label.astype("<f4").tofile(folder / "label.f32")


def spec(hour, distance, epochs=6) -> dict:
    return {
        "numeric": [
            # The hour, whole and 24 values wide, is embedded as the JVM marks it (TorchInputs).
            {
                "name": "hour",
                "mean": float(hour.mean()),
                "std": float(hour.std()),
                "embedded": {"low": 0, "values": 24},
            },
            {"name": "distance", "mean": float(np.nanmean(distance)), "std": float(np.nanstd(distance))},
        ],
        "categorical": [{"name": "origin", "labels": AIRPORTS}],
        "epochs": epochs,
        "batch_size": 128,
        "learning_rate": 0.01,
        "hidden_layers": [16],
        "seed": 7,
    }


def roc_auc(label, score) -> float:
    order = np.argsort(score)
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    positives = label == 1
    n_pos, n_neg = positives.sum(), (~positives).sum()
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def onnx_scores(path: Path, hour, distance, origin_labels) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {
        "hour": hour[:, None].astype("f4"),
        "distance": distance[:, None].astype("f4"),
        "origin": np.array(origin_labels, dtype=object)[:, None],
    }
    return session.run(["probability"], feeds)[0]


def test_two_processes_train_together_on_loopback_and_export_a_model_that_learnt(tmp_path):
    hour, distance, origin, label = flights(4000, 1)
    for rank, part in enumerate(np.array_split(np.arange(4000), 2)):
        write_shard(tmp_path / f"shard{rank}", hour[part], distance[part], origin[part], label[part])
    (tmp_path / "spec.json").write_text(json.dumps(spec(hour, distance)))
    processes = [
        subprocess.Popen(
            [sys.executable, str(TRAINER), "--spec", str(tmp_path / "spec.json"), "--data", str(tmp_path / f"shard{r}")]
            + ["--out", str(tmp_path / "out"), "--rendezvous", str(tmp_path / "rendezvous")],
            env={**os.environ, "RANK": str(r), "WORLD_SIZE": "2", "GLOO_SOCKET_IFNAME": "lo"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for r in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    history = json.loads((tmp_path / "out" / "history.json").read_text())
    assert history["world_size"] == 2
    assert len(history["epoch_loss"]) == 6
    assert history["epoch_loss"][-1] < history["epoch_loss"][0]
    assert "epoch 6/6" in outputs[0]

    hour_t, distance_t, origin_t, label_t = flights(2000, 2)
    scores = onnx_scores(tmp_path / "out" / "model.onnx", hour_t, distance_t, [AIRPORTS[i] for i in origin_t])
    assert 0.8 < roc_auc(label_t, scores) < 0.99


def test_the_onnx_file_scores_raw_inputs_as_the_network_does(tmp_path):
    torch.manual_seed(3)
    hour, distance, origin, _ = flights(10_000, 3)
    described = spec(hour, distance)
    hour_mean = described["numeric"][0]["mean"]
    net = train.DelayNet(described["numeric"], [4], [16, 8], 0.0).eval()
    path = tmp_path / "model.onnx"
    onnx_graph.export(net, described["numeric"], described["categorical"], path)

    # Unseen, empty and missing origins all fall in the bucket past the labels (index 4), as Spark's keep does.
    names = [AIRPORTS[i] for i in origin]
    names[:3] = ["ZZZ", "", "ZZZ"]
    indexes = torch.tensor(origin)
    indexes[:3] = 4
    # Missing, fractional and out-of-range hours: the mean's, the nearest whole, the nearest end.
    hour[3:7] = [np.nan, 7.5, 24, -1]
    with torch.no_grad():
        expected = torch.sigmoid(net(torch.from_numpy(np.stack([hour, distance], 1)), indexes[:, None])).numpy()
    actual = onnx_scores(path, hour, distance, names)
    assert actual.shape == (10_000,)
    assert np.abs(actual - expected).max() < 1e-5
    # A missing distance is the training mean.
    at_mean = onnx_scores(path, hour[:1], np.array([described["numeric"][1]["mean"]], "f4"), names[:1])
    missing = onnx_scores(path, hour[:1], np.array([np.nan], "f4"), names[:1])
    assert missing[0] == pytest.approx(at_mean[0], abs=1e-6)
    # A missing hour is the training mean's, rounded; a fractional one the nearest whole (half to even, as
    # torch and ONNX round); one outside 0-23 the nearest end.
    odd = onnx_scores(
        path, np.array([np.nan, 7.5, 24, -1, round(hour_mean), 8, 23, 0], "f4"), np.full(8, 500, "f4"), ["ATL"] * 8
    )
    assert odd[:4] == pytest.approx(odd[4:], abs=1e-7)
    assert abs(odd[6] - odd[7]) > 1e-4

    model = onnx.load(str(path))
    assert [i.name for i in model.graph.input] == ["hour", "distance", "origin"]
    assert {p.key: json.loads(p.value) for p in model.metadata_props} == {"lakepipe.categories.origin": AIRPORTS}
    # One self-contained file: no weights in files beside it.
    assert all(i.data_location != onnx.TensorProto.EXTERNAL for i in model.graph.initializer)


def test_several_processes_need_a_rendezvous_file(tmp_path):
    hour, distance, origin, label = flights(400, 4)
    write_shard(tmp_path / "shard", hour, distance, origin, label)
    (tmp_path / "spec.json").write_text(json.dumps(spec(hour, distance, epochs=1)))
    completed = subprocess.run(
        [sys.executable, str(TRAINER), "--spec", str(tmp_path / "spec.json"), "--data", str(tmp_path / "shard")]
        + ["--out", str(tmp_path / "out")],
        env={**os.environ, "RANK": "0", "WORLD_SIZE": "2"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode != 0
    assert "--rendezvous" in completed.stderr
