#!/bin/sh
# Scripted benchmark: generate a 7B-style Hugging Face repository (two sparse safetensors shards
# of ~13.5 GB total, the index, tokenizer.json, tokenizer_config.json with a chat template,
# config.json, generation_config.json) and time `modelgate scan` over it.
# usage: bench/formats_repo_bench.sh [path/to/modelgate] [runs]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$here/build/modelgate}
runs=${2:-5}
dir=$(mktemp -d /tmp/modelgate-7b-XXXXXX)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 "$here/tests/fixtures/make_safetensors_gguf.py" repo-7b "$dir"
echo "repository: $(du -sh --apparent-size "$dir" | cut -f1) apparent, $(du -sh "$dir" | cut -f1) on disk, $(ls "$dir" | wc -l) files"
"$bin" scan "$dir" >/dev/null || { "$bin" scan -v "$dir"; echo "scan did not pass"; exit 1; }
i=0
while [ "$i" -lt "$runs" ]; do
  start=$(date +%s%N)
  "$bin" scan "$dir" >/dev/null
  end=$(date +%s%N)
  echo "run $i: $(( (end - start) / 1000000 )) ms"
  i=$((i + 1))
done
