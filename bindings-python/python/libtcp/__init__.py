"""libtcp: Tool Capability Protocol descriptors, read exactly and decided fast.

Python bindings for the Rust library: every check, decision and statistic is
computed by tcp-core, tcp-hw or tcp-stats; this package only translates.

- ``Descriptor``, ``validate``: one record of any dialect, decoded and decided.
- ``validate_batch``: many records from any buffer (bytes, bytearray,
  memoryview, numpy ``uint8`` array, mmap), read in place with the GIL
  released, one status byte per record (a ``BatchStatus`` array whose
  ``backend`` says which backend ran), strict or lenient; ``unpack_status``
  and ``summarize`` read the statuses; ``warm_up()`` pays the backends'
  one-time set-up ahead of the first batch.
- ``Policy``, ``Verdict``, ``Reason``, ``RiskLevel``, ``Decision``.
- ``check(line)``, ``Registry``: whole shell lines decided against a registry
  (``Registry.builtin()`` or ``Registry.open(path)``), with segments and reasons.
- ``LiveChecker``: a registry file and policy file reloaded in use (``reload()``).
- ``backends()``: tcp-hw's batch backends and whether each can run here.
- ``TcpError`` and one subclass per stable error code; ``stats`` (tcp-stats).

Every object is immutable, thread-safe and picklable.
"""

from libtcp._libtcp import (
    AmbiguousDialectError,
    BackendInfo,
    BadIndexError,
    BadInputError,
    BadMagicError,
    BadNameError,
    ChecksumMismatchError,
    DIALECTS,
    Decision,
    Descriptor,
    DigestMismatchError,
    DuplicateNameError,
    Entry,
    HashMismatchError,
    InvalidParameterError,
    InvalidRiskLevelError,
    IoError,
    LineVerdict,
    LiveChecker,
    MultipleRiskBitsError,
    NoConvergenceError,
    NoRiskBitError,
    NonFiniteError,
    OutputTooSmallError,
    Policy,
    Reason,
    Registry,
    ReservedBitsSetError,
    RiskLevel,
    RuleSelfTestError,
    Segment,
    StatsError,
    StatsOverflowError,
    TcpError,
    TooFewSamplesError,
    TruncatedError,
    UnboundedIntervalError,
    UnknownDialectError,
    UnsupportedVersionError,
    Verdict,
    WrongLengthError,
    ZeroVarianceError,
    __version__,
    backends,
    capability_names,
    check,
    command_hash,
    error_codes,
    summarize,
    unpack_status,
    validate,
    warm_up,
)
from libtcp._batch import BatchStatus, validate_batch
from libtcp import stats

__all__ = [
    "AmbiguousDialectError",
    "BatchStatus",
    "BackendInfo",
    "BadIndexError",
    "BadInputError",
    "BadMagicError",
    "BadNameError",
    "ChecksumMismatchError",
    "DIALECTS",
    "Decision",
    "Descriptor",
    "DigestMismatchError",
    "DuplicateNameError",
    "Entry",
    "HashMismatchError",
    "InvalidParameterError",
    "InvalidRiskLevelError",
    "IoError",
    "LineVerdict",
    "LiveChecker",
    "MultipleRiskBitsError",
    "NoConvergenceError",
    "NoRiskBitError",
    "NonFiniteError",
    "OutputTooSmallError",
    "Policy",
    "Reason",
    "Registry",
    "ReservedBitsSetError",
    "RiskLevel",
    "RuleSelfTestError",
    "Segment",
    "StatsError",
    "StatsOverflowError",
    "TcpError",
    "TooFewSamplesError",
    "TruncatedError",
    "UnboundedIntervalError",
    "UnknownDialectError",
    "UnsupportedVersionError",
    "Verdict",
    "WrongLengthError",
    "ZeroVarianceError",
    "__version__",
    "backends",
    "capability_names",
    "check",
    "command_hash",
    "error_codes",
    "summarize",
    "unpack_status",
    "validate",
    "validate_batch",
    "warm_up",
    "stats",
]
