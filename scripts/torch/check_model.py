"""Loads an exported model into PyTorch and checks it against the build's predictions.

A check for the README, never a test dependency: it needs torch, safetensors and numpy,
which mnist-report itself never uses.

    python3 scripts/torch/check_model.py reports/models/tuned.safetensors reports/predictions.csv

It builds the nn.Sequential the model card (tuned.json) describes, loads the weights with
safetensors.torch.load_file and load_state_dict (strict: every name and shape must match),
normalizes the MNIST test images as the card says, and compares PyTorch's probabilities
with predictions.csv: the predicted classes must agree and the probabilities differ only
by float32 rounding (PyTorch sums in another order).
"""

import gzip
import json
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": lambda: nn.GELU(approximate="none")}


class Model(nn.Module):
    """The card's network: Linear, (BatchNorm1d,) activation, (Dropout) per hidden layer."""

    def __init__(self, architecture):
        super().__init__()
        layers = []
        if architecture["input_dropout"] > 0:
            layers.append(nn.Dropout(architecture["input_dropout"]))
        width = architecture["inputs"]
        for hidden, rate in zip(architecture["hidden"], architecture["dropout"]):
            layers.append(nn.Linear(width, hidden, bias=not architecture["batch_norm"]))
            if architecture["batch_norm"]:
                layers.append(nn.BatchNorm1d(hidden))
            layers.append(ACTIVATIONS[architecture["activation"]]())
            if rate > 0:
                layers.append(nn.Dropout(rate))
            width = hidden
        layers.append(nn.Linear(width, architecture["classes"]))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


def main(weights, predictions, images="data/mnist/t10k-images-idx3-ubyte.gz"):
    card = json.loads(Path(weights).with_suffix(".json").read_text())
    model = Model(card["architecture"])
    model.load_state_dict(load_file(weights))  # strict: names and shapes as PyTorch's
    model.eval()

    raw = gzip.open(images).read()
    count = int.from_bytes(raw[4:8], "big")
    x = np.frombuffer(raw, np.uint8, offset=16).reshape(count, -1).astype(np.float32) / np.float32(255)
    norm = card["normalization"]
    if norm["kind"] == "standardize":
        x = (x - np.float32(norm["mean"])) * (np.float32(1) / np.float32(norm["std"]))
    with torch.no_grad():
        p = torch.softmax(model(torch.from_numpy(x)), dim=1).numpy()

    rows = np.loadtxt(predictions, delimiter=",", skiprows=1)
    index = rows[:, 0].astype(int)
    ours, theirs = rows[:, 3:].astype(np.float32), p[index]
    agree = (ours.argmax(1) == theirs.argmax(1)).mean()
    print(f"{len(index)} test images: predicted classes agree on {100 * agree:.2f}%,"
          f" largest probability difference {np.abs(ours - theirs).max():.2e}")
    labels = np.frombuffer(gzip.open(images.replace("images-idx3", "labels-idx1")).read(), np.uint8, offset=8)
    print(f"PyTorch's test accuracy {100 * (p.argmax(1) == labels).mean():.2f}%,"
          f" the card's {100 * card['metrics']['test_accuracy']:.2f}%")
    return 0 if agree == 1 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
