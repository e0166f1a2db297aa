"""sigah from Python: learn binary codes, encode, search and evaluate, on the CPU
(OpenBLAS) or an OpenCL device, through the library the command line runs.

    import numpy as np, sigah
    hasher = sigah.Hasher(method="sigah-dm", bits=64).fit(x)     # x: (n, d) NumPy array
    codes = hasher.encode(x)                                      # (n, 8) uint8, Faiss's bit order
    distances, ids = sigah.Index(codes).search(hasher.encode(q), k=10)
    hasher.save("model.safetensors")                              # `sigah encode --model` reads it

Every option of `sigah train` is a keyword (underscores for dashes): Hasher("sigah-dm",
bits=32, epochs=10, val_k=[10, 100]). Results equal the command line's bit for bit on the
same data, backend and seed. Vectors may be any float or integer array, C or Fortran
order; they are converted once. docs/PYTHON.md has the whole interface.
"""

import json
import os
import sys
import threading

import numpy as np

from . import _library
from ._library import PROGRESS, check, lib

__all__ = ["Hasher", "Index", "groundtruth", "evaluate", "backend_summary", "openblas_core", "get_include",
           "get_library",
           "__version__"]

__version__ = lib.sigah_version().decode()


def get_library():
    """The path of libsigahc.so, for programs that link the C API."""
    return _library.path


def get_include():
    """The folder holding sigah.h (in a wheel, beside the package's library)."""
    for folder in (os.path.join(os.path.dirname(__file__), "include"),
                   os.path.join(os.path.dirname(__file__), "..", "..", "include")):
        if os.path.isfile(os.path.join(folder, "sigah.h")):
            return os.path.abspath(folder)
    raise FileNotFoundError("sigah.h is not installed with this package")


# ---- Backends --------------------------------------------------------------------

class _Backend:
    """One opened backend; used by one thread at a time, as the C API asks."""

    def __init__(self, name, device, threads):
        handle = _library.c_void_p()
        check(lib.sigah_backend_open(None if name is None else name.encode(), -1 if device is None else device,
                                     0 if threads is None else threads, _library.ctypes.byref(handle)))
        self.handle = handle
        self.lock = threading.Lock()
        self.summary = lib.sigah_backend_summary(handle).decode()

    def __del__(self):
        if getattr(self, "handle", None):
            lib.sigah_backend_free(self.handle)


_backends = {}
_backends_lock = threading.Lock()


def _backend(name=None, device=None, threads=None):
    """The backend for these settings, opened once. None follows SIGAH_BACKEND, else auto."""
    if name is not None and name not in ("auto", "cpu", "opencl"):
        raise ValueError(f"backend must be 'auto', 'cpu' or 'opencl', got {name!r}")
    key = (name, device, threads)
    with _backends_lock:
        if key not in _backends:
            _backends[key] = _Backend(name, device, threads)
        return _backends[key]


def openblas_core():
    """How OpenBLAS's kernels were chosen, as `sigah devices` prints it (name it beside
    every CPU figure)."""
    return lib.sigah_openblas_core().decode()


def backend_summary(backend=None, device=None, threads=None):
    """The line `sigah devices` prints for the backend these settings choose."""
    return _backend(backend, device, threads).summary


# ---- Arrays --------------------------------------------------------------------------

_dtypes = {np.dtype(np.float32): 0, np.dtype(np.float64): 1, np.dtype(np.uint8): 2, np.dtype(np.int32): 3}


def _vectors(x, name="x"):
    """x as a C-ordered 2-D array of a type the library reads, copied only when needed."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array of vectors, got shape {x.shape}")
    if x.dtype not in _dtypes:
        if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
            raise TypeError(f"{name} must hold numbers, got dtype {x.dtype}")
        x = x.astype(np.float32)
    x = np.ascontiguousarray(x)
    return x, _dtypes[x.dtype]


def _codes(codes, bits, name="codes"):
    """Codes as C-ordered uint8 rows of ceil(bits / 8) bytes; bits defaults to 8 per byte."""
    codes = np.ascontiguousarray(codes)
    if codes.dtype != np.uint8 or codes.ndim != 2:
        raise ValueError(f"{name} must be a 2-D uint8 array (packed codes), got {codes.dtype} of shape {codes.shape}")
    bits = codes.shape[1] * 8 if bits is None else int(bits)
    if codes.shape[1] != (bits + 7) // 8:
        raise ValueError(f"{name}: {bits}-bit codes take {(bits + 7) // 8} bytes a row, got {codes.shape[1]}")
    return codes, bits


def _pointer(array, kind=_library.u8_p):
    return array.ctypes.data_as(kind)


# ---- Progress ------------------------------------------------------------------------

def _progress(progress):
    """A C callback for `progress`: a function (stage, done, total), False for none, or
    "auto" (tqdm bars when tqdm is installed and standard error is a terminal)."""
    if progress is False or progress is None:
        return PROGRESS(), None
    if progress == "auto":
        try:
            from tqdm import tqdm
        except ImportError:
            return PROGRESS(), None
        if not sys.stderr.isatty():
            return PROGRESS(), None
        bars = {}

        def report(stage, done, total):
            bar = bars.get(stage)
            if bar is None or bar.total != total or done < bar.n:
                if bar is not None:
                    bar.close()
                bar = bars[stage] = tqdm(total=total, desc=stage, leave=False)
            bar.update(done - bar.n)

        def close():
            for bar in bars.values():
                bar.close()
    else:
        report, close = progress, None

    def call(stage, done, total, _user):
        try:
            report(stage.decode(), done, total)
        except Exception:  # an exception cannot cross into the library
            pass

    return PROGRESS(call), close


def _run_with_progress(progress, body):
    callback, close = _progress(progress)
    try:
        return body(callback)
    finally:
        if close:
            close()


# ---- Hasher --------------------------------------------------------------------------

def _option_text(options):
    """`sigah train`'s long options as the C API's key=value list."""
    pairs = []
    for key, value in options.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        value = str(value)
        if not value or any(c.isspace() for c in value):
            raise ValueError(f"option {key}: expected a value without spaces, got {value!r}")
        pairs.append(f"{key.replace('_', '-')}={value}")
    return " ".join(pairs)


class Hasher:
    """A hashing method: fit on vectors, then encode any vectors of the same dimension.

    Hasher(method="sigah-dm", bits=64, backend=None, device=None, threads=None,
           progress="auto", **options)

    method: any of `sigah train --method` (sigah-dm, sigah, itq, lsh, pcah, sph, isoh, sh,
    kmh, hashgan, gmans, sgh, ba). backend: "cpu", "opencl", "auto", or None for
    $SIGAH_BACKEND else auto. options: `sigah train`'s options (seed, epochs, val_k, ...).
    """

    def __init__(self, method="sigah-dm", bits=64, backend=None, device=None, threads=None, progress="auto",
                 **options):
        self.method = method
        self.bits = int(bits)
        self.backend, self.device, self.threads = backend, device, threads
        self.progress = progress
        self.options = dict(options)
        self._text = _option_text({"bits": self.bits, **self.options})
        self._model = None

    def __repr__(self):
        state = f"dimension {self.dimension}" if self._model else "not fitted"
        return f"sigah.Hasher(method={self.method!r}, bits={self.bits}, {state})"

    def __del__(self):
        if getattr(self, "_model", None):
            lib.sigah_model_free(self._model)

    def _open(self):
        return _backend(self.backend, self.device, self.threads)

    def fit(self, x):
        """Trains on the rows of x; returns self."""
        x, dtype = _vectors(x)
        backend = self._open()
        model = _library.c_void_p()

        def train(callback):
            with backend.lock:
                check(lib.sigah_train(backend.handle, self.method.encode(), x.ctypes.data, dtype, x.shape[0],
                                      x.shape[1], self._text.encode(), callback, None,
                                      _library.ctypes.byref(model)))

        _run_with_progress(self.progress, train)
        self._replace(model)
        return self

    def _replace(self, model):
        if self._model:
            lib.sigah_model_free(self._model)
        self._model = model
        self.method = lib.sigah_model_method(model).decode()
        self.bits = lib.sigah_model_bits(model)

    @property
    def dimension(self):
        """The input dimension of the fitted model."""
        self._require()
        return lib.sigah_model_dimension(self._model)

    def _require(self):
        if not self._model:
            raise RuntimeError("this Hasher is not fitted: call fit(x) or Hasher.load(path)")

    def encode(self, x):
        """The codes of the rows of x: uint8 rows of ceil(bits / 8) bytes, bit k in byte
        k // 8 at position k % 8 (np.packbits(..., bitorder="little"), Faiss's layout)."""
        self._require()
        x, dtype = _vectors(x)
        codes = np.zeros((x.shape[0], (self.bits + 7) // 8), dtype=np.uint8)
        if x.shape[0] == 0:
            return codes
        backend = self._open()

        def encode(callback):
            with backend.lock:
                check(lib.sigah_encode(self._model, backend.handle, x.ctypes.data, dtype, x.shape[0], x.shape[1],
                                       _pointer(codes), callback, None))

        _run_with_progress(self.progress, encode)
        return codes

    transform = encode

    def fit_transform(self, x):
        return self.fit(x).encode(x)

    def save(self, path):
        """Writes the model file `sigah train --out` writes (whole or not at all)."""
        self._require()
        check(lib.sigah_model_save(self._model, os.fsencode(path)))

    @classmethod
    def load(cls, path, backend=None, device=None, threads=None, progress="auto"):
        """A Hasher from a model file of `sigah train` or Hasher.save."""
        model = _library.c_void_p()
        check(lib.sigah_model_load(os.fsencode(path), _library.ctypes.byref(model)))
        hasher = cls(method="", bits=1, backend=backend, device=device, threads=threads, progress=progress)
        hasher._replace(model)
        return hasher


# ---- Search --------------------------------------------------------------------------

def _matches(handle, queries):
    """(lims, distances, ids) of a sigah_matches, as Faiss's range_search returns them."""
    try:
        count = lib.sigah_matches_count(handle)
        lims = np.ctypeslib.as_array(lib.sigah_matches_limits(handle), shape=(queries + 1,)).astype(np.int64)
        if count == 0:
            return lims, np.zeros(0, np.int32), np.zeros(0, np.int32)
        ids = np.ctypeslib.as_array(lib.sigah_matches_ids(handle), shape=(count,)).copy()
        distances = np.ctypeslib.as_array(lib.sigah_matches_distances(handle), shape=(count,)).copy()
        return lims, distances, ids
    finally:
        lib.sigah_matches_free(handle)


class Index:
    """Exact Hamming search in packed codes (Hasher.encode's, or Faiss's binary codes).

    Index(codes, bits=None, multi_index=False, substrings=0, backend=None)

    bits defaults to 8 per byte. With multi_index=True the codes are indexed by multi-index
    hashing (`sigah index`), which gives the same answers without a scan.
    """

    def __init__(self, codes, bits=None, multi_index=False, substrings=0, backend=None, device=None, threads=None):
        self.codes, self.bits = _codes(codes, bits)
        self.backend, self.device, self.threads = backend, device, threads
        self._index = None
        if multi_index:
            handle = _library.c_void_p()
            check(lib.sigah_index_build(_pointer(self.codes), self.codes.shape[0], self.bits, int(substrings),
                                        _library.ctypes.byref(handle)))
            self._index = handle

    def __del__(self):
        if getattr(self, "_index", None):
            lib.sigah_index_free(self._index)

    def __len__(self):
        return lib.sigah_index_count(self._index) if self._index else self.codes.shape[0]

    @property
    def substrings(self):
        """The multi-index's tables (0 for a scan)."""
        return lib.sigah_index_substrings(self._index) if self._index else 0

    def _queries(self, queries):
        queries, _ = _codes(queries, self.bits, name="queries")
        return queries

    def search(self, queries, k):
        """(distances, ids), each (len(queries), k) int32: the k nearest codes by Hamming
        distance, ties by index, as Faiss's IndexBinaryFlat.search returns them."""
        queries = self._queries(queries)
        ids = np.zeros((queries.shape[0], k), dtype=np.int32)
        distances = np.zeros((queries.shape[0], k), dtype=np.int32)
        if queries.shape[0] == 0:
            return distances, ids
        i32 = _library.i32_p
        if self._index:
            check(lib.sigah_index_search(self._index, _pointer(queries), queries.shape[0], k, _pointer(ids, i32),
                                         _pointer(distances, i32)))
        else:
            backend = _backend(self.backend, self.device, self.threads)
            with backend.lock:
                check(lib.sigah_search(backend.handle, _pointer(self.codes), self.codes.shape[0], _pointer(queries),
                                       queries.shape[0], self.bits, k, _pointer(ids, i32), _pointer(distances, i32)))
        return distances, ids

    def range_search(self, queries, radius):
        """(lims, distances, ids): query i's matches within `radius` are entries
        lims[i]:lims[i + 1], by distance then id (Faiss's range_search layout)."""
        queries = self._queries(queries)
        handle = _library.c_void_p()
        if self._index:
            check(lib.sigah_index_range_search(self._index, _pointer(queries), queries.shape[0], int(radius),
                                               _library.ctypes.byref(handle)))
        else:
            backend = _backend(self.backend, self.device, self.threads)
            with backend.lock:
                check(lib.sigah_range_search(backend.handle, _pointer(self.codes), self.codes.shape[0],
                                             _pointer(queries), queries.shape[0], self.bits, int(radius),
                                             _library.ctypes.byref(handle)))
        return _matches(handle, queries.shape[0])

    def save(self, path):
        """Writes the multi-index file `sigah index` writes (multi_index=True only)."""
        if not self._index:
            raise ValueError("only a multi-index (multi_index=True) is saved; save the codes with np.save")
        check(lib.sigah_index_save(self._index, os.fsencode(path)))

    @classmethod
    def load(cls, path):
        """A multi-index from a file of `sigah index` or Index.save."""
        handle = _library.c_void_p()
        check(lib.sigah_index_load(os.fsencode(path), _library.ctypes.byref(handle)))
        index = cls.__new__(cls)
        index._index = handle
        index.bits = lib.sigah_index_bits(handle)
        index.backend = index.device = index.threads = None
        index.codes = None  # held by the index
        return index


# ---- Ground truth and evaluation -----------------------------------------------------

def groundtruth(database, queries, k, metric="l2", backend=None, device=None, threads=None, progress="auto"):
    """The exact k nearest database rows of each query, ties by index: (len(queries), k)
    int32 ids, as `sigah groundtruth --metric` writes them. metric: "l2", "cosine" (l2
    between unit-length rows) or "ip" (largest inner product first)."""
    database, dtype = _vectors(database, "database")
    queries, query_dtype = _vectors(queries, "queries")
    if query_dtype != dtype:
        queries = queries.astype(database.dtype)
    if queries.shape[1] != database.shape[1]:
        raise ValueError(f"queries have dimension {queries.shape[1]}, the database {database.shape[1]}")
    ids = np.zeros((queries.shape[0], k), dtype=np.int32)
    handle = _backend(backend, device, threads)

    def compute(callback):
        with handle.lock:
            check(lib.sigah_groundtruth(handle.handle, database.ctypes.data, database.shape[0], queries.ctypes.data,
                                        queries.shape[0], database.shape[1], dtype, int(k), metric.encode(),
                                        _pointer(ids, _library.i32_p), callback, None))

    _run_with_progress(progress, compute)
    return ids


def evaluate(database_codes, query_codes, bits=None, truth=None, relevant=None, query_labels=None,
             database_labels=None, backend=None, device=None, threads=None):
    """The evaluation numbers of `sigah eval`'s report (docs/METHOD.md §5) as a dict: mAP,
    tieAwareMAP, mapAt, precisionAt, precisionRadius2, recallRadius2, recallCurves, ...

    Relevance: the first `relevant` (default: all) of each query's ground-truth ids
    (`truth`, from groundtruth()), or else the database items that share the query's label.
    """
    database_codes, bits = _codes(database_codes, bits, "database_codes")
    query_codes, _ = _codes(query_codes, bits, "query_codes")
    i32 = _library.i32_p
    truth_pointer, truth_k = None, 0
    query_pointer = database_pointer = None
    if truth is not None:
        truth = np.ascontiguousarray(truth, dtype=np.int32)
        if truth.ndim != 2 or truth.shape[0] != query_codes.shape[0]:
            raise ValueError(f"truth must hold one row of ids per query, got shape {truth.shape}")
        truth_pointer, truth_k = _pointer(truth, i32), truth.shape[1]
    else:
        if query_labels is None or database_labels is None:
            raise ValueError("give truth (ground-truth ids) or both query_labels and database_labels")
        query_labels = np.ascontiguousarray(query_labels, dtype=np.int32).reshape(-1)
        database_labels = np.ascontiguousarray(database_labels, dtype=np.int32).reshape(-1)
        if len(query_labels) != len(query_codes) or len(database_labels) != len(database_codes):
            raise ValueError("expected one label per query code and one per database code")
        query_pointer, database_pointer = _pointer(query_labels, i32), _pointer(database_labels, i32)
    text = _library.c_void_p()
    handle = _backend(backend, device, threads)
    with handle.lock:
        check(lib.sigah_evaluate(handle.handle, _pointer(database_codes), database_codes.shape[0],
                                 _pointer(query_codes), query_codes.shape[0], bits, truth_pointer, truth_k,
                                 truth_k if relevant is None else int(relevant), query_pointer, database_pointer,
                                 _library.ctypes.byref(text)))
    try:
        return json.loads(_library.ctypes.string_at(text.value).decode())
    finally:
        lib.sigah_string_free(text)
