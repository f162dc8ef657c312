//! Confidence intervals: the mean (Student's t) and the ratio of two
//! independent means (Fieller's theorem).

use serde::Serialize;

use crate::error::{StatsError, check_open_unit};
use crate::moments::Moments;
use crate::special::t_isf;

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ConfidenceInterval {
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// Confidence interval of the mean from Student's t with `n - 1` degrees of
/// freedom (scipy: `t.interval(level, n - 1, loc=mean, scale=sem)`).
pub fn mean_interval(m: &Moments, level: f64) -> Result<ConfidenceInterval, StatsError> {
    m.validate()?;
    check_open_unit("level", level)?;
    let q = t_isf(0.5 * (1.0 - level), m.n as f64 - 1.0)?;
    let half = q * m.sem_squared().sqrt();
    Ok(ConfidenceInterval {
        level,
        lower: m.mean - half,
        upper: m.mean + half,
    })
}

/// Ratio of two independent means `mean_a / mean_b` with Fieller's interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RatioOfMeans {
    /// `mean_a / mean_b`.
    pub ratio: f64,
    /// Degrees of freedom of the critical value (Welch-Satterthwaite for
    /// `mean_a - ratio * mean_b`).
    pub df: f64,
    /// Fieller's confidence interval for the ratio.
    pub interval: ConfidenceInterval,
}

/// Ratio of means with Fieller's confidence interval for independent samples.
///
/// With `va = s_a^2/n_a`, `vb = s_b^2/n_b`, `r = mean_a/mean_b`, the critical
/// value `t` is Student's at the Welch-Satterthwaite degrees of freedom of
/// `mean_a - r mean_b`, `g = t^2 vb / mean_b^2`, and the bounds are
/// `(r -+ (t/|mean_b|) sqrt(va + r^2 vb - g va)) / (1 - g)`. If `g >= 1` the
/// denominator mean is not distinguishable from zero and the interval is
/// unbounded ([`StatsError::UnboundedInterval`]).
pub fn ratio_of_means(a: &Moments, b: &Moments, level: f64) -> Result<RatioOfMeans, StatsError> {
    a.validate()?;
    b.validate()?;
    check_open_unit("level", level)?;
    if b.mean == 0.0 {
        return Err(StatsError::InvalidParameter {
            name: "mean_b",
            value: b.mean,
        });
    }
    let ratio = a.mean / b.mean;
    let va = a.sem_squared();
    let vb = b.sem_squared();
    let wa = va;
    let wb = ratio * ratio * vb;
    if wa + wb == 0.0 {
        return Err(StatsError::ZeroVariance);
    }
    let df = (wa + wb) * (wa + wb) / (wa * wa / (a.n as f64 - 1.0) + wb * wb / (b.n as f64 - 1.0));
    let t = t_isf(0.5 * (1.0 - level), df)?;
    let g = t * t * vb / (b.mean * b.mean);
    if g >= 1.0 {
        return Err(StatsError::UnboundedInterval);
    }
    let half = t / b.mean.abs() * (va + ratio * ratio * vb - g * va).max(0.0).sqrt();
    Ok(RatioOfMeans {
        ratio,
        df,
        interval: ConfidenceInterval {
            level,
            lower: (ratio - half) / (1.0 - g),
            upper: (ratio + half) / (1.0 - g),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_interval_known() {
        // scipy: t.interval(0.95, 9, loc=5, scale=1/sqrt(10)) -> (4.284643094029335, 5.715356905970665)
        let m = Moments {
            n: 10,
            mean: 5.0,
            variance: 1.0,
        };
        let ci = mean_interval(&m, 0.95).unwrap();
        assert!((ci.upper - 5.715_356_905_970_665).abs() < 1e-13, "{ci:?}");
        assert!((ci.lower + ci.upper - 10.0).abs() < 1e-12);
        assert!(mean_interval(&m, 1.0).is_err());
    }

    #[test]
    fn ratio_contains_estimate_and_rejects_zero_denominator() {
        let a = Moments {
            n: 100,
            mean: 15.0,
            variance: 4.0,
        };
        let b = Moments {
            n: 100,
            mean: 10.0,
            variance: 4.0,
        };
        let r = ratio_of_means(&a, &b, 0.95).unwrap();
        assert!(r.interval.lower < 1.5 && 1.5 < r.interval.upper);
        let z = Moments {
            n: 5,
            mean: 0.1,
            variance: 100.0,
        };
        assert_eq!(
            ratio_of_means(&a, &z, 0.95),
            Err(StatsError::UnboundedInterval)
        );
    }
}
