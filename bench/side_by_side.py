#!/usr/bin/python3
"""modelgate next to the tools people use instead, on the same files in the same run.

For every shape of bench/make_shapes.py it times modelgate and the baselines that apply,
alternating the tools run by run, and prints the median wall time, the peak resident memory and
each tool's time relative to modelgate's. Python's pickletools.genops and pickle.load always run;
picklescan, ModelScan, fickling and modelaudit run where they are installed.

usage: side_by_side.py [--modelgate build/modelgate] [--before OLD_BINARY] [--runs 5] [--shapes DIR] [SHAPE ...]
(--before adds an older modelgate build, to measure a change.)
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"

GENOPS = "import pickletools, sys\nd = open(sys.argv[1], 'rb').read()\nfor _ in pickletools.genops(d): pass\n"
LOADS = "import pickle, sys\nwith open(sys.argv[1], 'rb') as f: pickle.load(f)\n"
READ_CRC = ("import os, sys, zlib\nfor root, _, files in os.walk(sys.argv[1]):\n"
            "    for n in files:\n        zlib.crc32(open(os.path.join(root, n), 'rb').read())\n")


def which(name):
    for d in os.environ.get("PATH", "").split(os.pathsep):
        p = os.path.join(d, name)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def peers(path):
    """The Python scanners that are installed, as (name, argv)."""
    out = []
    if which("picklescan"):
        out.append(("picklescan", ["picklescan", "-p", path]))
    if which("modelscan"):
        out.append(("modelscan", ["modelscan", "-p", path]))
    if which("fickling") and os.path.isfile(path):
        out.append(("fickling --check-safety", ["fickling", "--check-safety", path]))
    if which("modelaudit"):
        out.append(("modelaudit", ["modelaudit", "scan", path]))
    return out


def workloads(mg, before, shapes, wanted):
    """(shape, [(tool, argv, is_modelgate)])"""
    for shape in wanted:
        path = os.path.join(shapes, shape)
        if not os.path.exists(path):
            print(f"skipping {shape}: not generated", file=sys.stderr)
            continue
        tools = [("modelgate (confined)", [mg, "scan", "-q", path], True),
                 ("modelgate --sandbox off", [mg, "scan", "-q", "--sandbox", "off", path], False)]
        if before:
            tools += [("before (confined)", [before, "scan", "-q", path], False),
                      ("before --sandbox off", [before, "scan", "-q", "--sandbox", "off", path], False)]
        if shape.endswith(".pkl"):
            tools += [("pickletools.genops", [PY, "-c", GENOPS, path], False),
                      ("pickle.load (runs it)", [PY, "-c", LOADS, path], False)]
        elif shape == "checkpoints":
            tools += [("python read + CRC-32", [PY, "-c", READ_CRC, path], False)]
        elif shape == "weights-1.3g":
            tools = [("modelgate digest (sha256)", [mg, "digest", path], True),
                     ("openssl dgst -sha256", ["sh", "-c", f"find '{path}' -type f -print0 | sort -z | "
                                               "xargs -0 openssl dgst -sha256"], False)]
            if before:
                tools.append(("before digest (sha256)", [before, "digest", path], False))
        tools += [(n, argv, False) for n, argv in peers(path)] if shape != "weights-1.3g" else []
        yield shape, tools


def run_once(argv):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024.0, code


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modelgate", default=os.path.join(HERE, "..", "build", "modelgate"))
    ap.add_argument("--before", help="an older modelgate binary to run alongside")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--shapes", default="/tmp/modelgate-shapes")
    ap.add_argument("shape", nargs="*")
    a = ap.parse_args()
    wanted = a.shape or ["unique-strings.pkl", "objects.pkl", "dense.pkl", "checkpoints", "weights-1.3g"]
    subprocess.run([PY, os.path.join(HERE, "make_shapes.py"), a.shapes] + wanted, check=True)
    print(f"{os.cpu_count()} cores, load average before: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print(f"{'workload':<20} {'tool':<28} {'median s':>9} {'best s':>8} {'peak MB':>8} {'x modelgate':>12}")
    for shape, tools in workloads(a.modelgate, a.before, a.shapes, wanted):
        times = {name: [] for name, _, _ in tools}
        rss = {name: 0.0 for name, _, _ in tools}
        codes = {}
        for name, argv, _ in tools:  # warm the page cache and the interpreters
            run_once(argv)
        for _ in range(a.runs):
            for name, argv, _ in tools:
                wall, peak, code = run_once(argv)
                times[name].append(wall)
                rss[name] = max(rss[name], peak)
                codes[name] = code
        reference = statistics.median(next(times[n] for n, _, is_mg in tools if is_mg))
        for name, _, _ in tools:
            med = statistics.median(times[name])
            note = "" if codes[name] in (0, 1) else f"  (exit {codes[name]})"
            print(f"{shape:<20} {name:<28} {med:9.3f} {min(times[name]):8.3f} {rss[name]:8.0f} "
                  f"{med / reference:11.1f}x{note}")
    print(f"load average after: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
