"""Type stubs for the libtcp._libtcp extension module (checked by mypy.stubtest).

Errors: every function and method says under "Raises" what it raises. All
libtcp errors derive from ``TcpError`` (one subclass per stable code, with
``code`` and ``number``); the statistics' from ``StatsError``. An argument of
the wrong Python type raises ``TypeError`` (a buffer argument also
``BufferError``) everywhere, and is not repeated. Properties, ``names()``,
``entries()``, ``__len__`` and the like raise nothing.
"""

import mmap
import os
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final, final

import numpy as np
import numpy.typing as npt
from typing_extensions import Buffer

__all__ = [
    "AmbiguousDialectError",
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
    "_restore_entry",
    "_restore_registry",
    "_validate_batch",
    "backends",
    "capability_names",
    "check",
    "command_hash",
    "compliance",
    "compliance_profiles",
    "error_codes",
    "leakage",
    "power",
    "sample_size",
    "summarize",
    "summary",
    "unpack_status",
    "validate",
    "warm_up",
    "welch",
]

# Anything exporting a byte buffer (numpy and mmap are spelled out for Python 3.11's stubs).
_BufferLike = Buffer | npt.NDArray[Any] | mmap.mmap

__version__: Final[str]
DIALECTS: Final[list[str]]

# ---- errors -----------------------------------------------------------------

class TcpError(Exception):
    """Base class of every libtcp error; `code` and `number` say which."""

    code: ClassVar[str | None]
    number: ClassVar[int | None]

class WrongLengthError(TcpError): ...
class BadMagicError(TcpError): ...
class UnsupportedVersionError(TcpError): ...
class ChecksumMismatchError(TcpError): ...
class MultipleRiskBitsError(TcpError): ...
class NoRiskBitError(TcpError): ...
class ReservedBitsSetError(TcpError): ...
class HashMismatchError(TcpError): ...
class InvalidRiskLevelError(TcpError): ...
class TruncatedError(TcpError): ...
class BadIndexError(TcpError): ...
class DigestMismatchError(TcpError): ...
class UnknownDialectError(TcpError): ...
class AmbiguousDialectError(TcpError): ...
class BadNameError(TcpError): ...
class BadInputError(TcpError): ...
class IoError(TcpError): ...
class OutputTooSmallError(TcpError): ...
class DuplicateNameError(TcpError): ...
class RuleSelfTestError(TcpError): ...

def error_codes() -> list[tuple[int, str]]:
    """Every error code as ``(number, name)``, in numeric order. Raises nothing.
    """

class StatsError(TcpError):
    """A statistic could not be computed; `code` says why (tcp-stats' stable code)."""

class TooFewSamplesError(StatsError): ...
class NonFiniteError(StatsError): ...
class ZeroVarianceError(StatsError): ...
class InvalidParameterError(StatsError): ...
class UnboundedIntervalError(StatsError): ...
class StatsOverflowError(StatsError): ...
class NoConvergenceError(StatsError): ...

# ---- vocabulary -------------------------------------------------------------

@final
class RiskLevel:
    SAFE: ClassVar[RiskLevel]
    LOW_RISK: ClassVar[RiskLevel]
    MEDIUM_RISK: ClassVar[RiskLevel]
    HIGH_RISK: ClassVar[RiskLevel]
    CRITICAL: ClassVar[RiskLevel]
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...
    @staticmethod
    def parse(value: _RiskLike) -> RiskLevel:
        """A level from its name (``"high"``, ``"HIGH_RISK"``), number 0..=4 or itself.

        Raises:
            BadInputError: an unknown name or a number outside 0..=4.
        """
    def __int__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __lt__(self, other: object, /) -> bool: ...
    def __le__(self, other: object, /) -> bool: ...
    def __gt__(self, other: object, /) -> bool: ...
    def __ge__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Decision:
    APPROVED: ClassVar[Decision]
    CAUTION_MODE: ClassVar[Decision]
    REQUIRE_APPROVAL: ClassVar[Decision]
    REJECT: ClassVar[Decision]
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> int: ...
    @staticmethod
    def parse(value: _DecisionLike) -> Decision:
        """A decision from its name (``"reject"``, ``"deny"``, ``"ask"``), number 0..=3 or itself.

        Raises:
            BadInputError: an unknown name or a number outside 0..=3.
        """
    def __int__(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __lt__(self, other: object, /) -> bool: ...
    def __le__(self, other: object, /) -> bool: ...
    def __gt__(self, other: object, /) -> bool: ...
    def __ge__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

_RiskLike = RiskLevel | int | str
_DecisionLike = Decision | int | str
_CapabilitiesLike = Iterable[str] | str | int

def capability_names() -> list[str]:
    """Every capability name, in bit order. Raises nothing.
    """

# ---- descriptors ------------------------------------------------------------

@final
class Descriptor:
    def __new__(cls, data: _BufferLike, dialect: str = "auto", mode: str = "strict") -> Descriptor:
        """Decodes one record in ``dialect`` (a name, or ``"auto"``: the one dialect
        whose framing verifies) and ``mode`` (``"strict"`` or ``"lenient"``).

        Raises:
            WrongLengthError, BadMagicError, UnsupportedVersionError,
            ChecksumMismatchError, NoRiskBitError, MultipleRiskBitsError,
            ReservedBitsSetError, InvalidRiskLevelError: the first check the record
                fails (``TcpError.code`` says which).
            UnknownDialectError: an unknown dialect name.
            AmbiguousDialectError: ``"auto"`` and several dialects' framing verifies.
            BadInputError: ``"auto"`` and no dialect's framing verifies; a bad ``mode``.
        """
    @staticmethod
    def from_bytes(data: _BufferLike, dialect: str = "auto", mode: str = "strict") -> Descriptor:
        """The same as ``Descriptor(data, dialect, mode)``, with the same errors.
        """
    @staticmethod
    def c24(
        risk: _RiskLike,
        capabilities: _CapabilitiesLike = ...,
        *,
        command: str | None = None,
        command_hash: bytes | None = None,
        exec_ms: int = 0,
        memory_mb: int = 0,
        output_kb: int = 0,
    ) -> Descriptor:
        """Builds a record in libtcp's C24 format.

        Raises:
            BadInputError: a risk or capability that does not exist; ``exec_ms``
                outside 0..=2**32-1 or ``memory_mb``/``output_kb`` outside 0..=65535
                (the message names the parameter); a ``command_hash`` that is not 4
                bytes; both ``command`` and ``command_hash``.
        """
    @property
    def dialect(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def command_hash(self) -> bytes | None: ...
    @property
    def risk(self) -> RiskLevel | None: ...
    @property
    def capabilities(self) -> list[str]: ...
    @property
    def capability_bits(self) -> int: ...
    @property
    def raw_flags(self) -> int: ...
    @property
    def flag_names(self) -> list[str]: ...
    @property
    def exec_ms(self) -> int | None: ...
    @property
    def memory_mb(self) -> int | None: ...
    @property
    def output_kb(self) -> int | None: ...
    @property
    def lenient(self) -> list[str]: ...
    def to_bytes(self) -> bytes: ...
    def __bytes__(self) -> bytes: ...
    def __len__(self) -> int: ...
    def decide(self, policy: Policy | None = None) -> Verdict:
        """The verdict ``policy`` (default ``Policy()``) gives this descriptor.

        Raises:
            NoRiskBitError: the descriptor has no risk level (a layout without one,
                or a lenient read that found none).
        """
    def __eq__(self, other: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def validate(data: _BufferLike, dialect: str = "auto", policy: Policy | None = None) -> Verdict:
    """Decodes one record strictly and decides it under ``policy``.

    Raises:
        TcpError subclasses: as ``Descriptor(data, dialect)``, and
        NoRiskBitError: a layout without a risk level.
    """
def command_hash(name: str) -> bytes:
    """``md5(name)[:4]``, the command hash every dialect uses. Raises nothing.
    """

# ---- batches ----------------------------------------------------------------

def _validate_batch(
    data: _BufferLike,
    dialect: str = "c24",
    policy: Policy | None = None,
    backend: str | None = None,
    mode: str = "strict",
) -> tuple[npt.NDArray[np.uint8], str]:
    """What ``libtcp.validate_batch`` wraps: the status bytes and the backend's name.

    Raises as ``libtcp.validate_batch`` documents.
    """
def unpack_status(
    status: _BufferLike,
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int8], npt.NDArray[np.uint8]]:
    """Splits status bytes into ``(risk, decision, error)`` arrays; risk and
    decision are -1 for invalid records (risk also for a lenient batch's
    records without a risk level), error is 0 for valid ones. Raises nothing
    beyond ``TypeError``/``BufferError`` for a non-buffer.
    """
def summarize(status: _BufferLike) -> dict[str, Any]:
    """Counts: ``records``, ``invalid``, ``by_decision`` (valid records per
    decision name). Raises nothing beyond ``TypeError``/``BufferError`` for a non-buffer.
    """

@final
class BackendInfo:
    def __new__(
        cls, name: str, kind: str, device: str, available: bool, reason: str | None = None
    ) -> BackendInfo: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def available(self) -> bool: ...
    @property
    def reason(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def backends() -> list[BackendInfo]:
    """Every backend tcp-hw builds, available or not (with the reason). Raises nothing."""

def warm_up() -> list[tuple[str, float]]:
    """Pays every available backend's one-time set-up now (device probes,
    kernel builds, thread pools, the selector) instead of in the first
    ``validate_batch``; returns ``(backend, seconds)`` for each. Raises
    nothing: a backend that cannot run is left out (``backends()`` says why).
    """

# ---- policies and verdicts --------------------------------------------------

@final
class Policy:
    def __new__(
        cls,
        *,
        max_approved_risk: _RiskLike | None = None,
        risk: Mapping[str, _DecisionLike] | None = None,
        require_approval: _CapabilitiesLike = ...,
        deny: _CapabilitiesLike = ...,
        unknown_command: _DecisionLike | None = None,
    ) -> Policy:
        """The prototype's default policy adjusted by the TOML form's keys.

        Raises:
            BadInputError: an unknown risk level, decision or capability name, or a
                ``risk`` table whose decisions fall as risk rises.
        """
    @staticmethod
    def from_toml(text: str) -> Policy:
        """Reads a policy from TOML.

        Raises:
            BadInputError: TOML that does not parse, an unknown key, level,
                decision or capability, or a non-monotone risk table.
        """
    def with_max_approved(self, level: _RiskLike) -> Policy:
        """A copy approving every level up to ``level``.

        Raises:
            BadInputError: an unknown level.
        """
    def with_risk_decision(self, level: _RiskLike, decision: _DecisionLike) -> Policy:
        """A copy with one level's decision changed.

        Raises:
            BadInputError: an unknown level or decision, or one that would make the
                decisions fall as risk rises.
        """
    def with_require_approval(self, capabilities: _CapabilitiesLike) -> Policy:
        """A copy where ``capabilities`` always need approval.

        Raises:
            BadInputError: an unknown capability name or undefined bits.
        """
    def with_deny(self, capabilities: _CapabilitiesLike) -> Policy:
        """A copy where ``capabilities`` are always rejected.

        Raises:
            BadInputError: an unknown capability name or undefined bits.
        """
    def with_unknown_command(self, decision: _DecisionLike) -> Policy:
        """A copy giving unknown commands ``decision``.

        Raises:
            BadInputError: an unknown decision.
        """
    @property
    def decisions_by_risk(self) -> list[Decision]: ...
    @property
    def require_approval(self) -> list[str]: ...
    @property
    def deny(self) -> list[str]: ...
    @property
    def unknown_command(self) -> Decision: ...
    def decide(self, risk: _RiskLike, capabilities: _CapabilitiesLike = ...) -> Verdict:
        """Decides for a risk level and capabilities, with reasons.

        Raises:
            BadInputError: an unknown level or capability.
        """
    def decide_unknown(self, command: str) -> Verdict:
        """Decides for a command the registry does not know. Raises nothing.
        """
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Reason:
    def __new__(
        cls,
        kind: str,
        decision: Decision,
        message: str,
        subject: str | None = None,
        justification: str | None = None,
    ) -> Reason: ...
    @property
    def kind(self) -> str: ...
    @property
    def decision(self) -> Decision: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def justification(self) -> str | None: ...
    @property
    def message(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Verdict:
    def __new__(
        cls, decision: Decision, reasons: list[Reason], descriptor: Descriptor | None = None
    ) -> Verdict: ...
    @property
    def decision(self) -> Decision: ...
    @property
    def reasons(self) -> list[Reason]: ...
    @property
    def descriptor(self) -> Descriptor | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

# ---- registries -------------------------------------------------------------

@final
class Registry:
    @staticmethod
    def open(path: str | os.PathLike[str]) -> Registry:
        """Opens a registry file: libtcp's TCPR, the prototype's TCPDB v1/v2 (by
        magic) or JSON (libtcp's schema or the prototype's export; ``format`` is
        then ``"json"``). Every entry is checked; binary files are mapped.

        Raises:
            IoError: the file cannot be read, or the path is a directory (the
                message names the path).
            BadInputError: JSON that is neither schema, or has a bad field (the
                message names the path and says what was expected and found).
            BadMagicError: a binary file of no registry format.
            TruncatedError, BadIndexError, DigestMismatchError, BadNameError,
            DuplicateNameError, HashMismatchError, ChecksumMismatchError, ...: an
                entry or the file's structure fails its check.
        """
    @staticmethod
    def from_bytes(data: _BufferLike) -> Registry:
        """Reads a registry from a TCPR or TCPDB file's bytes.

        Raises:
            BadMagicError, TruncatedError, BadIndexError, DigestMismatchError,
            HashMismatchError, ...: as ``Registry.open`` for a binary file.
        """
    @staticmethod
    def from_json(text: str) -> Registry:
        """Reads a registry from JSON text (libtcp's schema or the prototype's export).

        Raises:
            BadInputError: text that is not JSON or neither schema (the message
                says what was expected and found), or a bad field.
            DuplicateNameError, HashMismatchError, ...: an entry fails its check.
        """
    @staticmethod
    def builtin() -> Registry:
        """libtcp's built-in registry (the one ``libtcp.check`` uses).

        Raises:
            TcpError: only if the built-in tables failed their self-test (a libtcp bug).
        """
    def check(
        self,
        line: str,
        policy: Policy | None = None,
        *,
        cwd: str | os.PathLike[str] | None = None,
        home: str | os.PathLike[str] | None = None,
        workspace: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    ) -> LineVerdict:
        """Decides a whole shell line against this registry, in the working
        directory ``cwd``, home ``home`` and workspace root(s) ``workspace``
        (defaults as ``libtcp.check``: the current directory, ``$HOME``,
        ``[cwd]``). What cannot be analysed is decided fail-closed.

        Raises:
            TypeError: ``cwd`` or ``home`` is not a str or os.PathLike, or
                ``workspace`` is neither that nor a sequence of them.
        """
    def lookup(self, name: str) -> Entry | None:
        """The entry for a command name, or ``None``. Raises nothing.
        """
    def lookup_hash(self, hash: bytes) -> Entry | None:
        """The entry for a 4-byte command hash, or ``None``.

        Raises:
            BadInputError: ``hash`` is not 4 bytes.
        """
    def names(self) -> list[str]: ...
    def entries(self) -> list[Entry]: ...
    @property
    def format(self) -> str: ...
    def to_bytes(self) -> bytes: ...
    def __len__(self) -> int: ...
    def __contains__(self, name: str, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Entry:
    @property
    def name(self) -> str: ...
    @property
    def dialect(self) -> str: ...
    @property
    def justification(self) -> str: ...
    @property
    def risk(self) -> RiskLevel | None: ...
    @property
    def capabilities(self) -> list[str]: ...
    @property
    def descriptor_bytes(self) -> bytes: ...
    def descriptor(self) -> Descriptor:
        """The descriptor, decoded as the registry does (strict for c24, lenient for
        the prototype's dialects). Raises nothing for an entry read from a registry
        (it was checked at open).
        """
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class LiveChecker:
    def __new__(
        cls,
        registry: str | os.PathLike[str] | None = None,
        policy: str | os.PathLike[str] | None = None,
    ) -> LiveChecker: ...
    def reload(self) -> None: ...
    def check(
        self,
        line: str,
        *,
        cwd: str | os.PathLike[str] | None = None,
        home: str | os.PathLike[str] | None = None,
        workspace: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    ) -> LineVerdict:
        """Decides a whole shell line with the registry and policy in use now,
        in the working directory ``cwd``, home ``home`` and workspace root(s)
        ``workspace`` (defaults as ``libtcp.check``).

        Raises:
            TypeError: ``cwd`` or ``home`` is not a str or os.PathLike, or
                ``workspace`` is neither that nor a sequence of them.
        """
    def lookup(self, name: str) -> Entry | None: ...
    @property
    def registry_path(self) -> str | None: ...
    @property
    def policy_path(self) -> str | None: ...
    @property
    def reloads(self) -> int: ...
    @property
    def failures(self) -> int: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def last_reload_time(self) -> float | None: ...
    def __len__(self) -> int: ...
    def __contains__(self, name: str, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

# ---- command lines ----------------------------------------------------------

def check(
    line: str,
    policy: Policy | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    home: str | os.PathLike[str] | None = None,
    workspace: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
) -> LineVerdict:
    """Decides a whole shell line with the built-in registry and rules.

    ``cwd`` is the directory the line runs in (``None``: the process's
    current directory), ``home`` the directory ``~`` stands for (``None``:
    ``$HOME``; none if unset or empty), ``workspace`` one workspace root or a
    sequence of them, where writes and deletes are the agent's own work
    (``None`` or empty: ``[cwd]``). They are what ``tcp check --cwd --home
    --workspace`` takes, with the same defaults, so the CLI and this give the
    same verdict for the same inputs.

    Raises:
        TypeError: ``cwd`` or ``home`` is not a str or os.PathLike, or
            ``workspace`` is neither that nor a sequence of them.
        TcpError: only if the built-in tables failed their self-test (a
            libtcp bug). Nothing for any line: what cannot be analysed is
            decided fail-closed.
    """

@final
class Segment:
    def __new__(
        cls,
        text: str,
        command: str,
        argv: list[str],
        wrappers: list[str],
        risk: RiskLevel | None,
        capabilities: list[str],
        rules: list[str],
        reasons: list[Reason],
        decision: Decision,
        safer_alternative: str | None = None,
    ) -> Segment: ...
    @property
    def text(self) -> str: ...
    @property
    def command(self) -> str: ...
    @property
    def argv(self) -> list[str]: ...
    @property
    def wrappers(self) -> list[str]: ...
    @property
    def risk(self) -> RiskLevel | None: ...
    @property
    def capabilities(self) -> list[str]: ...
    @property
    def rules(self) -> list[str]: ...
    @property
    def reasons(self) -> list[Reason]: ...
    @property
    def decision(self) -> Decision: ...
    @property
    def safer_alternative(self) -> str | None: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class LineVerdict:
    def __new__(
        cls, decision: Decision, segments: list[Segment], reasons: list[Reason], json: str
    ) -> LineVerdict: ...
    @property
    def decision(self) -> Decision: ...
    @property
    def segments(self) -> list[Segment]: ...
    @property
    def reasons(self) -> list[Reason]: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __ne__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def _restore_registry(kind: str, data: _BufferLike | None = None) -> Registry: ...
def _restore_entry(
    name: str,
    dialect: str,
    descriptor: bytes,
    justification: str,
    risk: RiskLevel | None,
    capabilities: int,
) -> Entry: ...

# ---- statistics (re-exported as libtcp.stats) --------------------------------

_Samples = npt.ArrayLike

def summary(
    samples: _Samples, confidence: float = 0.95, quantiles: list[float] = ...
) -> dict[str, Any]:
    """n, mean, sd, sem, CV, min/max, percentiles, MAD, the mean's t interval.

    Raises:
        TypeError: ``samples`` is None, text, or not real numbers (a list of
            strings is not converted).
        TooFewSamplesError: fewer than 2 samples.
        NonFiniteError: a NaN or infinite sample.
        InvalidParameterError: ``confidence`` or a quantile outside (0, 1), or
            samples that are not 1-D.
    """
def welch(a: _Samples, b: _Samples, alternative: str = "two-sided") -> dict[str, Any]:
    """Welch's t-test of ``a`` against ``b``.

    Raises:
        TypeError: ``a`` or ``b`` not real numbers (named in the message).
        TooFewSamplesError, NonFiniteError, ZeroVarianceError: as the samples require.
        InvalidParameterError: an unknown ``alternative``.
    """
def power(
    effect_size: float,
    nobs: float,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    test: str = "two_sample",
    ratio: float = 1.0,
) -> float:
    """Power of a t-test to detect ``effect_size`` with ``nobs`` observations.

    Raises:
        InvalidParameterError: ``alpha`` outside (0, 1), ``nobs`` or ``ratio``
            not positive, a non-finite argument, an unknown ``alternative`` or ``test``.
        NoConvergenceError: a numerical routine did not reach full precision.
    """
def sample_size(
    effect_size: float,
    power: float = 0.8,
    alpha: float = 0.05,
    alternative: str = "two-sided",
    test: str = "two_sample",
    ratio: float = 1.0,
) -> float:
    """Observations a t-test needs to reach ``power`` for ``effect_size``.

    Raises:
        InvalidParameterError: ``power`` or ``alpha`` outside (0, 1), a zero
            ``effect_size``, an unknown ``alternative`` or ``test``.
        NoConvergenceError: the search did not converge.
    """
def compliance_profiles() -> list[str]:
    """The built-in compliance profiles' names. Raises nothing.
    """
def compliance(samples: _Samples, profile: str = "measurement") -> dict[str, Any]:
    """Checks samples against a named compliance profile.

    Raises:
        TypeError: ``samples`` not real numbers.
        InvalidParameterError: an unknown ``profile``.
        TooFewSamplesError, NonFiniteError: as the samples require.
    """
def leakage(
    class_a: _Samples,
    class_b: _Samples,
    threshold: float | None = None,
    crop_percentiles: list[float] | None = None,
    min_per_class: int | None = None,
) -> dict[str, Any]:
    """dudect-style timing-leakage test of class A timings against class B.

    Raises:
        TypeError: ``class_a`` or ``class_b`` not real numbers (named in the message).
        TooFewSamplesError: fewer than ``min_per_class`` samples in a class.
        NonFiniteError: a NaN or infinite sample.
        InvalidParameterError: a crop percentile outside (0, 100) or a
            threshold that is not positive.
    """
