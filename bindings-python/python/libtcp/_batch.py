"""``validate_batch``: the extension's batch validation, with the backend it chose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import numpy as np
import numpy.typing as npt

from libtcp._libtcp import _validate_batch

if TYPE_CHECKING:
    from libtcp._libtcp import Policy, _BufferLike


class BatchStatus(np.ndarray[Any, np.dtype[np.uint8]]):
    """One status byte per record (a ``numpy.uint8`` array), and ``backend``:
    the name of the backend that validated the batch (``"scalar"``,
    ``"simd"``, ``"parallel"``, an accelerator's).

    Arrays derived from it (slices, ``status & 0x80``) keep ``backend``;
    it survives pickling.
    """

    backend: str | None

    def __array_finalize__(self, obj: npt.NDArray[Any] | None, /) -> None:
        self.backend = getattr(obj, "backend", None)

    def __reduce__(self) -> tuple[Any, ...]:
        # ndarray's own reduction is always (reconstruct, args, state).
        reconstruct, args, state = cast("tuple[Any, Any, Any]", super().__reduce__())
        return reconstruct, args, (state, self.backend)

    def __setstate__(self, state: Any, /) -> None:
        array_state, self.backend = state
        super().__setstate__(array_state)


def validate_batch(
    data: _BufferLike,
    dialect: str = "c24",
    policy: Policy | None = None,
    backend: str | None = None,
    mode: str = "strict",
) -> BatchStatus:
    """Validates and decides every record of ``data`` (contiguous records of
    one dialect), returning one status byte per record as a ``BatchStatus``
    (a ``numpy.uint8`` array whose ``backend`` names the backend that ran):
    ``0b00DD_0RRR`` for a valid record (risk RRR, decision DD),
    ``0b1EEE_EEEE`` (error code) for an invalid one; ``unpack_status``
    splits them.

    ``data`` is any C-contiguous byte buffer and is read in place; the GIL is
    released while the backend (default: the best available for the batch's
    size; ``libtcp.warm_up()`` pays its one-time set-up ahead) runs.

    ``mode="strict"`` applies every check; ``mode="lenient"`` accepts what a
    lenient ``Descriptor`` read accepts (as ``Registry.open`` does for the
    prototype's data): a record without a risk bit is then valid with risk
    nibble 7 (``unpack_status`` gives risk -1) and decided as an unknown
    command (the policy's ``unknown_command``, raised by its capability rules).

    ``dialect`` defaults to libtcp's ``"c24"``. Data of another dialect is
    not silently reported as all-invalid: when every record of a non-empty
    batch fails the dialect's framing (magic or version), the call raises
    ``BadMagicError`` (or ``UnsupportedVersionError``) naming the dialect
    whose framing the data passes. An explicit dialect stays the caller's
    choice; only a batch with no record of that dialect at all is refused.

    Raises:
        UnknownDialectError: ``dialect`` is not a dialect name.
        BadInputError: ``dialect="auto"``, an unknown ``mode``, or an unknown
            or unavailable ``backend`` (or one without this dialect).
        WrongLengthError: ``data`` is not a whole number of records.
        BadMagicError, UnsupportedVersionError: every record fails the
            dialect's framing (the message names the likely dialect).
        TypeError, BufferError: ``data`` is not a C-contiguous byte buffer.
    """
    status, chosen = _validate_batch(data, dialect, policy, backend, mode)
    out = status.view(BatchStatus)
    out.backend = chosen
    return out
