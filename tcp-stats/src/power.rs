//! Power of t-tests and its inverses, as statsmodels' `TTestPower` (one
//! sample or paired) and `TTestIndPower` (two independent samples).
//!
//! Power is `P(reject)` under a noncentral t with noncentrality
//! `d sqrt(n_eff)`: `nct.sf(t_crit) [+ nct.cdf(-t_crit)]`, with the critical
//! values of the central t at `alpha` (`alpha / 2` per tail when two-sided),
//! exactly statsmodels' formula. Sample size and minimal detectable effect
//! invert it by a bracketed root search (Illinois), to ~1e-12 relative.

use serde::Serialize;

use crate::error::{StatsError, check_open_unit};
use crate::special::{nct_cdf, nct_sf, t_isf, t_ppf};
use crate::ttest::Alternative;

/// Which t-test the power is for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PowerTest {
    /// One-sample (or paired) t-test: `df = n - 1`, `n_eff = n`.
    OneSample,
    /// Two independent samples of sizes `n1` and `n2 = ratio * n1`:
    /// `df = n1 + n2 - 2`, `n_eff = 1 / (1/n1 + 1/n2)`.
    TwoSample {
        /// `n2 / n1`.
        ratio: f64,
    },
}

impl PowerTest {
    /// `(df, n_eff)` for `nobs` (n, or n1 for two samples).
    fn df_and_effective_n(&self, nobs: f64) -> Result<(f64, f64), StatsError> {
        if !(nobs.is_finite() && nobs > 0.0) {
            return Err(StatsError::InvalidParameter {
                name: "nobs",
                value: nobs,
            });
        }
        let (df, n_eff) = match *self {
            Self::OneSample => (nobs - 1.0, nobs),
            Self::TwoSample { ratio } => {
                if !(ratio.is_finite() && ratio > 0.0) {
                    return Err(StatsError::InvalidParameter {
                        name: "ratio",
                        value: ratio,
                    });
                }
                let n2 = nobs * ratio;
                (nobs + n2 - 2.0, 1.0 / (1.0 / nobs + 1.0 / n2))
            }
        };
        if df.is_nan() || df <= 0.0 {
            return Err(StatsError::InvalidParameter {
                name: "nobs",
                value: nobs,
            });
        }
        Ok((df, n_eff))
    }
}

/// Power of the t-test `test` to detect a standardized effect `effect_size`
/// with `nobs` observations (n1 for two samples) at level `alpha`.
pub fn power(
    test: PowerTest,
    effect_size: f64,
    nobs: f64,
    alpha: f64,
    alternative: Alternative,
) -> Result<f64, StatsError> {
    check_open_unit("alpha", alpha)?;
    if !effect_size.is_finite() {
        return Err(StatsError::InvalidParameter {
            name: "effect_size",
            value: effect_size,
        });
    }
    let (df, n_eff) = test.df_and_effective_n(nobs)?;
    let nc = effect_size * n_eff.sqrt();
    let tail_alpha = if alternative == Alternative::TwoSided {
        alpha / 2.0
    } else {
        alpha
    };
    let mut p = 0.0;
    if alternative != Alternative::Less {
        p += nct_sf(t_isf(tail_alpha, df)?, df, nc)?;
    }
    if alternative != Alternative::Greater {
        p += nct_cdf(t_ppf(tail_alpha, df)?, df, nc)?;
    }
    Ok(p)
}

/// Root of an increasing `f` with `f(lo) < 0 < f(hi)`: Illinois regula falsi.
fn solve_increasing(
    f: &dyn Fn(f64) -> Result<f64, StatsError>,
    mut lo: f64,
    mut hi: f64,
) -> Result<f64, StatsError> {
    let (mut f_lo, mut f_hi) = (f(lo)?, f(hi)?);
    let mut side = 0i8;
    let mut previous = f64::NAN;
    for _ in 0..300 {
        let mut c = (lo * f_hi - hi * f_lo) / (f_hi - f_lo);
        if !(c > lo && c < hi) {
            c = 0.5 * (lo + hi);
        }
        let fc = f(c)?;
        if fc == 0.0 || (c - previous).abs() <= 1e-14 * c.abs() || hi - lo <= 1e-14 * c.abs() {
            return Ok(c);
        }
        previous = c;
        if fc < 0.0 {
            lo = c;
            f_lo = fc;
            if side == -1 {
                f_hi *= 0.5;
            }
            side = -1;
        } else {
            hi = c;
            f_hi = fc;
            if side == 1 {
                f_lo *= 0.5;
            }
            side = 1;
        }
    }
    Err(StatsError::NoConvergence {
        algorithm: "power root search",
    })
}

fn check_target(power: f64, alpha: f64) -> Result<(), StatsError> {
    check_open_unit("alpha", alpha)?;
    check_open_unit("power", power)?;
    if power <= alpha {
        return Err(StatsError::InvalidParameter {
            name: "power",
            value: power,
        });
    }
    Ok(())
}

/// Smallest `nobs` (continuous, as statsmodels' `solve_power`; n1 for two
/// samples) at which the power reaches `target_power`. Round up for a design.
/// If even `nobs = 2` reaches it, returns 2.
pub fn sample_size(
    test: PowerTest,
    effect_size: f64,
    target_power: f64,
    alpha: f64,
    alternative: Alternative,
) -> Result<f64, StatsError> {
    check_target(target_power, alpha)?;
    let toward = match alternative {
        Alternative::TwoSided => effect_size != 0.0,
        Alternative::Greater => effect_size > 0.0,
        Alternative::Less => effect_size < 0.0,
    };
    if !toward || !effect_size.is_finite() {
        return Err(StatsError::InvalidParameter {
            name: "effect_size",
            value: effect_size,
        });
    }
    let f = |n: f64| Ok(power(test, effect_size, n, alpha, alternative)? - target_power);
    let lo = 2.0;
    if f(lo)? >= 0.0 {
        return Ok(lo);
    }
    let mut hi = 4.0;
    while f(hi)? < 0.0 {
        hi *= 4.0;
        if hi > 1e16 {
            return Err(StatsError::NoConvergence {
                algorithm: "sample size bracket",
            });
        }
    }
    solve_increasing(&f, lo, hi)
}

/// Smallest standardized effect that `nobs` observations detect with
/// `target_power` (negative for [`Alternative::Less`]).
pub fn minimal_detectable_effect(
    test: PowerTest,
    nobs: f64,
    target_power: f64,
    alpha: f64,
    alternative: Alternative,
) -> Result<f64, StatsError> {
    check_target(target_power, alpha)?;
    test.df_and_effective_n(nobs)?;
    let sign = if alternative == Alternative::Less {
        -1.0
    } else {
        1.0
    };
    let f = |d: f64| Ok(power(test, sign * d, nobs, alpha, alternative)? - target_power);
    let mut hi = 1.0;
    while f(hi)? < 0.0 {
        hi *= 2.0;
        if hi > 1e12 {
            return Err(StatsError::NoConvergence {
                algorithm: "effect size bracket",
            });
        }
    }
    Ok(sign * solve_increasing(&f, 0.0, hi)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_effect_has_power_alpha() {
        let p = power(PowerTest::OneSample, 0.0, 30.0, 0.05, Alternative::TwoSided).unwrap();
        assert!((p - 0.05).abs() < 1e-12, "{p}");
    }

    #[test]
    fn inverses_round_trip() {
        let test = PowerTest::TwoSample { ratio: 1.0 };
        let n = sample_size(test, 0.5, 0.8, 0.05, Alternative::TwoSided).unwrap();
        // statsmodels: TTestIndPower().solve_power(0.5, power=0.8, alpha=0.05) = 63.7656...
        assert!((n - 63.765_6).abs() < 1e-3, "{n}");
        let d = minimal_detectable_effect(test, n, 0.8, 0.05, Alternative::TwoSided).unwrap();
        assert!((d - 0.5).abs() < 1e-10, "{d}");
    }

    #[test]
    fn bad_parameters() {
        assert!(power(PowerTest::OneSample, 0.5, 1.0, 0.05, Alternative::TwoSided).is_err());
        assert!(sample_size(PowerTest::OneSample, -0.5, 0.8, 0.05, Alternative::Greater).is_err());
        assert!(sample_size(PowerTest::OneSample, 0.5, 0.01, 0.05, Alternative::TwoSided).is_err());
    }
}
