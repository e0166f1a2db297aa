"""Load a sigah model file and encode vectors with NumPy alone, bit for bit as
`sigah encode` does for the linear methods (lsh, pcah, itq, isoh, sigah, sigah-dm).

    import numpy as np, sigah_codes
    model = sigah_codes.load("model.safetensors")
    codes = sigah_codes.encode(model, x)          # uint8 rows of ceil(r/8) bytes
    # the same bytes as np.load() of `sigah encode --model model.safetensors DATA --out codes.npy`

The file format is described in docs/FORMATS.md.
"""

import json
import struct

import numpy as np

LINEAR = {"lsh", "pcah", "itq", "isoh", "sigah", "sigah-dm"}


def load(path):
    """The model's metadata (dict of strings) and tensors (dict of float32 arrays)."""
    with open(path, "rb") as file:
        blob = file.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + length])
    metadata = header.pop("__metadata__", {})
    if metadata.get("format") != "sigah-model":
        raise ValueError(f"{path}: not a sigah model file")
    if int(metadata.get("format_version", "1")) > 1:
        raise ValueError(f"{path}: model format {metadata['format_version']} is newer than this module reads (1)")
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
        raise NotImplementedError(f"encoding {method} models is done by sigah itself; this module reads {sorted(LINEAR)}")
    t = model["tensors"]
    scale = np.float32(model["metadata"].get("input_scale", "1"))
    # A power of two: these products are exact, as in sigah's own hash function.
    return t["mu"] * scale, t["W"] / scale, t["c"]


def encode(model, x):
    """Packed codes of the rows of x: bit k of a code is bit k % 8 of byte k // 8, 1 for
    W(x - mean) + c >= 0 (sign(0) = +1), unused high bits 0."""
    mean, w, c = linear_hash(model)
    x = np.ascontiguousarray(x, dtype=np.float32)
    pre = (x - mean) @ w.T + c
    return np.packbits(pre >= 0, axis=1, bitorder="little")
