//! Percentiles by selection, with numpy's default ("linear") interpolation.
//!
//! For a sorted sample `x[0..n]` and `q` in [0, 1], numpy's `quantile` takes the
//! virtual index `h = (n - 1) q`, `i = floor(h)`, `g = h - i`, and returns
//! `x[i] + g (x[i+1] - x[i])` (written `x[i+1] - (1 - g)(x[i+1] - x[i])` when
//! `g >= 0.5`, numpy's `_lerp`). We reproduce that formula exactly, but find the
//! order statistics by selection (`select_nth_unstable`, O(n)) instead of a
//! full sort: each needed rank is selected in the part of the slice to the
//! right of the previous one, and `x[i+1]` is the minimum of that right part.

use crate::error::{StatsError, check_finite, check_len};

/// numpy's `_lerp(a, b, t)`.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

fn check_q(q: f64) -> Result<f64, StatsError> {
    if (0.0..=1.0).contains(&q) {
        Ok(q)
    } else {
        Err(StatsError::InvalidParameter {
            name: "q",
            value: q,
        })
    }
}

/// Quantiles `qs` (each in [0, 1]) of `data`, reordering `data` in place.
/// Samples must be finite (checked) and non-empty.
pub fn quantiles_in_place(data: &mut [f64], qs: &[f64]) -> Result<Vec<f64>, StatsError> {
    check_len(data, 1)?;
    check_finite(data)?;
    for &q in qs {
        check_q(q)?;
    }
    Ok(quantiles_of_finite(data, qs))
}

/// As [`quantiles_in_place`], for data already known finite and non-empty.
pub(crate) fn quantiles_of_finite(data: &mut [f64], qs: &[f64]) -> Vec<f64> {
    select_quantiles(data, qs, f64::total_cmp, |x| x)
}

/// As [`quantiles_of_finite`], on order-preserving integer keys of the samples
/// (see [`sort_key`]), which select about twice as fast as `f64::total_cmp`.
pub(crate) fn quantiles_of_keys(keys: &mut [u64], qs: &[f64]) -> Vec<f64> {
    select_quantiles(keys, qs, u64::cmp, from_sort_key)
}

/// A `u64` whose unsigned order is the numeric order of finite `x` (and of
/// `f64::total_cmp` in general): flip the sign bit of non-negative numbers and
/// every bit of negative ones.
pub(crate) fn sort_key(x: f64) -> u64 {
    let bits = x.to_bits();
    let mask = ((bits as i64 >> 63) as u64) | (1 << 63);
    bits ^ mask
}

/// Inverse of [`sort_key`].
pub(crate) fn from_sort_key(k: u64) -> f64 {
    let mask = if k >> 63 == 1 { 1 << 63 } else { u64::MAX };
    f64::from_bits(k ^ mask)
}

/// Selection-based quantiles over any totally ordered representation.
fn select_quantiles<T: Copy>(
    data: &mut [T],
    qs: &[f64],
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Copy,
    value: impl Fn(T) -> f64,
) -> Vec<f64> {
    let n = data.len();
    let last = n.saturating_sub(1);
    // (query position, lower rank, weight), processed in rank order.
    let mut plan: Vec<(usize, usize, f64)> = qs
        .iter()
        .enumerate()
        .map(|(pos, &q)| {
            let h = last as f64 * q;
            let lower = (h.floor() as usize).min(last);
            (pos, lower, h - lower as f64)
        })
        .collect();
    plan.sort_by_key(|p| p.1);
    let mut out = vec![f64::NAN; qs.len()];
    // INVARIANT: data[..start] <= data[start..], and data[start] is in its
    // sorted place once `selected == Some(start)`.
    let mut start = 0usize;
    let mut selected: Option<usize> = None;
    for (pos, lower, weight) in plan {
        if selected != Some(lower) {
            let rest = data.get_mut(start..).unwrap_or_default();
            rest.select_nth_unstable_by(lower - start, cmp);
            selected = Some(lower);
            start = lower;
        }
        let Some(&a) = data.get(lower) else { continue };
        // x[i+1] is the smallest element right of the selected one.
        let b = data
            .get(lower + 1..)
            .unwrap_or_default()
            .iter()
            .copied()
            .min_by(cmp)
            .unwrap_or(a);
        if let Some(slot) = out.get_mut(pos) {
            *slot = lerp(value(a), value(b), weight);
        }
    }
    out
}

/// Quantile `q` in [0, 1] of `samples` (copied; numpy `quantile`, linear).
pub fn quantile(samples: &[f64], q: f64) -> Result<f64, StatsError> {
    let mut copy = samples.to_vec();
    let v = quantiles_in_place(&mut copy, &[q])?;
    v.first().copied().ok_or(StatsError::TooFewSamples {
        needed: 1,
        found: 0,
    })
}

/// Percentile `p` in [0, 100] of `samples` (numpy `percentile`, linear).
pub fn percentile(samples: &[f64], p: f64) -> Result<f64, StatsError> {
    if !(0.0..=100.0).contains(&p) {
        return Err(StatsError::InvalidParameter {
            name: "p",
            value: p,
        });
    }
    quantile(samples, p / 100.0)
}

/// Median (numpy `median`: the 0.5 quantile with linear interpolation).
pub fn median(samples: &[f64]) -> Result<f64, StatsError> {
    quantile(samples, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted_reference(xs: &[f64], q: f64) -> f64 {
        let mut s = xs.to_vec();
        s.sort_by(|a, b| a.total_cmp(b));
        let h = (s.len() - 1) as f64 * q;
        let i = h.floor() as usize;
        let j = (i + 1).min(s.len() - 1);
        lerp(s[i], s[j], h - i as f64)
    }

    #[test]
    fn numpy_examples() {
        // np.percentile([1, 2, 3, 4], [50, 95]) = [2.5, 3.85]
        let xs = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile(&xs, 50.0).unwrap(), 2.5);
        assert!((percentile(&xs, 95.0).unwrap() - 3.85).abs() < 1e-12);
        assert_eq!(median(&[5.0]).unwrap(), 5.0);
        assert!(quantile(&[], 0.5).is_err());
        assert!(quantile(&[1.0], 1.5).is_err());
        assert_eq!(
            quantile(&[1.0, f64::INFINITY], 0.5),
            Err(StatsError::NonFinite { index: 1 })
        );
    }

    proptest! {
        #[test]
        fn sort_keys_preserve_order(a in proptest::num::f64::ANY, b in proptest::num::f64::ANY) {
            prop_assert_eq!(sort_key(a).cmp(&sort_key(b)), a.total_cmp(&b));
            prop_assert_eq!(from_sort_key(sort_key(a)).to_bits(), a.to_bits());
        }

        #[test]
        fn keys_and_floats_agree(xs in proptest::collection::vec(-1e6f64..1e6, 1..300),
                                 qs in proptest::collection::vec(0.0f64..=1.0, 1..6)) {
            let mut keys: Vec<u64> = xs.iter().map(|&x| sort_key(x)).collect();
            let mut data = xs.clone();
            prop_assert_eq!(quantiles_of_keys(&mut keys, &qs), quantiles_of_finite(&mut data, &qs));
        }

        #[test]
        fn selection_matches_sorting(xs in proptest::collection::vec(-1e6f64..1e6, 1..300),
                                     qs in proptest::collection::vec(0.0f64..=1.0, 1..6)) {
            let mut data = xs.clone();
            let got = quantiles_in_place(&mut data, &qs).unwrap();
            for (q, g) in qs.iter().zip(&got) {
                prop_assert_eq!(*g, sorted_reference(&xs, *q));
            }
        }
    }
}
