"""Encoding latency through the Python package: one vector a call (300 calls) and 5,000
vectors in one call, for a linear method (ITQ, SGH's linear hash) and an MLP method
(HashGAN, one epoch), on the CPU and OpenCL backends, each checked against the whole
encoding bit for bit (BENCHMARKS.md, "A model kept on its backend").

Usage: PYTHONPATH=python SIGAH_LIBRARY=.build/release/libsigahc.so python3 scripts/encode-latency.py [METHOD ...]
"""
import sys
import time

import numpy as np

import sigah

methods = sys.argv[1:] or ["itq", "sgh", "hashgan"]
x = np.random.default_rng(0).standard_normal((5000, 784)).astype(np.float32)
print(f"OpenBLAS core: {sigah.openblas_core()}")
for backend in ("cpu", "opencl"):
    for method in methods:
        options = {} if method in ("itq", "pcah", "lsh") else {"epochs": 1}
        hasher = sigah.Hasher(method, bits=64, backend=backend, progress=False, **options).fit(x)
        whole = hasher.encode(x)
        started = time.perf_counter()
        one_at_a_time = np.concatenate([hasher.encode(x[i:i + 1]) for i in range(300)])
        per_call = (time.perf_counter() - started) / 300
        started = time.perf_counter()
        again = hasher.encode(x)
        block = time.perf_counter() - started
        same = np.array_equal(one_at_a_time, whole[:300]) and np.array_equal(again, whole)
        print(f"{backend} {method}: one vector a call {per_call * 1e6:.0f} µs; 5,000 vectors {block * 1e3:.1f} ms;"
              f" same bits: {same}", flush=True)
