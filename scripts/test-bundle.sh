#!/usr/bin/env bash
# The release bundle as a GPU box runs it (scripts/gpu-check.sh): built with the static
# Swift standard library, unpacked elsewhere and started with a bare environment. Every
# command must see its arguments (a static build once lost them, see cpu_features.c),
# OpenBLAS's core must be chosen as in the test build, and a model trained by the bundle
# must encode to the bytes the test build writes.
#   scripts/test-bundle.sh   (after the test build: compares with .build/release/sigah)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bundle.sh > /dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf dist/sigah-linux-x86_64.tar.gz
sigah="$work/sigah-linux-x86_64/bin/sigah"
bare() { env -i HOME="$work" PATH=/usr/bin:/bin "$@"; }
fail() { echo "test-bundle: $*" >&2; exit 1; }

version=$(bare "$sigah" --version)
[[ $version == "sigah "* ]] || fail "--version printed '$version'"
bare "$sigah" devices > "$work/devices.txt"
grep -q "^CPU backend:" "$work/devices.txt" || fail "devices printed: $(head -n 3 "$work/devices.txt")"
# A processor OpenBLAS does not recognise: the bundle picks the core the flags allow.
if grep -m1 '^flags' /proc/cpuinfo | grep -qw avx2; then
  bare SIGAH_OPENBLAS_EMULATE_DETECTION=Prescott "$sigah" devices | grep -q "chosen by sigah" ||
    fail "no OpenBLAS core chosen over a Prescott detection"
fi
mnist="$work/sigah-linux-x86_64/data/mnist/t10k-images-idx3-ubyte.gz"
bare "$sigah" train "$mnist" --method itq --bits 32 --backend cpu --out "$work/itq.safetensors" --quiet
bare "$sigah" encode --model "$work/itq.safetensors" "$mnist" --out "$work/bundle.npy" --backend cpu --quiet
.build/release/sigah encode --model "$work/itq.safetensors" "$mnist" --out "$work/build.npy" --backend cpu --quiet
cmp -s "$work/bundle.npy" "$work/build.npy" || fail "the bundle's codes differ from the test build's"
echo "test-bundle: the bundle parses its commands, chooses its BLAS core and encodes as the test build"
