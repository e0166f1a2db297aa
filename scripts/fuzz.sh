#!/usr/bin/env bash
# The readers' fuzz targets (Sources/FuzzReaders): built with libFuzzer from the Swift
# toolchain, each run from its seeds in Tests/FuzzSeeds/<target>. Any crash fails the
# run and leaves its input in fuzz-crashes/ (replay it with a plain build:
# SIGAH_FUZZ_TARGET=<target> .build/release/sigah-fuzz <file>).
#   scripts/fuzz.sh runs N      each target for N inputs (CI)
#   scripts/fuzz.sh seconds S   each target for S seconds (make fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-runs}
amount=${2:-20000}
case "$mode" in
  runs) limit="-runs=$amount" ;;
  seconds) limit="-max_total_time=$amount" ;;
  *) echo "usage: scripts/fuzz.sh runs N | seconds S" >&2; exit 2 ;;
esac
# gold fails on the instrumented objects (an internal error in its DWARF reader); lld links them.
swift build -c release --product sigah-fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING -Xswiftc -use-ld=lld 2>&1 | tail -n 1
binary=.build-fuzz/release/sigah-fuzz
mkdir -p fuzz-crashes
for target in fvecs bvecs ivecs idx idx-gz npy csv model checkpoint index options configuration stdin tuning; do
  corpus=$(mktemp -d)
  cp Tests/FuzzSeeds/"$target"/* "$corpus"/
  start=$SECONDS
  # libFuzzer's last lines say how many inputs ran; a crash makes it exit non-zero.
  if ! SIGAH_FUZZ_TARGET=$target "$binary" "$limit" -max_len=16384 -artifact_prefix="fuzz-crashes/$target-" \
    "$corpus" > "$corpus.log" 2>&1; then
    tail -n 30 "$corpus.log"
    echo "fuzz: $target crashed; the input is in fuzz-crashes/" >&2
    exit 1
  fi
  executed=$(grep -o 'Done [0-9]* runs' "$corpus.log" | tail -n 1 || true)
  echo "fuzz $target: ${executed:-no summary} in $((SECONDS - start)) s, no crash"
  rm -rf "$corpus" "$corpus.log"
done
