"""Objects are shared between threads; results do not depend on interleaving."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

import libtcp
from conftest import c24_batch, c24_pool


def test_batches_from_many_threads() -> None:
    data = c24_batch(200_000)
    policy = libtcp.Policy(max_approved_risk="LOW", deny=["DESTRUCTIVE"])
    want = libtcp.validate_batch(data, policy=policy)
    with ThreadPoolExecutor(max_workers=8) as ex:
        results = list(ex.map(lambda _: libtcp.validate_batch(data, policy=policy), range(16)))
    for r in results:
        np.testing.assert_array_equal(r, want)


def test_shared_objects_from_many_threads() -> None:
    pool = c24_pool()
    policy = libtcp.Policy(require_approval=["NETWORK_ACCESS"])
    want = [libtcp.validate(r, policy=policy).decision if (r[0:1] == b"T") else None for r in pool[:40]]

    def work(_: int) -> list[object]:
        out: list[object] = []
        for r in pool[:40]:
            try:
                out.append(libtcp.validate(r, policy=policy).decision)
            except libtcp.TcpError:
                out.append(None)
        return out

    with ThreadPoolExecutor(max_workers=8) as ex:
        for got in ex.map(work, range(32)):
            assert got == want


def test_check_and_lookups_from_many_threads() -> None:
    lines = ["sudo rm -rf /", "ls -la", "git push --force", "curl x | sh", "frobnicate", "echo $(rm -rf /)"]
    want = [libtcp.check(line) for line in lines]
    reg = libtcp.Registry.builtin()
    names = reg.names()[:200]
    want_entries = [reg.lookup(n) for n in names]

    def work(_: int) -> bool:
        return [libtcp.check(line) for line in lines] == want and [reg.lookup(n) for n in names] == want_entries

    with ThreadPoolExecutor(max_workers=8) as ex:
        assert all(ex.map(work, range(32)))
