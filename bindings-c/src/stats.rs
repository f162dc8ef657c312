//! Statistics for timing studies (tcp-stats): summary, Welch's t-test, power
//! and sample size.
//!
//! tcp-stats' errors have stable snake_case codes but no numbers; these
//! bindings number them at 2000 + n in [`tcp_status`] (see `status.rs`).

use tcp_stats::{Alternative, PowerTest, StatsError, SummaryOptions};

use crate::error::fail;
use crate::status::tcp_status;

/// Summary statistics of a sample (tcp-stats' `Summary`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tcp_summary {
    /// Number of samples.
    pub n: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample variance (ddof = 1).
    pub variance: f64,
    /// Sample standard deviation (ddof = 1).
    pub std_dev: f64,
    /// Standard error of the mean.
    pub sem: f64,
    /// True if the mean is not 0, so `cv` is defined.
    pub has_cv: bool,
    /// Coefficient of variation `std_dev / |mean|`; meaningful only if `has_cv`.
    pub cv: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
    /// Median (numpy's linear interpolation).
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Median absolute deviation (scale 1).
    pub mad: f64,
    /// MAD scaled to estimate a normal standard deviation.
    pub mad_normal: f64,
    /// Confidence level of the mean's interval.
    pub mean_ci_level: f64,
    /// Lower bound of the mean's Student t interval.
    pub mean_ci_lower: f64,
    /// Upper bound of the mean's Student t interval.
    pub mean_ci_upper: f64,
}

/// The result of a two-sample t-test (tcp-stats' `TTest`).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct tcp_ttest {
    /// The t statistic.
    pub t: f64,
    /// Degrees of freedom (Welch-Satterthwaite).
    pub df: f64,
    /// Two-sided p-value.
    pub p_two_sided: f64,
    /// One-sided p-value for "first mean less".
    pub p_less: f64,
    /// One-sided p-value for "first mean greater".
    pub p_greater: f64,
    /// Mean of the first sample minus mean of the second.
    pub mean_difference: f64,
    /// Standard error of that difference.
    pub std_error: f64,
}

/// The alternative hypothesis of a test or power calculation.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tcp_alternative {
    /// The means differ (either direction).
    TwoSided = 0,
    /// The first mean is less than the second.
    Less = 1,
    /// The first mean is greater than the second.
    Greater = 2,
}

/// Which t-test a power calculation is for.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum tcp_power_test {
    /// One-sample (or paired) t-test.
    OneSample = 0,
    /// Two independent samples, the second `ratio` times the first.
    TwoSample = 1,
}

/// Records a tcp-stats error and returns its status.
fn fail_stats(e: &StatsError) -> tcp_status {
    let status = match e {
        StatsError::TooFewSamples { .. } => tcp_status::TooFewSamples,
        StatsError::NonFinite { .. } => tcp_status::NonFinite,
        StatsError::ZeroVariance => tcp_status::ZeroVariance,
        StatsError::InvalidParameter { .. } => tcp_status::InvalidParameter,
        StatsError::UnboundedInterval => tcp_status::UnboundedInterval,
        StatsError::Overflow => tcp_status::Overflow,
        StatsError::NoConvergence { .. } => tcp_status::NoConvergence,
        _ => tcp_status::UnknownError,
    };
    fail(status, e)
}

fn alternative_from_c(raw: u32) -> Result<Alternative, tcp_status> {
    match raw {
        0 => Ok(Alternative::TwoSided),
        1 => Ok(Alternative::Less),
        2 => Ok(Alternative::Greater),
        _ => Err(fail(
            tcp_status::InvalidArgument,
            format_args!("no alternative {raw}"),
        )),
    }
}

/// The power test and alternative of `tcp_stats_power` and `tcp_stats_sample_size`.
fn power_args(
    test: u32,
    ratio: f64,
    alternative: u32,
) -> Result<(PowerTest, Alternative), tcp_status> {
    Ok((
        power_test_from_c(test, ratio)?,
        alternative_from_c(alternative)?,
    ))
}

fn power_test_from_c(raw: u32, ratio: f64) -> Result<PowerTest, tcp_status> {
    match raw {
        0 => Ok(PowerTest::OneSample),
        1 => Ok(PowerTest::TwoSample { ratio }),
        _ => Err(fail(
            tcp_status::InvalidArgument,
            format_args!("no power test {raw}"),
        )),
    }
}

/// Summarizes `n` samples (at least 2, all finite) with a `confidence`
/// (e.g. 0.95) interval of the mean, into `*out`. The samples are not modified.
///
/// Errors: `TCP_STATUS_TOO_FEW_SAMPLES`, `TCP_STATUS_NON_FINITE` (NaN or
/// infinity; `tcp_last_error_message` says which sample),
/// `TCP_STATUS_INVALID_PARAMETER` (confidence outside (0, 1)), `TCP_STATUS_OVERFLOW`.
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `samples` is valid for reads of `n` doubles; `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_stats_summarize(
    samples: *const f64,
    n: usize,
    confidence: f64,
    out: *mut tcp_summary,
) -> tcp_status {
    ffi_panic_boundary! {
        let samples = try_slice!(samples, n);
        let out = try_out!(out);
        let options = SummaryOptions {
            confidence,
            ..SummaryOptions::default()
        };
        match tcp_stats::summarize_with(samples, &options) {
            Ok(s) => {
                out.write(tcp_summary {
                    n: s.n,
                    mean: s.mean,
                    variance: s.variance,
                    std_dev: s.std_dev,
                    sem: s.sem,
                    has_cv: s.cv.is_some(),
                    cv: s.cv.unwrap_or(0.0),
                    min: s.min,
                    max: s.max,
                    p50: s.p50,
                    p95: s.p95,
                    p99: s.p99,
                    mad: s.mad,
                    mad_normal: s.mad_normal,
                    mean_ci_level: s.mean_ci.level,
                    mean_ci_lower: s.mean_ci.lower,
                    mean_ci_upper: s.mean_ci.upper,
                });
                tcp_status::Ok
            }
            Err(e) => fail_stats(&e),
        }
    }
}

/// Welch's t-test (unequal variances, as scipy's `ttest_ind(equal_var=False)`)
/// of `a` (`na` samples) against `b` (`nb` samples), into `*out`.
///
/// Errors: `TCP_STATUS_TOO_FEW_SAMPLES`, `TCP_STATUS_NON_FINITE`,
/// `TCP_STATUS_ZERO_VARIANCE` (both samples constant).
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `a` and `b` are valid for reads of `na` and `nb` doubles; `out` is valid
/// for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_stats_welch(
    a: *const f64,
    na: usize,
    b: *const f64,
    nb: usize,
    out: *mut tcp_ttest,
) -> tcp_status {
    ffi_panic_boundary! {
        let a = try_slice!(a, na);
        let b = try_slice!(b, nb);
        let out = try_out!(out);
        match tcp_stats::welch(a, b) {
            Ok(t) => {
                out.write(tcp_ttest {
                    t: t.t,
                    df: t.df,
                    p_two_sided: t.p_two_sided,
                    p_less: t.p_less,
                    p_greater: t.p_greater,
                    mean_difference: t.mean_difference,
                    std_error: t.std_error,
                });
                tcp_status::Ok
            }
            Err(e) => fail_stats(&e),
        }
    }
}

/// The power of a t-test (`test`: a `TCP_POWER_TEST_*`; `ratio` = n2 / n1
/// for two samples, ignored for one) to detect a standardized effect
/// `effect_size` with `nobs` observations (n1 for two samples) at level
/// `alpha` against `alternative` (a `TCP_ALTERNATIVE_*`), as statsmodels'
/// `TTestPower` / `TTestIndPower`, into `*out`.
///
/// Errors: `TCP_STATUS_NULL_PARAMETER` (`out`), `TCP_STATUS_INVALID_ARGUMENT`
/// (an unknown test or alternative), `TCP_STATUS_INVALID_PARAMETER` (an
/// argument out of its domain or not finite), `TCP_STATUS_NO_CONVERGENCE`.
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_stats_power(
    test: u32,
    ratio: f64,
    effect_size: f64,
    nobs: f64,
    alpha: f64,
    alternative: u32,
    out: *mut f64,
) -> tcp_status {
    ffi_panic_boundary! {
        let out = try_out!(out);
        let (test, alternative) = match power_args(test, ratio, alternative) {
            Ok(args) => args,
            Err(s) => return s,
        };
        match tcp_stats::power(test, effect_size, nobs, alpha, alternative) {
            Ok(p) => {
                out.write(p);
                tcp_status::Ok
            }
            Err(e) => fail_stats(&e),
        }
    }
}

/// The smallest `nobs` (continuous; n1 for two samples; round up for a
/// design) at which the t-test reaches `target_power`, into `*out`. Arguments
/// as for `tcp_stats_power`.
///
/// Errors: as `tcp_stats_power`.
///
/// Thread safety: may be called from any thread.
///
/// # Safety
///
/// `out` is valid for one write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn tcp_stats_sample_size(
    test: u32,
    ratio: f64,
    effect_size: f64,
    target_power: f64,
    alpha: f64,
    alternative: u32,
    out: *mut f64,
) -> tcp_status {
    ffi_panic_boundary! {
        let out = try_out!(out);
        let (test, alternative) = match power_args(test, ratio, alternative) {
            Ok(args) => args,
            Err(s) => return s,
        };
        match tcp_stats::sample_size(test, effect_size, target_power, alpha, alternative) {
            Ok(n) => {
                out.write(n);
                tcp_status::Ok
            }
            Err(e) => fail_stats(&e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stats_error_has_its_own_status() {
        let errors = [
            StatsError::TooFewSamples {
                needed: 2,
                found: 1,
            },
            StatsError::NonFinite { index: 0 },
            StatsError::ZeroVariance,
            StatsError::InvalidParameter {
                name: "alpha",
                value: 2.0,
            },
            StatsError::UnboundedInterval,
            StatsError::Overflow,
            StatsError::NoConvergence { algorithm: "x" },
        ];
        let mut seen = std::collections::HashSet::new();
        for e in &errors {
            let s = fail_stats(e);
            assert_ne!(s, tcp_status::UnknownError, "{e}");
            assert!((2001..2100).contains(&(s as u32)), "{e}");
            assert_eq!(s.message(), e.code());
            assert!(seen.insert(s));
        }
    }
}
