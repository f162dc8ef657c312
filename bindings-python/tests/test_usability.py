"""What a new user trips over (issue 21): wrong dialects, lenient batches,
error messages with context, which backend ran."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import libtcp
from libtcp import Registry, stats
from conftest import c24_pool

FRAMING = (libtcp.BadMagicError, libtcp.UnsupportedVersionError)


def kb_batch(kb_expected: list[dict[str, Any]]) -> bytes:
    return b"".join(bytes.fromhex(r["hex"]) for r in kb_expected)


# ---- the wrong dialect ------------------------------------------------------


def test_a_batch_of_another_dialect_is_an_error_naming_it(kb_expected: list[dict[str, Any]]) -> None:
    data = kb_batch(kb_expected)
    with pytest.raises(FRAMING, match=r'all 1567 records fail c24.*dialect="v2-kb"'):
        libtcp.validate_batch(data)
    # Named correctly, the same bytes validate.
    assert libtcp.summarize(libtcp.validate_batch(data, dialect="v2-kb"))["invalid"] == 15


def test_one_record_of_the_dialect_is_enough_to_return_statuses(kb_expected: list[dict[str, Any]]) -> None:
    """Only a batch with no record of the dialect at all is refused."""
    good = c24_pool()[0]
    status = libtcp.validate_batch(good + kb_batch(kb_expected[:10]))
    assert status[0] & 0x80 == 0 and all(s & 0x80 for s in status[1:])


def test_garbage_says_no_dialect_fits() -> None:
    with pytest.raises(FRAMING, match="no other dialect"):
        libtcp.validate_batch(bytes(24 * 3))


# ---- lenient batches --------------------------------------------------------


def test_lenient_batches_accept_what_registry_open_accepts(
    data_dir: Path, kb_expected: list[dict[str, Any]]
) -> None:
    data = kb_batch(kb_expected)
    strict = libtcp.validate_batch(data, dialect="v2-kb", mode="strict")
    lenient = libtcp.validate_batch(data, dialect="v2-kb", mode="lenient")
    assert libtcp.summarize(strict)["invalid"] == 15
    assert libtcp.summarize(lenient)["invalid"] == 0
    risk, decision, error = libtcp.unpack_status(lenient)
    reg = Registry.open(data_dir / "tcp_export.json")
    no_risk = [i for i, r in enumerate(kb_expected) if r["risk"] == "UNKNOWN"]
    assert len(no_risk) == 15
    for i, row in enumerate(kb_expected):
        entry = reg.lookup(row["command"])
        assert entry is not None
        if i in no_risk:
            # Accepted, as the registry accepts it: no risk level, decided as
            # the registry's checker decides an entry without one.
            assert entry.risk is None and risk[i] == -1 and error[i] == 0
            assert decision[i] >= libtcp.Decision.REQUIRE_APPROVAL.value
        else:
            assert lenient[i] == strict[i]
    # The policy's unknown-command decision is what decides them.
    reject = libtcp.Policy(unknown_command="REJECT")
    _, decision, _ = libtcp.unpack_status(libtcp.validate_batch(data, dialect="v2-kb", policy=reject, mode="lenient"))
    assert all(decision[i] == libtcp.Decision.REJECT.value for i in no_risk)


def test_lenient_batches_match_lenient_single_records(kb_expected: list[dict[str, Any]]) -> None:
    records = [bytes.fromhex(r["hex"]) for r in kb_expected]
    broken = bytearray(records[0])
    broken[-1] ^= 1
    records.append(bytes(broken))
    status = libtcp.validate_batch(b"".join(records), dialect="v2-kb", mode="lenient")
    for rec, s in zip(records, status):
        try:
            d = libtcp.Descriptor(rec, dialect="v2-kb", mode="lenient")
        except libtcp.TcpError as e:
            assert s == 0x80 | e.number  # type: ignore[operator]
            continue
        assert s & 0x80 == 0
        if d.risk is not None:
            assert s == d.risk.value | (d.decide().decision.value << 4)


def test_every_backend_gives_the_same_lenient_answer(kb_expected: list[dict[str, Any]]) -> None:
    data = np.frombuffer(kb_batch(kb_expected) * 8, dtype=np.uint8)
    want = libtcp.validate_batch(data, dialect="v2-kb", mode="lenient", backend="scalar")
    for b in libtcp.backends():
        if b.available:
            got = libtcp.validate_batch(data, dialect="v2-kb", mode="lenient", backend=b.name)
            np.testing.assert_array_equal(got, want, err_msg=b.name)


def test_bad_mode_is_a_typed_error() -> None:
    with pytest.raises(libtcp.BadInputError, match="mode"):
        libtcp.validate_batch(b"", mode="sloppy")


# ---- error messages ---------------------------------------------------------


def test_a_json_file_of_another_kind_is_explained_with_its_path(data_dir: Path) -> None:
    path = data_dir / "sandbox_tool_registry.json"
    with pytest.raises(libtcp.BadInputError) as info:
        Registry.open(path)
    message = str(info.value)
    assert str(path) in message and '"tools"' in message and '"commands"' in message
    assert "Serde" not in message and "character" not in message


def test_a_directory_is_named_and_called_a_directory(tmp_path: Path) -> None:
    with pytest.raises(libtcp.IoError, match="is a directory") as info:
        Registry.open(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_a_json_export_reports_json(data_dir: Path) -> None:
    assert Registry.open(data_dir / "tcp_export.json").format == "json"
    assert Registry.from_json('{"format": "libtcp-registry", "version": 1, "entries": []}').format == "json"
    assert Registry.open(data_dir / "tcp_binary_database.bin").format.startswith("tcpdb")


@pytest.mark.parametrize(
    "field, value", [("exec_ms", -1), ("exec_ms", 2**32), ("memory_mb", 70000), ("output_kb", -5), ("exec_ms", 2**80)]
)
def test_c24_fields_out_of_range_name_the_parameter(field: str, value: int) -> None:
    with pytest.raises(libtcp.BadInputError, match=field):
        libtcp.Descriptor.c24("SAFE", **{field: value})  # type: ignore[arg-type]


def test_c24_fields_of_the_wrong_type_are_type_errors() -> None:
    with pytest.raises(TypeError, match="exec_ms"):
        libtcp.Descriptor.c24("SAFE", exec_ms="5")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [None, "12.5", b"123", ["1.0", "2.0", "3.0"], [object(), object()], [1 + 2j, 3j]])
def test_samples_that_are_not_numbers_are_type_errors(bad: Any) -> None:
    with pytest.raises(TypeError, match="samples"):
        stats.summary(bad)
    with pytest.raises(TypeError, match="class_a"):
        stats.leakage(bad, [1.0, 2.0, 3.0])


def test_numeric_samples_still_convert() -> None:
    as_ints = stats.summary([1, 2, 3, 4])
    assert as_ints["mean"] == stats.summary(np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32))["mean"] == 2.5
    with pytest.raises(libtcp.TooFewSamplesError):
        stats.summary([])


# ---- which backend ----------------------------------------------------------


def test_the_result_names_its_backend() -> None:
    data = b"".join(c24_pool())
    names = {b.name for b in libtcp.backends() if b.available}
    status = libtcp.validate_batch(data)
    assert isinstance(status, libtcp.BatchStatus) and status.backend in names
    assert status.dtype == np.uint8
    assert libtcp.validate_batch(data, backend="scalar").backend == "scalar"
    # Views and pickles keep it; plain numpy use is unchanged.
    assert status[1:].backend == status.backend
    again = pickle.loads(pickle.dumps(status))
    assert again.backend == status.backend and np.array_equal(again, status)
    assert status.tolist() == np.asarray(status).tolist()


def test_warm_up_pays_the_set_up_ahead() -> None:
    warmed = libtcp.warm_up()
    names = [name for name, _ in warmed]
    assert "scalar" in names
    assert all(seconds >= 0 for _, seconds in warmed)
    # Every backend that can run here (all of them take C24) was set up.
    assert set(names) == {b.name for b in libtcp.backends() if b.available}
    assert libtcp.validate_batch(b"".join(c24_pool())).backend in names
