#!/bin/bash
# Exact top-100 ground truth of 1,000 queries over MNIST's 60,000 training images:
# sigah's (CPU backend) against Faiss's IndexFlatL2 on the same machine and threads, and
# whether the two agree (BENCHMARKS.md).
#   scripts/groundtruth-bench.sh [train-images-idx3-ubyte.gz] [t10k-images-idx3-ubyte.gz]
set -euo pipefail
train=${1:-../shared/data/mnist/train-images-idx3-ubyte.gz}
test=${2:-data/mnist/t10k-images-idx3-ubyte.gz}
sigah=${SIGAH:-.build/release/sigah}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$train" "$test" "$work" <<'PY'
import gzip, sys, numpy as np
def images(path):
    data = gzip.open(path).read()
    n, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return (np.frombuffer(data, np.uint8, offset=16).reshape(n, rows * cols) / np.float32(255)).astype(np.float32)
np.save(f"{sys.argv[3]}/base.npy", images(sys.argv[1]))
np.save(f"{sys.argv[3]}/queries.npy", images(sys.argv[2])[:1000])
PY
echo "== $(nproc) threads"
"$sigah" groundtruth --database "$work/base.npy" --queries "$work/queries.npy" --k 100 --out "$work/sigah.npy" --backend cpu
/usr/bin/python3 - "$work" <<'PY' || echo "(Faiss not available: apt-get install python3-faiss)"
import sys, time, numpy as np, faiss
work = sys.argv[1]
base, queries = np.load(f"{work}/base.npy"), np.load(f"{work}/queries.npy")
index = faiss.IndexFlatL2(base.shape[1])
index.add(base)
index.search(queries[:10], 100)
started = time.perf_counter(); D, I = index.search(queries, 100); seconds = time.perf_counter() - started
print(f"faiss {faiss.__version__} IndexFlatL2, {faiss.omp_get_max_threads()} threads: {seconds:.2f} s ({len(queries) / seconds:.0f} queries/s)")
ours = np.load(f"{work}/sigah.npy")
print(f"ids equal to Faiss's for {np.mean(np.all(ours == I, axis=1)) * 100:.1f} % of queries "
      f"(ties and Float32 rounding in Faiss's distances order the rest differently)")
PY
