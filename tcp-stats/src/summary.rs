//! The summary of a sample: moments, spread, percentiles, and the confidence
//! interval of the mean.
//!
//! Percentiles use numpy's default linear interpolation (see
//! [`mod@crate::percentile`]); variance is the sample variance (ddof = 1); the
//! median absolute deviation is scipy's `median_abs_deviation` (raw, and scaled
//! by `1 / Phi^-1(3/4)` for consistency with the normal standard deviation).

use serde::Serialize;

use crate::error::{StatsError, check_open_unit};
use crate::interval::{ConfidenceInterval, mean_interval};
use crate::moments::{FirstPass, Moments, first_pass, sum_sq_dev};
use crate::percentile::{from_sort_key, quantiles_of_finite, quantiles_of_keys, sort_key};

/// `Phi^-1(3/4)`: the MAD of a standard normal.
const NORMAL_MAD: f64 = 0.674_489_750_196_081_7;

/// What [`summarize_with`] computes beyond the fixed fields.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryOptions {
    /// Confidence level of the mean's interval (default 0.95).
    pub confidence: f64,
    /// Extra quantiles in [0, 1] to report (default none).
    pub quantiles: Vec<f64>,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        Self {
            confidence: 0.95,
            quantiles: Vec::new(),
        }
    }
}

/// One requested quantile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct QuantileValue {
    /// The quantile in [0, 1].
    pub q: f64,
    /// Its value (numpy linear interpolation).
    pub value: f64,
}

/// Summary statistics of a sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Number of samples.
    pub n: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample variance (ddof = 1).
    pub variance: f64,
    /// Sample standard deviation (ddof = 1).
    pub std_dev: f64,
    /// Standard error of the mean, `std_dev / sqrt(n)`.
    pub sem: f64,
    /// Coefficient of variation `std_dev / |mean|`; `None` when the mean is 0.
    /// (scipy's `variation` divides by the signed mean; they agree for
    /// positive means, which timings have.)
    pub cv: Option<f64>,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
    /// Median (50th percentile).
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Median absolute deviation from the median (scale 1).
    pub mad: f64,
    /// MAD scaled to estimate a normal standard deviation (`mad / 0.6745`).
    pub mad_normal: f64,
    /// Student's t confidence interval of the mean.
    pub mean_ci: ConfidenceInterval,
    /// The extra quantiles asked for in [`SummaryOptions::quantiles`].
    pub quantiles: Vec<QuantileValue>,
}

impl Summary {
    /// Count, mean and variance, for tests and intervals.
    pub fn moments(&self) -> Moments {
        Moments {
            n: self.n,
            mean: self.mean,
            variance: self.variance,
        }
    }
}

/// Summary with default options (95% interval, no extra quantiles).
pub fn summarize(samples: &[f64]) -> Result<Summary, StatsError> {
    summarize_with(samples, &SummaryOptions::default())
}

/// Summary of `samples` (at least 2, all finite); the input is not modified.
pub fn summarize_with(samples: &[f64], options: &SummaryOptions) -> Result<Summary, StatsError> {
    check_options(options)?;
    let pass = first_pass(samples)?;
    // Order statistics are selected on integer sort keys (same order, faster
    // compares); the scratch copy is needed anyway.
    let mut keys: Vec<u64> = samples.iter().map(|&x| sort_key(x)).collect();
    let qs = requested(options);
    let values = quantiles_of_keys(&mut keys, &qs);
    let p50 = values.first().copied().unwrap_or(f64::NAN);
    // |x - median| >= 0, whose raw bits already sort numerically.
    for k in keys.iter_mut() {
        *k = (from_sort_key(*k) - p50).abs().to_bits();
    }
    let mad = select_median_bits(&mut keys);
    assemble(samples, options, &pass, &values, mad)
}

/// As [`summarize_with`], but uses `samples` as scratch space (reordered and
/// overwritten), saving a copy.
pub fn summarize_in_place(
    samples: &mut [f64],
    options: &SummaryOptions,
) -> Result<Summary, StatsError> {
    check_options(options)?;
    let pass = first_pass(samples)?;
    let m2 = sum_sq_dev(samples, pass.mean);
    let qs = requested(options);
    let values = quantiles_of_finite(samples, &qs);
    let p50 = values.first().copied().unwrap_or(f64::NAN);
    for x in samples.iter_mut() {
        *x = (*x - p50).abs();
    }
    let mad = quantiles_of_finite(samples, &[0.5])
        .first()
        .copied()
        .unwrap_or(f64::NAN);
    build(samples.len(), options, &pass, m2, &values, mad)
}

fn check_options(options: &SummaryOptions) -> Result<(), StatsError> {
    check_open_unit("confidence", options.confidence)?;
    for &q in &options.quantiles {
        if !(0.0..=1.0).contains(&q) {
            return Err(StatsError::InvalidParameter {
                name: "q",
                value: q,
            });
        }
    }
    Ok(())
}

/// p50, p95, p99, then the extra quantiles.
fn requested(options: &SummaryOptions) -> Vec<f64> {
    let mut qs = vec![0.5, 0.95, 0.99];
    qs.extend_from_slice(&options.quantiles);
    qs
}

/// Median of non-negative numbers given by their bits.
fn select_median_bits(bits: &mut [u64]) -> f64 {
    // For x >= 0, `sort_key(x) = bits | 1 << 63` keeps the order.
    for b in bits.iter_mut() {
        *b |= 1 << 63;
    }
    quantiles_of_keys(bits, &[0.5])
        .first()
        .copied()
        .unwrap_or(f64::NAN)
}

fn assemble(
    samples: &[f64],
    options: &SummaryOptions,
    pass: &FirstPass,
    values: &[f64],
    mad: f64,
) -> Result<Summary, StatsError> {
    let m2 = sum_sq_dev(samples, pass.mean);
    build(samples.len(), options, pass, m2, values, mad)
}

fn build(
    n: usize,
    options: &SummaryOptions,
    pass: &FirstPass,
    m2: f64,
    values: &[f64],
    mad: f64,
) -> Result<Summary, StatsError> {
    let variance = m2 / (n as f64 - 1.0);
    let moments = Moments {
        n: n as u64,
        mean: pass.mean,
        variance,
    };
    let std_dev = variance.sqrt();
    let mean_ci = mean_interval(&moments, options.confidence)?;
    let value = |i: usize| values.get(i).copied().unwrap_or(f64::NAN);
    Ok(Summary {
        n: n as u64,
        mean: pass.mean,
        variance,
        std_dev,
        sem: (variance / n as f64).sqrt(),
        cv: (pass.mean != 0.0).then(|| std_dev / pass.mean.abs()),
        min: pass.min,
        max: pass.max,
        p50: value(0),
        p95: value(1),
        p99: value(2),
        mad,
        mad_normal: mad / NORMAL_MAD,
        mean_ci,
        quantiles: options
            .quantiles
            .iter()
            .enumerate()
            .map(|(i, &q)| QuantileValue {
                q,
                value: value(i + 3),
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_sample() {
        let s = summarize(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(s.n, 8);
        assert_eq!(s.mean, 5.0);
        assert!((s.variance - 32.0 / 7.0).abs() < 1e-14);
        assert_eq!(s.min, 2.0);
        assert_eq!(s.max, 9.0);
        assert_eq!(s.p50, 4.5);
        // |x - 4.5| = 2.5,.5,.5,.5,.5,.5,2.5,4.5 -> median 0.5
        assert_eq!(s.mad, 0.5);
    }

    #[test]
    fn zero_variance_is_fine_for_a_summary() {
        let s = summarize(&[3.0, 3.0, 3.0]).unwrap();
        assert_eq!(s.variance, 0.0);
        assert_eq!(s.cv, Some(0.0));
        assert_eq!((s.mean_ci.lower, s.mean_ci.upper), (3.0, 3.0));
        assert_eq!(summarize(&[0.0, 0.0]).unwrap().cv, None);
    }

    #[test]
    fn in_place_matches_copying() {
        let xs: Vec<f64> = (0..1001)
            .map(|i| f64::from((i * 7919) % 1009) - 300.5)
            .collect();
        let opts = SummaryOptions {
            confidence: 0.9,
            quantiles: vec![0.1, 0.333],
        };
        let a = summarize_with(&xs, &opts).unwrap();
        let mut scratch = xs.clone();
        let b = summarize_in_place(&mut scratch, &opts).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn bad_input_is_typed() {
        assert_eq!(
            summarize(&[1.0]),
            Err(StatsError::TooFewSamples {
                needed: 2,
                found: 1
            })
        );
        assert_eq!(
            summarize(&[1.0, 2.0, f64::NEG_INFINITY]),
            Err(StatsError::NonFinite { index: 2 })
        );
        let bad = SummaryOptions {
            confidence: 0.95,
            quantiles: vec![1.5],
        };
        assert!(summarize_with(&[1.0, 2.0], &bad).is_err());
    }
}
