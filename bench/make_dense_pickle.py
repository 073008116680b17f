#!/usr/bin/env python3
"""Writes an opcode-dense pickle of at least SIZE_MB megabytes: nested lists and dicts of small
ints, floats and strings, as CPython's pickler (protocol 4, framed) writes them."""
import pickle
import sys

path, size_mb = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100
keys = [f"field_{i}" for i in range(64)]
words = [f"token{i}" for i in range(256)]


def record(i):
    return {
        keys[i % 64]: i % 200,
        keys[(i + 1) % 64]: (i % 1000) / 7.0,
        keys[(i + 2) % 64]: words[i % 256],
        keys[(i + 3) % 64]: [i % 100, (i * 3) % 100, 0.5, words[(i * 7) % 256]],
        keys[(i + 4) % 64]: {"a": i % 50, "b": [1, 2, 3]},
    }


chunk = [record(i) for i in range(20000)]
one = len(pickle.dumps(chunk, protocol=4))
copies = (size_mb * 1000 * 1000) // one + 1
with open(path, "wb") as f:
    # distinct list objects so that the memo does not collapse them
    pickle.dump([[record(i) for i in range(20000)] for _ in range(copies)], f, protocol=4)
