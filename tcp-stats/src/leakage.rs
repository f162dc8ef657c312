//! Timing-leakage test in the style of dudect (Reparaz, Balasch, Verbauwhede,
//! "Dude, is my code constant time?", 2017).
//!
//! Measurements of an operation on two classes of inputs (typically a fixed
//! input and random inputs), chosen at random and interleaved, are compared by
//! Welch's t statistic: once on all measurements and once per cropping
//! percentile, keeping only measurements below that percentile of the pooled
//! timings (cropping discards the long upper tail of interrupts and cache
//! misses, which otherwise hides small differences). The verdict is "leaky"
//! when any `|t|` exceeds the threshold, 4.5 by default (dudect's).

use std::time::Instant;

use serde::Serialize;

use crate::error::{StatsError, check_finite};
use crate::percentile::quantiles_of_finite;
use crate::streaming::Accumulator;
use crate::ttest::welch_from_moments;

/// Parameters of the leakage test.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakageConfig {
    /// Cropping percentiles in (0, 1); the uncropped test always runs too.
    pub crop_percentiles: Vec<f64>,
    /// `|t|` above this means leaky.
    pub threshold: f64,
    /// A cropped test runs only with at least this many measurements per class.
    pub min_per_class: usize,
}

impl Default for LeakageConfig {
    /// dudect's percentile schedule `1 - 0.5^(10 (k + 1) / K)`, here with K = 20
    /// (0.29 .. 0.999), threshold 4.5, at least 100 measurements per class.
    fn default() -> Self {
        let k = 20;
        Self {
            crop_percentiles: (0..k)
                .map(|i| 1.0 - 0.5f64.powf(10.0 * (f64::from(i) + 1.0) / f64::from(k)))
                .collect(),
            threshold: 4.5,
            min_per_class: 100,
        }
    }
}

/// One t-test of the leakage assessment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CropTest {
    /// Cropping percentile; `None` for the uncropped test.
    pub percentile: Option<f64>,
    /// Measurements at or above this are dropped (`None` when uncropped).
    pub cutoff: Option<f64>,
    /// Measurements kept in class A.
    pub n_a: u64,
    /// Measurements kept in class B.
    pub n_b: u64,
    /// Welch's t of class A against class B.
    pub t: f64,
}

/// Result of the leakage assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeakageReport {
    /// Every test that had enough measurements (and nonzero variance).
    pub tests: Vec<CropTest>,
    /// Largest `|t|` over the tests.
    pub max_abs_t: f64,
    /// The threshold applied.
    pub threshold: f64,
    /// `max_abs_t > threshold`.
    pub leaky: bool,
}

/// Assesses timings of class A against class B (finite; nanoseconds or any unit).
pub fn assess(
    class_a: &[f64],
    class_b: &[f64],
    config: &LeakageConfig,
) -> Result<LeakageReport, StatsError> {
    check_finite(class_a)?;
    check_finite(class_b).map_err(|e| match e {
        StatsError::NonFinite { index } => StatsError::NonFinite {
            index: class_a.len() + index,
        },
        other => other,
    })?;
    for &p in &config.crop_percentiles {
        crate::error::check_open_unit("crop_percentile", p)?;
    }
    if config.threshold.is_nan() || config.threshold <= 0.0 {
        return Err(StatsError::InvalidParameter {
            name: "threshold",
            value: config.threshold,
        });
    }
    let needed = config.min_per_class.max(2);
    let found = class_a.len().min(class_b.len());
    if found < needed {
        return Err(StatsError::TooFewSamples { needed, found });
    }
    let mut pooled: Vec<f64> = class_a.iter().chain(class_b).copied().collect();
    let cutoffs = quantiles_of_finite(&mut pooled, &config.crop_percentiles);
    let mut tests = Vec::with_capacity(cutoffs.len() + 1);
    let mut run = |percentile: Option<f64>, cutoff: Option<f64>| -> Result<(), StatsError> {
        let keep = |x: &&f64| cutoff.is_none_or(|c| **x < c);
        let mut a = Accumulator::new();
        let mut b = Accumulator::new();
        for &x in class_a.iter().filter(keep) {
            a.push(x)?;
        }
        for &x in class_b.iter().filter(keep) {
            b.push(x)?;
        }
        if (a.n as usize) < needed || (b.n as usize) < needed {
            return Ok(());
        }
        match welch_from_moments(&a.moments()?, &b.moments()?) {
            Ok(t) => tests.push(CropTest {
                percentile,
                cutoff,
                n_a: a.n,
                n_b: b.n,
                t: t.t,
            }),
            // Both classes constant after cropping: no evidence either way.
            Err(StatsError::ZeroVariance) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    };
    run(None, None)?;
    for (&p, &c) in config.crop_percentiles.iter().zip(&cutoffs) {
        run(Some(p), Some(c))?;
    }
    let max_abs_t = tests.iter().map(|t| t.t.abs()).fold(0.0, f64::max);
    Ok(LeakageReport {
        tests,
        max_abs_t,
        threshold: config.threshold,
        leaky: max_abs_t > config.threshold,
    })
}

/// A random, interleaved class schedule (`true` = class B), from a fixed seed
/// (xorshift64*), so a run is reproducible.
pub fn random_classes(count: usize, seed: u64) -> Vec<bool> {
    let mut state = seed | 1;
    (0..count)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 63 == 1
        })
        .collect()
}

/// Times `op(i)` for `i in 0..count`, in nanoseconds each. Inputs should be
/// prepared beforehand so that only the operation is timed.
pub fn measure(count: usize, mut op: impl FnMut(usize)) -> Vec<f64> {
    (0..count)
        .map(|i| {
            let start = Instant::now();
            op(i);
            start.elapsed().as_nanos() as f64
        })
        .collect()
}

/// Splits interleaved timings by class and assesses them (`true` = class B).
pub fn assess_interleaved(
    times: &[f64],
    classes: &[bool],
    config: &LeakageConfig,
) -> Result<LeakageReport, StatsError> {
    if times.len() != classes.len() {
        return Err(StatsError::InvalidParameter {
            name: "classes",
            value: classes.len() as f64,
        });
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (&t, &is_b) in times.iter().zip(classes) {
        if is_b { b.push(t) } else { a.push(t) }
    }
    assess(&a, &b, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noisy(n: usize, seed: u64, shift: f64) -> Vec<f64> {
        // Deterministic pseudo-noise with a long upper tail.
        random_classes(n * 8, seed)
            .chunks(8)
            .map(|c| 100.0 + shift + c.iter().filter(|&&b| b).count() as f64 * 3.0)
            .collect()
    }

    #[test]
    fn detects_a_shift_and_not_its_absence() {
        let cfg = LeakageConfig::default();
        let same = assess(&noisy(20_000, 1, 0.0), &noisy(20_000, 2, 0.0), &cfg).unwrap();
        assert!(!same.leaky, "{same:?}");
        let shifted = assess(&noisy(20_000, 3, 0.0), &noisy(20_000, 4, 1.0), &cfg).unwrap();
        assert!(shifted.leaky);
        assert!(shifted.max_abs_t > 4.5);
    }

    #[test]
    fn too_few_is_an_error() {
        let cfg = LeakageConfig::default();
        assert!(matches!(
            assess(&[1.0; 10], &[2.0; 10], &cfg),
            Err(StatsError::TooFewSamples { .. })
        ));
        let classes = random_classes(1000, 9);
        assert!(classes.iter().any(|&c| c) && classes.iter().any(|&c| !c));
    }
}
