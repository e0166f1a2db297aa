#!/usr/bin/env bash
# Builds the Python wheel: the `sigah` package (python/sigah) with libsigahc.so (the C API)
# and every shared library it needs that a Linux x86-64 machine with glibc and a C++
# runtime may lack (the Swift runtime, OpenBLAS and its Fortran runtime, the OpenCL ICD
# loader, zlib), found through $ORIGIN run paths. Nothing is compiled at install time and
# no Swift toolchain is needed to import it; the GPU vendor's OpenCL driver is found
# through /etc/OpenCL/vendors as usual.
#   scripts/wheel.sh   → dist/sigah-VERSION-py3-none-manylinux_2_XX_x86_64.whl
set -euo pipefail
cd "$(dirname "$0")/.."
command -v patchelf >/dev/null || { echo "wheel: patchelf is needed (apt-get install patchelf)" >&2; exit 1; }
# The release bundle's scratch folder: plain release flags, apart from the test build's.
swift build -c release --product sigahc --scratch-path .build-bundle
stage=.build-wheel
rm -rf "$stage"
mkdir -p "$stage/sigah/_lib" "$stage/sigah/include"
cp python/sigah/*.py "$stage/sigah/"
cp include/sigah.h "$stage/sigah/include/"
cp .build-bundle/release/libsigahc.so "$stage/sigah/_lib/"
# Everything ldd resolves except glibc's own libraries and the C++ runtime, which every
# manylinux system has.
ldd .build-bundle/release/libsigahc.so | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' |
  while read -r soname path; do
    case "$soname" in
      libc.so.* | libm.so.* | libdl.so.* | librt.so.* | libpthread.so.* | ld-linux* | libstdc++.so.* | libgcc_s.so.*) ;;
      *) cp -L "$path" "$stage/sigah/_lib/$soname" ;;
    esac
  done
# Each library finds the others beside it, and nothing in the toolchain's folders.
for lib in "$stage"/sigah/_lib/*.so*; do
  chmod u+w "$lib"
  patchelf --set-rpath '$ORIGIN' "$lib"
done
python3 scripts/make_wheel.py "$stage" dist
