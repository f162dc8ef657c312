"""A 10M-descriptor batch split across Ray tasks equals the in-process call."""

from __future__ import annotations

import numpy as np
import pytest

import libtcp
from conftest import c24_batch

try:
    import ray
except ImportError as e:  # CI installs ray; only a genuinely missing ray skips.
    ray = None
    RAY_IMPORT_ERROR = repr(e)
else:
    RAY_IMPORT_ERROR = ""

N = 10_000_000
TASKS = 8


@pytest.fixture(scope="module")
def ray_session():  # type: ignore[no-untyped-def]
    if ray is None:
        pytest.skip(f"ray is not importable: {RAY_IMPORT_ERROR}")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def test_ten_million_across_tasks(ray_session) -> None:  # type: ignore[no-untyped-def]
    data = c24_batch(N, seed=11)
    policy = libtcp.Policy(max_approved_risk="SAFE", deny=["PRIVILEGE_ESCALATION"])
    want = libtcp.validate_batch(data, policy=policy)
    assert want.shape == (N,)
    assert (want & 0x80).any() and not (want & 0x80).all()

    @ray_session.remote
    def validate_slice(records: np.ndarray, start: int, stop: int, policy: libtcp.Policy) -> np.ndarray:
        # `records` arrives as a read-only view of the object store: validated in place.
        return libtcp.validate_batch(records[start * 24 : stop * 24], dialect="c24", policy=policy)

    ref = ray_session.put(data)
    bounds = np.linspace(0, N, TASKS + 1, dtype=np.int64)
    parts = ray_session.get(
        [validate_slice.remote(ref, int(a), int(b), policy) for a, b in zip(bounds[:-1], bounds[1:])]
    )
    got = np.concatenate(parts)
    np.testing.assert_array_equal(got, want)
    # The objects travel too.
    assert ray_session.get(ray_session.put(policy)) == policy
