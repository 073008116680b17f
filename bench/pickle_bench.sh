#!/usr/bin/env bash
# Pickle machine speed and memory on a generated >=100 MB opcode-dense pickle, next to Python's
# pickletools.genops on the same file. Usage: bench/pickle_bench.sh [SIZE_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100}
file=/tmp/modelgate-dense.pkl
[[ -f $file ]] || /usr/bin/python3 bench/make_dense_pickle.py "$file" "$size"
ls -l "$file"
cmake -S . -B build -G Ninja -DMODELGATE_BENCH=ON >/dev/null && cmake --build build --target pickle_bench modelgate >/dev/null
MG_BENCH_PICKLE=$file taskset -c 0 build/bench/pickle_bench
echo "--- peak memory of a full scan (max resident set size, the mapping included):"
/usr/bin/time -v build/modelgate scan -j1 "$file" 2>&1 | grep -E "Maximum resident|Elapsed|safe|unsafe" || true
echo "--- Python pickletools.genops over the same file:"
/usr/bin/python3 - "$file" <<'PY'
import pickletools, sys, time
data = open(sys.argv[1], "rb").read()
t = time.perf_counter()
n = sum(1 for _ in pickletools.genops(data))
dt = time.perf_counter() - t
print(f"{n} opcodes in {dt:.1f} s: {len(data) / dt / 1e6:.1f} MB/s")
PY
