//! Mann-Whitney U test, large-sample normal approximation with tie correction
//! and continuity correction (scipy `mannwhitneyu(method="asymptotic")`).

use serde::Serialize;

use crate::error::{StatsError, check_finite, check_len};
use crate::special::norm_sf;

/// Result of a Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MannWhitney {
    /// U statistic of the first sample (scipy's `statistic`).
    pub u1: f64,
    /// U statistic of the second sample, `n1 n2 - u1`.
    pub u2: f64,
    /// Two-sided p-value.
    pub p_two_sided: f64,
    /// p-value for "first sample stochastically less".
    pub p_less: f64,
    /// p-value for "first sample stochastically greater".
    pub p_greater: f64,
}

/// Mann-Whitney U test of `a` against `b`.
pub fn mann_whitney_u(a: &[f64], b: &[f64]) -> Result<MannWhitney, StatsError> {
    check_len(a, 1)?;
    check_len(b, 1)?;
    check_finite(a)?;
    check_finite(b).map_err(|e| match e {
        StatsError::NonFinite { index } => StatsError::NonFinite {
            index: a.len() + index,
        },
        other => other,
    })?;
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let n = n1 + n2;
    let mut pooled: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    pooled.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0usize;
    while start < pooled.len() {
        let value = pooled.get(start).map_or(0.0, |p| p.0);
        let run = pooled
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|p| p.0 == value)
            .count();
        // Ranks start..start+run (1-based) share their average.
        let avg_rank = start as f64 + (run as f64 + 1.0) / 2.0;
        let in_a = pooled
            .get(start..start + run)
            .unwrap_or_default()
            .iter()
            .filter(|p| p.1)
            .count();
        rank_sum_a += avg_rank * in_a as f64;
        let t = run as f64;
        tie_term += t * t * t - t;
        start += run;
    }
    let u1 = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let u2 = n1 * n2 - u1;
    let mu = n1 * n2 / 2.0;
    let sigma = (n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)))).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return Err(StatsError::ZeroVariance);
    }
    let z = |u: f64| (u - mu - 0.5) / sigma;
    Ok(MannWhitney {
        u1,
        u2,
        p_two_sided: (2.0 * norm_sf(z(u1.max(u2)))).clamp(0.0, 1.0),
        p_less: norm_sf(z(u2)).clamp(0.0, 1.0),
        p_greater: norm_sf(z(u1)).clamp(0.0, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u_statistics_add_up() {
        let r = mann_whitney_u(&[1.0, 2.0, 3.0, 3.0], &[3.0, 4.0, 5.0]).unwrap();
        assert_eq!(r.u1 + r.u2, 12.0);
        // Ranks of a: 1, 2, 4, 4 (three 3s tie at ranks 3..5) -> 11 - 10 = 1.
        // scipy: mannwhitneyu([1,2,3,3], [3,4,5], method="asymptotic") -> 1.0, p 0.09872864789482493
        assert_eq!(r.u1, 1.0);
        assert!((r.p_two_sided - 0.098_728_647_894_824_93).abs() < 1e-15);
        assert!(r.p_less < r.p_greater);
    }

    #[test]
    fn errors() {
        assert!(mann_whitney_u(&[], &[1.0]).is_err());
        assert_eq!(
            mann_whitney_u(&[1.0], &[1.0, f64::NAN]),
            Err(StatsError::NonFinite { index: 2 })
        );
        assert_eq!(
            mann_whitney_u(&[1.0, 1.0], &[1.0]),
            Err(StatsError::ZeroVariance)
        );
    }
}
