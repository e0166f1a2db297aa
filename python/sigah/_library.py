"""Loads libsigahc (the C API of include/sigah.h) and declares its functions for ctypes.

The library is looked for in SIGAH_LIBRARY, then beside this module (a wheel carries it in
_lib/ with the Swift runtime and OpenBLAS), then in a source checkout's .build/release/.
"""

import ctypes
import os

_here = os.path.dirname(os.path.abspath(__file__))
_candidates = [
    os.environ.get("SIGAH_LIBRARY", ""),
    os.path.join(_here, "_lib", "libsigahc.so"),
    os.path.join(_here, "..", "..", ".build", "release", "libsigahc.so"),
]


def _find():
    for path in _candidates:
        if path and os.path.isfile(path):
            return os.path.abspath(path)
    raise ImportError(
        "sigah: libsigahc.so not found (looked in "
        + ", ".join(p for p in _candidates if p)
        + "); install the wheel, or build it with `swift build -c release --product sigahc`")


path = _find()
lib = ctypes.CDLL(path)

c_int = ctypes.c_int
c_int64 = ctypes.c_int64
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
handle_out = ctypes.POINTER(ctypes.c_void_p)
i32_p = ctypes.POINTER(ctypes.c_int32)
u8_p = ctypes.POINTER(ctypes.c_uint8)

# void (*)(const char *stage, int64_t done, int64_t total, void *user)
PROGRESS = ctypes.CFUNCTYPE(None, c_char_p, c_int64, c_int64, c_void_p)

_signatures = {
    "sigah_version": (c_char_p, []),
    "sigah_model_format_version": (c_int, []),
    "sigah_last_error": (c_char_p, []),
    "sigah_backend_open": (c_int, [c_char_p, c_int, c_int, handle_out]),
    "sigah_backend_summary": (c_char_p, [c_void_p]),
    "sigah_openblas_core": (c_char_p, []),
    "sigah_backend_free": (None, [c_void_p]),
    "sigah_train": (c_int, [c_void_p, c_char_p, c_void_p, c_int, c_int64, c_int64, c_char_p, PROGRESS, c_void_p,
                            handle_out]),
    "sigah_model_load": (c_int, [c_char_p, handle_out]),
    "sigah_model_save": (c_int, [c_void_p, c_char_p]),
    "sigah_model_method": (c_char_p, [c_void_p]),
    "sigah_model_bits": (c_int, [c_void_p]),
    "sigah_model_dimension": (c_int64, [c_void_p]),
    "sigah_model_free": (None, [c_void_p]),
    "sigah_encode": (c_int, [c_void_p, c_void_p, c_void_p, c_int, c_int64, c_int64, u8_p, PROGRESS, c_void_p]),
    "sigah_search": (c_int, [c_void_p, u8_p, c_int64, u8_p, c_int64, c_int, c_int, i32_p, i32_p]),
    "sigah_range_search": (c_int, [c_void_p, u8_p, c_int64, u8_p, c_int64, c_int, c_int, handle_out]),
    "sigah_matches_count": (c_int64, [c_void_p]),
    "sigah_matches_limits": (ctypes.POINTER(c_int64), [c_void_p]),
    "sigah_matches_ids": (i32_p, [c_void_p]),
    "sigah_matches_distances": (i32_p, [c_void_p]),
    "sigah_matches_free": (None, [c_void_p]),
    "sigah_index_build": (c_int, [u8_p, c_int64, c_int, c_int, handle_out]),
    "sigah_index_load": (c_int, [c_char_p, handle_out]),
    "sigah_index_save": (c_int, [c_void_p, c_char_p]),
    "sigah_index_bits": (c_int, [c_void_p]),
    "sigah_index_count": (c_int64, [c_void_p]),
    "sigah_index_substrings": (c_int, [c_void_p]),
    "sigah_index_search": (c_int, [c_void_p, u8_p, c_int64, c_int, i32_p, i32_p]),
    "sigah_index_range_search": (c_int, [c_void_p, u8_p, c_int64, c_int, handle_out]),
    "sigah_index_free": (None, [c_void_p]),
    "sigah_groundtruth": (c_int, [c_void_p, c_void_p, c_int64, c_void_p, c_int64, c_int64, c_int, c_int, c_char_p,
                                  i32_p, PROGRESS, c_void_p]),
    "sigah_evaluate": (c_int, [c_void_p, u8_p, c_int64, u8_p, c_int64, c_int, i32_p, c_int, c_int, i32_p, i32_p,
                               ctypes.POINTER(ctypes.c_void_p)]),
    "sigah_string_free": (None, [c_void_p]),
}
for _name, (_result, _arguments) in _signatures.items():
    _function = getattr(lib, _name)
    _function.restype = _result
    _function.argtypes = _arguments

# The status codes of include/sigah.h, each raised as the Python exception that fits.
_errors = {1: ValueError, 2: OSError, 3: RuntimeError, 4: RuntimeError}


class SigahError(RuntimeError):
    """A failure the library reported that is not an argument or a file error."""


def check(status):
    """Raises the error of a failed call, with the library's message."""
    if status != 0:
        message = lib.sigah_last_error().decode("utf-8", "replace")
        error = _errors.get(status, SigahError)
        raise (SigahError(message) if error is RuntimeError else error(message))
