#!/usr/bin/env bash
# Container benchmarks (scripted run over generated data; the data is deleted afterwards):
#  (a) one 1 GiB torch.save checkpoint: scan time must not depend on tensor bytes
#  (b) 400 small checkpoints in a directory: files per second with every core
# usage: bench/containers_bench.sh [path/to/modelgate]
set -euo pipefail
MG=${1:-build/modelgate}
DIR=$(mktemp -d /tmp/modelgate-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
/usr/bin/python3 - "$DIR" <<'PY'
import os, sys, torch, torch.nn as nn
d = sys.argv[1]
torch.save({"w": torch.zeros(256 << 20), "b": torch.ones(10)}, os.path.join(d, "big.pt"))     # 1 GiB
torch.save({"w": torch.zeros(1 << 10), "b": torch.ones(10)}, os.path.join(d, "small.pt"))     # 4 KiB
os.makedirs(os.path.join(d, "many"))
torch.manual_seed(0)
for i in range(400):
    m = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 8))
    torch.save(m.state_dict(), os.path.join(d, "many", f"ckpt{i:03d}.pt"))
PY
measure() {
  /usr/bin/time -v "$@" >/dev/null 2>"$DIR/time.txt" || true
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$DIR/time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$DIR/time.txt" | awk '{print $NF}')
  echo "$wall s wall, peak RSS $((rss / 1024)) MiB"
}
sync
echo "(a) 1 GiB checkpoint ($(du -h "$DIR/big.pt" | cut -f1)): $(measure "$MG" scan -j1 "$DIR/big.pt")"
echo "    4 KiB checkpoint, same structure:      $(measure "$MG" scan -j1 "$DIR/small.pt")"
start=$(date +%s.%N)
res=$(measure "$MG" scan -j2 "$DIR/many")
end=$(date +%s.%N)
echo "(b) 400 checkpoints, -j2: $res, $(echo "400 / ($end - $start)" | bc -l | cut -c1-6) files/s"
res=$(measure "$MG" scan -j1 "$DIR/many")
echo "    400 checkpoints, -j1: $res"
