#!/bin/bash
# Training throughput with 1 and 2 MPI ranks against one process (BENCHMARKS.md): each
# method trains on MNIST's 60,000 training images (as .npy) with `sigah train` (CPU
# backend, every core), `sigah-mpi train` on 1 rank (unbound, so it may use every core)
# and on 2 ranks (one core each); the samples/s of the last epoch and the wall time of
# the whole command.
#   scripts/mpi-train-bench.sh [train-images-idx3-ubyte.gz] [epochs] [methods…]
set -euo pipefail
train=${1:-../shared/data/mnist/train-images-idx3-ubyte.gz}
epochs=${2:-2}
shift $(($# < 2 ? $# : 2))
methods=("${@:-sigah sigah-dm sgh hashgan}")
read -r -a methods <<<"${methods[*]}"
bin=${BIN:-.build/release}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_MCA_btl_vader_single_copy_mechanism=none
/usr/bin/python3 - "$train" "$work" <<'PY'
import gzip, sys, numpy as np
data = gzip.open(sys.argv[1]).read()
n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
np.save(f"{sys.argv[2]}/base.npy", np.frombuffer(data, np.uint8, offset=16).reshape(n, rows * cols).astype(np.float32))
PY
# The last "N samples/s" of a log.
rate() { grep -o '[0-9.]* samples/s' "$1" | tail -1 | cut -d' ' -f1; }
mpi() { mpirun --oversubscribe --allow-run-as-root --bind-to none -np "$1" "$bin/sigah-mpi" train "$work/base.npy" "${@:2}"; }
echo "| method | one process (all cores) | 1 rank | 2 ranks | 2 ranks ÷ one process |"
echo "| --- | ---: | ---: | ---: | ---: |"
for method in "${methods[@]}"; do
  extra=(--bits 64 --epochs "$epochs" --method "$method")
  # SiGAH-DM without its validation and ranking stage, alike in every run.
  [ "$method" = sigah-dm ] && extra+=(--val-size 0 --ranking-steps 0)
  "$bin/sigah" train "$work/base.npy" "${extra[@]}" --backend cpu -o "$work/one.st" 2>"$work/one.log" >/dev/null
  mpi 1 "${extra[@]}" -o "$work/r1.st" 2>"$work/r1.log"
  mpi 2 "${extra[@]}" -o "$work/r2.st" 2>"$work/r2.log"
  a=$(rate "$work/one.log"); b=$(rate "$work/r1.log"); c=$(rate "$work/r2.log")
  printf '| %s | %.0f samples/s | %.0f | %.0f | %.2f |\n' "$method" "$a" "$b" "$c" "$(echo "$c / $a" | bc -l)"
done
