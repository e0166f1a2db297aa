#!/usr/bin/env bash
# Builds a release `sigah` with the Swift standard library and Foundation linked in, and
# packs it with the shared libraries a GPU box may lack (OpenBLAS and its Fortran runtime,
# the OpenCL ICD loader, zlib; CLBlast when present), found through an $ORIGIN/../lib run path. The result runs
# on a Linux x86-64 machine with glibc and no Swift toolchain; the GPU vendor's OpenCL
# driver is found through /etc/OpenCL/vendors as usual.
#   scripts/bundle.sh            → dist/sigah-linux-x86_64/ and dist/sigah-linux-x86_64.tar.gz
set -euo pipefail
cd "$(dirname "$0")/.."
name=sigah-linux-$(uname -m)
out=dist/$name
swift build -c release --product sigah --static-swift-stdlib \
  -Xlinker -rpath -Xlinker '$ORIGIN/../lib' --scratch-path .build-bundle
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
cp .build-bundle/release/sigah "$out/bin/"
# The libraries by the names the binary asks for, resolved to real files.
for soname in libopenblas.so.0 libgfortran.so.5 libquadmath.so.0 libOpenCL.so.1 libz.so.1; do
  path=$(ldd "$out/bin/sigah" | awk -v lib="$soname" '$1 == lib { print $3 }')
  if [ -z "$path" ]; then
    # Dependencies of dependencies (libgfortran, libquadmath come with OpenBLAS).
    path=$(ldconfig -p | awk -v lib="$soname" '$1 == lib && /x86-64/ { print $NF; exit }')
  fi
  [ -n "$path" ] || { echo "bundle: $soname not found" >&2; exit 1; }
  cp -L "$path" "$out/lib/$soname"
done
# CLBlast, when installed here, so that `bench` and `tune` can show it beside our GEMM on the
# GPU box too (loaded at run time through the binary's run path; optional).
clblast=$(ldconfig -p | awk '$1 == "libclblast.so.1" && /x86-64/ { print $NF; exit }')
[ -z "$clblast" ] || cp -L "$clblast" "$out/lib/libclblast.so.1"
# OpenBLAS and gfortran find their own dependencies through their run paths: point
# them at the bundle's lib folder.
if command -v patchelf >/dev/null; then
  for lib in libopenblas.so.0 libgfortran.so.5; do patchelf --set-rpath '$ORIGIN' "$out/lib/$lib"; done
fi
cp README.md "$out/"
# The demo's data, found beside bin/ by `sigah demo` from any folder.
mkdir -p "$out/data/mnist"
cp data/mnist/t10k-images-idx3-ubyte.gz data/mnist/t10k-labels-idx1-ubyte.gz "$out/data/mnist/"
tar -C dist -czf "dist/$name.tar.gz" "$name"
echo "bundle: dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1))"
