"""CI check: python/sigah_codes.py encodes exactly as `sigah encode`, for every linear
method, on SIFT descriptors and MNIST pixels. Usage: python3 python/test_encode.py SIGAH"""

import gzip
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import sigah_codes  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sigah = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/release/sigah")


def fvecs(path):
    raw = np.fromfile(path, dtype="<i4")
    d = raw[0]
    return raw.reshape(-1, d + 1)[:, 1:].view("<f4")


def idx_images(path):
    with gzip.open(path) as file:
        raw = np.frombuffer(file.read(), dtype=np.uint8)
    count, rows, columns = (int.from_bytes(raw[4 * i : 4 * i + 4].tobytes(), "big") for i in (1, 2, 3))
    return (raw[16:].reshape(count, rows * columns).astype(np.float32) / np.float32(255))


sift = os.path.join(root, "data/siftsmall/siftsmall_query.fvecs")
mnist = os.path.join(root, "data/mnist/t10k-images-idx3-ubyte.gz")
cases = [(sift, fvecs(sift), method, bits) for method in ["lsh", "pcah", "itq", "isoh"] for bits in [24, 64]]
cases += [(sift, fvecs(sift), "sigah-dm", 32), (mnist, idx_images(mnist), "itq", 64)]
failures = 0
with tempfile.TemporaryDirectory() as folder:
    for data_path, x, method, bits in cases:
        model_path = os.path.join(folder, f"{method}{bits}.safetensors")
        codes_path = os.path.join(folder, f"{method}{bits}.npy")
        train = ["train", data_path, "--method", method, "--bits", str(bits), "--out", model_path, "--quiet"]
        if method == "sigah-dm":
            train += ["--epochs", "1", "--val-size", "20", "--val-k", "10", "--ranking-steps", "20"]
        subprocess.run([sigah] + train + ["--backend", "cpu"], check=True)
        subprocess.run([sigah, "encode", "--model", model_path, data_path, "--out", codes_path, "--quiet", "--backend", "cpu"], check=True)
        expected = np.load(codes_path)
        mine = sigah_codes.encode(sigah_codes.load(model_path), x)
        differing = int(np.unpackbits(expected ^ mine).sum())
        print(f"{method} {bits} bits: {mine.shape[0]} codes, {differing} bits differ")
        failures += differing != 0 or expected.shape != mine.shape
sys.exit(1 if failures else 0)
