"""Descriptor, validate, policies and the conformance data."""

from __future__ import annotations

from typing import Any

import pytest

import libtcp
from libtcp import Decision, Descriptor, RiskLevel

RISK_NAMES = ["SAFE", "LOW_RISK", "MEDIUM_RISK", "HIGH_RISK", "CRITICAL"]


def test_c24_round_trip_and_fields() -> None:
    d = Descriptor.c24(
        "high", ["DESTRUCTIVE", "file_modification"], command="rm", exec_ms=50, memory_mb=4, output_kb=1
    )
    raw = d.to_bytes()
    assert len(raw) == 24 and raw[:6] == b"TCP\x04\x01\x03"
    again = Descriptor.from_bytes(raw)
    assert again == d and hash(again) == hash(d)
    assert again.dialect == "c24" and again.mode == "strict"
    assert again.risk is RiskLevel.HIGH_RISK or again.risk == RiskLevel.HIGH_RISK
    assert again.capabilities == ["DESTRUCTIVE", "FILE_MODIFICATION"]
    assert again.command_hash == libtcp.command_hash("rm")
    assert (again.exec_ms, again.memory_mb, again.output_kb) == (50, 4, 1)
    assert bytes(again) == raw and len(again) == 24
    assert "HIGH_RISK" in repr(again) and "c24" in repr(again)
    assert Descriptor(bytearray(raw), dialect="c24") == d
    assert Descriptor(memoryview(raw)) == d


def test_command_hash_matches_the_prototype() -> None:
    assert libtcp.command_hash("!").hex() == "9033e0e3"
    assert libtcp.command_hash("git").hex() == "ba9f11ec"


def test_enums() -> None:
    assert [r.name for r in sorted([RiskLevel.CRITICAL, RiskLevel.SAFE, RiskLevel.MEDIUM_RISK])] == [
        "SAFE",
        "MEDIUM_RISK",
        "CRITICAL",
    ]
    assert RiskLevel.parse("low") == RiskLevel.LOW_RISK == RiskLevel.parse(1)
    assert Decision.parse("deny") == Decision.REJECT and Decision.REJECT.value == 3
    assert Decision.APPROVED < Decision.REJECT
    assert str(Decision.CAUTION_MODE) == "CAUTION_MODE"
    with pytest.raises(libtcp.BadInputError):
        RiskLevel.parse("extreme")
    with pytest.raises(libtcp.BadInputError):
        Decision.parse(9)


def test_validate_uses_the_policy() -> None:
    raw = Descriptor.c24("LOW", ["NETWORK_ACCESS"], command="curl").to_bytes()
    v = libtcp.validate(raw)
    assert v.decision == Decision.APPROVED
    assert [r.kind for r in v.reasons] == ["risk"]
    assert v.descriptor is not None and v.descriptor.to_bytes() == raw
    strict = libtcp.Policy(require_approval=["NETWORK_ACCESS"])
    v = libtcp.validate(raw, policy=strict)
    assert v.decision == Decision.REQUIRE_APPROVAL
    assert any(r.kind == "capability" and r.subject == "NETWORK_ACCESS" for r in v.reasons)
    v = libtcp.validate(raw, dialect="c24", policy=strict.with_deny("network_access"))
    assert v.decision == Decision.REJECT


def test_default_policy_is_the_prototypes() -> None:
    p = libtcp.Policy()
    assert [d.name for d in p.decisions_by_risk] == [
        "APPROVED",
        "APPROVED",
        "CAUTION_MODE",
        "REQUIRE_APPROVAL",
        "REJECT",
    ]
    assert p.decide_unknown("frobnicate").decision == Decision.REQUIRE_APPROVAL
    assert p.decide("CRITICAL").decision == Decision.REJECT


def test_policy_builders_and_toml_agree() -> None:
    toml = 'max_approved_risk = "SAFE"\nrequire_approval = ["NETWORK_ACCESS"]\nunknown_command = "deny"\n'
    a = libtcp.Policy.from_toml(toml)
    b = libtcp.Policy(max_approved_risk="SAFE", require_approval=["NETWORK_ACCESS"], unknown_command="deny")
    c = (
        libtcp.Policy()
        .with_max_approved(RiskLevel.SAFE)
        .with_require_approval(["NETWORK_ACCESS"])
        .with_unknown_command(Decision.REJECT)
    )
    assert a == b == c
    assert a.require_approval == ["NETWORK_ACCESS"] and a.unknown_command == Decision.REJECT
    p = libtcp.Policy(risk={"MEDIUM": "REQUIRE_APPROVAL", "HIGH": "REJECT"})
    assert p.decisions_by_risk[2] == Decision.REQUIRE_APPROVAL
    assert p.decisions_by_risk[3] == Decision.REJECT


def test_policy_errors_are_typed() -> None:
    with pytest.raises(libtcp.BadInputError) as e:
        libtcp.Policy.from_toml("bogus = 1")
    assert e.value.code == "bad_input"
    with pytest.raises(libtcp.BadInputError, match="monotone"):
        libtcp.Policy().with_risk_decision("HIGH", "APPROVED").with_risk_decision("LOW", "REJECT")
    with pytest.raises(libtcp.BadInputError):
        libtcp.Policy(risk={"LOW": "REJECT"})
    with pytest.raises(libtcp.BadInputError):
        libtcp.Policy(deny=["TELEPORTATION"])


def test_kb_conformance_strict(kb_expected: list[dict[str, Any]]) -> None:
    """Every knowledge-base record decodes (strict) to what the independent reader found."""
    assert len(kb_expected) == 1567
    unknown = 0
    for row in kb_expected:
        raw = bytes.fromhex(row["hex"])
        if row["risk"] == "UNKNOWN":
            unknown += 1
            with pytest.raises(libtcp.NoRiskBitError):
                Descriptor(raw, dialect="v2-kb")
            continue
        d = Descriptor(raw, dialect="v2-kb")
        assert d.dialect == "v2-kb", row["command"]
        assert d.risk is not None and d.risk.name == row["risk"], row["command"]
        assert d.flag_names == row["capabilities"], row["command"]
        assert d.raw_flags == row["security_flags"]
        assert (d.exec_ms, d.memory_mb, d.output_kb) == (row["exec_ms"], row["memory_mb"], row["output_kb"])
        assert d.command_hash == libtcp.command_hash(row["command"])
        # Detection finds the same dialect.
        assert Descriptor(raw) == d
    assert unknown == 15


def test_kb_conformance_lenient(kb_expected: list[dict[str, Any]]) -> None:
    for row in kb_expected:
        d = Descriptor(bytes.fromhex(row["hex"]), dialect="v2-kb", mode="lenient")
        if row["risk"] == "UNKNOWN":
            assert d.risk is None and d.lenient, row["command"]
            with pytest.raises(libtcp.NoRiskBitError):
                d.decide()
        else:
            assert d.risk is not None and d.risk.name == row["risk"]
            assert not d.lenient


def test_kb_decisions_follow_the_default_policy(kb_expected: list[dict[str, Any]]) -> None:
    expected = dict(zip(RISK_NAMES, ["APPROVED", "APPROVED", "CAUTION_MODE", "REQUIRE_APPROVAL", "REJECT"]))
    for row in kb_expected:
        if row["risk"] == "UNKNOWN":
            continue
        v = libtcp.validate(bytes.fromhex(row["hex"]), dialect="v2-kb")
        assert v.decision.name == expected[row["risk"]], row["command"]


def test_each_check_raises_its_class() -> None:
    good = Descriptor.c24("HIGH", [], command="rm").to_bytes()
    cases: list[tuple[bytes, type[libtcp.TcpError]]] = [
        (good[:23], libtcp.WrongLengthError),
        (b"X" + good[1:], libtcp.BadMagicError),
        (good[:4] + b"\x02" + good[5:], libtcp.UnsupportedVersionError),
        (good[:13] + bytes([good[13] ^ 1]) + good[14:], libtcp.ChecksumMismatchError),
    ]
    for raw, cls in cases:
        with pytest.raises(cls) as e:
            libtcp.validate(raw, dialect="c24")
        assert isinstance(e.value, libtcp.TcpError)
        assert e.value.code == cls.code and e.value.number == cls.number
    with pytest.raises(libtcp.UnknownDialectError):
        libtcp.validate(good, dialect="v9-future")
    with pytest.raises(libtcp.BadInputError):
        Descriptor(good, mode="sloppy")


def test_error_classes_mirror_the_stable_codes() -> None:
    codes = libtcp.error_codes()
    assert codes[0] == (1, "wrong_length")
    numbers = [n for n, _ in codes]
    assert numbers == sorted(set(numbers))
    classes = {
        cls.code: cls
        for cls in vars(libtcp).values()
        if isinstance(cls, type)
        and issubclass(cls, libtcp.TcpError)
        and not issubclass(cls, libtcp.StatsError)
        and cls is not libtcp.TcpError
    }
    assert set(classes) == {name for _, name in codes}
    for number, name in codes:
        assert classes[name].number == number
        assert classes[name].__module__ == "libtcp"
    assert libtcp.TcpError.code is None


def test_auto_detection_reports_failures() -> None:
    with pytest.raises(libtcp.TcpError):
        libtcp.validate(b"\x00" * 24)
    with pytest.raises(libtcp.TcpError):
        libtcp.validate(b"")
