"""validate_batch over every kind of buffer, against the single-record path."""

from __future__ import annotations

import mmap
import threading
import time

import numpy as np
import pytest

import libtcp
from conftest import c24_batch, c24_pool


def expected_status(records: list[bytes], dialect: str = "c24", policy: libtcp.Policy | None = None) -> list[int]:
    """Status bytes computed one record at a time through `validate`."""
    out = []
    for rec in records:
        try:
            v = libtcp.validate(rec, dialect=dialect, policy=policy)
        except libtcp.TcpError as e:
            assert e.number is not None
            out.append(0x80 | e.number)
            continue
        assert v.descriptor is not None and v.descriptor.risk is not None
        out.append(v.descriptor.risk.value | (v.decision.value << 4))
    return out


def test_batch_matches_single_records() -> None:
    pool = c24_pool()
    status = libtcp.validate_batch(b"".join(pool))
    assert status.dtype == np.uint8 and status.shape == (len(pool),)
    assert status.tolist() == expected_status(pool)
    policy = libtcp.Policy(max_approved_risk="SAFE", deny=["CODE_EXECUTION"])
    status = libtcp.validate_batch(b"".join(pool), policy=policy)
    assert status.tolist() == expected_status(pool, policy=policy)


def test_every_buffer_kind_gives_the_same_answer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = b"".join(c24_pool())
    want = libtcp.validate_batch(raw)
    arr = np.frombuffer(raw, dtype=np.uint8)
    path = tmp_path / "records.bin"
    path.write_bytes(raw)
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        np.testing.assert_array_equal(libtcp.validate_batch(m), want)
    for buf in [bytearray(raw), memoryview(raw), arr, arr.reshape(-1, 24), arr.copy()]:
        np.testing.assert_array_equal(libtcp.validate_batch(buf), want)


def test_reads_in_place() -> None:
    """A change to the caller's buffer is seen by the next call: no cached copy."""
    arr = np.frombuffer(b"".join(c24_pool()[:4]), dtype=np.uint8).copy()
    before = libtcp.validate_batch(arr)
    assert all(s & 0x80 == 0 for s in before)
    arr[24 + 13] ^= 1
    after = libtcp.validate_batch(arr)
    assert after[1] == 0x80 | libtcp.ChecksumMismatchError.number
    assert after[0] == before[0]


def test_kb_batch(kb_expected) -> None:  # type: ignore[no-untyped-def]
    records = [bytes.fromhex(r["hex"]) for r in kb_expected]
    status = libtcp.validate_batch(b"".join(records), dialect="v2-kb")
    assert status.tolist() == expected_status(records, dialect="v2-kb")
    s = libtcp.summarize(status)
    assert s["records"] == 1567 and s["invalid"] == 15
    assert sum(s["by_decision"].values()) == 1567 - 15
    assert s["by_decision"]["REJECT"] == 44


def test_shapes() -> None:
    assert libtcp.validate_batch(b"").shape == (0,)
    with pytest.raises(libtcp.WrongLengthError):
        libtcp.validate_batch(b"\x00" * 25)


def test_unpack_and_summarize_agree() -> None:
    status = libtcp.validate_batch(c24_batch(5000))
    risk, decision, error = libtcp.unpack_status(status)
    invalid = error != 0
    assert np.array_equal(invalid, (status & 0x80) != 0)
    assert np.all(risk[invalid] == -1) and np.all(decision[invalid] == -1)
    s = libtcp.summarize(status)
    assert s["invalid"] == int(invalid.sum())
    for d in [libtcp.Decision.APPROVED, libtcp.Decision.CAUTION_MODE, libtcp.Decision.REQUIRE_APPROVAL, libtcp.Decision.REJECT]:
        assert s["by_decision"][d.name] == int((decision == d.value).sum())


def test_backends_listed_and_each_available_one_agrees() -> None:
    infos = libtcp.backends()
    assert infos and any(b.name == "scalar" and b.available for b in infos)
    data = c24_batch(20_000)
    want = libtcp.validate_batch(data, backend="scalar")
    for b in infos:
        if b.available:
            np.testing.assert_array_equal(libtcp.validate_batch(data, backend=b.name), want, err_msg=b.name)
        else:
            assert b.reason
            with pytest.raises(libtcp.TcpError, match="unavailable"):
                libtcp.validate_batch(data, backend=b.name)


def test_releases_the_gil() -> None:
    """A pure-Python thread keeps running while validate_batch works."""
    data = c24_batch(2_000_000)
    count = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal count
        while not stop.is_set():
            count += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.05)
        for _ in range(3):
            before = count
            start = time.perf_counter()
            libtcp.validate_batch(data, backend="scalar")
            elapsed = time.perf_counter() - start
            during = count - before
            if during > 1000:
                break
    finally:
        stop.set()
        t.join()
    # With the GIL held, the spinner could only run at the call's edges.
    assert during > 1000, f"spinner advanced {during} times in {elapsed:.3f}s"
