#!/usr/bin/env bash
# Installs the newest dist/sigah-*.whl into a fresh virtual environment (with Debian's
# NumPy and Faiss from the system site) and runs python/tests/test_package.py there, from
# outside the source tree, with the Swift toolchain off PATH and no library paths set:
# the package must run on what the wheel carries.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
wheel=$(ls -t dist/sigah-*.whl | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Debian's interpreter: its site holds python3-numpy and python3-faiss.
/usr/bin/python3 -m venv --system-site-packages "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --no-index --no-deps "$wheel"
cd "$work"
env -i HOME="$HOME" PATH=/usr/bin:/bin CI="${CI:-}" SIGAH_EXPECT_WHEEL=1 \
  "$work/venv/bin/python" "$root/python/tests/test_package.py" "$root/.build/release/sigah"
