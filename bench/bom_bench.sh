#!/usr/bin/env bash
# `modelgate bom` of a 1.3 GB model directory against `modelgate digest` of it (the OMS manifest: a
# SHA-256 of every file): the BOM hashes every file and member in the scan's own pass, so it should
# cost at most 1.2x the digest. The directory (generated, deleted afterwards) holds 4 x 256 MiB
# safetensors shards with an index, a 256 MiB torch.save checkpoint, config, tokenizer config and a
# model card; random tensor bytes, so nothing is sparse or compressible. Both runs start with a warm
# page cache (one untimed read first); best of 3 wall times.
# usage: bench/bom_bench.sh [path/to/modelgate]
set -euo pipefail
MG=${1:-build/modelgate}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d /tmp/modelgate-bom-bench.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
/usr/bin/python3 - "$DIR/model" "$HERE/../tests/fixtures" <<'PY'
import json, os, sys, torch
out, fixtures = sys.argv[1], sys.argv[2]
sys.path.insert(0, fixtures)
import make_safetensors_gguf as st
torch.manual_seed(0)
shards, weight_map = {}, {}
for s in range(4):
    name = "model-%05d-of-00004.safetensors" % (s + 1)
    tensors = {f"layer{s}.{i}.weight": torch.randn(4096, 4096) for i in range(4)}  # 4 x 64 MiB
    shards[name] = tensors
    weight_map.update({k: name for k in tensors})
st.write_sharded(out, shards, weight_map)
torch.save({f"extra.{i}": torch.randn(4096, 4096) for i in range(4)}, os.path.join(out, "pytorch_model.bin"))
st.write(os.path.join(out, "config.json"), json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"]}).encode())
st.write(os.path.join(out, "tokenizer_config.json"), b'{"tokenizer_class": "LlamaTokenizer"}')
st.write(os.path.join(out, "README.md"), b"---\nlicense: apache-2.0\n---\n# bench\n")
PY
du -sh "$DIR/model"
cat "$DIR"/model/* > /dev/null
best() {  # best wall time of 3 runs, in seconds
  local b=
  for _ in 1 2 3; do
    local s e
    s=$(date +%s.%N); "$@" > /dev/null || true; e=$(date +%s.%N)
    b=$(echo "$e - $s" | bc -l | awk -v b="$b" '{ if (b == "" || $1 < b) print $1; else print b }')
  done
  echo "$b"
}
uptime
digest=$(best "$MG" digest "$DIR/model")
bom=$(best "$MG" bom "$DIR/model" -o "$DIR/bom.json")
scan=$(best "$MG" scan --format json "$DIR/model" -o "$DIR/scan.json")
printf 'digest %.2fs  bom %.2fs  (%.2fx)  scan alone %.2fs\n' "$digest" "$bom" "$(echo "$bom / $digest" | bc -l)" "$scan"
uptime
