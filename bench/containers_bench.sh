#!/usr/bin/env bash
# Container benchmarks (scripted run over generated data; the data is deleted afterwards):
#  (a) one 1 GiB torch.save checkpoint: scan time must not depend on tensor bytes
#  (b) 400 small checkpoints in a directory: files per second with every core
#  (c) one pre-1.0 tar checkpoint with a 1 GiB storage: same independence from tensor bytes
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

# (c) a pre-1.0 tar checkpoint with a 1 GiB storage, laid out as torch.load's legacy_load reads it
# (records as in tests/fixtures/make_torch_tar.py); the storage bytes are streamed, never held.
import io, pickle, struct, tarfile
numel = 256 << 20
head = pickle.dumps(1, protocol=2) + pickle.dumps((1, "cpu", torch.FloatStorage), protocol=2) + struct.pack("<q", numel)
tail = pickle.dumps([], protocol=2)
class Storages:  # head, numel * 4 zero bytes, tail; read(n) returns exactly n bytes as tarfile wants
    def __init__(self):
        self.pos = 0; self.size = len(head) + numel * 4 + len(tail)
    def read(self, n):
        out = bytearray()
        while n > 0 and self.pos < self.size:
            zeros_end = len(head) + numel * 4
            if self.pos < len(head):
                chunk = head[self.pos:self.pos + n]
            elif self.pos < zeros_end:
                chunk = bytes(min(n, zeros_end - self.pos))
            else:
                chunk = tail[self.pos - zeros_end:self.pos - zeros_end + n]
            out += chunk; self.pos += len(chunk); n -= len(chunk)
        return bytes(out)
tensors = pickle.dumps(1, protocol=2) + pickle.dumps((2, 1, torch.FloatTensor), protocol=2) + struct.pack("<i", 1) + b"\0" * 4 + struct.pack("<qqq", numel, 1, 0)
class Pid:
    pass
class P(pickle.Pickler):
    def persistent_id(self, o): return "2" if isinstance(o, Pid) else None
buf = io.BytesIO(); P(buf, protocol=2).dump({"w": Pid()})
with tarfile.open(os.path.join(d, "big_tar.pt"), "w", format=tarfile.PAX_FORMAT) as t:
    for name, data, size in (("sys_info", io.BytesIO(b"}."), 2), ("pickle", io.BytesIO(buf.getvalue()), len(buf.getvalue())),
                             ("storages", Storages(), len(head) + numel * 4 + len(tail)),
                             ("tensors", io.BytesIO(tensors), len(tensors))):
        ti = tarfile.TarInfo(name); ti.size = size; t.addfile(ti, data)
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
echo "(c) 1 GiB pre-1.0 tar checkpoint:        $(measure "$MG" scan -j1 "$DIR/big_tar.pt")"
start=$(date +%s.%N)
res=$(measure "$MG" scan -j2 "$DIR/many")
end=$(date +%s.%N)
echo "(b) 400 checkpoints, -j2: $res, $(echo "400 / ($end - $start)" | bc -l | cut -c1-6) files/s"
res=$(measure "$MG" scan -j1 "$DIR/many")
echo "    400 checkpoints, -j1: $res"
