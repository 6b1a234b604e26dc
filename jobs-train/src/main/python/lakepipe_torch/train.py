"""One process of the deep-learning family's training: an MLP over the numbers and learnt embeddings of the
categories, trained with PyTorch's DistributedDataParallel over gloo when the Spark barrier stage that starts it
has more than one task, then exported by rank 0 as one self-contained ONNX file that scores raw inputs.

Started by the JVM (io.lakepipe.train.torch.TorchTraining), one process per barrier task:

    python train.py --spec spec.json --data <shard folder> --out <folder>

with RANK and WORLD_SIZE in the environment and, when there are several processes, --rendezvous naming a file
they share (PyTorch's file store) and GLOO_SOCKET_IFNAME=lo: nothing listens beyond 127.0.0.1. The shard holds
the task's rows as raw little-endian arrays (numbers.f32: rows x numbers, NaN where missing; indexes.i64:
rows x categories, Spark's StringIndexer indexes, the unseen bucket past the labels; label.f32).
spec.json names the inputs (numbers with their training mean and deviation, and "embedded": {"low", "values"} for
those embedded as categories; categories with their labels in index order) and the hyperparameters. Rank 0 writes
model.onnx and history.json (per-epoch losses, seconds).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import onnx_graph


def embedding_size(cardinality: int) -> int:
    """fast.ai's rule of thumb for entity embeddings, capped: wide enough for hundreds of airports, small."""
    return int(min(16, round(1.6 * cardinality**0.56)))


class DelayNet(nn.Module):
    """Numbers standardised (a missing one at the mean), each category embedded, an MLP to one logit.

    A number the spec marks "embedded" (whole values spanning few of them: an hour, a day of the week) is embedded
    as a category of its values low, low + 1, ...: a missing one is the training mean, as for the other numbers, and
    every value is rounded to the nearest of them, so a count past the largest seen takes the largest's vector. Its
    input stays a number, so the ONNX file takes the same inputs.
    """

    def __init__(self, numeric: list[dict], cardinalities: list[int], hidden: list[int], dropout: float):
        super().__init__()
        plain = [(at, n) for at, n in enumerate(numeric) if "embedded" not in n]
        self.has_plain = bool(plain)
        self.register_buffer("plain_at", torch.tensor([at for at, _ in plain], dtype=torch.int64))
        self.register_buffer("mean", torch.tensor([n["mean"] for _, n in plain], dtype=torch.float32))
        self.register_buffer("std", torch.tensor([n["std"] or 1.0 for _, n in plain], dtype=torch.float32))
        # (column, training mean, smallest value, count of values) of each number embedded.
        self.embedded = [
            (at, float(n["mean"]), float(n["embedded"]["low"]), int(n["embedded"]["values"]))
            for at, n in enumerate(numeric)
            if "embedded" in n
        ]
        self.number_embeddings = nn.ModuleList(
            nn.Embedding(values, embedding_size(values)) for *_, values in self.embedded
        )
        # One more row than the labels: Spark's bucket for unseen and missing categories.
        self.embeddings = nn.ModuleList(nn.Embedding(c + 1, embedding_size(c + 1)) for c in cardinalities)
        width = len(plain) + sum(e.embedding_dim for e in [*self.number_embeddings, *self.embeddings])
        layers = []
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, 1))
        self.mlp = nn.Sequential(*layers)

    def forward(self, numbers: torch.Tensor, indexes: torch.Tensor) -> torch.Tensor:
        parts = []
        if self.has_plain:
            values = numbers.index_select(1, self.plain_at)
            filled = torch.where(torch.isnan(values), self.mean, values)
            parts.append((filled - self.mean) / self.std)
        for (at, mean, low, values), embedding in zip(self.embedded, self.number_embeddings, strict=True):
            value = numbers[:, at]
            filled = torch.where(torch.isnan(value), torch.full_like(value, mean), value)
            parts.append(embedding(torch.clamp(torch.round(filled) - low, 0, values - 1).to(torch.int64)))
        for i, embedding in enumerate(self.embeddings):
            parts.append(embedding(indexes[:, i]))
        return self.mlp(torch.cat(parts, dim=1)).squeeze(1)


def read_shard(folder: Path, numbers: int, categories: int):
    label = np.fromfile(folder / "label.f32", dtype="<f4")
    rows = label.shape[0]
    x_num = np.fromfile(folder / "numbers.f32", dtype="<f4").reshape(rows, numbers)
    x_cat = np.fromfile(folder / "indexes.i64", dtype="<i8").reshape(rows, categories)
    return torch.from_numpy(x_num.copy()), torch.from_numpy(x_cat.copy()), torch.from_numpy(label.copy())


def train(spec: dict, data: Path, out: Path, rendezvous: Path | None = None) -> None:
    rank = int(os.environ.get("RANK", "0"))
    world = int(os.environ.get("WORLD_SIZE", "1"))
    torch.set_num_threads(int(spec.get("threads", 1)))
    torch.manual_seed(int(spec["seed"]))
    # The same rows in the same order train the same network, so reruns of a training agree.
    torch.use_deterministic_algorithms(True)
    if world > 1:
        if rendezvous is None:
            raise SystemExit(f"{world} processes train together only with --rendezvous, a file they all share")
        # A file store, not a TCP one: c10d's TCP store listens on every interface, and gloo's own sockets
        # are kept on loopback by GLOO_SOCKET_IFNAME (set by the JVM), so nothing listens beyond 127.0.0.1.
        dist.init_process_group("gloo", init_method=f"file://{rendezvous}", rank=rank, world_size=world)
    numeric = spec["numeric"]
    categorical = spec["categorical"]
    x_num, x_cat, y = read_shard(data, len(numeric), len(categorical))
    net = DelayNet(
        numeric,
        [len(c["labels"]) for c in categorical],
        spec["hidden_layers"],
        float(spec.get("dropout", 0.0)),
    )
    model = nn.parallel.DistributedDataParallel(net) if world > 1 else net
    optimizer = torch.optim.Adam(
        model.parameters(), lr=float(spec["learning_rate"]), weight_decay=float(spec.get("weight_decay", 0.0))
    )
    loss_fn = nn.BCEWithLogitsLoss()
    batch = int(spec["batch_size"])
    # Every rank takes as many steps as the smallest shard allows: DDP's all-reduce needs the same count.
    steps = torch.tensor([max(1, math.ceil(len(y) / batch))])
    if world > 1:
        dist.all_reduce(steps, op=dist.ReduceOp.MIN)
    steps = int(steps.item())
    generator = torch.Generator().manual_seed(int(spec["seed"]) + rank)
    history = []
    started = time.monotonic()
    for epoch in range(int(spec["epochs"])):
        model.train()
        order = torch.randperm(len(y), generator=generator)
        total = torch.zeros(2, dtype=torch.float64)
        for step in range(steps):
            rows = order[step * batch : (step + 1) * batch]
            if len(rows) == 0:
                rows = order[:batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_num[rows], x_cat[rows]), y[rows])
            loss.backward()
            optimizer.step()
            total += torch.tensor([loss.item() * len(rows), len(rows)], dtype=torch.float64)
        if world > 1:
            dist.all_reduce(total)
        epoch_loss = float(total[0] / total[1])
        history.append(epoch_loss)
        if rank == 0:
            print(
                f"[lakepipe-torch] epoch {epoch + 1}/{spec['epochs']}: loss {epoch_loss:.5f}, "
                f"{time.monotonic() - started:.1f} s",
                flush=True,
            )
    seconds = time.monotonic() - started
    if rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        net.eval()
        onnx_graph.export(net, numeric, categorical, out / "model.onnx")
        (out / "history.json").write_text(
            json.dumps({"epoch_loss": history, "seconds": seconds, "world_size": world, "steps_per_epoch": steps})
        )
    if world > 1:
        dist.barrier()
        dist.destroy_process_group()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", required=True, type=Path)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--rendezvous", type=Path, help="a file all processes share (and none has yet), when several")
    args = parser.parse_args(argv)
    train(json.loads(args.spec.read_text()), args.data, args.out, args.rendezvous)


if __name__ == "__main__":
    main()
