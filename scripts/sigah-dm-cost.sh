#!/usr/bin/env bash
# SiGAH-DM's training time against ITQ's with the defaults, whole processes, at 10 k
# (SIFT10K), 60 k (MNIST's training images, when a copy is given) and 1 M vectors (1,000
# Gaussian clusters in 128 dimensions, made here with NumPy, seed 7). BENCHMARKS.md,
# "SiGAH-DM's training time against ITQ's".
#   scripts/sigah-dm-cost.sh [MNIST_TRAIN_IMAGES] [BITS]
set -euo pipefail
cd "$(dirname "$0")/.."
mnist=${1:-}
bits=${2:-32}
sigah=.build/release/sigah
folder=$(mktemp -d)
trap 'rm -rf "$folder"' EXIT
/usr/bin/python3 - "$folder/clustered-1m.npy" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(7)
centres = rng.normal(0, 10, size=(1000, 128)).astype(np.float32)
labels = rng.integers(0, 1000, size=1_000_000)
data = centres[labels] + rng.normal(0, 4, size=(1_000_000, 128)).astype(np.float32)
np.save(sys.argv[1], data.astype(np.float32))
PY
sets=("sift10k data/siftsmall/siftsmall_base.fvecs")
[ -n "$mnist" ] && sets+=("mnist60k $mnist")
sets+=("clustered1m $folder/clustered-1m.npy")
"$sigah" devices 2>/dev/null | grep -m 1 'OpenBLAS core' | sed 's/^ *//'
for entry in "${sets[@]}"; do
  name=${entry%% *}
  path=${entry#* }
  for method in itq sigah-dm; do
    log="$folder/$name-$method.log"
    /usr/bin/time -f "$name $method: wall %e s, peak %M KB" \
      "$sigah" train "$path" --method "$method" --bits "$bits" --backend cpu --out "$folder/model.safetensors" 2> "$log"
    tail -n 1 "$log"
    grep -h "^trained" "$log" || true
  done
done
