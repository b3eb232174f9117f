"""python3 torch_net.py '{"model": M, "data": DIR, "steps": N, "warmup": W, "inferBatch": B, "threads": T, "dtype": D}'

LeNet-5 (M "lenet") or the sheet network (M "sheet") in PyTorch on the CPU,
NCHW, on T threads, in D "float32" (the default) or "float64" (the kata's
arithmetic: the same work for the same numbers of images, twice the bytes). Trains W untimed then N timed steps of batch 64
with Adam (lr 1e-3) on the first MNIST training images in order, then
classifies the 10,000 test images in batches of B. Prints the figures as one
JSON line (see peers.mjs).
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn

BATCH = 64
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def load_mnist(folder, split, limit):
    """The first `limit` images [n, 1, 28, 28] scaled to [0, 1], and their labels."""
    images_name, labels_name = FILES[split]
    with open(os.path.join(folder, images_name), "rb") as f:
        images = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    with open(os.path.join(folder, labels_name), "rb") as f:
        labels = np.frombuffer(f.read(), dtype=np.uint8, offset=8)
    n = min(limit, labels.size)
    x = torch.from_numpy(images[: n * 784].astype(np.float64) / 255).reshape(n, 1, 28, 28).to(torch.get_default_dtype())
    return x, torch.from_numpy(labels[:n].astype(np.int64))


def lenet():
    """LeNet-5 of exercise 07: conv 6@5x5 pad 2, conv 16@5x5, fc 120, fc 84, fc 10."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def sheet():
    """The sheet network of exercise 06: conv 8@3x3 pad 1, conv 16@3x3 pad 1, fc 100, fc 10."""
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(784, 100), nn.ReLU(),
        nn.Linear(100, 10),
    )


MODELS = {"lenet": lenet, "sheet": sheet}


def timed(run):
    """Wall and CPU (all threads of the process) milliseconds of run()."""
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    return {"wallMs": 1000 * (time.perf_counter() - wall), "cpuMs": 1000 * (time.process_time() - cpu)}


def main():
    args = json.loads(sys.argv[1])
    torch.set_num_threads(args["threads"])
    if args.get("model") not in MODELS:
        raise ValueError(f"torch_net.py: model must be one of {', '.join(MODELS)}, got {json.dumps(args.get('model'))}")
    dtype = args.get("dtype", "float32")
    if dtype not in ("float32", "float64"):
        raise ValueError(f"torch_net.py: dtype must be float32 or float64, got {json.dumps(dtype)}")
    torch.set_default_dtype(getattr(torch, dtype))
    torch.manual_seed(0)
    model = MODELS[args["model"]]()
    adam = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    train_x, train_y = load_mnist(args["data"], "train", BATCH * (args["warmup"] + args["steps"]))
    test_x, test_y = load_mnist(args["data"], "test", 10000)

    def step(s):
        first = (s * BATCH) % (len(train_y) - BATCH + 1)
        adam.zero_grad()
        loss_fn(model(train_x[first : first + BATCH]), train_y[first : first + BATCH]).backward()
        adam.step()

    def train():
        for s in range(args["steps"]):
            step(args["warmup"] + s)

    correct = 0

    def infer():
        nonlocal correct
        with torch.inference_mode():
            for first in range(0, len(test_y), args["inferBatch"]):
                batch = slice(first, first + args["inferBatch"])
                correct += int((model(test_x[batch]).argmax(1) == test_y[batch]).sum())

    model.train()
    for s in range(args["warmup"]):
        step(s)
    train_time = timed(train)
    model.eval()
    infer_time = timed(infer)
    print(json.dumps({
        "system": "PyTorch CPU" if dtype == "float32" else "PyTorch CPU f64",
        "model": args["model"],
        "parameters": sum(p.numel() for p in model.parameters()),
        "detail": f"torch {torch.__version__}, {dtype}",
        "threads": args["threads"],
        "train": {"images": BATCH * args["steps"], **train_time},
        "infer": {"images": len(test_y), **infer_time, "accuracy": correct / len(test_y)},
    }))


main()
