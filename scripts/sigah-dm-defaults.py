"""SiGAH-DM with its defaults against ITQ at K = 10, 100 and 1,000: Euclidean mAP over the
whole Hamming ranking against exact ground truth, through the Python package (BENCHMARKS.md,
"SiGAH-DM's hard negatives"). Results accumulate in sigah-dm-defaults.json.

Usage: PYTHONPATH=python python3 scripts/sigah-dm-defaults.py sift|mnist|mnist60k BITS SEEDS EPOCHS TAG [option=value ...]
  e.g. ... sift 16,32,64 0,1,2 30 hard2 ranking_hard_negatives=2
mnist60k reads MNIST's training images from data/mnist/train-images-idx3-ubyte.gz (or
$MNIST_TRAIN), which the repository does not bundle.
"""
import gzip
import json
import os
import sys
import time

import numpy as np

import sigah

name, tag = sys.argv[1], sys.argv[5]
bits_list = [int(b) for b in sys.argv[2].split(",")]
seeds = [int(s) for s in sys.argv[3].split(",")]
epochs = int(sys.argv[4])
options = dict(pair.split("=", 1) for pair in sys.argv[6:])
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")


def fvecs(path):
    raw = np.fromfile(path, dtype="<i4")
    return raw.reshape(-1, raw[0] + 1)[:, 1:].view("<f4").copy()


def mnist(file_name, path=None):
    path = path or f"{root}/mnist/{file_name}"
    if not os.path.exists(path):
        sys.exit(f"{path} is missing (MNIST's training images are not bundled: set MNIST_TRAIN to their file)")
    with gzip.open(path) as file:
        return np.frombuffer(file.read(), np.uint8)[16:].reshape(-1, 784).astype(np.float32) / np.float32(255)


if name == "sift":
    database = fvecs(f"{root}/siftsmall/siftsmall_base.fvecs")
    queries = fvecs(f"{root}/siftsmall/siftsmall_query.fvecs")
elif name == "mnist60k":
    # The 60,000 training images are database and training set; the queries are the same
    # 1,000 test images the t10k protocol draws.
    database = mnist("train-images-idx3-ubyte.gz", os.environ.get("MNIST_TRAIN"))
    queries = mnist("t10k-images-idx3-ubyte.gz")[np.random.default_rng(0).permutation(10000)[:1000]]
else:
    pixels = mnist("t10k-images-idx3-ubyte.gz")
    order = np.random.default_rng(0).permutation(len(pixels))
    queries, database = pixels[order[:1000]], pixels[np.sort(order[1000:])]
truth = sigah.groundtruth(database, queries, 1000, backend="cpu", progress=False)
path = "sigah-dm-defaults.json"
results = json.load(open(path)) if os.path.exists(path) else {}


def score(hasher):
    base, query = hasher.encode(database), hasher.encode(queries)
    return {str(k): sigah.evaluate(base, query, truth=truth, relevant=k, backend="cpu")["mAP"] for k in (10, 100, 1000)}


print(f"OpenBLAS core: {sigah.openblas_core()}")
for bits in bits_list:
    for seed in seeds:
        key = f"{name}/{bits}/{seed}"
        if key + "/itq" not in results:
            results[key + "/itq"] = score(sigah.Hasher("itq", bits=bits, seed=seed, backend="cpu", progress=False).fit(database))
        started = time.time()
        hasher = sigah.Hasher("sigah-dm", bits=bits, seed=seed, epochs=epochs, backend="cpu", progress=False, **options)
        result = score(hasher.fit(database))
        result["seconds"] = time.time() - started
        results[f"{key}/{tag}"] = result
        itq = results[key + "/itq"]
        print(key, tag, "  ".join(f"top-{k}: {result[k]:.4f} ({result[k] / itq[k]:.3f}× ITQ)" for k in ("10", "100", "1000")),
              f"{result['seconds']:.0f} s", flush=True)
        with open(path, "w") as file:
            json.dump(results, file, indent=1)
