#!/usr/bin/env bash
# A directory of 100,000 small pickles plus one dangerous one: time and peak memory of
# `modelgate scan -q DIR` (docs/cli.md, "Walking"). usage: bench/wide_directory.sh [build/modelgate]
set -euo pipefail
mg=${1:-build/modelgate}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 - "$dir/wide" <<'PY'
import os, sys
root = sys.argv[1]
os.makedirs(root)
safe = b"\x80\x02}q\x00X\x01\x00\x00\x00aK\x01s."
for i in range(100000):
    with open(os.path.join(root, "f%06d.pkl" % i), "wb") as f:
        f.write(safe)
with open(os.path.join(root, "zz-evil.pkl"), "wb") as f:
    f.write(b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00id\x85R.")
PY
set +e
/usr/bin/time -f "wide directory, 100001 files: %e s wall, peak RSS %M kB" "$mg" scan -q "$dir/wide" | tail -1
echo "exit code $? (1 expected: one unsafe file)"
