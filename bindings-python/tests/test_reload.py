"""Registry files updated under a running process (issue 20): an open
``Registry`` survives the file being rewritten, and ``LiveChecker.reload()``
swaps in the new contents atomically, keeping the old on failure."""

from __future__ import annotations

import os
import pickle
import shutil
import threading
from pathlib import Path

import pytest

import libtcp
from libtcp import Decision, LiveChecker, Registry

# In the knowledge base (1 567 entries) addr2line is SAFE; the 10-entry
# database does not know it.
PROBE = "addr2line"


def replace(src: Path, dst: Path) -> None:
    """Installs src at dst the way libtcp's writers do: a rename over it."""
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def test_open_registry_survives_in_place_rewrite(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "kb.db"
    shutil.copyfile(data_dir / "tcp_complete.db", path)
    reg = Registry.open(path)
    assert len(reg) == 1567
    # Rewritten in place with fewer entries, then truncated to nothing: the
    # open registry read the file at open and keeps answering (this was SIGBUS).
    path.write_bytes((data_dir / "tcp_binary_database.bin").read_bytes())
    assert reg.lookup(PROBE) is not None
    path.write_bytes(b"")
    assert len(reg) == 1567 and len(reg.names()) == 1567
    assert reg.check(PROBE).decision == Decision.APPROVED
    assert len(Registry.open(data_dir / "tcp_binary_database.bin")) == 10


def test_live_checker_reload_swaps_and_keeps_old_on_failure(
    data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "registry"
    replace(data_dir / "tcp_complete.db", path)
    live = LiveChecker(path)
    assert len(live) == 1567 and PROBE in live
    assert live.check(PROBE).decision == Decision.APPROVED
    assert (live.reloads, live.failures, live.last_error, live.last_reload_time) == (0, 0, None, None)

    replace(data_dir / "tcp_binary_database.bin", path)
    assert len(live) == 1567  # not reloaded yet
    live.reload()
    assert len(live) == 10 and live.lookup(PROBE) is None
    assert live.check(PROBE).decision == Decision.REQUIRE_APPROVAL
    assert live.reloads == 1 and live.last_reload_time is not None

    path.write_bytes(b"TCPR but not a registry")
    with pytest.raises(libtcp.TcpError):
        live.reload()
    assert len(live) == 10 and live.failures == 1 and live.last_error
    path.unlink()
    with pytest.raises(libtcp.IoError):
        live.reload()
    assert len(live) == 10 and live.failures == 2

    replace(data_dir / "tcp_complete.db", path)
    live.reload()
    assert len(live) == 1567 and live.last_error is None and live.reloads == 2


def test_live_checker_policy_file(data_dir: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('unknown_command = "deny"\n')
    live = LiveChecker(data_dir / "tcp_binary_database.bin", policy)
    assert live.check(PROBE).decision == Decision.REJECT
    policy.write_text("")
    live.reload()
    assert live.check(PROBE).decision == Decision.REQUIRE_APPROVAL
    policy.write_text('deny = ["TELEPORT"]\n')
    with pytest.raises(libtcp.BadInputError):
        live.reload()
    assert live.check(PROBE).decision == Decision.REQUIRE_APPROVAL
    assert live.policy_path == str(policy)
    with pytest.raises(libtcp.IoError):
        LiveChecker(tmp_path / "missing.tcpr")


def test_live_checker_builtin_and_pickle(data_dir: Path) -> None:
    live = LiveChecker()
    assert live.registry_path is None
    assert live.check("rm -rf /").decision == Decision.REJECT
    again = pickle.loads(pickle.dumps(LiveChecker(data_dir / "tcp_complete.db")))
    assert len(again) == 1567 and again.registry_path == str(data_dir / "tcp_complete.db")


def test_reload_while_threads_decide(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "registry"
    replace(data_dir / "tcp_complete.db", path)
    live = LiveChecker(path)
    stop = threading.Event()
    seen: set[Decision] = set()
    sizes: set[int] = set()

    def decide() -> None:
        while not stop.is_set():
            seen.add(live.check(PROBE).decision)
            sizes.add(len(live))

    threads = [threading.Thread(target=decide) for _ in range(3)]
    for t in threads:
        t.start()
    for i in range(30):
        src = "tcp_binary_database.bin" if i % 2 == 0 else "tcp_complete.db"
        replace(data_dir / src, path)
        live.reload()
    stop.set()
    for t in threads:
        t.join()
    assert seen <= {Decision.APPROVED, Decision.REQUIRE_APPROVAL}
    assert sizes <= {10, 1567}
    assert live.reloads == 30 and live.failures == 0
