#!/usr/bin/env bash
# Registry churn (issue 20): readers look up and decide in a loop while a
# writer rebuilds the same registry path again and again with `tcp registry
# build`, alternating a big registry (the prototype's 1 567-entry knowledge
# base) and a small one that answers differently, and the tcpd daemon (under
# ASan + UBSan) is sent SIGHUP to reload it. Readers: a Rust process
# (tcp-core/examples/registry_churn_reader.rs), a Python process
# (scripts/registry_churn_reader.py, libtcp from .venv) and tcpd's clients.
# Passes if nothing crashes, every answer comes from a whole registry (A or
# B), a failed reload keeps the registry in use, and tcpd's metrics count
# every reload. Also replays the issue's scenario (open kb.tcpr, rebuild it
# smaller, look up) from Python and from C.
#
#   scripts/test-registry-churn.sh                 (about 30-60 s)
#   CHURN_REBUILDS=3000 scripts/test-registry-churn.sh   (a longer run)
#
# Needs the Python package installed in .venv (scripts/test-python.sh does
# that). Prints "ok - ..." / "not ok - ..." and the readers' counts; exits
# non-zero if anything failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DATA_DIR="$ROOT/tcp-core/tests/data"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
CC="${CC:-gcc}"
REBUILDS="${CHURN_REBUILDS:-200}"
HUP_EVERY=7 # odd: the daemon reloads A and B in turn
# Readers pause this long between rounds, so that four busy loops leave the
# writer and the daemon some CPU on a small machine.
export CHURN_READER_PAUSE_US="${CHURN_READER_PAUSE_US:-500}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/tcp-churn.XXXXXX")"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

passed=0
failed=0
check() { # check NAME COMMAND...
    local name="$1"
    shift
    if "$@"; then
        echo "ok - $name"
        passed=$((passed + 1))
    else
        echo "not ok - $name"
        failed=$((failed + 1))
    fi
}
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}
metric() { awk -v m="$2" '$1 == m { print $2 }' "$1"; }
no_sanitizer_report() { ! grep -qE "AddressSanitizer|LeakSanitizer|runtime error" "$1"; }

# --- build -------------------------------------------------------------------------
echo "# building tcp, libtcp and the Rust reader (debug)"
if ! (cd "$ROOT" && cargo build --quiet -p tcp-cli -p tcp-ffi &&
    cargo build --quiet -p tcp-core --example registry_churn_reader); then
    check "cargo build" false
    finish
fi
TCP="$TARGET_DIR/debug/tcp"
READER="$TARGET_DIR/debug/examples/registry_churn_reader"
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
if ! "$CC" -std=c11 -g -O1 -Wall -Wextra -Werror -I"$ROOT/include" "${SAN[@]}" -pthread \
    "$ROOT/examples/c/tcpd.c" "$TARGET_DIR/debug/libtcp.a" -lpthread -ldl -lm -lrt -lutil \
    -o "$WORK/tcpd" ||
    ! "$CC" -std=c11 -g -O1 -Wall -Wextra -Werror "${SAN[@]}" "$ROOT/examples/c/tcpc.c" \
        -o "$WORK/tcpc"; then
    check "build tcpd and tcpc under ASan" false
    finish
fi
check "python can import libtcp.LiveChecker" "$PYTHON" -c "import libtcp; libtcp.LiveChecker"

# --- the two registries --------------------------------------------------------------
# B gives aa-status (LOW_RISK in A: APPROVED) CRITICAL (REJECT) and knows churn-probe.
cat >"$WORK/small.json" <<'EOF'
{"format": "libtcp-registry", "version": 1, "entries": [
 {"name": "aa-status", "risk": "CRITICAL", "capabilities": [], "exec_ms": 1, "memory_mb": 1, "output_kb": 1, "justification": "churn test: the small registry"},
 {"name": "churn-probe", "risk": "SAFE", "capabilities": [], "exec_ms": 1, "memory_mb": 1, "output_kb": 1, "justification": "churn test"},
 {"name": "churn-other", "risk": "SAFE", "capabilities": [], "exec_ms": 1, "memory_mb": 1, "output_kb": 1, "justification": "churn test"}]}
EOF
A="$WORK/a.tcpr"
B="$WORK/b.tcpr"
KB="$WORK/kb.tcpr"
"$TCP" registry build --from "$DATA_DIR/tcp_complete.db" --out "$A" >/dev/null &&
    "$TCP" registry build --from "$WORK/small.json" --out "$B" >/dev/null &&
    cp "$A" "$KB"
check "built the two registries" test -s "$A" -a -s "$B"

# --- the issue's scenario: open kb.tcpr, rebuild it smaller, look up --------------------
"$PYTHON" - "$KB" "$TCP" "$WORK/small.json" >"$WORK/scenario-py.out" 2>&1 <<'EOF'
import subprocess, sys, libtcp
kb, tcp, small = sys.argv[1:4]
r = libtcp.Registry.open(kb)
live = libtcp.LiveChecker(kb)
assert len(r) == 1567, len(r)
subprocess.run([tcp, "registry", "build", "--from", small, "--out", kb], check=True, capture_output=True)
e = r.lookup("aa-status")
assert len(r) == 1567 and e is not None and e.risk == libtcp.RiskLevel.LOW_RISK, (len(r), e)
assert libtcp.Registry.open(kb).lookup("aa-status").risk == libtcp.RiskLevel.CRITICAL
assert live.check("aa-status").decision == libtcp.Decision.APPROVED
live.reload()
assert len(live) == 3 and live.check("aa-status").decision == libtcp.Decision.REJECT
print("scenario ok")
EOF
check "Python: open kb.tcpr, rebuild it smaller, the next lookup answers (old), reload() gives the new" \
    grep -qx "scenario ok" "$WORK/scenario-py.out"
grep -qx "scenario ok" "$WORK/scenario-py.out" || cat "$WORK/scenario-py.out"
cp "$A" "$KB"

# --- tcpd on kb.tcpr ------------------------------------------------------------------
SOCK="$WORK/tcpd.sock"
"$WORK/tcpd" --socket "$SOCK" --registry "$KB" --metrics-file "$WORK/final-metrics.txt" \
    2>"$WORK/tcpd.err" &
tcpd_pid=$!
pids+=("$tcpd_pid")
for _ in $(seq 1 200); do
    [ -S "$SOCK" ] && break
    sleep 0.05
done
check "tcpd listens" test -S "$SOCK"
ask() { printf 'scenario\taa-status\n' | "$WORK/tcpc" "$SOCK" | awk -F'\t' '{ print $2 }'; }
reloaded() { grep -c "^tcpd: reloaded" "$WORK/tcpd.err"; }
hup_and_wait() { # sends SIGHUP and waits until tcpd logs one more reload line
    local before="$1"
    kill -HUP "$tcpd_pid"
    for _ in $(seq 1 200); do
        [ "$(grep -cE '^tcpd: (reloaded|reload failed)' "$WORK/tcpd.err")" -gt "$before" ] && return 0
        sleep 0.01
    done
    return 1
}
attempts() { grep -cE '^tcpd: (reloaded|reload failed)' "$WORK/tcpd.err"; }

# The scenario from C: rebuild smaller, ask (old answer), SIGHUP, ask (new answer).
"$TCP" registry build --from "$WORK/small.json" --out "$KB" >/dev/null
check "C: after the rebuild tcpd still answers from the old registry (APPROVED)" test "$(ask)" = APPROVED
hup_and_wait "$(attempts)"
check "C: after SIGHUP tcpd answers from the new registry (REJECT)" test "$(ask)" = REJECT
cp "$A" "$WORK/kb.tmp" && mv "$WORK/kb.tmp" "$KB"
hup_and_wait "$(attempts)"
hups=2

# --- churn ------------------------------------------------------------------------------
STOP="$WORK/stop"
"$READER" "$KB" "$A" "$B" "$STOP" >"$WORK/rust.out" 2>"$WORK/rust.err" &
rust_pid=$!
"$PYTHON" "$ROOT/scripts/registry_churn_reader.py" "$KB" "$A" "$B" "$STOP" \
    >"$WORK/python.out" 2>"$WORK/python.err" &
python_pid=$!
pids+=("$rust_pid" "$python_pid")
client_loop() { # client N: 20 requests per connection until STOP exists
    local n="$1"
    while [ ! -e "$STOP" ]; do
        for i in $(seq 1 20); do printf 'c%s-%s\taa-status\n' "$n" "$i"; done |
            "$WORK/tcpc" "$SOCK" >>"$WORK/client-$n.out" 2>>"$WORK/client.err"
        sleep 0.01
    done
}
client_loop 1 &
c1=$!
client_loop 2 &
c2=$!
pids+=("$c1" "$c2")
sleep 1 # let the readers start before the churn

start=$(date +%s)
build_failures=0
for i in $(seq 1 "$REBUILDS"); do
    if [ $((i % 2)) -eq 0 ]; then src="$A"; else src="$B"; fi
    "$TCP" registry build --from "$src" --out "$KB" >/dev/null || build_failures=$((build_failures + 1))
    if [ $((i % HUP_EVERY)) -eq 0 ]; then
        hup_and_wait "$(attempts)" || echo "# tcpd did not log reload $hups in 2 s"
        hups=$((hups + 1))
    fi
done
elapsed=$(($(date +%s) - start))
touch "$STOP"
wait "$rust_pid"
rust_rc=$?
wait "$python_pid"
python_rc=$?
wait "$c1" "$c2"
echo "# $REBUILDS rebuilds and $hups SIGHUPs in ${elapsed}s"
cat "$WORK/rust.out" "$WORK/python.out"
check "every rebuild succeeded" test "$build_failures" -eq 0
check "the Rust reader saw only whole registries (exit 0)" test "$rust_rc" -eq 0
check "the Python reader saw only whole registries (exit 0)" test "$python_rc" -eq 0
[ "$rust_rc" -eq 0 ] || head -5 "$WORK/rust.err"
[ "$python_rc" -eq 0 ] || head -5 "$WORK/python.err"
check "the Rust reader reloaded" grep -qE 'reloads=[1-9]' "$WORK/rust.out"
check "the Python reader reloaded" grep -qE 'reloads=[1-9]' "$WORK/python.out"
cat "$WORK"/client-*.out >"$WORK/answers.txt"
answers=$(wc -l <"$WORK/answers.txt")
approved=$(awk -F'\t' '$2 == "APPROVED"' "$WORK/answers.txt" | wc -l)
rejected=$(awk -F'\t' '$2 == "REJECT"' "$WORK/answers.txt" | wc -l)
echo "# tcpd answered $answers requests: $approved from A (APPROVED), $rejected from B (REJECT)"
check "tcpd answered requests during the churn" test "$answers" -gt 0
check "every tcpd answer comes from A or B" test "$answers" -eq $((approved + rejected))
check "tcpd answered from both registries" test "$approved" -gt 0 -a "$rejected" -gt 0

# --- a failed reload keeps the registry in use ----------------------------------------------
# B with its last byte (in a justification) changed: the digest no longer matches.
cp "$B" "$WORK/bad.tmp"
printf 'X' | dd of="$WORK/bad.tmp" bs=1 seek=$(($(stat -c %s "$B") - 1)) conv=notrunc status=none
mv "$WORK/bad.tmp" "$KB"
before=$(ask)
hup_and_wait "$(attempts)"
hups=$((hups + 1))
check "a corrupt registry: tcpd logs the failed reload" grep -q "reload failed" "$WORK/tcpd.err"
check "a corrupt registry: tcpd keeps answering from the old registry" test "$(ask)" = "$before"
echo METRICS | "$WORK/tcpc" "$SOCK" >"$WORK/metrics.txt"
ok_reloads=$(metric "$WORK/metrics.txt" 'tcp_reloads_total{result="ok"}')
err_reloads=$(metric "$WORK/metrics.txt" 'tcp_reloads_total{result="error"}')
echo "# tcpd metrics: $ok_reloads reloads, $err_reloads failed, $hups SIGHUPs"
check "tcpd's metrics count every reload" test "$ok_reloads" -eq $((hups - 1)) -a "$err_reloads" -eq 1
check "tcpd's metrics say the last reload failed" test "$(metric "$WORK/metrics.txt" tcp_last_reload_success)" = 0
check "tcpd's metrics say why" grep -q '^tcp_last_reload_error_info{error=".*digest.*"} 1$' "$WORK/metrics.txt"
check "tcpd's metrics give the last reload time" \
    awk '$1 == "tcp_last_reload_timestamp_seconds" && $2 > 1e9 { found = 1 } END { exit !found }' "$WORK/metrics.txt"
rm "$KB"
hup_and_wait "$(attempts)"
check "a missing registry: tcpd keeps answering" test "$(ask)" = "$before"

kill -TERM "$tcpd_pid"
wait "$tcpd_pid"
rc=$?
check "tcpd stops cleanly (exit 0)" test "$rc" -eq 0
check "tcpd has no sanitizer report" no_sanitizer_report "$WORK/tcpd.err"
check "the clients had no errors" test ! -s "$WORK/client.err"
finish
