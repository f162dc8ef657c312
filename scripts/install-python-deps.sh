#!/usr/bin/env bash
# Creates the Python virtual environment the bindings are built and tested in
# (.venv at the repository root) and installs what scripts/test-python.sh needs:
#   maturin (build backend), pytest, numpy, mypy (stubtest), hypothesis, ray.
#
# Idempotent and quiet: an existing venv is reused, and pip is not run at all
# when every package is already importable. Needs python3 >= 3.11 (abi3-py311).
#
#   scripts/install-python-deps.sh
#   PYTHON=python3.12 scripts/install-python-deps.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
python="${PYTHON:-python3}"

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "install-python-deps: $python is $("$python" --version 2>&1); need >= 3.11" >&2
    exit 1
fi

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi

# Module names to check, and the requirement to install when one is missing.
modules=(maturin pytest numpy mypy hypothesis ray)
requirements=("maturin>=1.9,<2" "pytest>=8" "numpy>=1.26" "mypy>=1.10" "hypothesis>=6" "ray>=2.40")

missing=()
for i in "${!modules[@]}"; do
    if ! "$venv/bin/python" -c "import ${modules[$i]}" >/dev/null 2>&1; then
        missing+=("${requirements[$i]}")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet "${missing[@]}"
fi
