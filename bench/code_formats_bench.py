#!/usr/bin/python3
"""Scripted benchmark for the code-carrying formats: times `modelgate scan` on generated data.

usage: bench/code_formats_bench.py MODELGATE_BINARY WORKDIR

- onnx-external: 2000 initializers in a 20 GB sparse external-data file (tensor data is never read)
- onnx-embedded: 256 MB of raw_data inside the ModelProto (parsed by libprotobuf)
- savedmodel:    200 000 NodeDefs plus a 64 MB constant, walked schema-free
"""
import os
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

binary, work = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(work, "big"), exist_ok=True)


def varint(n):
    b = bytearray()
    while True:
        x = n & 0x7f
        n >>= 7
        b.append(x | (0x80 if n else 0))
        if not n:
            return bytes(b)


def s(num, p):
    p = p.encode() if isinstance(p, str) else p
    return varint(num << 3 | 2) + varint(len(p)) + p


n, size = 2000, 10 << 20
with open(os.path.join(work, "big", "weights.bin"), "wb") as f:
    f.truncate(n * size)
inits, nodes, prev = [], [], "x"
for i in range(n):
    t = TensorProto(name="w%d" % i, data_type=TensorProto.FLOAT, dims=[size // 4],
                    data_location=TensorProto.EXTERNAL)
    for k, v in (("location", "weights.bin"), ("offset", str(i * size)), ("length", str(size))):
        e = t.external_data.add()
        e.key, e.value = k, v
    inits.append(t)
    nodes.append(helper.make_node("Add", [prev, t.name], ["h%d" % i], name="add%d" % i))
    prev = "h%d" % i
vi = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [size // 4])
onnx.save(helper.make_model(helper.make_graph(nodes, "g", [vi("x")], [vi(prev)], inits),
                            opset_imports=[helper.make_opsetid("", 13)]), os.path.join(work, "big", "model.onnx"))

w = numpy_helper.from_array(np.ones(64 << 20, dtype=np.float32), "w")
vi = lambda name: helper.make_tensor_value_info(name, TensorProto.FLOAT, [64 << 20])
onnx.save(helper.make_model(helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"])], "g", [vi("x")], [vi("y")],
                                              [w]), opset_imports=[helper.make_opsetid("", 13)]),
          os.path.join(work, "embedded.onnx"))

graph = b"".join(s(1, s(1, "n%d" % i) + s(2, "MatMul") + s(3, "a") + s(3, "b") + s(5, s(1, "T") + s(2, b"\x30\x01")))
                 for i in range(200000))
graph += s(1, s(1, "big") + s(2, "Const") + s(5, s(1, "value") + s(2, s(8, b"\0" * (64 << 20)))))
with open(os.path.join(work, "saved_model.pb"), "wb") as f:
    f.write(varint(8) + varint(1) + s(2, s(1, s(4, "serve")) + s(2, graph)))

for label, target in (("onnx-external (20 GB sparse)", "big/model.onnx"), ("onnx-embedded (256 MB)", "embedded.onnx"),
                      ("savedmodel (200k nodes, 74 MB)", "saved_model.pb")):
    best = None
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([binary, "scan", "-q", os.path.join(work, target)], stdout=subprocess.DEVNULL, check=False)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    print("%-34s best of 3: %.3f s" % (label, best))
