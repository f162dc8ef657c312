"""Bad input gets a typed error (TcpError, or TypeError/BufferError for a
wrong Python type), never a panic surfacing as PanicException."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import libtcp

TYPED = (libtcp.TcpError, TypeError, BufferError, OverflowError)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64), dialect=st.sampled_from(["auto", *libtcp.DIALECTS]), mode=st.sampled_from(["strict", "lenient"]))
def test_descriptor_never_panics(data: bytes, dialect: str, mode: str) -> None:
    try:
        d = libtcp.Descriptor(data, dialect=dialect, mode=mode)
    except libtcp.TcpError:
        return
    assert d.to_bytes() == data
    repr(d)
    try:
        d.decide()
    except libtcp.NoRiskBitError:
        pass


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=24 * 8), dialect=st.sampled_from(libtcp.DIALECTS))
def test_batch_never_panics_and_matches_single_records(data: bytes, dialect: str) -> None:
    try:
        status = libtcp.validate_batch(data, dialect=dialect)
    except (libtcp.BadMagicError, libtcp.UnsupportedVersionError) as e:
        # Refused only when every record fails the dialect's framing.
        match = re.search(r"all (\d+) records fail", str(e))
        assert match, str(e)
        n = int(match.group(1))
        size = len(data) // n
        for i in range(n):
            with pytest.raises((libtcp.BadMagicError, libtcp.UnsupportedVersionError)):
                libtcp.validate(data[i * size : (i + 1) * size], dialect=dialect)
        return
    except libtcp.TcpError as e:
        assert isinstance(e, libtcp.WrongLengthError)
        return
    risk, decision, error = libtcp.unpack_status(status)
    n = len(status)
    size = len(data) // n if n else 0
    for i in range(n):
        record = data[i * size : (i + 1) * size]
        try:
            v = libtcp.validate(record, dialect=dialect)
        except libtcp.TcpError as e:
            assert error[i] == e.number, (dialect, record.hex())
            continue
        assert error[i] == 0 and decision[i] == v.decision.value
        assert v.descriptor is not None and v.descriptor.risk is not None
        assert risk[i] == v.descriptor.risk.value


@pytest.mark.parametrize("bad", [None, 12, "TCP\x04", 3.5, [1, 2, 3], object()])
def test_wrong_types_are_type_errors(bad: object) -> None:
    with pytest.raises(TYPED):
        libtcp.validate_batch(bad)  # type: ignore[arg-type]
    with pytest.raises(TYPED):
        libtcp.Descriptor(bad)  # type: ignore[arg-type]


def test_wrong_element_types_and_layouts() -> None:
    with pytest.raises(BufferError):
        libtcp.validate_batch(np.zeros(12, dtype=np.uint16))
    strided = np.zeros(48, dtype=np.uint8)[::2]
    with pytest.raises(BufferError, match="contiguous"):
        libtcp.validate_batch(strided)


@pytest.mark.parametrize(
    "kwargs, cls",
    [
        ({"dialect": "nope"}, libtcp.UnknownDialectError),
        ({"dialect": "auto"}, libtcp.BadInputError),
        ({"backend": "no-such-backend"}, libtcp.BadInputError),
    ],
)
def test_bad_arguments(kwargs: dict[str, str], cls: type[libtcp.TcpError]) -> None:
    with pytest.raises(cls):
        libtcp.validate_batch(b"", **kwargs)  # type: ignore[arg-type]


def test_c24_builder_rejects_bad_fields() -> None:
    with pytest.raises(libtcp.BadInputError):
        libtcp.Descriptor.c24(7)
    with pytest.raises(libtcp.BadInputError):
        libtcp.Descriptor.c24("SAFE", 0x100)
    with pytest.raises(libtcp.BadInputError):
        libtcp.Descriptor.c24("SAFE", command_hash=b"abc")
    with pytest.raises(libtcp.BadInputError):
        libtcp.Descriptor.c24("SAFE", command="a", command_hash=b"abcd")
    with pytest.raises(libtcp.BadInputError, match="memory_mb"):
        libtcp.Descriptor.c24("SAFE", memory_mb=70000)
