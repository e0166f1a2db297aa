"""CI check: python/sigah_codes.py encodes exactly as `sigah encode`, for every linear
method, on SIFT descriptors and MNIST pixels; and the tables sigah writes as .npy (ground
truth, search ids and distances, radius matches) load in NumPy equal to their .ivecs
twins and to a NumPy brute force. Usage: python3 python/test_encode.py SIGAH"""

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
cases += [(sift, fvecs(sift), method, 32) for method in ["sgh", "ba", "hashgan", "gmans"]]
failures = 0
with tempfile.TemporaryDirectory() as folder:
    for data_path, x, method, bits in cases:
        model_path = os.path.join(folder, f"{method}{bits}.safetensors")
        codes_path = os.path.join(folder, f"{method}{bits}.npy")
        train = ["train", data_path, "--method", method, "--bits", str(bits), "--out", model_path, "--quiet"]
        if method == "sigah-dm":
            # Without a validation the stage keeps its last step, so the model has its residual;
            # a second model without one is the linear hash.
            train += ["--epochs", "1", "--val-size", "0", "--val-k", "10", "--ranking-steps", "20"]
        if method in sigah_codes.DEEP | {"sgh", "ba"}:
            train += ["--epochs", "2", "--gmans-pretrain-epochs", "1"]
        for residual in ["256", "0"] if method == "sigah-dm" else [None]:
            options = [] if residual is None else ["--ranking-residual", residual]
            subprocess.run([sigah] + train + options + ["--backend", "cpu"], check=True)
            subprocess.run([sigah, "encode", "--model", model_path, data_path, "--out", codes_path, "--quiet", "--backend", "cpu"], check=True)
            expected = np.load(codes_path)
            model = sigah_codes.load(model_path)
            mine = sigah_codes.encode(model, x)
            differing = int(np.unpackbits(expected ^ mine).sum())
            mlp = method in sigah_codes.DEEP or sigah_codes.has_residual(model)
            print(f"{method} {bits} bits{' (residual)' if sigah_codes.has_residual(model) else ''}: {mine.shape[0]} codes, {differing} bits differ")
            # MLP encoders: a logit within Float32 rounding of 0 may flip; at most 1 bit in 1,000.
            allowed = mine.shape[0] * bits // 1000 if mlp else 0
            failures += differing > allowed or expected.shape != mine.shape
            failures += residual is not None and sigah_codes.has_residual(model) != (residual != "0")

def ivecs(path):
    raw = np.fromfile(path, dtype="<i4")
    return raw.reshape(-1, raw[0] + 1)[:, 1:]


with tempfile.TemporaryDirectory() as folder:
    base = os.path.join(root, "data/siftsmall/siftsmall_base.fvecs")
    run = lambda *args: subprocess.run([sigah, *args, "--quiet", "--backend", "cpu"], check=True)
    out = {name: os.path.join(folder, name) for name in ["gt.npy", "gt.ivecs", "m.safetensors", "db.npy", "q.npy", "ids.npy", "ids.ivecs", "d.npy", "r.npy"]}
    run("groundtruth", "--database", base, "--queries", sift, "--k", "10", "--out", out["gt.npy"])
    run("groundtruth", "--database", base, "--queries", sift, "--k", "10", "--out", out["gt.ivecs"])
    gt = np.load(out["gt.npy"])
    checks = {"ground truth .npy = .ivecs": (gt == ivecs(out["gt.ivecs"])).all()}
    distances = ((fvecs(sift)[:, None, :].astype(np.float64) - fvecs(base)[None, :, :]) ** 2).sum(2)
    checks["ground truth = NumPy brute force"] = (np.sort(distances, axis=1)[:, :10] == np.take_along_axis(distances, gt, 1)).all()
    run("train", base, "--method", "itq", "--bits", "32", "--out", out["m.safetensors"])
    run("encode", "--model", out["m.safetensors"], base, "--out", out["db.npy"])
    run("encode", "--model", out["m.safetensors"], sift, "--out", out["q.npy"])
    run("search", "--database", out["db.npy"], "--queries", out["q.npy"], "--k", "5", "--out", out["ids.npy"], "--distances-out", out["d.npy"])
    run("search", "--database", out["db.npy"], "--queries", out["q.npy"], "--k", "5", "--out", out["ids.ivecs"])
    ids, hamming = np.load(out["ids.npy"]), np.load(out["d.npy"])
    checks["search ids .npy = .ivecs"] = (ids == ivecs(out["ids.ivecs"])).all()
    db_bits = np.unpackbits(np.load(out["db.npy"]), axis=1, bitorder="little").astype(np.int32)
    q_bits = np.unpackbits(np.load(out["q.npy"]), axis=1, bitorder="little").astype(np.int32)
    all_hamming = (q_bits[:, None, :] != db_bits[None, :, :]).sum(2)
    order = np.lexsort((np.arange(all_hamming.shape[1])[None, :].repeat(len(q_bits), 0), all_hamming), axis=1)[:, :5]
    checks["search = NumPy ranking (ties by index)"] = (ids == order).all() and (hamming == np.take_along_axis(all_hamming, ids, 1)).all()
    run("search", "--database", out["db.npy"], "--queries", out["q.npy"], "--radius", "2", "--out", out["r.npy"])
    matches = np.load(out["r.npy"])
    qs, found = np.nonzero(all_hamming <= 2)
    expected = sorted(zip(qs.tolist(), all_hamming[qs, found].tolist(), found.tolist()))
    checks["radius matches = NumPy"] = [(q, d, i) for q, i, d in matches.tolist()] == expected
    try:
        import faiss  # Debian's python3-faiss; the lines of docs/FORMATS.md "From Faiss"
    except ImportError:
        faiss = None
    if faiss is None and os.environ.get("CI"):
        checks["Faiss present in CI (python3-faiss)"] = False
    if faiss is not None:
        database, queries = np.load(out["db.npy"]), np.load(out["q.npy"])
        index = faiss.IndexBinaryFlat(8 * database.shape[1])
        index.add(database)
        faiss_distances, faiss_ids = index.search(queries, 5)
        # Equal distances; Faiss orders ties its own way, so its ids are checked by their distances.
        checks["Faiss IndexBinaryFlat distances = sigah search"] = (faiss_distances == hamming).all() and (
            np.take_along_axis(all_hamming, faiss_ids, 1) == faiss_distances
        ).all()
    for name, passed in checks.items():
        print(f"{name}: {'ok' if passed else 'DIFFERS'}")
        failures += not passed
sys.exit(1 if failures else 0)
