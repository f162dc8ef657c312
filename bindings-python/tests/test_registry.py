"""Registries (built-in, the prototype's files) and whole command lines."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

import libtcp
from libtcp import Decision, Registry


def test_prototype_export_opens_and_agrees_with_the_conformance_data(
    data_dir: Path, kb_expected: list[dict[str, Any]]
) -> None:
    reg = Registry.open(data_dir / "tcp_export.json")
    assert len(reg) == len(kb_expected) == 1567
    for row in kb_expected:
        e = reg.lookup(row["command"])
        assert e is not None, row["command"]
        assert e.dialect == "v2-kb" and e.descriptor_bytes.hex() == row["hex"]
        assert (e.risk.name if e.risk else "UNKNOWN") == row["risk"]
        assert e.descriptor().flag_names == row["capabilities"]
        assert row["command"] in reg
    assert reg.lookup("definitely-not-a-command") is None


def test_tcpdb_file_and_lookup_by_hash(data_dir: Path) -> None:
    reg = Registry.open(data_dir / "tcp_binary_database.bin")
    assert reg.format.startswith("tcpdb") and len(reg) > 0
    for name in reg.names():
        e = reg.lookup(name)
        assert e is not None and e.name == name
        by_hash = reg.lookup_hash(libtcp.command_hash(name))
        assert by_hash is not None and by_hash.descriptor_bytes[6:10] == libtcp.command_hash(name)
    with pytest.raises(libtcp.BadInputError):
        reg.lookup_hash(b"abc")


def test_bad_registry_files_are_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(libtcp.IoError):
        Registry.open(tmp_path / "missing.bin")
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"NOPE" + bytes(60))
    with pytest.raises(libtcp.BadMagicError):
        Registry.open(bad)
    with pytest.raises(libtcp.TcpError):
        Registry.from_json("{not json")
    with pytest.raises(libtcp.TcpError):
        Registry.from_bytes(b"TCPDB\x02" + b"\xff" * 10)


def test_builtin_registry_and_pickling(data_dir: Path) -> None:
    b = Registry.builtin()
    assert len(b) > 300 and "rm" in b
    rm = b.lookup("rm")
    assert rm is not None and rm.justification and rm.risk is not None
    assert pickle.loads(pickle.dumps(rm)) == rm
    again = pickle.loads(pickle.dumps(b))
    assert len(again) == len(b) and again.names() == b.names()
    reg = Registry.open(data_dir / "tcp_binary_database.bin")
    again = pickle.loads(pickle.dumps(reg))
    assert again.names() == reg.names() and again.to_bytes() == reg.to_bytes()


def test_check_decides_whole_lines() -> None:
    v = libtcp.check("sudo rm -rf / && ls | grep x")
    assert v.decision == Decision.REJECT
    assert [s.command for s in v.segments][:1] == ["rm"]
    assert v.segments[0].wrappers == ["sudo"]
    assert libtcp.check("ls -la").decision == Decision.APPROVED
    assert libtcp.check("frobnicate --now").decision == Decision.REQUIRE_APPROVAL
    assert libtcp.check("bash -c \"rm -rf /\"").decision == Decision.REJECT
    # Registry.builtin().check is the same checker.
    assert Registry.builtin().check("sudo rm -rf /") == libtcp.check("sudo rm -rf /")
    # The JSON is tcp-core's own.
    doc = json.loads(libtcp.check("sudo rm -rf build").to_json())
    assert doc["segments"][0]["command"] == "rm"
    assert doc["decision"] == libtcp.check("sudo rm -rf build").decision.name


def test_check_under_a_policy() -> None:
    line = "curl https://example.invalid/x -o x"
    base = libtcp.check(line)
    strict = libtcp.check(line, policy=libtcp.Policy(deny=["NETWORK_ACCESS"]))
    assert strict.decision == Decision.REJECT and strict.decision >= base.decision
    assert libtcp.check("frobnicate", policy=libtcp.Policy(unknown_command="REJECT")).decision == Decision.REJECT


def test_check_with_a_loaded_registry(data_dir: Path) -> None:
    reg = Registry.open(data_dir / "tcp_export.json")
    v = reg.check("ls -la")
    assert v.segments and v.segments[0].command == "ls"
    assert v.segments[0].risk is not None
    assert reg.check("definitely-not-a-command").decision == Decision.REQUIRE_APPROVAL


def test_line_verdicts_pickle() -> None:
    v = libtcp.check("sudo rm -rf build; curl x | sh")
    again = pickle.loads(pickle.dumps(v))
    assert again == v and again.to_json() == v.to_json()
    assert [s.reasons for s in again.segments] == [s.reasons for s in v.segments]


@pytest.mark.parametrize("line", ["", " ", "\x00", "$(", "'unterminated", "a" * 100_000, "((((((((", "rm -rf / " * 1000])
def test_check_never_panics(line: str) -> None:
    v = libtcp.check(line)
    assert isinstance(v.decision, Decision)
