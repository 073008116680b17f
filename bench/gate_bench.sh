#!/usr/bin/env bash
# The gate's inventory: `admit` of a ~1 GB model directory cold (empty store) and cached (every file
# already judged: hashed, looked up, not scanned), against no store for reference; then 10 admits at
# once against one SQLite file and one PostgreSQL database (wall time, rows afterwards). Warm page
# cache throughout, so the difference is the scan itself. The data is deleted afterwards.
#
# Usage: bench/gate_bench.sh [path/to/modelgate]   (default: build/modelgate)
# PostgreSQL: MODELGATE_TEST_POSTGRES=postgresql://user@host:port (a throwaway cluster is started with
# scripts/postgres-cluster when it is unset).
set -euo pipefail
MG=$(realpath "${1:-build/modelgate}")
[[ -x $MG ]] || { echo "modelgate binary not found: $MG" >&2; exit 2; }
HERE=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/modelgate-gate-bench.XXXXXX)
PG_DIR=""
cleanup() { [[ -n $PG_DIR ]] && "$HERE/scripts/postgres-cluster" stop "$PG_DIR"; rm -rf "$WORK"; }
trap cleanup EXIT

# Pseudo-random content from AES-CTR (fast to produce, incompressible).
stream() { { openssl enc -aes-128-ctr -nosalt -pass "pass:$1" -pbkdf2 < /dev/zero 2>/dev/null || true; } | head -c "$2"; }
# A safetensors file of one U8 tensor of $2 bytes.
safetensors() {
  local header="{\"w\":{\"dtype\":\"U8\",\"shape\":[$2],\"data_offsets\":[0,$2]}}"
  while (( ${#header} % 8 )); do header+=" "; done
  { python3 -c "import struct,sys; sys.stdout.buffer.write(struct.pack('<Q', ${#header}))"; printf '%s' "$header"; stream "$1" "$2"; } > "$3"
}
MODEL=$WORK/model
mkdir -p "$MODEL"
for i in 1 2 3 4; do safetensors "shard$i" $((240 << 20)) "$MODEL/model-0000$i-of-00004.safetensors"; done
python3 - "$MODEL" <<'PY'
import json, sys
d = sys.argv[1]
json.dump({"model_type": "llama", "hidden_size": 4096}, open(f"{d}/config.json", "w"))
json.dump({"metadata": {}, "weight_map": {"w": "model-00001-of-00004.safetensors"}}, open(f"{d}/model.safetensors.index.json", "w"))
for i in range(60):
    json.dump({"part": i, "values": list(range(2000))}, open(f"{d}/extra-{i:02}.json", "w"))
PY
/usr/bin/python3 -c "import torch; torch.save({'w': torch.zeros(16 << 20)}, '$MODEL/legacy.pt')"
BYTES=$(du -sb "$MODEL" | cut -f1); FILES=$(find "$MODEL" -type f | wc -l)
echo '{"schema": "modelgate.policy/2", "formats": {"deny": ["pickle"]}, "allow_status": ["safe", "unverified"]}' > "$WORK/policy.json"
find "$MODEL" -type f -print0 | xargs -0 cat > /dev/null

seconds() { local t0; t0=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; echo "$(date +%s.%N) - $t0" | bc; }
echo "model: $FILES files, $BYTES bytes; load: $(uptime | sed 's/.*load average: //')"
printf '%-34s %8s\n' "run" "seconds"
printf '%-34s %8.2f\n' "admit, no store" "$(seconds "$MG" admit "$MODEL" --policy "$WORK/policy.json")"
printf '%-34s %8.2f\n' "admit, cold sqlite store" "$(seconds "$MG" admit "$MODEL" --policy "$WORK/policy.json" --store "sqlite:$WORK/inv.db")"
printf '%-34s %8.2f\n' "admit, cached sqlite store" "$(seconds "$MG" admit "$MODEL" --policy "$WORK/policy.json" --store "sqlite:$WORK/inv.db")"
"$MG" admit "$MODEL" --policy "$WORK/policy.json" --store "sqlite:$WORK/inv.db" --format json | python3 -c \
  'import json,sys; i=json.load(sys.stdin)["inventory"]; print("  cached run: %d hits, %d misses" % (i["hits"], i["misses"]))' || true
printf '%-34s %8.2f\n' "scan only (no hashing, reference)" "$(seconds "$MG" scan "$MODEL")"
# The same with the scan doing real work: opcode-dense pickles (the pickle machine reads every opcode).
PMODEL=$WORK/pickles
mkdir -p "$PMODEL"
for i in 1 2 3; do /usr/bin/python3 "$HERE/bench/make_dense_pickle.py" "$PMODEL/part$i.pkl" 60; done
find "$PMODEL" -type f -print0 | xargs -0 cat > /dev/null
echo "pickle model: $(find "$PMODEL" -type f | wc -l) files, $(du -sb "$PMODEL" | cut -f1) bytes"
printf '%-34s %8.2f\n' "pickles: admit, cold sqlite store" "$(seconds "$MG" admit "$PMODEL" --policy "$WORK/policy.json" --store "sqlite:$WORK/inv.db")"
printf '%-34s %8.2f\n' "pickles: admit, cached sqlite" "$(seconds "$MG" admit "$PMODEL" --policy "$WORK/policy.json" --store "sqlite:$WORK/inv.db")"

# 10 concurrent admits: each its own 40 files plus 20 shared by all.
for p in $(seq 0 9); do
  mkdir -p "$WORK/c$p"
  for f in $(seq 0 39); do echo "{\"proc\": $p, \"file\": $f, \"pad\": \"$(stream "c$p$f" 3000 | base64 -w0)\"}" > "$WORK/c$p/f$f.json"; done
done
mkdir -p "$WORK/shared"
for f in $(seq 0 19); do echo "{\"shared\": $f}" > "$WORK/shared/s$f.json"; done
concurrent() {  # store URI
  local t0; t0=$(date +%s.%N)
  local pids=""; for p in $(seq 0 9); do "$MG" admit "$WORK/c$p" "$WORK/shared" --policy "$WORK/policy.json" --store "$1" >/dev/null 2>&1 & pids="$pids $!"; done
  local fail=0; for j in $pids; do wait "$j" || fail=1; done
  echo "$(echo "$(date +%s.%N) - $t0" | bc) $fail"
}
rows() {  # store URI: results decisions decision_files
  "$MG" inventory list --store "$1" --format json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)), end=" ")'
  "$MG" inventory decisions --store "$1" --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), sum(len(x["files"]) for x in d))'
}
read -r t fail <<<"$(concurrent "sqlite:$WORK/conc.db")"
printf '%-34s %8.2f  exit-failures=%s rows(results decisions files)=%s\n' "10 concurrent admits, sqlite" "$t" "$fail" "$(rows "sqlite:$WORK/conc.db")"
if [[ -z ${MODELGATE_TEST_POSTGRES:-} ]]; then
  PG_DIR=$WORK/pg
  "$HERE/scripts/postgres-cluster" start "$PG_DIR"
  MODELGATE_TEST_POSTGRES=$(cat "$PG_DIR/uri")
fi
DB=mg_bench_$$
psql_uri="$MODELGATE_TEST_POSTGRES/postgres"
psql "$psql_uri" -qc "CREATE DATABASE $DB"
read -r t fail <<<"$(concurrent "$MODELGATE_TEST_POSTGRES/$DB")"
printf '%-34s %8.2f  exit-failures=%s rows(results decisions files)=%s\n' "10 concurrent admits, postgresql" "$t" "$fail" "$(rows "$MODELGATE_TEST_POSTGRES/$DB")"
echo "expected rows: results $((10 * 40 + 20)), decisions 10, files $((10 * 60)); load: $(uptime | sed 's/.*load average: //')"
