#!/usr/bin/env bash
# The GPU run of the release bundle, on a bare x86-64 GPU machine without Swift: finds the
# vendor's OpenCL driver and registers it when /etc/OpenCL/vendors lacks it, then runs
# `sigah devices`, `check`, `tune` (a GEMM setting for every shape of a step), `devices
# --details` (extensions, the tuned settings, the PTX header), `bench --json` on the GPU and on the CPU backend with
# every core, and trains SiGAH and SiGAH-DM on the bundled MNIST on both, with their mAP,
# and HashGAN, GMANs, SGH and BA on the GPU.
# The log goes to $OUT/gpu-check.log (default $OUT: ./gpu-check-out) and every step's output
# and log (not the models: too large to bring back) to $OUT/gpu-check.tar.gz, packed again after each step so that a run cut
# short still brings back what it did (the device tool returns at most 8 files). Each step
# has a time limit; the most telling steps come first.
#   make bundle && OUT=/tmp/out scripts/gpu-check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-gpu-check-out}
mkdir -p "$OUT"
work=$(mktemp -d)/gpu-check
mkdir -p "$work"
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
# The driver needs libcuda beside it; the mounted folder goes on the search path only when the
# linker cache lacks it (last, so that the bundle's ICD loader stays the one loaded).
echo "libcuda.so.1 in the linker cache: $(ldconfig -p | grep -c 'libcuda.so.1 ')"
if [ -n "$driver" ] && ! ldconfig -p | grep -q 'libcuda.so.1 '; then
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$(dirname "$driver")"
fi
echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv | tee "$work/nvidia-smi.csv"

bundle=dist/sigah-linux-x86_64
if [ ! -x "$bundle/bin/sigah" ] && [ -f dist/sigah-linux-x86_64.tar.gz ]; then
  tar -C dist -xzf dist/sigah-linux-x86_64.tar.gz
fi
sigah="$bundle/bin/sigah"
[ -x "$sigah" ] || { echo "no bundle at $bundle: run make bundle first"; exit 1; }
cores=$(nproc)
# OpenBLAS's DYNAMIC_ARCH reads the CPU model, which a virtual machine may hide: on the H200
# box it fell back to Prescott (SSE3) kernels. Name the core from the instruction sets the
# CPU reports instead, unless the caller chose one.
has() { grep -m1 '^flags' /proc/cpuinfo | grep -qw "$1"; }
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if has avx512f && has avx512bw && has avx512vl; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif has avx2 && has fma; then
    export OPENBLAS_CORETYPE=Haswell
  fi
fi
echo "CPU: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2-), $cores cores; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
mnist=data/mnist/t10k-images-idx3-ubyte.gz
export SIGAH_TUNING_CACHE="$work/tuning.json"

step() {  # step NAME SECONDS COMMAND...: runs, keeps its output, says how it ended
  local name=$1 limit=$2
  shift 2
  echo "== $name"
  local start=$SECONDS
  timeout "$limit" "$@" > "$work/$name.out" 2> "$work/$name.err"
  local status=$?
  tail -n 40 "$work/$name.out"
  [ $status = 0 ] || tail -n 5 "$work/$name.err"
  echo "-- $name: exit $status after $((SECONDS - start)) s"
  tar -C "$(dirname "$work")" --exclude="*.safetensors" -czf "$OUT/gpu-check.tar.gz" gpu-check
}

step devices 20 "$sigah" devices
step check 60 "$sigah" check --backend opencl
step tune 150 "$sigah" tune
# Extensions, every step shape's tuned GEMM setting and the PTX header of the GEMM program.
step details 30 "$sigah" devices --details
step bench-gpu 150 "$sigah" bench --json --backend opencl --runs 3
train() {  # train METHOD BACKEND
  step "train-$1-$2" 40 "$sigah" train "$mnist" --method "$1" --bits 64 --epochs 10 --backend "$2" \
    --threads "$cores" --log-json "$work/train-$1-$2.jsonl" --out "$work/$1-$2.safetensors" --quiet
}
train sigah opencl
train sigah-dm opencl
step bench-cpu 150 "$sigah" bench --json --backend cpu --threads "$cores" --runs 3
train sigah cpu
train sigah-dm cpu
for backend in opencl cpu; do
  step "eval-$backend" 80 "$sigah" eval "$mnist" --methods sigah,sigah-dm,itq --bits 64 --epochs 10 \
    --backend "$backend" --threads "$cores" --out "$work/eval-$backend" --json --quiet
done
# The other papers' methods on the GPU: their mAP beside ITQ after a short training.
step eval-methods-opencl 150 "$sigah" eval "$mnist" --methods itq,sgh,ba,hashgan,gmans --bits 32 --epochs 10 \
  --backend opencl --out "$work/eval-methods-opencl" --json --quiet
# GMANs' schedule decided on the host (one read a step) against on the device (no read,
# 82 launches a step against 64 on PoCL): which one a GPU wants is measured here.
for schedule in false true; do
  step "gmans-schedule-on-device-$schedule" 60 "$sigah" train "$mnist" --method gmans --bits 32 --epochs 3 \
    --backend opencl --gmans-schedule-on-device "$schedule" --out "$work/gmans-$schedule.safetensors"
done
echo "== done: $(ls "$work" | wc -l) files in $OUT/gpu-check.tar.gz"
