"""Every object pickles (so it can travel to Ray or multiprocessing workers)."""

from __future__ import annotations

import multiprocessing
import pickle

import numpy as np
import pytest

import libtcp
from conftest import c24_batch


def objects() -> list[object]:
    d = libtcp.Descriptor.c24("MEDIUM", ["NETWORK_ACCESS"], command="curl", exec_ms=3)
    policy = libtcp.Policy(max_approved_risk="SAFE", require_approval=["NETWORK_ACCESS"], deny="CODE_EXECUTION")
    return [
        d,
        libtcp.Descriptor(bytes.fromhex("5443500200029033e0e30000040100000064000a000103e5"), mode="lenient"),
        policy,
        libtcp.Policy(risk={"MEDIUM": "REQUIRE_APPROVAL"}, unknown_command="REJECT"),
        libtcp.validate(d.to_bytes(), policy=policy),
        policy.decide_unknown("frobnicate"),
        libtcp.RiskLevel.CRITICAL,
        libtcp.Decision.CAUTION_MODE,
        *libtcp.backends(),
    ]


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_round_trip(protocol: int) -> None:
    for obj in objects():
        again = pickle.loads(pickle.dumps(obj, protocol=protocol))
        assert type(again) is type(obj)
        assert again == obj, obj


def test_verdict_round_trip_keeps_reasons() -> None:
    policy = libtcp.Policy(deny=["DESTRUCTIVE"])
    v = libtcp.validate(libtcp.Descriptor.c24("HIGH", ["DESTRUCTIVE"], command="rm").to_bytes(), policy=policy)
    again = pickle.loads(pickle.dumps(v))
    assert [(r.kind, r.decision, r.subject, r.message) for r in again.reasons] == [
        (r.kind, r.decision, r.subject, r.message) for r in v.reasons
    ]
    assert again.descriptor == v.descriptor


def test_errors_round_trip() -> None:
    try:
        libtcp.validate(b"\x00" * 23, dialect="c24")
    except libtcp.TcpError as e:
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is libtcp.WrongLengthError
        assert str(again) == str(e) and again.code == "wrong_length"
    else:
        pytest.fail("no error")


def validate_chunk(args: tuple[bytes, libtcp.Policy]) -> bytes:
    data, policy = args
    return libtcp.validate_batch(data, policy=policy).tobytes()


def test_multiprocessing_spawn_workers() -> None:
    data = c24_batch(40_000).tobytes()
    policy = libtcp.Policy(max_approved_risk="SAFE")
    chunks = [(data[i : i + 24 * 10_000], policy) for i in range(0, len(data), 24 * 10_000)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        parts = pool.map(validate_chunk, chunks)
    np.testing.assert_array_equal(
        np.frombuffer(b"".join(parts), dtype=np.uint8), libtcp.validate_batch(data, policy=policy)
    )
