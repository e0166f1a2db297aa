"""CI check of the installed `sigah` package (the wheel, in a fresh virtual environment):
every method trained in Python gives the command line's model and codes bit for bit on
SIFT and MNIST; models cross between the two both ways; Index.search agrees with the
command line, with a NumPy brute force and with Faiss's IndexBinaryFlat; ground truth and
evaluation match NumPy; bad input raises with the library's message.
Usage: python python/tests/test_package.py SIGAH_BINARY"""

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

import sigah

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
cli = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build/release/sigah")
failures = []


def check(name, passed):
    print(f"{name}: {'ok' if passed else 'FAILED'}")
    if not passed:
        failures.append(name)


def run(*arguments):
    subprocess.run([cli, *arguments, "--quiet", "--backend", "cpu"], check=True)


def fvecs(path):
    raw = np.fromfile(path, dtype="<i4")
    return raw.reshape(-1, raw[0] + 1)[:, 1:].view("<f4")


def idx_images(path):
    with gzip.open(path) as file:
        raw = np.frombuffer(file.read(), dtype=np.uint8)
    return raw[16:].reshape(-1, 784)


def model_contents(path):
    """A model file's tensors (raw bytes) and metadata, less the training's timings."""
    with open(path, "rb") as file:
        blob = file.read()
    length = int.from_bytes(blob[:8], "little")
    header = json.loads(blob[8:8 + length])
    metadata = header.pop("__metadata__", {})
    if "summary" in metadata:
        summary = json.loads(metadata.pop("summary"))
        metadata["losses"] = [epoch["terms"] for epoch in summary.get("epochs", [])]
    tensors = {name: blob[8 + length + entry["data_offsets"][0]:8 + length + entry["data_offsets"][1]]
               for name, entry in header.items()}
    return metadata, tensors


# Where the library came from: an installed package must bring its own Swift runtime.
print(f"sigah {sigah.__version__} from {sigah.get_library()}")
if os.environ.get("SIGAH_EXPECT_WHEEL"):
    check("no Swift toolchain on PATH", shutil.which("swift") is None)
    library_folder = os.path.dirname(sigah.get_library())
    with open("/proc/self/maps") as maps:
        runtime = {line.split()[-1] for line in maps if "libswiftCore" in line or "libFoundation.so" in line}
    check("the Swift runtime is the wheel's own", bool(runtime) and all(p.startswith(library_folder) for p in runtime))
    check("sigah.h is installed beside the package", os.path.isfile(os.path.join(sigah.get_include(), "sigah.h")))

# OpenBLAS's core is chosen inside Python too: where its detection falls back to SSE3
# (emulated), the processor's own core replaces it, as in the command line.
emulation = {**os.environ, "SIGAH_OPENBLAS_EMULATE_DETECTION": "Prescott", "OPENBLAS_CORETYPE": ""}
emulated = subprocess.run([sys.executable, "-c", "import sigah; print(sigah.openblas_core())"], capture_output=True,
                          text=True, env=emulation)
devices = subprocess.run([cli, "devices"], capture_output=True, text=True, env=emulation)
cli_core = next((line.split(":", 1)[1].strip() for line in devices.stdout.splitlines() if "OpenBLAS core:" in line), "")
check(f"the OpenBLAS core in Python ({emulated.stdout.strip()}) is the command line's ({cli_core})",
      emulated.returncode == 0 and bool(cli_core) and emulated.stdout.strip() == cli_core)
print(f"OpenBLAS core: {sigah.openblas_core()}")

sift = np.ascontiguousarray(fvecs(os.path.join(root, "data/siftsmall/siftsmall_base.fvecs"))[:2000])
# MNIST as uint8 pixels: the library converts them as its .npy reader does.
mnist = np.ascontiguousarray(idx_images(os.path.join(root, "data/mnist/t10k-images-idx3-ubyte.gz"))[:1000])

short = {
    "sigah": {"epochs": 2},
    "sigah-dm": {"epochs": 1, "val_size": 20, "val_k": [10], "ranking_steps": 20},
    "hashgan": {"epochs": 2},
    "gmans": {"epochs": 2, "gmans_pretrain_epochs": 1},
    "sgh": {"epochs": 2},
    "ba": {"epochs": 2},
}
methods = ["lsh", "pcah", "itq", "sph", "isoh", "sh", "kmh", "sigah", "sigah-dm", "hashgan", "gmans", "sgh", "ba"]


def command_line_options(options):
    arguments = []
    for key, value in options.items():
        value = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        arguments += ["--" + key.replace("_", "-"), value]
    return arguments


with tempfile.TemporaryDirectory() as folder:
    seen_progress = []
    for data_name, x in [("sift", sift), ("mnist", mnist)]:
        data_path = os.path.join(folder, f"{data_name}.npy")
        np.save(data_path, x)
        for method in methods:
            options = short.get(method, {})
            model_path = os.path.join(folder, f"{data_name}-{method}.safetensors")
            codes_path = os.path.join(folder, f"{data_name}-{method}.npy")
            run("train", data_path, "--method", method, "--bits", "32", "--seed", "7", "--out", model_path,
                *command_line_options(options))
            run("encode", "--model", model_path, data_path, "--out", codes_path)
            expected = np.load(codes_path)
            hasher = sigah.Hasher(method, bits=32, backend="cpu", seed=7, progress=lambda *event: seen_progress.append(event),
                                  **options).fit(x)
            first = hasher.encode(x[:20])
            codes = hasher.encode(x)
            check(f"{data_name} {method}: Python codes = command line codes",
                  codes.shape == expected.shape and np.array_equal(codes, expected))
            # The model stays on its backend between calls, its workspace grown by the
            # larger one: the same call gives the same bits before and after.
            check(f"{data_name} {method}: a kept encoder repeats its codes", np.array_equal(hasher.encode(x[:20]), first))
            python_model = os.path.join(folder, f"{data_name}-{method}-python.safetensors")
            hasher.save(python_model)
            check(f"{data_name} {method}: Python model file = command line model file",
                  model_contents(python_model) == model_contents(model_path))
            python_codes = os.path.join(folder, f"{data_name}-{method}-python.npy")
            run("encode", "--model", python_model, data_path, "--out", python_codes)
            check(f"{data_name} {method}: the command line encodes with the Python model",
                  np.array_equal(np.load(python_codes), expected))
            loaded = sigah.Hasher.load(model_path, backend="cpu")
            check(f"{data_name} {method}: command line model encodes the same in Python",
                  loaded.method == method and np.array_equal(loaded.encode(x), expected))
    check("progress events reached the callback", any(stage == "epoch" for stage, _, _ in seen_progress))

    # Input conversions: Fortran order and other dtypes give the same codes, converted once.
    itq = sigah.Hasher("itq", bits=32, backend="cpu").fit(sift)
    check("Fortran-ordered input encodes the same", np.array_equal(itq.encode(np.asfortranarray(sift)), itq.encode(sift)))
    check("float64 input encodes as float32", np.array_equal(itq.encode(sift.astype(np.float64)), itq.encode(sift)))
    pixels = sigah.Hasher("itq", bits=32, backend="cpu").fit(mnist)
    check("uint8 pixels (uploaded as bytes) encode as their float32 values",
          np.array_equal(pixels.encode(mnist), pixels.encode(mnist.astype(np.float32))))
    check("int64 pixels encode as uint8 pixels",
          np.array_equal(pixels.encode(mnist.astype(np.int64)), pixels.encode(mnist)))

    # Search: the command line, NumPy and Faiss.
    database = itq.encode(sift)
    queries = database[:100]
    np.save(os.path.join(folder, "db.npy"), database)
    run("search", "--database", os.path.join(folder, "db.npy"), "--queries", os.path.join(folder, "db.npy"),
        "--k", "10", "--out", os.path.join(folder, "ids.npy"), "--distances-out", os.path.join(folder, "d.npy"))
    distances, ids = sigah.Index(database, backend="cpu").search(database, 10)
    check("Index.search = sigah search (ids and distances)",
          np.array_equal(ids, np.load(os.path.join(folder, "ids.npy")))
          and np.array_equal(distances, np.load(os.path.join(folder, "d.npy"))))
    bits = np.unpackbits(database, axis=1, bitorder="little").astype(np.int32)
    all_distances = (bits[:100, None, :] != bits[None, :, :]).sum(2)
    order = np.lexsort((np.broadcast_to(np.arange(len(database)), all_distances.shape), all_distances), axis=1)[:, :10]
    distances, ids = sigah.Index(database, backend="cpu").search(queries, 10)
    check("Index.search = NumPy ranking, ties by index", np.array_equal(ids, order)
          and np.array_equal(distances, np.take_along_axis(all_distances, order, 1)))
    multi = sigah.Index(database, multi_index=True)
    multi_distances, multi_ids = multi.search(queries, 10)
    check("multi-index search = scan", np.array_equal(multi_ids, ids) and np.array_equal(multi_distances, distances))
    multi.save(os.path.join(folder, "db.mih"))
    reloaded = sigah.Index.load(os.path.join(folder, "db.mih"))
    check("a saved multi-index answers the same", np.array_equal(reloaded.search(queries, 10)[1], ids)
          and len(reloaded) == len(database))
    lims, match_distances, match_ids = sigah.Index(database, backend="cpu").range_search(queries, 3)
    expected = [sorted((all_distances[q, i], i) for i in np.nonzero(all_distances[q] <= 3)[0]) for q in range(100)]
    found = [list(zip(match_distances[lims[q]:lims[q + 1]].tolist(), match_ids[lims[q]:lims[q + 1]].tolist()))
             for q in range(100)]
    check("range_search = NumPy, by distance then id", found == [[(int(d), int(i)) for d, i in e] for e in expected])
    multi_range = multi.range_search(queries, 3)
    check("multi-index range_search = scan", all(np.array_equal(a, b) for a, b in zip(multi_range,
                                                                                        (lims, match_distances, match_ids))))
    try:
        import faiss
    except ImportError:
        faiss = None
    if faiss is None and os.environ.get("CI"):
        check("Faiss present in CI (python3-faiss)", False)
    if faiss is not None:
        flat = faiss.IndexBinaryFlat(32)
        flat.add(database)
        faiss_distances, faiss_ids = flat.search(queries, 10)
        # Faiss orders ties its own way: its distances must equal ours, its ids have them.
        check("Faiss IndexBinaryFlat agrees with Index.search", np.array_equal(faiss_distances, distances)
              and np.array_equal(np.take_along_axis(all_distances, faiss_ids.astype(np.int64), 1), faiss_distances))

    # Ground truth: the command line's and NumPy's.
    base_path, query_path = os.path.join(folder, "sift.npy"), os.path.join(folder, "q.npy")
    np.save(query_path, sift[:50])
    run("groundtruth", "--database", base_path, "--queries", query_path, "--k", "10",
        "--out", os.path.join(folder, "gt.npy"))
    truth = sigah.groundtruth(sift, sift[:50], 10, backend="cpu")
    check("groundtruth = sigah groundtruth", np.array_equal(truth, np.load(os.path.join(folder, "gt.npy"))))
    squared = ((sift[:50, None, :].astype(np.float64) - sift[None, :, :]) ** 2).sum(2)
    check("groundtruth = NumPy brute force", np.array_equal(np.take_along_axis(squared, truth, 1),
                                                             np.sort(squared, axis=1)[:, :10]))

    # Cosine and inner product: the command line's and NumPy's, largest similarity first.
    for metric in ("cosine", "ip"):
        ids = sigah.groundtruth(sift, sift[:50], 10, metric=metric, backend="cpu")
        run("groundtruth", "--database", base_path, "--queries", query_path, "--k", "10", "--metric", metric,
            "--out", os.path.join(folder, f"gt-{metric}.npy"))
        x64, q64 = sift.astype(np.float64), sift[:50].astype(np.float64)
        if metric == "cosine":
            x64 = x64 / np.linalg.norm(x64, axis=1, keepdims=True)
            q64 = q64 / np.linalg.norm(q64, axis=1, keepdims=True)
        scores = q64 @ x64.T
        best = np.take_along_axis(scores, ids, 1)
        check(f"groundtruth {metric} = sigah groundtruth --metric {metric}",
              np.array_equal(ids, np.load(os.path.join(folder, f"gt-{metric}.npy"))))
        check(f"groundtruth {metric} = NumPy, largest first",
              np.allclose(best, -np.sort(-scores, axis=1)[:, :10], rtol=1e-6, atol=0)
              and not np.array_equal(ids, truth))

    # Evaluation: mAP over the whole Hamming ranking, as NumPy computes it.
    report = sigah.evaluate(database, database[:50], truth=truth, backend="cpu")
    average_precisions = []
    for q in range(50):
        ranking = np.lexsort((np.arange(len(database)), all_distances[q]))
        relevant = np.isin(ranking, truth[q])
        hits = np.cumsum(relevant)
        average_precisions.append((hits[relevant] / (np.nonzero(relevant)[0] + 1)).mean())
    check("evaluate mAP = NumPy", abs(report["mAP"] - np.mean(average_precisions)) < 1e-9)
    labels = np.arange(len(database)) % 7
    semantic = sigah.evaluate(database, database[:50], query_labels=labels[:50], database_labels=labels,
                              backend="cpu")
    check("evaluate with labels", 0 < semantic["mAP"] <= 1 and semantic["queries"] == 50)

    # Refusals with the library's message, nothing written.
    def raises(error_type, text, body):
        try:
            body()
        except error_type as error:
            return text in str(error)
        return False

    check("an unknown option is named", raises(ValueError, "frobnicate",
                                               lambda: sigah.Hasher("itq", backend="cpu", frobnicate=1).fit(sift)))
    check("a wrong dimension is refused", raises(ValueError, "dimension", lambda: itq.encode(sift[:, :5])))
    check("NaN is refused with its place", raises(ValueError, "row 1, column 2", lambda: itq.encode(
        np.where(np.arange(sift.size).reshape(sift.shape) == 130, np.nan, sift))))
    check("a missing model file", raises(OSError, "/nonexistent", lambda: sigah.Hasher.load("/nonexistent/m.safetensors")))
    check("codes of the wrong width", raises(ValueError, "bytes a row", lambda: sigah.Index(database, bits=40)))
    unwritable = os.path.join(folder, "no-such-folder", "m.safetensors")
    check("an unwritable path fails and writes nothing", raises(OSError, "no-such-folder", lambda: itq.save(unwritable))
          and not os.path.exists(os.path.dirname(unwritable)))

print(f"{len(failures)} failed" if failures else "every check passed")
sys.exit(1 if failures else 0)
