#!/usr/bin/env bash
# Signing throughput: hashes a generated 4 GiB model directory (a few large shards and many small
# files) with modelgate and with `openssl dgst -sha256` run over the same files one after another (the
# single-core SHA-NI floor), warm cache, and reports GB/s and peak RSS. The data is deleted afterwards.
#
# Usage: bench/sign_bench.sh [path/to/modelgate]   (default: build/modelgate)
set -euo pipefail
MG=${1:-build/modelgate}
[[ -x $MG ]] || { echo "modelgate binary not found: $MG" >&2; exit 2; }
WORK=$(mktemp -d /tmp/modelgate-sign-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
MODEL=$WORK/model
mkdir -p "$MODEL/small"

# Pseudo-random content from AES-CTR (fast to produce, incompressible).
stream() { { openssl enc -aes-128-ctr -nosalt -pass "pass:$1" -pbkdf2 < /dev/zero 2>/dev/null || true; } | head -c "$2"; }
LARGE=4 LARGE_MIB=992 SMALL=2048 SMALL_KIB=64   # 4 x 992 MiB + 2048 x 64 KiB = 4 GiB
for i in $(seq 1 $LARGE); do stream "large$i" $((LARGE_MIB << 20)) > "$MODEL/model-0000$i-of-0000$LARGE.safetensors"; done
{ stream small $((SMALL * SMALL_KIB << 10)); } | split -b $((SMALL_KIB << 10)) -a 4 - "$MODEL/small/part-"
BYTES=$(du -sb "$MODEL" | cut -f1)
FILES=$(find "$MODEL" -type f | wc -l)

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/key.pem" 2>/dev/null
openssl pkey -in "$WORK/key.pem" -pubout -out "$WORK/key.pub"
# Warm the page cache.
find "$MODEL" -type f -print0 | xargs -0 cat > /dev/null
find "$MODEL" -type f -print0 | xargs -0 cat > /dev/null

measure() {  # name, command...
  local name=$1; shift
  /usr/bin/time -v -o "$WORK/time.txt" "$@" > /dev/null
  local secs rss cpu
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$WORK/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
  cpu=$(awk -F': ' '/User time|System time/ {c+=$2} END {print c}' "$WORK/time.txt")
  awk -v n="$name" -v b="$BYTES" -v s="$secs" -v r="$rss" -v c="$cpu" \
    'BEGIN {printf "%-44s %7.2f s %6.2f GB/s  cpu %6.2f s (%.2f GB per cpu-s)  peak RSS %5.1f MB\n", n, s, b/s/1e9, c, b/c/1e9, r/1024}'
  echo "$secs" > "$WORK/last"
}

echo "model: $FILES files, $BYTES bytes, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(openssl version)"
measure "openssl dgst -sha256 (files one after another)" \
  sh -c "find '$MODEL' -type f -print0 | sort -z | xargs -0 openssl dgst -sha256"
BASE=$(cat "$WORK/last")
measure "modelgate digest (files, sha256)" "$MG" digest "$MODEL"
DIGEST=$(cat "$WORK/last")
measure "modelgate sign key (files, sha256)" "$MG" sign key --private-key "$WORK/key.pem" --signature "$WORK/model.sig" "$MODEL"
SIGN=$(cat "$WORK/last")
measure "modelgate sign key (shards 1 GB, sha256)" "$MG" sign key --serialization shards --private-key "$WORK/key.pem" \
  --signature "$WORK/shards.sig" "$MODEL"
measure "modelgate verify key (files, sha256)" "$MG" verify key --public-key "$WORK/key.pub" \
  --signature "$WORK/model.sig" "$MODEL"
measure "modelgate digest (files, blake2b)" "$MG" digest --hash-type blake2b "$MODEL"
awk -v a="$BASE" -v d="$DIGEST" -v s="$SIGN" 'BEGIN {printf "speed-up over openssl: digest %.2fx, sign %.2fx\n", a/d, a/s}'
