//! The typed error every fallible statistic returns.
//!
//! Bad input (too few samples, NaN or infinity, an out-of-range parameter) is
//! reported here instead of leaking a silent NaN into results. Codes are stable
//! snake_case strings for bindings and JSON output.

use std::fmt;

/// Why a statistic could not be computed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StatsError {
    /// The statistic needs more samples than were given.
    TooFewSamples {
        /// Minimum number of samples the statistic needs.
        needed: usize,
        /// Number of samples given.
        found: usize,
    },
    /// A sample is NaN or infinite.
    NonFinite {
        /// Zero-based position of the first offending sample.
        index: usize,
    },
    /// The samples have zero variance, which leaves the statistic undefined.
    ZeroVariance,
    /// A parameter is outside its domain.
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A confidence interval has no finite bounds (Fieller's interval when the
    /// denominator mean is not distinguishable from zero).
    UnboundedInterval,
    /// Every sample is finite but their sum overflows `f64`.
    Overflow,
    /// An iterative algorithm did not reach full precision.
    NoConvergence {
        /// The algorithm that stopped early.
        algorithm: &'static str,
    },
}

impl StatsError {
    /// Stable snake_case code for bindings and machine-readable output.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooFewSamples { .. } => "too_few_samples",
            Self::NonFinite { .. } => "non_finite",
            Self::ZeroVariance => "zero_variance",
            Self::InvalidParameter { .. } => "invalid_parameter",
            Self::UnboundedInterval => "unbounded_interval",
            Self::Overflow => "overflow",
            Self::NoConvergence { .. } => "no_convergence",
        }
    }
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFewSamples { needed, found } => {
                write!(f, "too few samples: needed {needed}, found {found}")
            }
            Self::NonFinite { index } => write!(f, "sample {index} is not finite"),
            Self::ZeroVariance => write!(f, "zero variance leaves the statistic undefined"),
            Self::InvalidParameter { name, value } => {
                write!(f, "invalid parameter {name}: {value}")
            }
            Self::UnboundedInterval => write!(f, "the confidence interval is unbounded"),
            Self::Overflow => write!(f, "the sum of the samples overflows"),
            Self::NoConvergence { algorithm } => write!(f, "{algorithm} did not converge"),
        }
    }
}

impl std::error::Error for StatsError {}

/// Checks that every sample is finite.
pub(crate) fn check_finite(samples: &[f64]) -> Result<(), StatsError> {
    match samples.iter().position(|x| !x.is_finite()) {
        Some(index) => Err(StatsError::NonFinite { index }),
        None => Ok(()),
    }
}

/// Checks that at least `needed` samples are present.
pub(crate) fn check_len(samples: &[f64], needed: usize) -> Result<(), StatsError> {
    if samples.len() < needed {
        Err(StatsError::TooFewSamples {
            needed,
            found: samples.len(),
        })
    } else {
        Ok(())
    }
}

/// Checks a probability-like parameter strictly inside (0, 1).
pub(crate) fn check_open_unit(name: &'static str, value: f64) -> Result<f64, StatsError> {
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(StatsError::InvalidParameter { name, value })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages() {
        let e = StatsError::TooFewSamples {
            needed: 2,
            found: 1,
        };
        assert_eq!(e.code(), "too_few_samples");
        assert_eq!(e.to_string(), "too few samples: needed 2, found 1");
        assert_eq!(StatsError::NonFinite { index: 3 }.code(), "non_finite");
        assert_eq!(
            check_finite(&[1.0, f64::NAN]),
            Err(StatsError::NonFinite { index: 1 })
        );
        assert!(check_open_unit("alpha", 1.0).is_err());
    }
}
