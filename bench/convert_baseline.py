#!/usr/bin/python3
"""The usual Python path to safetensors, as a baseline for `modelgate convert`: torch.load the
checkpoint, then write safetensors with numpy (Debian has no safetensors package), header laid out
as the reference writer does.

usage: convert_baseline.py IN OUT      (IN a directory: every pytorch_model*.bin in it, OUT a directory)
"""
import json
import os
import re
import struct
import sys

import torch

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
          torch.bool: "BOOL"}
ORDER = ["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "F64", "I64"]


def save(tensors, out):
    names = sorted(tensors, key=lambda n: (-ORDER.index(DTYPES[tensors[n].dtype]), n))
    header, offset, arrays = {"__metadata__": {"format": "pt"}}, 0, []
    for n in names:
        t = tensors[n].detach().contiguous()
        if t.dtype == torch.bfloat16:
            t = t.view(torch.int16)
        a = t.numpy()
        header[n] = {"dtype": DTYPES[tensors[n].dtype], "shape": list(t.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        arrays.append(a)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for a in arrays:
            f.write(memoryview(a).cast("B"))


def convert(src, dst):
    save(torch.load(src, map_location="cpu", weights_only=True), dst)


src, dst = sys.argv[1], sys.argv[2]
if os.path.isdir(src):
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        m = re.fullmatch(r"pytorch_model(-\d+-of-\d+)?\.bin", name)
        if m:
            convert(os.path.join(src, name), os.path.join(dst, "model%s.safetensors" % (m.group(1) or "")))
else:
    convert(src, dst)
