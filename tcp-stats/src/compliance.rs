//! Named, configurable compliance profiles for a measurement, and a report
//! saying which criterion failed and by how much.
//!
//! Built in: `measurement` (CV < 0.2, power > 0.8, n >= 1000; the power is
//! that of a two-sided one-sample t-test at alpha 0.05 to detect a 2% shift of
//! the mean, i.e. a standardized effect of `0.02 / CV`) and
//! `timing_consistency` (CV < 0.1). Every threshold is a public field.

use serde::Serialize;

use crate::error::StatsError;
use crate::moments::Moments;
use crate::power::{PowerTest, power};
use crate::ttest::Alternative;

/// The effect a profile's power criterion must detect.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum PowerEffect {
    /// A standardized effect (Cohen's d) as given.
    Standardized(f64),
    /// A shift of this fraction of the mean: `d = fraction * |mean| / sd`.
    RelativeToMean(f64),
}

/// A named set of thresholds; `None` disables a criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplianceProfile {
    /// Profile name (stable, snake_case for the built-ins).
    pub name: String,
    /// Pass if `cv < max_cv`.
    pub max_cv: Option<f64>,
    /// Pass if `n >= min_samples`.
    pub min_samples: Option<u64>,
    /// Pass if `power > min_power`.
    pub min_power: Option<f64>,
    /// The effect the power criterion is computed for.
    pub power_effect: PowerEffect,
    /// Significance level of the power criterion (two-sided).
    pub alpha: f64,
}

/// The outcome of one criterion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionOutcome {
    /// `cv`, `n` or `power`.
    pub criterion: String,
    /// The comparison that must hold: `<`, `>=` or `>`.
    pub relation: String,
    /// The threshold.
    pub threshold: f64,
    /// The observed value; `None` if undefined (CV of a zero mean).
    pub observed: Option<f64>,
    /// Whether the criterion holds.
    pub passed: bool,
    /// `observed - threshold` (negative means below the threshold).
    pub margin: Option<f64>,
    /// One line for people.
    pub message: String,
}

/// The outcome of every enabled criterion of a profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplianceReport {
    /// Profile name.
    pub profile: String,
    /// True when every criterion passed.
    pub passed: bool,
    /// One entry per enabled criterion.
    pub criteria: Vec<CriterionOutcome>,
}

impl ComplianceReport {
    /// The criteria that failed.
    pub fn failures(&self) -> impl Iterator<Item = &CriterionOutcome> {
        self.criteria.iter().filter(|c| !c.passed)
    }
}

fn outcome(
    criterion: &str,
    relation: &str,
    threshold: f64,
    observed: Option<f64>,
) -> CriterionOutcome {
    let passed = observed.is_some_and(|v| match relation {
        "<" => v < threshold,
        ">" => v > threshold,
        _ => v >= threshold,
    });
    let margin = observed.map(|v| v - threshold);
    let show = |x: f64| {
        if x.fract() == 0.0 && x.abs() < 1e15 {
            format!("{x:.0}")
        } else {
            format!("{x:.6}")
        }
    };
    let message = match (observed, margin) {
        (Some(v), Some(_)) if passed => {
            format!("{criterion} {} {relation} {threshold} holds", show(v))
        }
        (Some(v), Some(m)) => format!(
            "{criterion} {} is not {relation} {threshold} (off by {})",
            show(v),
            show(m.abs())
        ),
        _ => format!("{criterion} is undefined (zero mean)"),
    };
    CriterionOutcome {
        criterion: criterion.to_owned(),
        relation: relation.to_owned(),
        threshold,
        observed,
        passed,
        margin,
        message,
    }
}

impl ComplianceProfile {
    /// The seeds' measurement profile: CV < 0.2, power > 0.8, n >= 1000.
    pub fn measurement() -> Self {
        Self {
            name: "measurement".to_owned(),
            max_cv: Some(0.2),
            min_samples: Some(1000),
            min_power: Some(0.8),
            power_effect: PowerEffect::RelativeToMean(0.02),
            alpha: 0.05,
        }
    }

    /// The seeds' timing-consistency profile: CV < 0.1.
    pub fn timing_consistency() -> Self {
        Self {
            name: "timing_consistency".to_owned(),
            max_cv: Some(0.1),
            min_samples: None,
            min_power: None,
            power_effect: PowerEffect::RelativeToMean(0.02),
            alpha: 0.05,
        }
    }

    /// Every built-in profile.
    pub fn builtin() -> Vec<Self> {
        vec![Self::measurement(), Self::timing_consistency()]
    }

    /// A built-in profile by name.
    pub fn by_name(name: &str) -> Option<Self> {
        Self::builtin().into_iter().find(|p| p.name == name)
    }

    /// Checks a sample's moments against the profile.
    pub fn check(&self, m: &Moments) -> Result<ComplianceReport, StatsError> {
        m.validate()?;
        let sd = m.variance.sqrt();
        let cv = (m.mean != 0.0).then(|| sd / m.mean.abs());
        let mut criteria = Vec::new();
        if let Some(max_cv) = self.max_cv {
            criteria.push(outcome("cv", "<", max_cv, cv));
        }
        if let Some(min_n) = self.min_samples {
            criteria.push(outcome("n", ">=", min_n as f64, Some(m.n as f64)));
        }
        if let Some(min_power) = self.min_power {
            let d = match self.power_effect {
                PowerEffect::Standardized(d) => Some(d),
                PowerEffect::RelativeToMean(f) => cv.map(|cv| f / cv),
            };
            let observed = match d {
                // A zero-variance sample detects any shift.
                Some(d) if d.is_infinite() => Some(1.0),
                Some(d) => Some(power(
                    PowerTest::OneSample,
                    d,
                    m.n as f64,
                    self.alpha,
                    Alternative::TwoSided,
                )?),
                None => None,
            };
            criteria.push(outcome("power", ">", min_power, observed));
        }
        Ok(ComplianceReport {
            profile: self.name.clone(),
            passed: criteria.iter().all(|c| c.passed),
            criteria,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measurement_profile_reports_failures() {
        let m = Moments {
            n: 500,
            mean: 100.0,
            variance: 25.0 * 25.0,
        };
        let r = ComplianceProfile::measurement().check(&m).unwrap();
        assert!(!r.passed);
        let failed: Vec<_> = r.failures().map(|c| c.criterion.as_str()).collect();
        assert_eq!(failed, ["cv", "n", "power"]);
        let cv = &r.criteria[0];
        assert!((cv.margin.unwrap() - 0.05).abs() < 1e-12);
        assert_eq!(cv.message, "cv 0.250000 is not < 0.2 (off by 0.050000)");
        assert_eq!(r.criteria[1].message, "n 500 is not >= 1000 (off by 500)");
    }

    #[test]
    fn good_measurement_passes() {
        let m = Moments {
            n: 5000,
            mean: 100.0,
            variance: 5.0 * 5.0,
        };
        assert!(ComplianceProfile::measurement().check(&m).unwrap().passed);
        assert!(
            ComplianceProfile::timing_consistency()
                .check(&m)
                .unwrap()
                .passed
        );
        let zero_mean = Moments {
            n: 5000,
            mean: 0.0,
            variance: 1.0,
        };
        let r = ComplianceProfile::timing_consistency()
            .check(&zero_mean)
            .unwrap();
        assert!(!r.passed && r.criteria[0].observed.is_none());
        assert!(ComplianceProfile::by_name("timing_consistency").is_some());
    }
}
