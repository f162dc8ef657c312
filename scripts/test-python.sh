#!/usr/bin/env bash
# Builds the Python bindings into .venv and tests them:
#   1. scripts/install-python-deps.sh (venv + maturin, pytest, numpy, mypy, hypothesis, ray)
#   2. pip install ./bindings-python (release build by maturin; cargo's target dir
#      is target/python, so a rebuild only recompiles what changed)
#   3. mypy.stubtest: the .pyi stubs against the built module
#   4. pytest bindings-python/tests (conformance, bad input, pickling, threads, Ray)
#
# Exits non-zero on any failure. Extra arguments go to pytest, e.g.
#   scripts/test-python.sh -k pickle
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/install-python-deps.sh
python="$root/.venv/bin/python"
# The maturin build backend runs the `maturin` executable from the venv.
export PATH="$root/.venv/bin:$PATH"

export CARGO_TARGET_DIR="${TCP_PYTHON_TARGET_DIR:-$root/target/python}"
echo "test-python: building bindings-python (release, target $CARGO_TARGET_DIR)"
"$python" -m pip install --quiet --no-build-isolation --no-deps --force-reinstall ./bindings-python

echo "test-python: mypy.stubtest libtcp"
# From the (ignored) build dir: `import libtcp` is the installed package with
# its extension, not bindings-python/python, and mypy's cache stays out of the tree.
(cd "$CARGO_TARGET_DIR" && "$python" -m mypy.stubtest libtcp --mypy-config-file "$root/bindings-python/pyproject.toml")

echo "test-python: pytest"
cd "$root/bindings-python"
# -p no:cacheprovider: leave no .pytest_cache in the source tree.
"$python" -m pytest -p no:cacheprovider -q -rs "$@" tests
