#!/usr/bin/env python3
"""SiGAH as METHOD.md §1–3 states it, in TensorFlow: the yardstick for `sigah train`'s speed.

The same model, losses and step as sigah's (hash layer, generator, fixed measurement Ψ,
auto-encoder discriminator with the MSE energy, the paper's graph term, Adam with weight
decay added to the weights' gradients, one discriminator step then one generator step per
batch), with automatic differentiation and the step compiled by `tf.function`. It prints
one JSON object: every epoch's samples per second and the median of the steady epochs
(all but the first, which includes tracing), for a side-by-side with

    sigah train DATA --method sigah --bits B --epochs E --batch-size N --threads T --backend cpu

Usage:
    scripts/tf-reference.py --install [--venv DIR] [options]   install TensorFlow CPU into a
        virtual environment (a temporary one unless --venv names a folder to keep) and run there
    scripts/tf-reference.py [options]                           run with the interpreter's TensorFlow

Options: --data PATH (IDX, .gz allowed, or .fvecs; default the bundled MNIST test set),
--rows N (first N vectors, default 9000), --bits 64, --epochs 5, --batch-size 500,
--threads 2, --seed 0; --sigah BINARY --pairs P: side by side, P times in turn, TensorFlow
then `sigah train` on the same rows with the same settings, each rate the median of its
steady epochs, and their ratio per pair.
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TENSORFLOW = "tensorflow-cpu==2.21.0"


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--install", action="store_true", help="install TensorFlow CPU into a virtual environment first")
    parser.add_argument("--venv", help="with --install: the environment's folder, kept (default: a temporary one)")
    parser.add_argument("--data", default=os.path.join(ROOT, "data/mnist/t10k-images-idx3-ubyte.gz"))
    parser.add_argument("--rows", type=int, default=9000)
    parser.add_argument("--bits", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sigah", help="a sigah binary to run beside TensorFlow, in turn")
    parser.add_argument("--pairs", type=int, default=3, help="with --sigah: runs of each, in turn")
    return parser.parse_args()


def install_and_rerun(arguments):
    """Makes the environment, installs TensorFlow into it, and runs this script there."""
    folder = arguments.venv or tempfile.mkdtemp(prefix="sigah-tf-")
    try:
        python = os.path.join(folder, "bin", "python")
        if not os.path.exists(python):
            print(f"tf-reference: installing {TENSORFLOW} into {folder}", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", folder], check=True)
            subprocess.run([python, "-m", "pip", "install", "-q", TENSORFLOW, "numpy"], check=True)
        rest = [a for a in sys.argv[1:] if a != "--install"]
        if arguments.venv:
            index = rest.index("--venv")
            del rest[index : index + 2]
        return subprocess.run([python, os.path.abspath(__file__)] + rest).returncode
    finally:
        if not arguments.venv:
            shutil.rmtree(folder, ignore_errors=True)


def read_vectors(path, rows):
    import numpy as np

    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as handle:
        raw = handle.read()
    if path.endswith(".fvecs"):
        dimension = int(np.frombuffer(raw[:4], dtype="<i4")[0])
        table = np.frombuffer(raw, dtype="<f4").reshape(-1, dimension + 1)
        return np.ascontiguousarray(table[:rows, 1:])
    # IDX: magic (type byte 0x08 = unsigned bytes), dimensions as big-endian int32.
    if raw[2] != 0x08:
        raise SystemExit(f"{path}: only IDX files of unsigned bytes are read here")
    count = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(count)]
    images = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * count).reshape(shape[0], -1)
    # MNIST in [0, 1]: the units SiGAH's settings were made for (METHOD.md §3d, s = 1).
    return images[:rows].astype(np.float32) / 255.0


def train(arguments):
    import numpy as np
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(arguments.threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # a second training in this process: TensorFlow keeps the first setting
    tf.random.set_seed(arguments.seed)
    data = read_vectors(arguments.data, arguments.rows)
    n, d = data.shape
    r, m, hidden = arguments.bits, 2 * d, 50
    alpha, lam, beta, gamma, mu, slope = 1e-3, 1e-4, 0.1, 1e-4, 1.0, 0.2
    learning_rate, decay = 1e-2, 5e-4
    centred = tf.constant(data - data.mean(axis=0, keepdims=True))
    generator = np.random.default_rng(arguments.seed)

    def weight(rows, columns, name):
        values = generator.normal(0, 1 / np.sqrt(columns), size=(rows, columns)).astype(np.float32)
        return tf.Variable(values, name=name)

    def bias(size, name):
        return tf.Variable(tf.zeros([size]), name=name)

    hash_w, hash_c = weight(r, d, "W"), bias(r, "c")
    gen_w, gen_c = weight(m, r, "W2"), bias(m, "c2")
    psi = tf.constant(generator.normal(0, 1 / np.sqrt(d), size=(d, m)).astype(np.float32))
    enc_w, enc_c = weight(hidden, d, "W3"), bias(hidden, "c3")
    dec_w, dec_c = weight(d, hidden, "W4"), bias(d, "c4")
    players = ([hash_w, hash_c, gen_w, gen_c], [enc_w, enc_c, dec_w, dec_c])
    optimisers = tuple(tf.keras.optimizers.Adam(learning_rate, 0.9, 0.999, 1e-8) for _ in players)
    decays = tuple([v for v in variables if len(v.shape) == 2] for variables in players)

    def energy(a):
        e = tf.nn.leaky_relu(tf.matmul(a, enc_w, transpose_b=True) + enc_c, slope)
        reconstructed = tf.matmul(e, dec_w, transpose_b=True) + dec_c
        return tf.reduce_mean(tf.square(reconstructed - a), axis=1)

    def synthesise(x):
        h = tf.tanh(tf.matmul(x, hash_w, transpose_b=True) + hash_c)
        g = tf.nn.leaky_relu(tf.matmul(h, gen_w, transpose_b=True) + gen_c, slope)
        return h, g, tf.matmul(g, psi, transpose_b=True)

    def apply(optimiser, tape, loss, variables, decayed):
        gradients = tape.gradient(loss, variables)
        gradients = [g + decay * v if any(v is w for w in decayed) else g for g, v in zip(gradients, variables)]
        optimiser.apply_gradients(zip(gradients, variables))

    @tf.function(jit_compile=False)
    def step(x):
        # The discriminator on the batch and its current synthetic samples (held constant).
        _, _, synthetic = synthesise(x)
        synthetic = tf.stop_gradient(synthetic)
        with tf.GradientTape() as tape:
            loss_d = tf.reduce_mean(energy(x) + tf.nn.relu(beta - energy(synthetic)))
        apply(optimisers[1], tape, loss_d, players[1], decays[1])
        # The hash layer and the generator.
        squared = tf.reduce_sum(tf.square(x), axis=1)
        distances = tf.sqrt(tf.nn.relu(squared[:, None] + squared[None, :] - 2 * tf.matmul(x, x, transpose_b=True)))
        similarity = tf.exp(-distances / tf.reduce_mean(distances))
        with tf.GradientTape() as tape:
            h, g, synthetic = synthesise(x)
            b = tf.cast(tf.shape(x)[0], tf.float32)
            # L_S = (2/N²)·tr(Hᵀ(Diag(S1) − S)H)
            laplacian_h = tf.reduce_sum(similarity, axis=1, keepdims=True) * h - tf.matmul(similarity, h)
            graph = 2 * tf.reduce_sum(h * laplacian_h) / (b * b)
            loss_g = (
                tf.reduce_mean(tf.reduce_mean(tf.square(synthetic - x), axis=1))
                + alpha * tf.reduce_mean(tf.reduce_mean(1 - tf.square(h), axis=1))
                + lam * tf.reduce_mean(tf.reduce_mean(tf.square(g), axis=1))
                + mu * tf.reduce_mean(energy(synthetic))
                + gamma * graph
            )
        apply(optimisers[0], tape, loss_g, players[0], decays[0])
        return loss_d, loss_g

    rates, losses = [], []
    for epoch in range(arguments.epochs):
        order = tf.constant(generator.permutation(n))
        started = time.perf_counter()
        for first in range(0, n, arguments.batch_size):
            loss_d, loss_g = step(tf.gather(centred, order[first : first + arguments.batch_size]))
        losses.append((float(loss_d), float(loss_g)))
        rates.append(n / (time.perf_counter() - started))
    steady = rates[1:] or rates
    return {
        "tool": f"TensorFlow {tf.__version__} CPU",
        "data": os.path.relpath(arguments.data, ROOT),
        "rows": n,
        "dimension": d,
        "bits": r,
        "batch_size": arguments.batch_size,
        "threads": arguments.threads,
        "samples_per_second": [round(rate) for rate in rates],
        "steady_samples_per_second": round(statistics.median(steady)),
        "last_losses": {"L_D": losses[-1][0], "L_G": losses[-1][1]},
    }


def sigah_rate(arguments, rows_path, folder):
    """`sigah train` on the same rows: the median samples/s of its steady epochs."""
    command = [
        arguments.sigah, "train", rows_path, "--method", "sigah", "--bits", str(arguments.bits),
        "--epochs", str(arguments.epochs), "--batch-size", str(arguments.batch_size),
        "--threads", str(arguments.threads), "--seed", str(arguments.seed), "--backend", "cpu",
        "--out", os.path.join(folder, "model.safetensors"),
    ]
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    rates = [float(line.split()[-2]) for line in run.stderr.splitlines() if line.startswith("epoch ")]
    core = subprocess.run([arguments.sigah, "devices"], capture_output=True, text=True).stdout
    core = next((line.strip() for line in core.splitlines() if "OpenBLAS core" in line), "OpenBLAS core: ?")
    return statistics.median(rates[1:] or rates), core


def side_by_side(arguments):
    import numpy as np

    folder = tempfile.mkdtemp(prefix="sigah-tf-side-")
    try:
        rows_path = os.path.join(folder, "rows.npy")
        np.save(rows_path, read_vectors(arguments.data, arguments.rows))
        pairs = []
        for _ in range(arguments.pairs):
            reference = train(arguments)["steady_samples_per_second"]
            ours, core = sigah_rate(arguments, rows_path, folder)
            pairs.append({"tensorflow": reference, "sigah": round(ours), "sigah_over_tensorflow": round(ours / reference, 3)})
        return {"openblas": core, "pairs": pairs,
                "median_sigah_over_tensorflow": statistics.median(p["sigah_over_tensorflow"] for p in pairs)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    arguments = parse()
    if arguments.install:
        return install_and_rerun(arguments)
    print(json.dumps(side_by_side(arguments) if arguments.sigah else train(arguments)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
