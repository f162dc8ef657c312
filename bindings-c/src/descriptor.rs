//! Validating descriptors: one record, or a batch into a caller buffer.
//!
//! Both call tcp-core: [`tcp_core::Dialect::decode`] for one record,
//! [`tcp_core::batch::validate_batch`] for a batch, whose status bytes
//! `tcp_batch_status_decode` reads back.

use tcp_core::batch::{BatchSummary, Status};
use tcp_core::{Decision, Policy};

use crate::error::{fail, fail_core};
use crate::policy::tcp_policy;
use crate::status::tcp_status;
use crate::types::{
    decision_to_c, dialect_from_c, dialect_to_c, mode_from_c, risk_to_c, tcp_decision, tcp_dialect,
    tcp_mode, tcp_risk_level,
};

/// One decoded descriptor, in libtcp's vocabulary.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tcp_descriptor_info {
    /// The layout it was read as.
    pub dialect: tcp_dialect,
    /// True if the record has a risk level (layouts without one, or a lenient
    /// read that found none, have not).
    pub has_risk: bool,
    /// The risk level; meaningful only if `has_risk`.
    pub risk: tcp_risk_level,
    /// The decision under the policy given; meaningful only if `has_risk`.
    pub decision: tcp_decision,
    /// Capabilities, as `TCP_CAPABILITY_*` bits.
    pub capabilities: u16,
    /// The flag word as stored, in the dialect's own bit table.
    pub raw_flags: u32,
    /// True if the layout carries a command hash.
    pub has_command_hash: bool,
    /// `md5(name)[0..4]`; meaningful only if `has_command_hash`.
    pub command_hash: [u8; 4],
    /// Typical execution time in ms, or -1 where the layout has none.
    pub exec_ms: i64,
    /// Typical memory in MiB, or -1 where the layout has none.
    pub memory_mb: i64,
    /// Typical output in KiB, or -1 where the layout has none.
    pub output_kb: i64,
    /// How many things a lenient read tolerated (0 for strict reads).
    pub lenient_count: u32,
}

/// Counts over a validated batch.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tcp_batch_summary {
    /// Records seen.
    pub records: usize,
    /// Records that failed validation.
    pub invalid: usize,
    /// Valid records per decision, indexed by `TCP_DECISION_*`.
    pub by_decision: [usize; 4],
}

impl From<BatchSummary> for tcp_batch_summary {
    fn from(s: BatchSummary) -> Self {
        Self {
            records: s.records,
            invalid: s.invalid,
            by_decision: s.by_decision,
        }
    }
}

/// What one batch status byte says.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tcp_record_outcome {
    /// True if the record validated.
    pub valid: bool,
    /// Its risk level; meaningful only if `valid` and `has_risk`.
    pub risk: tcp_risk_level,
    /// Its decision under the batch's policy; meaningful only if `valid`.
    pub decision: tcp_decision,
    /// Why it failed (a tcp-core `TCP_STATUS_*` value); `TCP_STATUS_OK` if valid.
    pub error: tcp_status,
    /// True if the record has a risk level: always for a valid record of a
    /// strict batch; a lenient batch's record without one (decided as an
    /// unknown command) has not.
    pub has_risk: bool,
}

/// A dialect from C, with its C value.
fn to_c_dialect(raw: u32) -> Result<(tcp_core::Dialect, tcp_dialect), tcp_status> {
    dialect_from_c(raw)
        .and_then(|d| dialect_to_c(d).map(|c| (d, c)))
        .ok_or_else(|| {
            fail(
                tcp_status::InvalidArgument,
                format_args!("no dialect {raw}"),
            )
        })
}

/// The policy behind an optional handle: NULL means the default policy.
pub(crate) fn policy_or_default(policy: Option<&Policy>) -> std::borrow::Cow<'_, Policy> {
    match policy {
        Some(p) => std::borrow::Cow::Borrowed(p),
        None => std::borrow::Cow::Owned(Policy::default()),
    }
}

fn opt_i64(v: Option<u32>) -> i64 {
    v.map_or(-1, i64::from)
}

/// Validates one record of `len` bytes in `dialect` (a `TCP_DIALECT_*`) and
/// `mode` (a `TCP_MODE_*`), and decides it under `policy` (NULL: the default
/// policy), into `*out`.
///
/// A record that fails validation gives its tcp-core status
/// (`TCP_STATUS_CHECKSUM_MISMATCH`, `TCP_STATUS_WRONG_LENGTH`, …) and
/// `tcp_last_error_message` has the details; a dialect tcp-core cannot
/// decode yet gives `TCP_STATUS_UNKNOWN_DIALECT`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`; `record` with a non-zero `len`),
/// `TCP_STATUS_INVALID_ARGUMENT` (an unknown `dialect` or `mode`), and the
/// tcp-core status of the first check the record fails
/// (`TCP_STATUS_WRONG_LENGTH`, `TCP_STATUS_BAD_MAGIC`,
/// `TCP_STATUS_UNSUPPORTED_VERSION`, `TCP_STATUS_CHECKSUM_MISMATCH`,
/// `TCP_STATUS_NO_RISK_BIT`, `TCP_STATUS_MULTIPLE_RISK_BITS`,
/// `TCP_STATUS_RESERVED_BITS_SET`, `TCP_STATUS_INVALID_RISK_LEVEL`,
/// `TCP_STATUS_UNKNOWN_DIALECT`).
///
/// Thread safety: may be called from many threads at once, also with the same policy.
///
/// # Safety
///
/// `record` is valid for reads of `len` bytes; `policy` is NULL or a live
/// policy handle; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_descriptor_validate(
    dialect: u32,
    mode: u32,
    record: *const u8,
    len: usize,
    policy: *const tcp_policy,
    out: *mut tcp_descriptor_info,
) -> tcp_status {
    ffi_panic_boundary! {
        let record = try_slice!(record, len);
        let out = try_out!(out);
        let policy = policy_or_default(opt_handle!(policy));
        let (dialect, c_dialect) = match to_c_dialect(dialect) {
            Ok(d) => d,
            Err(status) => return status,
        };
        let Some(mode) = mode_from_c(mode) else {
            return fail(tcp_status::InvalidArgument, format_args!("no mode {mode}"));
        };
        let decoded = match dialect.decode(record, mode) {
            Ok(d) => d,
            Err(e) => return fail_core(&e),
        };
        let decision = decoded
            .risk
            .map_or(Decision::Approved, |r| policy.decide_fast(r, decoded.capabilities));
        out.write(tcp_descriptor_info {
            dialect: c_dialect,
            has_risk: decoded.risk.is_some(),
            risk: decoded.risk.map_or(tcp_risk_level::Safe, risk_to_c),
            decision: decision_to_c(decision),
            capabilities: decoded.capabilities.bits(),
            raw_flags: decoded.raw_flags,
            has_command_hash: decoded.command_hash.is_some(),
            command_hash: decoded.command_hash.unwrap_or_default(),
            exec_ms: opt_i64(decoded.exec_ms),
            memory_mb: opt_i64(decoded.memory_mb),
            output_kb: opt_i64(decoded.output_kb),
            lenient_count: u32::try_from(decoded.lenient.len()).unwrap_or(u32::MAX),
        });
        tcp_status::Ok
    }
}

/// Validates and decides every record of `input` (`input_len` bytes of
/// `dialect` records, strict mode) under `policy` (NULL: the default policy),
/// writing one status byte per record into `out` (`out_len` bytes) and, if
/// `summary` is not NULL, the counts into `*summary`. The same as
/// `tcp_validate_batch_mode` with `TCP_MODE_STRICT`.
///
/// Status bytes are tcp-core's: read them with `tcp_batch_status_decode`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (a NULL `input` or `out` with a
/// non-zero length), `TCP_STATUS_INVALID_ARGUMENT` (an unknown `dialect`),
/// `TCP_STATUS_WRONG_LENGTH` (`input_len` not a multiple of the record
/// length), `TCP_STATUS_OUTPUT_TOO_SMALL` (`out_len` below the record
/// count); on any error nothing is written. Invalid records are not errors:
/// their status bytes say why.
///
/// Thread safety: may be called from many threads at once, also with the same policy.
///
/// # Safety
///
/// `input` is valid for reads of `input_len` bytes; `out` for writes of
/// `out_len` bytes and not overlapping `input`; `policy` is NULL or a live
/// policy handle; `summary` is NULL or valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_validate_batch(
    dialect: u32,
    input: *const u8,
    input_len: usize,
    policy: *const tcp_policy,
    out: *mut u8,
    out_len: usize,
    summary: *mut tcp_batch_summary,
) -> tcp_status {
    // SAFETY: forwarded from this function's own contract.
    unsafe {
        tcp_validate_batch_mode(
            dialect,
            tcp_mode::Strict as u32,
            input,
            input_len,
            policy,
            out,
            out_len,
            summary,
        )
    }
}

/// Validates and decides every record of `input` (`input_len` bytes of
/// `dialect` records) in `mode` (a `TCP_MODE_*`) under `policy` (NULL: the
/// default policy), writing one status byte per record into `out` (`out_len`
/// bytes) and, if `summary` is not NULL, the counts into `*summary`.
///
/// `TCP_MODE_LENIENT` accepts what `tcp_descriptor_validate` accepts in
/// lenient mode (as `tcp_registry_open` does for the prototype's data): a
/// record without a risk bit is valid, has no risk level
/// (`tcp_record_outcome.has_risk` is false) and is decided as an unknown
/// command (the policy's unknown-command decision, raised by its capability
/// rules).
///
/// Errors: as `tcp_validate_batch`, and `TCP_STATUS_INVALID_ARGUMENT` for an
/// unknown `mode`; on any error nothing is written.
///
/// Thread safety: may be called from many threads at once, also with the same policy.
///
/// # Safety
///
/// As `tcp_validate_batch`.
#[unsafe(no_mangle)]
#[allow(
    clippy::too_many_arguments,
    reason = "a C signature: buffers come with their lengths"
)]
pub unsafe extern "C" fn tcp_validate_batch_mode(
    dialect: u32,
    mode: u32,
    input: *const u8,
    input_len: usize,
    policy: *const tcp_policy,
    out: *mut u8,
    out_len: usize,
    summary: *mut tcp_batch_summary,
) -> tcp_status {
    ffi_panic_boundary! {
        let input = try_slice!(input, input_len);
        let out = try_slice_mut!(out, out_len);
        // SAFETY: by this function's contract `summary` is NULL or valid for one write.
        let summary = unsafe { crate::ptr::out(summary) };
        let policy = policy_or_default(opt_handle!(policy));
        let dialect = match to_c_dialect(dialect) {
            Ok((d, _)) => d,
            Err(status) => return status,
        };
        let Some(mode) = mode_from_c(mode) else {
            return fail(tcp_status::InvalidArgument, format_args!("no mode {mode}"));
        };
        match tcp_core::batch::validate_batch_mode(dialect, input, &policy, mode, out) {
            Ok(s) => {
                if let Some(summary) = summary {
                    summary.write(s.into());
                }
                tcp_status::Ok
            }
            Err(e) => fail_core(&e),
        }
    }
}

/// Reads one batch status byte into `*out`.
///
/// Returns `TCP_STATUS_INVALID_ARGUMENT` for a byte no batch writes.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`), `TCP_STATUS_INVALID_ARGUMENT`
/// (a byte no batch writes).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_batch_status_decode(
    status: u8,
    out: *mut tcp_record_outcome,
) -> tcp_status {
    ffi_panic_boundary! {
        let out = try_out!(out);
        let outcome = match Status(status).read() {
            Ok((risk, decision)) => tcp_record_outcome {
                valid: true,
                risk: risk.map_or(tcp_risk_level::Safe, risk_to_c),
                decision: decision_to_c(decision),
                error: tcp_status::Ok,
                has_risk: risk.is_some(),
            },
            Err(Some(code)) => tcp_record_outcome {
                valid: false,
                risk: tcp_risk_level::Safe,
                decision: tcp_decision::Approved,
                error: code.into(),
                has_risk: false,
            },
            Err(None) => {
                return fail(
                    tcp_status::InvalidArgument,
                    format_args!("{status:#04x} is not a batch status byte"),
                );
            }
        };
        out.write(outcome);
        tcp_status::Ok
    }
}
