//! Standardized effect sizes of a two-sample difference: Cohen's d and
//! Hedges' g (with the exact small-sample correction).

use serde::Serialize;

use crate::error::StatsError;
use crate::moments::Moments;
use crate::special::ln_gamma_ratio;

/// Cohen's d, Hedges' g, and the correction factor between them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EffectSize {
    /// `(mean_a - mean_b) / s_pooled`, with the pooled sample standard deviation.
    pub cohen_d: f64,
    /// `cohen_d * j`.
    pub hedges_g: f64,
    /// Hedges' exact correction `J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))`,
    /// `df = n_a + n_b - 2` (not the `1 - 3/(4 df - 1)` approximation).
    pub j: f64,
}

/// Cohen's d and Hedges' g of `a` relative to `b`; needs `n_a + n_b >= 4`.
pub fn effect_size(a: &Moments, b: &Moments) -> Result<EffectSize, StatsError> {
    a.validate()?;
    b.validate()?;
    let (na, nb) = (a.n as f64, b.n as f64);
    let df = na + nb - 2.0;
    let pooled = ((na - 1.0) * a.variance + (nb - 1.0) * b.variance) / df;
    if pooled.is_nan() || pooled <= 0.0 {
        return Err(StatsError::ZeroVariance);
    }
    let cohen_d = (a.mean - b.mean) / pooled.sqrt();
    // ln Gamma(df/2) - ln Gamma((df-1)/2) = -(ln Gamma(h) - ln Gamma(h + 1/2)), h = (df-1)/2.
    let j = (-ln_gamma_ratio(0.5 * (df - 1.0), 0.5)).exp() / (0.5 * df).sqrt();
    Ok(EffectSize {
        cohen_d,
        hedges_g: cohen_d * j,
        j,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correction_approaches_the_approximation() {
        let a = Moments {
            n: 50,
            mean: 1.0,
            variance: 1.0,
        };
        let b = Moments {
            n: 50,
            mean: 0.0,
            variance: 1.0,
        };
        let e = effect_size(&a, &b).unwrap();
        assert_eq!(e.cohen_d, 1.0);
        let df = 98.0;
        assert!((e.j - (1.0 - 3.0 / (4.0 * df - 1.0))).abs() < 1e-5);
        let z = Moments {
            n: 2,
            mean: 0.0,
            variance: 0.0,
        };
        assert_eq!(effect_size(&z, &z), Err(StatsError::ZeroVariance));
    }
}
