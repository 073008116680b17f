#!/usr/bin/env bash
# `modelgate convert` against the usual Python path (bench/convert_baseline.py: torch.load + a
# numpy safetensors writer), on generated data that is deleted afterwards:
#  (a) one 1 GiB torch.save checkpoint (16 x 64 MiB float32 tensors)
#  (b) a directory of 4 x 512 MiB shards with an index, a config and a tokenizer file
# Wall time and peak RSS from /usr/bin/time -v; the inputs are read once and `sync` runs before every
# run, so each tool starts with a warm page cache and no dirty pages of the previous run. modelgate
# writes atomically (temp file + rename) without fsync, like the Python baseline; the durable variants
# are compared too: `modelgate convert --sync` (fsync before rename) against Python followed by
# `sync` ("python+sync"). Outputs go to the same filesystem:
# on reflink-capable filesystems (XFS, btrfs) copy_file_range shares extents and the copy is close
# to free; on ext4 it is an in-kernel page-cache copy.
# usage: bench/convert_bench.sh [path/to/modelgate]
set -euo pipefail
MG=${1:-build/modelgate}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d /tmp/modelgate-convert-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
/usr/bin/python3 - "$DIR" <<'PY'
import json, os, sys, torch
d = sys.argv[1]
torch.manual_seed(0)
torch.save({f"layer{i}.weight": torch.randn(4096, 4096) for i in range(16)}, os.path.join(d, "ckpt.bin"))
os.makedirs(os.path.join(d, "model"))
weight_map = {}
for s in range(4):
    name = "pytorch_model-%05d-of-00004.bin" % (s + 1)
    shard = {f"layers.{s * 8 + i}.weight": torch.randn(4096, 4096) for i in range(8)}
    torch.save(shard, os.path.join(d, "model", name))
    weight_map.update({k: name for k in shard})
json.dump({"metadata": {"total_size": 4 * 8 * 4096 * 4096 * 4}, "weight_map": weight_map},
          open(os.path.join(d, "model", "pytorch_model.bin.index.json"), "w"))
json.dump({"model_type": "bench"}, open(os.path.join(d, "model", "config.json"), "w"))
open(os.path.join(d, "model", "tokenizer.json"), "w").write('{"version": "1.0"}')
PY
measure() {
  cat "$2" >/dev/null 2>&1 || find "$2" -type f -exec cat {} + >/dev/null
  sync
  /usr/bin/time -v "${@:3}" >/dev/null 2>"$DIR/time.txt" || { cat "$DIR/time.txt"; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$DIR/time.txt" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$DIR/time.txt" | awk '{print $NF}')
  printf "  %-15s %10s wall  %8d MiB peak RSS\n" "$1" "$wall" "$((rss / 1024))"
  rm -rf "$DIR/out"
}
sync
echo "(a) 1 GiB checkpoint ($(du -h "$DIR/ckpt.bin" | cut -f1))"
measure modelgate "$DIR/ckpt.bin" "$MG" convert "$DIR/ckpt.bin" "$DIR/out"
measure modelgate+sync "$DIR/ckpt.bin" "$MG" convert --sync "$DIR/ckpt.bin" "$DIR/out"
measure python "$DIR/ckpt.bin" /usr/bin/python3 "$HERE/convert_baseline.py" "$DIR/ckpt.bin" "$DIR/out"
measure python+sync "$DIR/ckpt.bin" sh -c "/usr/bin/python3 '$HERE/convert_baseline.py' '$DIR/ckpt.bin' '$DIR/out' && sync"
echo "(b) directory of 4 x 512 MiB shards ($(du -sh "$DIR/model" | cut -f1))"
measure modelgate "$DIR/model" "$MG" convert "$DIR/model" "$DIR/out"
measure modelgate+sync "$DIR/model" "$MG" convert --sync "$DIR/model" "$DIR/out"
measure python "$DIR/model" /usr/bin/python3 "$HERE/convert_baseline.py" "$DIR/model" "$DIR/out"
measure python+sync "$DIR/model" sh -c "/usr/bin/python3 '$HERE/convert_baseline.py' '$DIR/model' '$DIR/out' && sync"
