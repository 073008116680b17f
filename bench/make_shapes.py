#!/usr/bin/python3
"""Writes the input shapes of the side-by-side benchmark (bench/side_by_side.sh) into DIR:

  unique-strings.pkl   ~76 MB: 1.5 M records whose strings are all distinct (~10 M memo entries)
  objects.pkl          ~50 MB: 400 k rows of OrderedDict, date, complex, Decimal, frozenset,
                       bytearray (REDUCE/NEWOBJ heavy, as pandas/sklearn metadata pickles are)
  dense.pkl            ~100 MB: records over a small vocabulary, almost every string a memo GET
  checkpoints/         400 small torch.save checkpoints, ~39 MB in all (skipped without torch)
  weights-1.3g/        one 1.3 GB weights file: fewer large files than cores, for hashing

Every shape is what CPython's pickler (protocol 4) or torch.save writes; nothing is committed.
usage: make_shapes.py DIR [SHAPE ...]"""
import collections
import datetime
import decimal
import os
import pickle
import subprocess
import sys


def unique_strings(path):
    # 1.5 M records of 6 distinct strings each plus a list and a dict: every string is new, so
    # each one is memoized and the memo grows to ~10 M entries.
    records = []
    for i in range(1_500_000):
        records.append({"id": "u%x" % i, "name": "n%x" % i, "tags": ["a%x" % i, "b%x" % i],
                        "ref": "r%x" % (i * 7919)})
    with open(path, "wb") as f:
        pickle.dump(records, f, protocol=4)


def objects(path):
    rows = []
    day = datetime.date(2020, 1, 1)
    for i in range(400_000):
        rows.append(collections.OrderedDict([
            ("day", day + datetime.timedelta(days=i % 3000)),
            ("z", complex(i, -i)),
            ("price", decimal.Decimal("%d.%02d" % (i, i % 100))),
            ("flags", frozenset({i % 7, i % 11})),
            ("raw", bytearray(b"%06d" % i)),
            ("label", "row-%d" % i),
        ]))
    with open(path, "wb") as f:
        pickle.dump(rows, f, protocol=4)


def dense(path):
    # The pickle machine's own benchmark shape, written by its generator.
    subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "make_dense_pickle.py"),
                    path, "100"], check=True)


def checkpoints(path):
    try:
        import torch
    except ImportError:
        print("torch is not installed: no checkpoints/ shape", file=sys.stderr)
        return
    os.makedirs(path, exist_ok=True)
    torch.manual_seed(0)
    for i in range(400):
        torch.save({"layer.weight": torch.randn(96, 256), "layer.bias": torch.zeros(96), "step": i},
                   os.path.join(path, "m%03d.pt" % i))


def weights(path):
    os.makedirs(path, exist_ok=True)
    block = os.urandom(1 << 20)
    with open(os.path.join(path, "model.safetensors"), "wb") as f:
        for i in range(1300):
            f.write(block[i % 997:] + block[:i % 997])


SHAPES = {"unique-strings.pkl": unique_strings, "objects.pkl": objects, "dense.pkl": dense,
          "checkpoints": checkpoints, "weights-1.3g": weights}

if __name__ == "__main__":
    out = sys.argv[1]
    wanted = sys.argv[2:] or list(SHAPES)
    os.makedirs(out, exist_ok=True)
    for name in wanted:
        target = os.path.join(out, name)
        if not os.path.exists(target):
            SHAPES[name](target)
