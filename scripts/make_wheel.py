"""Packs a staged package folder into a wheel (PEP 427): the files, then a .dist-info
with METADATA, WHEEL and a RECORD of SHA-256 digests. The version is the library's own
(sigah_version), the platform tag the glibc this machine builds against.
Usage: python3 scripts/make_wheel.py STAGE OUTPUT_FOLDER"""

import base64
import ctypes
import hashlib
import os
import platform
import sys
import zipfile

stage, output = sys.argv[1], sys.argv[2]
version = ctypes.CDLL(os.path.join(stage, "sigah", "_lib", "libsigahc.so")).sigah_version
version.restype = ctypes.c_char_p
version = version().decode()
glibc = os.confstr("CS_GNU_LIBC_VERSION").split()[1].split(".")
tag = f"py3-none-manylinux_{glibc[0]}_{glibc[1]}_{platform.machine()}"
info = f"sigah-{version}.dist-info"
metadata = f"""Metadata-Version: 2.1
Name: sigah
Version: {version}
Summary: Learned binary codes (SiGAH, SiGAH-DM and baselines) and exact Hamming search on OpenCL or OpenBLAS
License: MIT
Requires-Python: >=3.8
Requires-Dist: numpy
"""
wheel = f"""Wheel-Version: 1.0
Generator: sigah scripts/make_wheel.py
Root-Is-Purelib: false
Tag: {tag}
"""


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


os.makedirs(output, exist_ok=True)
path = os.path.join(output, f"sigah-{version}-{tag}.whl")
records = []
with zipfile.ZipFile(path + ".partial", "w", zipfile.ZIP_DEFLATED) as archive:
    for folder, _, files in sorted(os.walk(os.path.join(stage, "sigah"))):
        for name in sorted(files):
            full = os.path.join(folder, name)
            arcname = os.path.relpath(full, stage)
            with open(full, "rb") as file:
                data = file.read()
            info_entry = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
            info_entry.external_attr = (0o755 if name.endswith(".so") or ".so." in name else 0o644) << 16
            info_entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info_entry, data)
            records.append(f"{arcname},{digest(data)},{len(data)}")
    for name, text in (("METADATA", metadata), ("WHEEL", wheel)):
        data = text.encode()
        archive.writestr(f"{info}/{name}", data)
        records.append(f"{info}/{name},{digest(data)},{len(data)}")
    records.append(f"{info}/RECORD,,")
    archive.writestr(f"{info}/RECORD", "\n".join(records) + "\n")
os.replace(path + ".partial", path)
print(f"wheel: {path} ({os.path.getsize(path) / 1e6:.1f} MB)")
