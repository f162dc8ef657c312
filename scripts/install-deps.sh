#!/usr/bin/env bash
# Installs everything a fresh Debian machine lacks to build and test libtcp:
#   system packages  PoCL + OpenCL ICD loader + clinfo, Xilinx XRT 2.13   (install-accel-deps.sh)
#   Python           .venv with maturin, pytest, numpy, mypy, hypothesis, ray (install-python-deps.sh)
#   Rust tools       cargo-fuzz (fuzz targets), cbindgen (header freshness check)
#   bubblewrap       the sandbox of the tcp-oracle differential tests (Debian's bubblewrap)
# Idempotent: what is already there is not installed again. Needs root or sudo for apt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

"$root/scripts/install-accel-deps.sh"
"$root/scripts/install-python-deps.sh"

if ! command -v cargo >/dev/null 2>&1; then
    echo "install-deps: cargo not found: install a stable Rust toolchain (rustup) first" >&2
    exit 1
fi
have() { command -v "$1" >/dev/null 2>&1; }
if ! have bwrap; then
    sudo_cmd=""
    if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq bubblewrap
fi
if ! have cargo-fuzz; then
    cargo install --locked --quiet cargo-fuzz
fi
if ! have cbindgen || ! cbindgen --version | grep -q '0.29.4'; then
    cargo install --locked --quiet cbindgen --version 0.29.4
fi
echo "install-deps: done"
