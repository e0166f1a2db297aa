#!/bin/bash
# Multi-index hashing against the linear scan on random 64-bit codes, and Faiss's binary
# indexes beside them where Debian's python3-faiss is installed (BENCHMARKS.md).
#   [RUNS=5] scripts/mih-bench.sh [database size, default 10000000] [queries, default 1000]
set -euo pipefail
n=${1:-10000000}
q=${2:-1000}
sigah=${SIGAH:-.build/release/sigah}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" "$n" "$q" <<'PY'
import sys, numpy as np
work, n, q = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(0)
np.save(f"{work}/base.npy", rng.integers(0, 2**64, size=(n, 1), dtype=np.uint64))
np.save(f"{work}/queries.npy", rng.integers(0, 2**64, size=(q, 1), dtype=np.uint64))
PY
echo "== $n random 64-bit codes, $q queries, $(nproc) threads"
/usr/bin/time -f "index build: %e s wall, %M KB peak" "$sigah" index --database "$work/base.npy" --out "$work/base.mih"
# Each search runs $runs times, the index and the scan in turn (this machine's speed drifts
# by tens of percent over minutes); the medians and their ratio are reported.
runs=${RUNS:-5}
rate() { grep -o '([0-9]* queries/s' | tr -d '(' | cut -d' ' -f1; }
median() { tr ' ' '\n' | grep . | sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
for k in 1 10 100; do
  indexed=""
  scanned=""
  for run in $(seq "$runs"); do
    indexed+=" $("$sigah" search --index "$work/base.mih" --queries "$work/queries.npy" --k "$k" --out "$work/mih-$k.ivecs" 2>&1 | rate)"
    scanned+=" $("$sigah" search --database "$work/base.npy" --queries "$work/queries.npy" --k "$k" --out "$work/linear-$k.ivecs" --backend cpu 2>&1 | rate)"
  done
  cmp -s "$work/mih-$k.ivecs" "$work/linear-$k.ivecs" && same="identical ids" || same="IDS DIFFER"
  index_rate=$(echo "$indexed" | median)
  scan_rate=$(echo "$scanned" | median)
  echo "k=$k: index $index_rate queries/s, scan $scan_rate queries/s (medians of $runs: index$indexed; scan$scanned), index ÷ scan $(awk "BEGIN { printf \"%.1f\", $index_rate / $scan_rate }")×, $same"
done
/usr/bin/python3 - "$work" <<'PY' || echo "(Faiss not available: apt-get install python3-faiss)"
import sys, time, numpy as np, faiss
work = sys.argv[1]
base = np.load(f"{work}/base.npy").view(np.uint8).reshape(-1, 8)
queries = np.load(f"{work}/queries.npy").view(np.uint8).reshape(-1, 8)
print(f"faiss {faiss.__version__}, {faiss.omp_get_max_threads()} threads")
flat = faiss.IndexBinaryFlat(64)
flat.add(base)
started = time.perf_counter()
multi = faiss.IndexBinaryMultiHash(64, 3, 21)
multi.add(base)
build = time.perf_counter() - started
for k in (1, 10, 100):
    started = time.perf_counter(); D, I = flat.search(queries, k); seconds = time.perf_counter() - started
    print(f"IndexBinaryFlat k={k}: {len(queries) / seconds:.0f} queries/s")
    exact = D
    for nflip in (0, 2):
        multi.nflip = nflip
        started = time.perf_counter(); Dm, Im = multi.search(queries, k); seconds = time.perf_counter() - started
        # Recall of the k-th distance: the fraction of queries whose k-th distance is exact.
        found = np.mean(Dm[:, k - 1] == exact[:, k - 1])
        print(f"IndexBinaryMultiHash(nhash=3, b=21, nflip={nflip}) k={k}: {len(queries) / seconds:.0f} queries/s, "
              f"k-th distance exact for {100 * found:.1f} % of queries (build {build:.1f} s)")
PY
