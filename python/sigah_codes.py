"""Load a sigah model file and encode vectors with NumPy alone, bit for bit as
`sigah encode` does for the linear methods (lsh, pcah, itq, isoh, sgh, ba, sigah, and
sigah-dm without a ranking residual), and for the MLP encoders of hashgan and gmans and
sigah-dm's residual up to Float32 rounding (the sum order of a matrix product differs
between BLAS builds, so a logit within rounding of 0 may take the other sign).

    import numpy as np, sigah_codes
    model = sigah_codes.load("model.safetensors")
    codes = sigah_codes.encode(model, x)          # uint8 rows of ceil(r/8) bytes
    # the same bytes as np.load() of `sigah encode --model model.safetensors DATA --out codes.npy`

The file format is described in docs/FORMATS.md.
"""

import json
import struct

import numpy as np

LINEAR = {"lsh", "pcah", "itq", "isoh", "sgh", "ba", "sigah", "sigah-dm"}
DEEP = {"hashgan", "gmans"}


def has_residual(model):
    """A sigah-dm model whose ranking stage kept its ReLU residual (docs/METHOD.md §3c)."""
    return "ranking.U" in model["tensors"]


def load(path):
    """The model's metadata (dict of strings) and tensors (dict of float32 arrays)."""
    with open(path, "rb") as file:
        blob = file.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + length])
    metadata = header.pop("__metadata__", {})
    if metadata.get("format") != "sigah-model":
        raise ValueError(f"{path}: not a sigah model file")
    if int(metadata.get("format_version", "1")) > 2:
        raise ValueError(f"{path}: model format {metadata['format_version']} is newer than this module reads (2)")
    data = blob[8 + length :]
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}, expected F32")
        start, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype="<f4").reshape(entry["shape"])
    return {"metadata": metadata, "tensors": tensors}


def linear_hash(model):
    """(mean, W, c) of b = sign(W (x - mean) + c) in the data's own units (docs/METHOD.md §1, §3d)."""
    method = model["metadata"]["method"]
    if method not in LINEAR:
        raise NotImplementedError(
            f"encoding {method} models is done by sigah itself; this module reads {sorted(LINEAR | DEEP)}")
    t = model["tensors"]
    scale = np.float32(model["metadata"].get("input_scale", "1"))
    # A power of two: these products are exact, as in sigah's own hash function.
    return t["mu"] * scale, t["W"] / scale, t["c"]


def activate(name, z):
    """The activations of docs/FORMATS.md, in float32."""
    if name == "identity":
        return z
    if name == "relu":
        return np.maximum(z, np.float32(0))
    if name.startswith("leaky-relu(") and name.endswith(")"):
        return np.where(z > 0, z, np.float32(float(name[len("leaky-relu(") : -1])) * z)
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return np.float32(1) / (np.float32(1) + np.exp(-z))
    if name == "selu":
        scale, alpha = np.float32(1.0507009873554805), np.float32(1.6732632423543772)
        return np.where(z > 0, scale * z, scale * alpha * (np.exp(z) - np.float32(1)))
    raise ValueError(f"unknown activation {name}")


def logits(model, x):
    """The pre-sign outputs of the rows of x: W(x - mean) + c, W y + c + U relu(V y + v) with
    y = (x - s mu)/s for a residual, or the MLP's last layer."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    t = model["tensors"]
    if has_residual(model):
        scale = np.float32(model["metadata"].get("input_scale", "1"))
        y = (x - t["mu"] * scale) / scale
        hidden = np.maximum(y @ t["ranking.V"].T + t["ranking.v"], np.float32(0))
        return (hidden @ t["ranking.U"].T + t["c"]) + y @ t["W"].T
    if model["metadata"]["method"] in DEEP:
        a = first = (x - t["mu"]) / np.float32(model["metadata"].get("input_scale", "1"))
        for i, name in enumerate(model["metadata"]["activations"].split(",")):
            a = activate(name, a @ t[f"layer{i}.weight"].T + t[f"layer{i}.bias"])
        return a + first @ t["skip.weight"].T if "skip.weight" in t else a
    mean, w, c = linear_hash(model)
    return (x - mean) @ w.T + c


def encode(model, x):
    """Packed codes of the rows of x: bit k of a code is bit k % 8 of byte k // 8, 1 for a
    logit >= 0 (sign(0) = +1), unused high bits 0."""
    return np.packbits(logits(model, x) >= 0, axis=1, bitorder="little")
