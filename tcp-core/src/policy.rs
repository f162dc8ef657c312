//! Policies: how risk and capabilities turn into decisions.
//!
//! The default follows the prototype: CRITICAL → REJECT, HIGH → REQUIRE_APPROVAL,
//! MEDIUM → CAUTION_MODE, LOW/SAFE → APPROVED. An unknown command gets
//! REQUIRE_APPROVAL unless the policy explicitly says otherwise; it is never
//! approved by default.

use serde::Deserialize;

use crate::decision::{Decision, Reason, Verdict};
use crate::error::{Error, Result};
use crate::risk::{Capabilities, RiskLevel};

/// How risk and capabilities turn into decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    by_risk: [Decision; 5],
    require_approval: Capabilities,
    deny: Capabilities,
    unknown_command: Decision,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            by_risk: [
                Decision::Approved,
                Decision::Approved,
                Decision::CautionMode,
                Decision::RequireApproval,
                Decision::Reject,
            ],
            require_approval: Capabilities::EMPTY,
            deny: Capabilities::EMPTY,
            unknown_command: Decision::RequireApproval,
        }
    }
}

impl Policy {
    /// The decision a risk level gets before capabilities are considered.
    pub fn decision_for_risk(&self, level: RiskLevel) -> Decision {
        // The array has one entry per level, so the index is always in range.
        self.by_risk
            .get(level as usize)
            .copied()
            .unwrap_or(Decision::Reject)
    }

    /// The decision per risk level, SAFE first.
    pub fn decisions_by_risk(&self) -> [Decision; 5] {
        self.by_risk
    }

    /// Capabilities that always need approval.
    pub fn require_approval(&self) -> Capabilities {
        self.require_approval
    }

    /// Capabilities that are always rejected.
    pub fn deny(&self) -> Capabilities {
        self.deny
    }

    /// What an unknown command gets.
    pub fn unknown_command(&self) -> Decision {
        self.unknown_command
    }

    /// Approve without asking every level up to and including `level`; levels
    /// above keep the stricter of their current decision and CAUTION_MODE.
    pub fn with_max_approved(mut self, level: RiskLevel) -> Self {
        for (i, d) in self.by_risk.iter_mut().enumerate() {
            if i <= level as usize {
                *d = Decision::Approved;
            } else {
                *d = (*d).max(Decision::CautionMode);
            }
        }
        self
    }

    /// Sets the decision for one risk level; fails if the table would stop
    /// being monotone (a higher risk must never get a more permissive decision).
    pub fn with_risk_decision(mut self, level: RiskLevel, decision: Decision) -> Result<Self> {
        if let Some(slot) = self.by_risk.get_mut(level as usize) {
            *slot = decision;
        }
        if self
            .by_risk
            .windows(2)
            .any(|w| matches!(w, [a, b] if a > b))
        {
            return Err(Error::BadInput {
                detail: format!("risk {level} -> {decision} makes the policy non-monotone in risk"),
            });
        }
        Ok(self)
    }

    /// Capabilities that always need approval (added to those already set).
    pub fn with_require_approval(mut self, caps: Capabilities) -> Self {
        self.require_approval |= caps;
        self
    }

    /// Capabilities that are always rejected (added to those already set).
    pub fn with_deny(mut self, caps: Capabilities) -> Self {
        self.deny |= caps;
        self
    }

    /// What unknown commands get. APPROVED here is the only way to approve them.
    pub fn with_unknown_command(mut self, decision: Decision) -> Self {
        self.unknown_command = decision;
        self
    }

    /// The decision alone, without reasons: what [`decide`](Self::decide) returns
    /// as its `decision`. Allocation-free, for batch paths.
    pub fn decide_fast(&self, level: RiskLevel, caps: Capabilities) -> Decision {
        let mut d = self.decision_for_risk(level);
        if caps.intersects(self.require_approval) {
            d = d.max(Decision::RequireApproval);
        }
        if caps.intersects(self.deny) {
            d = Decision::Reject;
        }
        d
    }

    /// Decides for a known risk level and capability set, with reasons.
    pub fn decide(&self, level: RiskLevel, caps: Capabilities) -> Verdict {
        let mut verdict = Verdict {
            decision: Decision::Approved,
            reasons: Vec::new(),
        };
        verdict.push(Reason::Risk {
            level,
            decision: self.decision_for_risk(level),
        });
        self.push_capability_reasons(caps, &mut verdict);
        verdict
    }

    /// Adds the reasons the policy's capability rules give `caps`.
    pub fn push_capability_reasons(&self, caps: Capabilities, verdict: &mut Verdict) {
        for name in caps.intersection(self.deny).names() {
            verdict.push(Reason::Capability {
                capability: name,
                decision: Decision::Reject,
            });
        }
        let ask =
            Capabilities::from_bits_truncate(self.require_approval.bits() & !self.deny.bits());
        for name in caps.intersection(ask).names() {
            verdict.push(Reason::Capability {
                capability: name,
                decision: Decision::RequireApproval,
            });
        }
    }

    /// Decides for a decoded descriptor: by risk and capabilities; a descriptor
    /// without risk information is treated like an unknown command; every
    /// leniency of the read is listed as a reason (asking for no more than the
    /// risk does, so the data's own level still decides).
    pub fn decide_decoded(&self, decoded: &crate::wire::Decoded, name: &str) -> Verdict {
        let mut verdict = match decoded.risk {
            Some(level) => self.decide(level, decoded.capabilities),
            None => {
                let mut v = self.decide_unknown(name);
                self.push_capability_reasons(decoded.capabilities, &mut v);
                v
            }
        };
        for l in &decoded.lenient {
            verdict.push(Reason::Lenient {
                what: l.to_string(),
                decision: verdict.decision,
            });
        }
        verdict
    }

    /// Decides for a command the registry does not know.
    pub fn decide_unknown(&self, command: &str) -> Verdict {
        Verdict::from_reasons(
            vec![Reason::UnknownCommand {
                command: command.to_owned(),
                decision: self.unknown_command,
            }],
            self.unknown_command,
        )
    }

    /// Reads a policy from TOML:
    ///
    /// ```toml
    /// max_approved_risk = "LOW"          # optional
    /// require_approval = ["NETWORK_ACCESS"]
    /// deny = ["PRIVILEGE_ESCALATION"]
    /// unknown_command = "REQUIRE_APPROVAL"
    /// [risk]                               # optional per-level overrides
    /// MEDIUM = "REQUIRE_APPROVAL"
    /// ```
    pub fn from_toml(text: &str) -> Result<Self> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            max_approved_risk: Option<String>,
            #[serde(default)]
            require_approval: Vec<String>,
            #[serde(default)]
            deny: Vec<String>,
            unknown_command: Option<String>,
            #[serde(default)]
            risk: std::collections::BTreeMap<String, String>,
        }
        let file: File = toml::from_str(text).map_err(|e| Error::BadInput {
            detail: format!("policy: {}", e.message()),
        })?;
        let bad = |what: &str, v: &str| Error::BadInput {
            detail: format!("policy: unknown {what} {v:?}"),
        };
        let mut policy = Policy::default();
        if let Some(level) = file.max_approved_risk {
            let level = RiskLevel::parse(&level).ok_or_else(|| bad("risk level", &level))?;
            policy = policy.with_max_approved(level);
        }
        for (level, decision) in &file.risk {
            let l = RiskLevel::parse(level).ok_or_else(|| bad("risk level", level))?;
            let d = Decision::parse(decision).ok_or_else(|| bad("decision", decision))?;
            policy = policy.with_risk_decision(l, d)?;
        }
        for name in &file.require_approval {
            let c = Capabilities::from_name(name).ok_or_else(|| bad("capability", name))?;
            policy = policy.with_require_approval(c);
        }
        for name in &file.deny {
            let c = Capabilities::from_name(name).ok_or_else(|| bad("capability", name))?;
            policy = policy.with_deny(c);
        }
        if let Some(d) = file.unknown_command {
            let d = Decision::parse(&d).ok_or_else(|| bad("decision", &d))?;
            policy = policy.with_unknown_command(d);
        }
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mapping_is_the_prototypes() {
        let p = Policy::default();
        let d = |l| p.decide(l, Capabilities::EMPTY).decision;
        assert_eq!(d(RiskLevel::Safe), Decision::Approved);
        assert_eq!(d(RiskLevel::Low), Decision::Approved);
        assert_eq!(d(RiskLevel::Medium), Decision::CautionMode);
        assert_eq!(d(RiskLevel::High), Decision::RequireApproval);
        assert_eq!(d(RiskLevel::Critical), Decision::Reject);
        assert_eq!(
            p.decide_unknown("frobnicate").decision,
            Decision::RequireApproval
        );
    }

    #[test]
    fn capabilities_tighten() {
        let p = Policy::default()
            .with_require_approval(Capabilities::NETWORK_ACCESS)
            .with_deny(Capabilities::PRIVILEGE_ESCALATION);
        let v = p.decide(RiskLevel::Safe, Capabilities::NETWORK_ACCESS);
        assert_eq!(v.decision, Decision::RequireApproval);
        let v = p.decide(RiskLevel::Safe, Capabilities::PRIVILEGE_ESCALATION);
        assert_eq!(v.decision, Decision::Reject);
        assert_eq!(v.reasons.len(), 2);
    }

    #[test]
    fn toml_policy() {
        let p = Policy::from_toml(
            "max_approved_risk = \"SAFE\"\nrequire_approval = [\"network_access\"]\nunknown_command = \"deny\"\n",
        )
        .unwrap();
        assert_eq!(p.decision_for_risk(RiskLevel::Low), Decision::CautionMode);
        assert_eq!(p.unknown_command(), Decision::Reject);
        assert!(Policy::from_toml("bogus = 1").is_err());
        assert!(Policy::from_toml("[risk]\nHIGH = \"APPROVED\"").is_err());
    }
}
