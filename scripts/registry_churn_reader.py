"""A Python reader for the registry churn test (scripts/test-registry-churn.sh).

    python registry_churn_reader.py PATH A.tcpr B.tcpr STOP_FILE

Looks commands up in the registry at PATH in a loop, while another process
replaces PATH again and again with the contents of A or B, until STOP_FILE
exists. A registry opened once keeps answering as it did at first; a fresh
``Registry.open`` and a ``LiveChecker`` reloaded with ``reload()`` answer as A
or as B. Prints one summary line; exits 1 if any answer was from neither.
CHURN_READER_PAUSE_US (default 0) pauses between rounds.
"""

import os
import sys
import time

import libtcp

PROBES = ("aa-status", "churn-probe")


def signature(r):
    """What a registry (or live checker) answers for the probes, and its size."""
    entries = [r.lookup(n) for n in PROBES]
    return (len(r), tuple(e.risk if e else None for e in entries))


def main():
    path, a, b, stop = sys.argv[1:5]
    sig_a = signature(libtcp.Registry.open(a))
    sig_b = signature(libtcp.Registry.open(b))
    assert sig_a != sig_b, "A and B answer alike"
    dec_a = libtcp.LiveChecker(a).check(PROBES[0]).decision
    dec_b = libtcp.LiveChecker(b).check(PROBES[0]).decision

    held = libtcp.Registry.open(path)
    held_sig = signature(held)
    live = libtcp.LiveChecker(path)
    counts = dict(lookups=0, decisions=0, opens=0, reloads=0, answers_a=0, answers_b=0, bad=0)

    def whole(sig, what):
        if sig == sig_a:
            counts["answers_a"] += 1
        elif sig == sig_b:
            counts["answers_b"] += 1
        else:
            counts["bad"] += 1
            print(f"python-reader: {what} answered {sig}, from neither registry", file=sys.stderr)

    pause = int(os.environ.get("CHURN_READER_PAUSE_US", "0")) / 1e6
    i = 0
    while not os.path.exists(stop):
        i += 1
        time.sleep(pause)
        now = signature(held)
        counts["lookups"] += 2
        if now != held_sig:
            counts["bad"] += 1
            print(f"python-reader: the held registry changed: {now}", file=sys.stderr)
        whole(signature(live), "live")
        counts["lookups"] += 2
        d = live.check(PROBES[0]).decision
        counts["decisions"] += 1
        if d not in (dec_a, dec_b):
            counts["bad"] += 1
            print(f"python-reader: decision {d} is neither {dec_a} nor {dec_b}", file=sys.stderr)
        if i % 4 == 0:
            try:
                live.reload()
                counts["reloads"] += 1
            except libtcp.TcpError as e:
                counts["bad"] += 1
                print(f"python-reader: reload failed: {e}", file=sys.stderr)
            try:
                whole(signature(libtcp.Registry.open(path)), "fresh open")
                counts["opens"] += 1
                counts["lookups"] += 2
            except libtcp.TcpError as e:
                counts["bad"] += 1
                print(f"python-reader: open failed: {e}", file=sys.stderr)
    assert live.reloads == counts["reloads"] and live.failures == 0, (live.reloads, live.failures)
    print("python-reader: " + " ".join(f"{k}={v}" for k, v in counts.items()))
    return 1 if counts["bad"] else 0


if __name__ == "__main__":
    sys.exit(main())
