//! Two-sample t-tests: Welch's (unequal variances) and Student's (pooled), as
//! scipy's `ttest_ind(equal_var=False / True)`, plus the one-sample test.

use serde::Serialize;

use crate::error::{StatsError, check_open_unit};
use crate::interval::ConfidenceInterval;
use crate::moments::Moments;
use crate::special::{t_cdf, t_isf, t_sf};

/// Which alternative hypothesis a one-sided result or a power calculation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Alternative {
    /// The means differ (either direction).
    TwoSided,
    /// The first mean is less than the second (statsmodels "smaller").
    Less,
    /// The first mean is greater than the second (statsmodels "larger").
    Greater,
}

/// Result of a t-test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TTest {
    /// The t statistic.
    pub t: f64,
    /// Degrees of freedom (Welch-Satterthwaite for Welch's test).
    pub df: f64,
    /// Two-sided p-value.
    pub p_two_sided: f64,
    /// One-sided p-value for "first mean less".
    pub p_less: f64,
    /// One-sided p-value for "first mean greater".
    pub p_greater: f64,
    /// Difference of the means (first minus second, or minus the hypothesised mean).
    pub mean_difference: f64,
    /// Standard error of that difference.
    pub std_error: f64,
}

impl TTest {
    fn from_parts(diff: f64, se: f64, df: f64) -> Result<Self, StatsError> {
        if se.is_nan() || se <= 0.0 {
            return Err(StatsError::ZeroVariance);
        }
        let t = diff / se;
        Ok(Self {
            t,
            df,
            p_two_sided: (2.0 * t_sf(t.abs(), df)?).min(1.0),
            p_less: t_cdf(t, df)?,
            p_greater: t_sf(t, df)?,
            mean_difference: diff,
            std_error: se,
        })
    }

    /// The p-value for `alternative`.
    pub fn p_value(&self, alternative: Alternative) -> f64 {
        match alternative {
            Alternative::TwoSided => self.p_two_sided,
            Alternative::Less => self.p_less,
            Alternative::Greater => self.p_greater,
        }
    }

    /// Two-sided confidence interval of the mean difference.
    pub fn difference_interval(&self, level: f64) -> Result<ConfidenceInterval, StatsError> {
        check_open_unit("level", level)?;
        let half = t_isf(0.5 * (1.0 - level), self.df)? * self.std_error;
        Ok(ConfidenceInterval {
            level,
            lower: self.mean_difference - half,
            upper: self.mean_difference + half,
        })
    }
}

/// Welch's t-test from samples.
pub fn welch(a: &[f64], b: &[f64]) -> Result<TTest, StatsError> {
    welch_from_moments(&Moments::from_samples(a)?, &Moments::from_samples(b)?)
}

/// Welch's t-test from each sample's count, mean and variance.
pub fn welch_from_moments(a: &Moments, b: &Moments) -> Result<TTest, StatsError> {
    a.validate()?;
    b.validate()?;
    let va = a.sem_squared();
    let vb = b.sem_squared();
    let se2 = va + vb;
    let df = se2 * se2 / (va * va / (a.n as f64 - 1.0) + vb * vb / (b.n as f64 - 1.0));
    TTest::from_parts(a.mean - b.mean, se2.sqrt(), df)
}

/// Student's (pooled-variance) t-test from samples.
pub fn student(a: &[f64], b: &[f64]) -> Result<TTest, StatsError> {
    student_from_moments(&Moments::from_samples(a)?, &Moments::from_samples(b)?)
}

/// Student's t-test from each sample's count, mean and variance.
pub fn student_from_moments(a: &Moments, b: &Moments) -> Result<TTest, StatsError> {
    a.validate()?;
    b.validate()?;
    let (na, nb) = (a.n as f64, b.n as f64);
    let df = na + nb - 2.0;
    let pooled = ((na - 1.0) * a.variance + (nb - 1.0) * b.variance) / df;
    TTest::from_parts(a.mean - b.mean, (pooled * (1.0 / na + 1.0 / nb)).sqrt(), df)
}

/// One-sample t-test of the mean against `mu`.
pub fn one_sample_from_moments(m: &Moments, mu: f64) -> Result<TTest, StatsError> {
    m.validate()?;
    if !mu.is_finite() {
        return Err(StatsError::InvalidParameter {
            name: "mu",
            value: mu,
        });
    }
    TTest::from_parts(m.mean - mu, m.sem_squared().sqrt(), m.n as f64 - 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_variance_is_an_error() {
        assert_eq!(
            welch(&[1.0, 1.0], &[2.0, 2.0]),
            Err(StatsError::ZeroVariance)
        );
        assert_eq!(
            student(&[1.0, 1.0], &[1.0, 1.0]),
            Err(StatsError::ZeroVariance)
        );
    }

    #[test]
    fn symmetric() {
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [2.0, 4.0, 6.0, 8.0, 9.0];
        let ab = welch(&a, &b).unwrap();
        let ba = welch(&b, &a).unwrap();
        assert_eq!(ab.t, -ba.t);
        assert!((ab.p_two_sided - ba.p_two_sided).abs() < 1e-15);
        assert!((ab.p_less + ab.p_greater - 1.0).abs() < 1e-14);
    }
}
