//! Streaming moments: samples one at a time or in slices, merged across
//! threads, without storing them.
//!
//! Single samples update by Welford's recurrence; a slice is reduced by the
//! stable two-pass routine and merged in; accumulators merge by Chan et al.'s
//! parallel formula, so `merge(a, b)` equals accumulating `a`'s samples then
//! `b`'s up to rounding. Percentiles need the samples, so they are not here.

use serde::Serialize;

use crate::error::{StatsError, check_finite};
use crate::moments::{Moments, first_pass, sum_sq_dev};

/// Running count, mean, sum of squared deviations, min and max.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Accumulator {
    /// Samples seen.
    pub n: u64,
    /// Running mean (0 when empty).
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
    /// Smallest sample (+inf when empty).
    pub min: f64,
    /// Largest sample (-inf when empty).
    pub max: f64,
}

impl Default for Accumulator {
    fn default() -> Self {
        Self::new()
    }
}

impl Accumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self {
            n: 0,
            mean: 0.0,
            m2: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// Adds one sample; a non-finite one is rejected (its `index` is the count so far).
    pub fn push(&mut self, x: f64) -> Result<(), StatsError> {
        if !x.is_finite() {
            return Err(StatsError::NonFinite {
                index: self.n as usize,
            });
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        Ok(())
    }

    /// Adds a slice of samples. On a non-finite sample nothing is added and the
    /// error's `index` is its position in `xs`.
    pub fn extend_from_slice(&mut self, xs: &[f64]) -> Result<(), StatsError> {
        match xs.len() {
            0 => Ok(()),
            1 => {
                check_finite(xs)?;
                xs.iter().try_for_each(|&x| self.push(x))
            }
            _ => {
                let pass = first_pass(xs)?;
                let block = Self {
                    n: xs.len() as u64,
                    mean: pass.mean,
                    m2: sum_sq_dev(xs, pass.mean),
                    min: pass.min,
                    max: pass.max,
                };
                self.merge(&block);
                Ok(())
            }
        }
    }

    /// Folds in another accumulator (parallel Welford / Chan et al.).
    pub fn merge(&mut self, other: &Self) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let (na, nb, nn) = (self.n as f64, other.n as f64, n as f64);
        let delta = other.mean - self.mean;
        self.mean += delta * (nb / nn);
        self.m2 += other.m2 + delta * delta * (na * nb / nn);
        self.n = n;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Sample variance (ddof = 1); needs 2 samples.
    pub fn variance(&self) -> Result<f64, StatsError> {
        if self.n < 2 {
            return Err(StatsError::TooFewSamples {
                needed: 2,
                found: self.n as usize,
            });
        }
        Ok(self.m2 / (self.n as f64 - 1.0))
    }

    /// Count, mean and sample variance; needs 2 samples.
    pub fn moments(&self) -> Result<Moments, StatsError> {
        Ok(Moments {
            n: self.n,
            mean: self.mean,
            variance: self.variance()?,
        })
    }

    /// Coefficient of variation `sd / |mean|`; `None` when the mean is 0.
    pub fn cv(&self) -> Result<Option<f64>, StatsError> {
        let sd = self.variance()?.sqrt();
        Ok((self.mean != 0.0).then(|| sd / self.mean.abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_non_finite() {
        let mut acc = Accumulator::new();
        acc.push(1.0).unwrap();
        assert_eq!(acc.push(f64::NAN), Err(StatsError::NonFinite { index: 1 }));
        assert_eq!(
            acc.extend_from_slice(&[2.0, f64::INFINITY]),
            Err(StatsError::NonFinite { index: 1 })
        );
        assert_eq!(acc.n, 1);
        assert!(acc.variance().is_err());
    }

    #[test]
    fn merges_across_threads() {
        let xs: Vec<f64> = (0..100_000)
            .map(|i| 1e6 + f64::from(i % 977) * 0.25)
            .collect();
        let parts: Vec<Accumulator> = std::thread::scope(|scope| {
            let handles: Vec<_> = xs
                .chunks(25_000)
                .map(|chunk| {
                    scope.spawn(move || {
                        let mut acc = Accumulator::new();
                        for &x in chunk {
                            acc.push(x).unwrap();
                        }
                        acc
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut total = Accumulator::new();
        for p in &parts {
            total.merge(p);
        }
        let batch = Moments::from_samples(&xs).unwrap();
        let m = total.moments().unwrap();
        assert_eq!(m.n, 100_000);
        assert!((m.mean / batch.mean - 1.0).abs() < 1e-14);
        assert!((m.variance / batch.variance - 1.0).abs() < 1e-10);
        assert_eq!(total.min, 1e6);
        assert_eq!(total.max, 1e6 + 976.0 * 0.25);
    }

    proptest! {
        #[test]
        fn split_merge_matches_batch(xs in proptest::collection::vec(-1e4f64..1e4, 2..400), cut in 0usize..400) {
            let cut = cut.min(xs.len());
            let batch = Moments::from_samples(&xs).unwrap();
            let mut left = Accumulator::new();
            for &x in &xs[..cut] { left.push(x).unwrap(); }
            let mut right = Accumulator::new();
            right.extend_from_slice(&xs[cut..]).unwrap();
            left.merge(&right);
            let m = left.moments().unwrap();
            prop_assert_eq!(m.n, batch.n);
            prop_assert!((m.mean - batch.mean).abs() <= 1e-10 * (1.0 + batch.mean.abs()));
            prop_assert!((m.variance - batch.variance).abs() <= 1e-9 * (1.0 + batch.variance));
        }
    }
}
