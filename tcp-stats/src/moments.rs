//! Sums, means and sums of squared deviations, computed stably and fast.
//!
//! Sums are pairwise (numpy's scheme: blocks of 128 summed in 8 lanes, halves
//! combined recursively), so rounding error grows as O(log n), and the inner
//! loops vectorize. Variance is the corrected two-pass formula
//! `M2 = sum d^2 - (sum d)^2 / n` with `d = x - mean`, which removes the
//! residual of the first pass's rounded mean.

use serde::Serialize;

use crate::error::{StatsError, check_len};

const BLOCK: usize = 128;
const LANES: usize = 8;

/// Count, mean and sample variance (ddof = 1) of a sample: what tests and
/// intervals need when the samples themselves are not kept.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Moments {
    /// Number of samples.
    pub n: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample variance with `n - 1` in the denominator.
    pub variance: f64,
}

impl Moments {
    /// Moments of `samples` (at least 2, all finite).
    pub fn from_samples(samples: &[f64]) -> Result<Self, StatsError> {
        let pass = first_pass(samples)?;
        let m2 = sum_sq_dev(samples, pass.mean);
        Ok(Self {
            n: samples.len() as u64,
            mean: pass.mean,
            variance: m2 / (samples.len() as f64 - 1.0),
        })
    }

    /// Checks that the moments describe a usable sample (n >= 2, finite, variance >= 0).
    pub fn validate(&self) -> Result<(), StatsError> {
        if self.n < 2 {
            return Err(StatsError::TooFewSamples {
                needed: 2,
                found: self.n as usize,
            });
        }
        if !self.mean.is_finite() {
            return Err(StatsError::InvalidParameter {
                name: "mean",
                value: self.mean,
            });
        }
        if !(self.variance >= 0.0 && self.variance.is_finite()) {
            return Err(StatsError::InvalidParameter {
                name: "variance",
                value: self.variance,
            });
        }
        Ok(())
    }

    /// Squared standard error of the mean, `variance / n`.
    pub fn sem_squared(&self) -> f64 {
        self.variance / self.n as f64
    }
}

/// Result of the first pass over the data.
pub(crate) struct FirstPass {
    pub mean: f64,
    pub min: f64,
    pub max: f64,
}

/// Mean, min and max in one pass; at least 2 samples, all finite.
pub(crate) fn first_pass(samples: &[f64]) -> Result<FirstPass, StatsError> {
    check_len(samples, 2)?;
    let mut lo = [f64::INFINITY; LANES];
    let mut hi = [f64::NEG_INFINITY; LANES];
    let sum = pairwise_sum_min_max(samples, &mut lo, &mut hi);
    if !sum.is_finite() {
        crate::error::check_finite(samples)?;
        // All finite, yet the sum overflowed.
        return Err(StatsError::Overflow);
    }
    let min = lo.iter().copied().fold(f64::INFINITY, f64::min);
    let max = hi.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    Ok(FirstPass {
        mean: sum / samples.len() as f64,
        min,
        max,
    })
}

fn pairwise_sum_min_max(xs: &[f64], lo: &mut [f64; LANES], hi: &mut [f64; LANES]) -> f64 {
    if xs.len() <= BLOCK {
        let mut acc = [0.0; LANES];
        let chunks = xs.chunks_exact(LANES);
        let tail = chunks.remainder();
        for c in chunks {
            for (((a, l), h), &x) in acc.iter_mut().zip(lo.iter_mut()).zip(hi.iter_mut()).zip(c) {
                *a += x;
                // `if` form (not f64::min) so the loop compiles to minpd/maxpd;
                // NaN is ruled out by the caller's finiteness check of the sum.
                *l = if x < *l { x } else { *l };
                *h = if x > *h { x } else { *h };
            }
        }
        let mut s =
            ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for &x in tail {
            s += x;
            lo[0] = if x < lo[0] { x } else { lo[0] };
            hi[0] = if x > hi[0] { x } else { hi[0] };
        }
        s
    } else {
        let half = (xs.len() / 2) / LANES * LANES;
        let (a, b) = xs.split_at(half);
        pairwise_sum_min_max(a, lo, hi) + pairwise_sum_min_max(b, lo, hi)
    }
}

/// `(sum d, sum d^2)` with `d = x - center`, pairwise.
fn pairwise_dev(xs: &[f64], center: f64) -> (f64, f64) {
    if xs.len() <= BLOCK {
        let mut s1 = [0.0; LANES];
        let mut s2 = [0.0; LANES];
        let chunks = xs.chunks_exact(LANES);
        let tail = chunks.remainder();
        for c in chunks {
            for ((a, b), &x) in s1.iter_mut().zip(s2.iter_mut()).zip(c) {
                let d = x - center;
                *a += d;
                *b += d * d;
            }
        }
        let mut t1 = ((s1[0] + s1[1]) + (s1[2] + s1[3])) + ((s1[4] + s1[5]) + (s1[6] + s1[7]));
        let mut t2 = ((s2[0] + s2[1]) + (s2[2] + s2[3])) + ((s2[4] + s2[5]) + (s2[6] + s2[7]));
        for &x in tail {
            let d = x - center;
            t1 += d;
            t2 += d * d;
        }
        (t1, t2)
    } else {
        let half = (xs.len() / 2) / LANES * LANES;
        let (a, b) = xs.split_at(half);
        let (a1, a2) = pairwise_dev(a, center);
        let (b1, b2) = pairwise_dev(b, center);
        (a1 + b1, a2 + b2)
    }
}

/// Sum of squared deviations from `mean` (corrected two-pass).
pub(crate) fn sum_sq_dev(samples: &[f64], mean: f64) -> f64 {
    let (s1, s2) = pairwise_dev(samples, mean);
    (s2 - s1 * s1 / samples.len() as f64).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stable_with_large_offset() {
        // Variance of {1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16} is 30 exactly.
        let xs = [1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0];
        let m = Moments::from_samples(&xs).unwrap();
        assert_eq!(m.mean, 1e9 + 10.0);
        assert_eq!(m.variance, 30.0);
    }

    #[test]
    fn errors() {
        assert_eq!(
            Moments::from_samples(&[1.0]),
            Err(StatsError::TooFewSamples {
                needed: 2,
                found: 1
            })
        );
        assert_eq!(
            Moments::from_samples(&[1.0, f64::NAN, 2.0]),
            Err(StatsError::NonFinite { index: 1 })
        );
        assert_eq!(
            Moments::from_samples(&[f64::MAX, f64::MAX]),
            Err(StatsError::Overflow)
        );
    }

    proptest! {
        #[test]
        fn matches_naive(xs in proptest::collection::vec(-1e3f64..1e3, 2..600)) {
            let m = Moments::from_samples(&xs).unwrap();
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
            prop_assert!((m.mean - mean).abs() <= 1e-12 * (1.0 + mean.abs()));
            prop_assert!((m.variance - var).abs() <= 1e-10 * (1.0 + var));
            let p = first_pass(&xs).unwrap();
            prop_assert_eq!(p.min, xs.iter().copied().fold(f64::INFINITY, f64::min));
            prop_assert_eq!(p.max, xs.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        }
    }
}
