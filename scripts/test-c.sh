#!/usr/bin/env bash
# Builds libtcp (bindings-c) with cargo, compiles the C tests with
# -Wall -Wextra -Werror under AddressSanitizer + UndefinedBehaviorSanitizer,
# runs them, then builds and exercises the tcpd example daemon and an
# installed copy of the library found through pkg-config.
#
# Usage: scripts/test-c.sh          (from anywhere; uses $CARGO_TARGET_DIR if set)
#        TCP_C_TEST_OPENCL=1 scripts/test-c.sh   also tests the OpenCL backend
# Exits non-zero if anything failed; the last line is "N passed, N failed".
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
LIB_DIR="$TARGET_DIR/debug"
DATA_DIR="$ROOT/tcp-core/tests/data"
CC="${CC:-gcc}"
CXX="${CXX:-g++}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tcp-c-test.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

SAN_FLAGS=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
CFLAGS=(-std=c11 -g -O1 -Wall -Wextra -Werror -I"$ROOT/include" -I"$ROOT/bindings-c/tests/c")
# What a Rust staticlib needs from the C runtime (`cargo rustc -- --print native-static-libs`).
LIBS=(-lpthread -ldl -lm -lrt -lutil)
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

passed=0
failed=0
pass() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "not ok - $1"; failed=$((failed + 1)); }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

echo "# building libtcp (cargo build -p tcp-ffi) into $TARGET_DIR"
if (cd "$ROOT" && cargo build --quiet -p tcp-ffi); then
    pass "cargo build -p tcp-ffi"
else
    fail "cargo build -p tcp-ffi"
    finish
fi
STATIC_LIB="$LIB_DIR/libtcp.a"

# The tests below compile against include/tcp.h: it must match the library.
if (cd "$ROOT" && cargo test --quiet -p tcp-ffi --test header_fresh >"$WORK/header.out" 2>&1); then
    pass "include/tcp.h is what cbindgen generates"
else
    grep -E "stale|regenerate|error" "$WORK/header.out" | head -5
    fail "include/tcp.h is what cbindgen generates"
fi

# The header must compile on its own as C99, C11, C23-ish gnu2x and C++.
for std in c99 c11 gnu2x; do
    if echo '#include "tcp.h"' | "$CC" -std=$std -Wall -Wextra -Werror -pedantic \
        -I"$ROOT/include" -x c -fsyntax-only -; then
        pass "tcp.h compiles as $std"
    else
        fail "tcp.h compiles as $std"
    fi
done
if echo '#include "tcp.h"' | "$CXX" -std=c++17 -Wall -Wextra -Werror -pedantic \
    -I"$ROOT/include" -x c++ -fsyntax-only -; then
    pass "tcp.h compiles as c++17"
else
    fail "tcp.h compiles as c++17"
fi

# Positive controls: the sanitizers must really be on (the tests themselves
# also refuse to compile without __SANITIZE_ADDRESS__).
if "$CC" "${CFLAGS[@]}" "${SAN_FLAGS[@]}" -O0 "$ROOT/bindings-c/tests/c/sanitizer_controls.c" \
    -o "$WORK/sanitizer_controls"; then
    if ! "$WORK/sanitizer_controls" asan >"$WORK/asan.out" 2>&1 &&
        grep -q "AddressSanitizer: heap-buffer-overflow" "$WORK/asan.out"; then
        pass "ASan reports a heap overflow (control)"
    else
        fail "ASan reports a heap overflow (control)"
        cat "$WORK/asan.out"
    fi
    if ! "$WORK/sanitizer_controls" ubsan >"$WORK/ubsan.out" 2>&1 &&
        grep -q "runtime error: signed integer overflow" "$WORK/ubsan.out"; then
        pass "UBSan reports a signed overflow (control)"
    else
        fail "UBSan reports a signed overflow (control)"
        cat "$WORK/ubsan.out"
    fi
    if ! "$WORK/sanitizer_controls" lsan >"$WORK/lsan.out" 2>&1 &&
        grep -q "LeakSanitizer: detected memory leaks" "$WORK/lsan.out"; then
        pass "LeakSanitizer reports a leak (control)"
    else
        fail "LeakSanitizer reports a leak (control)"
        cat "$WORK/lsan.out"
    fi
else
    fail "build sanitizer controls"
fi

# Runs a test program; counts its "ok -" / "not ok -" lines, and a crash or
# sanitizer report (non-zero exit) as one more failure.
run_tap() {
    local name="$1"
    shift
    local out="$WORK/$name.out"
    "$@" >"$out" 2>"$WORK/$name.err"
    local rc=$?
    cat "$out"
    local ok bad
    ok=$(grep -c '^ok - ' "$out")
    bad=$(grep -c '^not ok - ' "$out")
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$rc" -ne 0 ] || [ -s "$WORK/$name.err" ]; then
        cat "$WORK/$name.err" >&2
    fi
    if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
        fail "$name exited with status $rc"
    fi
}

# test_stats.c checks against the same scipy/statsmodels reference as the Rust tests.
if python3 "$ROOT/bindings-c/tests/c/gen_stats_cases.py" \
    "$ROOT/tcp-stats/tests/data/scipy_reference.json" "$WORK/stats_cases.h"; then
    pass "generate stats_cases.h from scipy_reference.json"
else
    fail "generate stats_cases.h from scipy_reference.json"
fi
CFLAGS+=(-I"$WORK")

for src in "$ROOT"/bindings-c/tests/c/test_*.c; do
    name="$(basename "$src" .c)"
    if "$CC" "${CFLAGS[@]}" "${SAN_FLAGS[@]}" -pthread "$src" "$STATIC_LIB" "${LIBS[@]}" \
        -o "$WORK/$name"; then
        pass "build $name"
        run_tap "$name" "$WORK/$name" "$DATA_DIR"
    else
        fail "build $name"
    fi
done

# The OpenCL backend through the C API (opt-in: it needs libOpenCL and an ICD,
# e.g. PoCL, and a second build of libtcp with --features opencl, kept in its
# own target directory so the default build above stays as it is).
if [ "${TCP_C_TEST_OPENCL:-0}" = 1 ]; then
    OCL_TARGET="$TARGET_DIR/c-opencl"
    if (cd "$ROOT" && CARGO_TARGET_DIR="$OCL_TARGET" cargo build --quiet -p tcp-ffi --features opencl) &&
        "$CC" "${CFLAGS[@]}" "${SAN_FLAGS[@]}" -pthread "$ROOT/bindings-c/tests/c/test_backends.c" \
            "$OCL_TARGET/debug/libtcp.a" -lOpenCL "${LIBS[@]}" -o "$WORK/test_backends_opencl"; then
        pass "build test_backends with the opencl feature"
        run_tap test_backends_opencl "$WORK/test_backends_opencl"
        if grep -q '^# backend [0-9]*: opencl' "$WORK/test_backends_opencl.out"; then
            pass "the opencl backend is listed"
        else
            fail "the opencl backend is listed"
        fi
    else
        fail "build test_backends with the opencl feature"
    fi
else
    echo "# skipped: the OpenCL backend through the C API (set TCP_C_TEST_OPENCL=1)"
fi

# The example daemon and its client, under the same sanitizers.
if [ -f "$ROOT/examples/c/tcpd.c" ]; then
    if "$CC" "${CFLAGS[@]}" "${SAN_FLAGS[@]}" -pthread "$ROOT/examples/c/tcpd.c" \
        "$STATIC_LIB" "${LIBS[@]}" -o "$WORK/tcpd" &&
        "$CC" "${CFLAGS[@]}" "${SAN_FLAGS[@]}" "$ROOT/examples/c/tcpc.c" \
            -o "$WORK/tcpc"; then
        pass "build tcpd and tcpc"
        TCPD="$WORK/tcpd" TCPC="$WORK/tcpc" WORK="$WORK" DATA_DIR="$DATA_DIR" \
            run_tap tcpd_exercise bash "$ROOT/examples/c/exercise-tcpd.sh"
    else
        fail "build tcpd and tcpc"
    fi
else
    fail "examples/c/tcpd.c exists"
fi

# Install into a scratch prefix and build a program with pkg-config, linked
# against the shared library.
PREFIX="$WORK/prefix"
if CARGO_PROFILE=debug PREFIX="$PREFIX" "$ROOT/scripts/install-c.sh" >"$WORK/install.out" 2>&1; then
    pass "install-c.sh into a scratch prefix"
    export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig"
    if pkg-config --exists tcp && [ "$(pkg-config --modversion tcp)" = "$(cd "$ROOT" && cargo pkgid -p tcp-ffi | sed 's/.*[#@]//')" ]; then
        pass "pkg-config finds tcp at the crate's version"
    else
        fail "pkg-config finds tcp at the crate's version"
    fi
    # shellcheck disable=SC2046
    if "$CC" "${CFLAGS[@]}" "$ROOT/examples/c/validate.c" $(pkg-config --cflags --libs tcp) \
        -Wl,-rpath,"$(pkg-config --variable=libdir tcp)" -o "$WORK/validate_shared"; then
        pass "build examples/c/validate.c with pkg-config (shared)"
        # (Outputs are captured first: with pipefail, `grep -q` closing a pipe early fails it.)
        linked="$(ldd "$WORK/validate_shared")"
        decided="$("$WORK/validate_shared" 54435002000244ba5ca60000050100000064000a00010360 v2-kb)"
        if [[ "$linked" == *"$PREFIX/lib/libtcp.so"* ]] && [ "$decided" = "SAFE APPROVED" ]; then
            pass "validate (shared libtcp.so from the prefix) decides a record"
        else
            fail "validate (shared libtcp.so from the prefix) decides a record"
        fi
    else
        fail "build examples/c/validate.c with pkg-config (shared)"
    fi
    # shellcheck disable=SC2046
    if "$CC" "${CFLAGS[@]}" "$ROOT/examples/c/validate.c" $(pkg-config --cflags tcp) \
        "$PREFIX/lib/libtcp.a" $(pkg-config --libs-only-l --static tcp | sed 's/-ltcp//') \
        -o "$WORK/validate_static" &&
        [ "$("$WORK/validate_static" 544350020002c582dec90000151000000064000a0001046d v2-kb)" = "CRITICAL REJECT" ]; then
        pass "validate (static libtcp.a from the prefix) decides a record"
    else
        fail "validate (static libtcp.a from the prefix) decides a record"
    fi
else
    cat "$WORK/install.out"
    fail "install-c.sh into a scratch prefix"
fi

finish
