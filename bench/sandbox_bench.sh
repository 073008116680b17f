#!/usr/bin/env bash
# 400 small PyTorch checkpoints (torch.save, zip layout): wall time of `modelgate scan -q DIR` with
# the parse workers confined (--sandbox strict) against unconfined (--sandbox off), each run
# RUNS times (default 5) alternately; prints every run, the medians, their ratio and the load.
# usage: bench/sandbox_bench.sh [build/modelgate]      (docs/sandbox.md, "Cost")
set -euo pipefail
mg=${1:-build/modelgate}
runs=${RUNS:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 - "$dir/ckpt" <<'PY'
import os, sys, torch
root = sys.argv[1]
os.makedirs(root)
for i in range(400):
    torch.save({"w": torch.full((4, 4), float(i)), "b": torch.zeros(4)}, os.path.join(root, "m%03d.pt" % i))
PY
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
time_one() {
  local start end
  start=$(date +%s.%N)
  "$mg" scan -q --sandbox "$1" "$dir/ckpt" >/dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
"$mg" scan -q --sandbox strict "$dir/ckpt" >/dev/null  # warm the page cache
: >"$dir/off"
: >"$dir/strict"
for ((i = 0; i < runs; ++i)); do
  time_one off >>"$dir/off"
  time_one strict >>"$dir/strict"
done
off=$(median <"$dir/off")
strict=$(median <"$dir/strict")
echo "off:    $(tr '\n' ' ' <"$dir/off")s"
echo "strict: $(tr '\n' ' ' <"$dir/strict")s"
echo "400 checkpoints, median: off ${off} s, strict ${strict} s, ratio $(echo "scale=2; $strict / $off" | bc)"
echo "load: $(uptime)"
