//! Decisions and the reasons behind them.

use core::fmt;

use crate::risk::{Capabilities, RiskLevel};

/// What an agent may do with a command. Ordered by strictness: `Approved < Reject`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum Decision {
    /// Run it.
    Approved = 0,
    /// Run it, with care (e.g. in a sandbox, with logging).
    CautionMode = 1,
    /// Ask a human first.
    RequireApproval = 2,
    /// Do not run it.
    Reject = 3,
}

impl Decision {
    /// All decisions, most permissive first.
    pub const ALL: [Decision; 4] = [
        Self::Approved,
        Self::CautionMode,
        Self::RequireApproval,
        Self::Reject,
    ];

    /// The prototype's name (`APPROVED`, `CAUTION_MODE`, `REQUIRE_APPROVAL`, `REJECT`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Approved => "APPROVED",
            Self::CautionMode => "CAUTION_MODE",
            Self::RequireApproval => "REQUIRE_APPROVAL",
            Self::Reject => "REJECT",
        }
    }

    /// The decision for a number 0..=3.
    pub const fn from_u8(raw: u8) -> Option<Self> {
        match raw {
            0 => Some(Self::Approved),
            1 => Some(Self::CautionMode),
            2 => Some(Self::RequireApproval),
            3 => Some(Self::Reject),
            _ => None,
        }
    }

    /// Parses the names above, case-insensitively; also `allow`, `caution`, `ask`, `deny`.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "APPROVED" | "APPROVE" | "ALLOW" => Some(Self::Approved),
            "CAUTION_MODE" | "CAUTION" => Some(Self::CautionMode),
            "REQUIRE_APPROVAL" | "ASK" => Some(Self::RequireApproval),
            "REJECT" | "DENY" => Some(Self::Reject),
            _ => None,
        }
    }

    /// The stricter of two decisions.
    pub fn strictest(self, other: Self) -> Self {
        self.max(other)
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a decision came out as it did. Each reason names the decision it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// The command's risk level maps to a decision under the policy.
    Risk {
        /// The risk level.
        level: RiskLevel,
        /// The decision the policy gives that level.
        decision: Decision,
    },
    /// A capability the policy always asks about or denies.
    Capability {
        /// The capability (one flag).
        capability: &'static str,
        /// The decision the policy gives it.
        decision: Decision,
    },
    /// The command is not in the registry.
    UnknownCommand {
        /// The command name.
        command: String,
        /// The decision the policy gives unknown commands.
        decision: Decision,
    },
    /// A named rule (argument rule, user rule) matched.
    Rule {
        /// The rule's identifier.
        id: String,
        /// Why the rule exists.
        justification: String,
        /// The decision the rule asks for.
        decision: Decision,
    },
    /// Something could not be analysed, so the decision fails closed.
    FailClosed {
        /// What could not be analysed.
        what: String,
        /// The decision given.
        decision: Decision,
    },
    /// The descriptor was read leniently; the decision is no better than its data.
    Lenient {
        /// What was tolerated.
        what: String,
        /// The decision asked for.
        decision: Decision,
    },
}

impl Reason {
    /// The decision this reason asks for.
    pub fn decision(&self) -> Decision {
        match self {
            Self::Risk { decision, .. }
            | Self::Capability { decision, .. }
            | Self::UnknownCommand { decision, .. }
            | Self::Rule { decision, .. }
            | Self::FailClosed { decision, .. }
            | Self::Lenient { decision, .. } => *decision,
        }
    }

    /// A stable snake_case kind, for JSON.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Risk { .. } => "risk",
            Self::Capability { .. } => "capability",
            Self::UnknownCommand { .. } => "unknown_command",
            Self::Rule { .. } => "rule",
            Self::FailClosed { .. } => "fail_closed",
            Self::Lenient { .. } => "lenient",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Risk { level, decision } => write!(f, "risk {level} -> {decision}"),
            Self::Capability {
                capability,
                decision,
            } => write!(f, "capability {capability} -> {decision}"),
            Self::UnknownCommand { command, decision } => {
                write!(f, "unknown command {command:?} -> {decision}")
            }
            Self::Rule {
                id,
                justification,
                decision,
            } => write!(f, "rule {id} ({justification}) -> {decision}"),
            Self::FailClosed { what, decision } => {
                write!(f, "cannot analyse {what} -> {decision}")
            }
            Self::Lenient { what, decision } => write!(f, "lenient read: {what} -> {decision}"),
        }
    }
}

/// A decision with every reason that contributed to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The strictest decision among the reasons.
    pub decision: Decision,
    /// Every reason, in the order found.
    pub reasons: Vec<Reason>,
}

impl Verdict {
    /// A verdict from reasons: the strictest decision wins; no reason means `fallback`.
    pub fn from_reasons(reasons: Vec<Reason>, fallback: Decision) -> Self {
        let decision = reasons
            .iter()
            .map(Reason::decision)
            .max()
            .unwrap_or(fallback);
        Self { decision, reasons }
    }

    /// Adds a reason, making the decision stricter if it asks for more.
    pub fn push(&mut self, reason: Reason) {
        self.decision = self.decision.strictest(reason.decision());
        self.reasons.push(reason);
    }

    /// Merges another verdict: strictest wins, reasons are kept.
    pub fn merge(&mut self, other: Verdict) {
        self.decision = self.decision.strictest(other.decision);
        self.reasons.extend(other.reasons);
    }

    /// The capabilities named by [`Reason::Capability`] entries.
    pub fn capability_reasons(&self) -> Capabilities {
        let mut caps = Capabilities::EMPTY;
        for r in &self.reasons {
            if let Reason::Capability { capability, .. } = r {
                if let Some(c) = Capabilities::from_name(capability) {
                    caps |= c;
                }
            }
        }
        caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_order_by_strictness() {
        assert!(Decision::Approved < Decision::CautionMode);
        assert!(Decision::RequireApproval < Decision::Reject);
        for d in Decision::ALL {
            assert_eq!(Decision::from_u8(d as u8), Some(d));
            assert_eq!(Decision::parse(d.as_str()), Some(d));
        }
    }

    #[test]
    fn verdict_takes_strictest() {
        let v = Verdict::from_reasons(
            vec![
                Reason::Risk {
                    level: RiskLevel::Safe,
                    decision: Decision::Approved,
                },
                Reason::Capability {
                    capability: "NETWORK_ACCESS",
                    decision: Decision::RequireApproval,
                },
            ],
            Decision::Approved,
        );
        assert_eq!(v.decision, Decision::RequireApproval);
        assert_eq!(v.capability_reasons(), Capabilities::NETWORK_ACCESS);
    }
}
