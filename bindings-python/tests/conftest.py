"""Shared fixtures: the conformance data copied into tcp-core/tests/data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

import libtcp

# No example database: the tests leave nothing in the source tree.
settings.register_profile("libtcp", database=None)
settings.load_profile("libtcp")

DATA = Path(__file__).resolve().parents[2] / "tcp-core" / "tests" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    assert DATA.is_dir(), f"conformance data missing at {DATA}"
    return DATA


@pytest.fixture(scope="session")
def kb_expected(data_dir: Path) -> list[dict[str, Any]]:
    """The 1567 knowledge-base records with the values an independent reader found."""
    with open(data_dir / "kb_expected.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def c24_pool() -> list[bytes]:
    """Varied C24 records: every risk level, several capability sets, and
    corrupted copies (checksum, magic, version, risk byte, reserved bits)."""
    caps = libtcp.capability_names()
    pool: list[bytes] = []
    for i, risk in enumerate(["SAFE", "LOW", "MEDIUM", "HIGH", "CRITICAL"]):
        for j in range(len(caps) + 1):
            d = libtcp.Descriptor.c24(
                risk, caps[:j], command=f"cmd{i}-{j}", exec_ms=i * 10 + j, memory_mb=j, output_kb=i
            )
            pool.append(d.to_bytes())
    good = list(pool)
    for k, rec in enumerate(good[:12]):
        b = bytearray(rec)
        b[12 + k % 8] ^= 0x5A  # checksum no longer matches
        pool.append(bytes(b))
    b = bytearray(good[0])
    b[0] = ord("X")
    pool.append(bytes(b))  # bad magic
    b = bytearray(good[1])
    b[4] = 9
    pool.append(bytes(b))  # unsupported version
    return pool


def c24_batch(n: int, seed: int = 7) -> np.ndarray:
    """`n` records drawn from `c24_pool()`, as an (n*24,) uint8 array."""
    pool = np.frombuffer(b"".join(c24_pool()), dtype=np.uint8).reshape(-1, 24)
    idx = np.random.default_rng(seed).integers(0, len(pool), size=n)
    return np.ascontiguousarray(pool[idx]).reshape(-1)
