#!/usr/bin/env bash
# Runs every test libtcp has: formatting, lints, docs, Rust tests (all crates,
# conformance, proptest, fuzz regressions), the fuzz targets' build, the C API
# under ASan/UBSan with the example daemon, the Python package, and the
# registry churn test (readers in Rust, Python and tcpd while a writer rebuilds).
# This is the README's test command; .ci/run calls it.
#
#   scripts/test-all.sh            # everything
#   scripts/test-all.sh rust       # one stage: deps fmt clippy doc rust oracle hls fuzz c python churn
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export RUSTFLAGS="${RUSTFLAGS:--D warnings}"
export RUSTDOCFLAGS="${RUSTDOCFLAGS:--D warnings}"
export CARGO_TERM_COLOR=never

stage() { printf '\n=== %s ===\n' "$1"; }

deps() { stage deps; scripts/install-deps.sh; }
machine() {
    stage machine
    lscpu | grep -E 'Model name|^CPU\(s\)|Flags' | sed -E 's/(Flags:).*/\1 '"$(grep -o -E 'avx512[a-z]*|avx2|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')"'/' || true
    command -v clinfo >/dev/null && clinfo -l 2>&1 | head -5 || true
}
fmt() { stage fmt; cargo fmt --all -- --check; (cd fuzz && cargo fmt -- --check); }
clippy() { stage clippy; cargo clippy --workspace --all-targets --locked -- -D warnings; }
doc() { stage doc; cargo doc --workspace --no-deps --locked; }
rust() { stage "rust tests"; cargo test --workspace --locked; }
oracle() {
    stage "tcp-oracle: seeded lines under real bash in bubblewrap vs tcp-core (CI budget)"
    cargo test -p tcp-oracle --locked --test ci_budget -- --include-ignored --nocapture
}
hls() {
    stage "HLS kernel C simulation"
    if [ -x tcp-hw/kernels/xrt/csim.sh ]; then tcp-hw/kernels/xrt/csim.sh; else echo "no C-simulation script"; fi
}
fuzz() {
    stage "fuzz targets (build; saved inputs are replayed by tcp-core/tests/fuzz_regressions.rs)"
    (cd fuzz && RUSTC_BOOTSTRAP=1 RUSTFLAGS= cargo fuzz build --dev)
}
c() { stage "C API (ASan + UBSan) and tcpd"; scripts/test-c.sh; }
python() { stage "Python package"; scripts/test-python.sh; }
# After python: its readers use the package test-python.sh installed in .venv.
churn() { stage "registry churn (rebuilds under Rust, Python and tcpd readers)"; scripts/test-registry-churn.sh; }

if [ $# -eq 0 ]; then
    deps; machine; fmt; clippy; doc; rust; oracle; hls; fuzz; c; python; churn
    stage "all stages passed"
else
    for s in "$@"; do "$s"; done
fi
