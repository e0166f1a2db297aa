#!/usr/bin/env bash
# The GPU run of the release bundle, on a bare x86-64 GPU machine without Swift: finds the
# vendor's OpenCL driver and registers it when /etc/OpenCL/vendors lacks it, then runs
# `sigah devices`, `check`, `tune`, `bench --json` on the GPU and on the CPU backend with
# every core, and trains SiGAH and SiGAH-DM on the bundled MNIST on both, with their mAP.
# Everything goes to $OUT (default: ./gpu-check-out); each step has a time limit so that
# the whole run ends within 8 minutes.
#   make bundle && OUT=/tmp/out scripts/gpu-check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-check-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu-check.log") 2>&1

# 1. The OpenCL driver, before anything else.
echo "== OpenCL driver"
driver=""
for folder in /usr/local/nvidia/lib64 /usr/local/nvidia/lib /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib; do
  if [ -e "$folder/libnvidia-opencl.so.1" ]; then driver="$folder/libnvidia-opencl.so.1"; break; fi
done
[ -n "$driver" ] || driver=$(find / -xdev -name 'libnvidia-opencl.so.1' 2>/dev/null | head -n 1)
echo "libnvidia-opencl.so.1: ${driver:-not found}"
echo "/etc/OpenCL/vendors: $(ls /etc/OpenCL/vendors 2>/dev/null | tr '\n' ' ' || true)"
if [ -n "$driver" ] && ! grep -qs nvidia /etc/OpenCL/vendors/*.icd 2>/dev/null; then
  vendors=$(mktemp -d)
  echo "$driver" > "$vendors/nvidia.icd"
  export OCL_ICD_VENDORS=$vendors
  echo "registered through OCL_ICD_VENDORS=$vendors"
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$OUT/nvidia-smi.csv"

bundle=dist/sigah-linux-x86_64
if [ ! -x "$bundle/bin/sigah" ] && [ -f dist/sigah-linux-x86_64.tar.gz ]; then
  tar -C dist -xzf dist/sigah-linux-x86_64.tar.gz
fi
sigah="$bundle/bin/sigah"
[ -x "$sigah" ] || { echo "no bundle at $bundle: run make bundle first"; exit 1; }
cores=$(nproc)
mnist=data/mnist/t10k-images-idx3-ubyte.gz
export SIGAH_TUNING_CACHE="$OUT/tuning.json"

step() {  # step NAME SECONDS COMMAND...: runs, keeps its output, says how it ended
  local name=$1 limit=$2
  shift 2
  echo "== $name"
  local start=$SECONDS
  timeout "$limit" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
  local status=$?
  tail -n 40 "$OUT/$name.out"
  echo "-- $name: exit $status after $((SECONDS - start)) s"
}

step devices 30 "$sigah" devices
step check 60 "$sigah" check --backend opencl
step tune 120 "$sigah" tune
step bench-gpu 90 "$sigah" bench --json --backend opencl --runs 3
step bench-cpu 90 "$sigah" bench --json --backend cpu --threads "$cores" --runs 3
for backend in opencl cpu; do
  for method in sigah sigah-dm; do
    step "train-$method-$backend" 45 "$sigah" train "$mnist" --method "$method" --bits 64 --epochs 10 \
      --backend "$backend" --threads "$cores" --log-json "$OUT/train-$method-$backend.jsonl" \
      --out "$OUT/$method-$backend.safetensors" --quiet
  done
done
step eval-gpu-models 60 "$sigah" eval "$mnist" --methods sigah,sigah-dm,itq --bits 64 --epochs 10 \
  --backend opencl --out "$OUT/eval-gpu" --json --quiet
echo "== done: $(ls "$OUT" | wc -l) files in $OUT"
