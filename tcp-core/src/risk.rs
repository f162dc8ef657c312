//! Risk levels and capability flags: libtcp's own vocabulary.
//!
//! Every dialect has its own bit table; each dialect module translates its
//! bits into these types explicitly (never by position).

use core::fmt;

/// How dangerous a command is, from SAFE to CRITICAL. Ordered: `Safe < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum RiskLevel {
    /// Reads only; no lasting effect.
    Safe = 0,
    /// Small, easily undone effects.
    Low = 1,
    /// Modifies state in ways that need care.
    Medium = 2,
    /// Can destroy data or change the system; needs a human.
    High = 3,
    /// Can destroy the system or escalate privileges irrecoverably.
    Critical = 4,
}

impl RiskLevel {
    /// All levels, lowest first.
    pub const ALL: [RiskLevel; 5] = [
        Self::Safe,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Critical,
    ];

    /// The level for a number 0..=4.
    pub const fn from_u8(raw: u8) -> Option<Self> {
        match raw {
            0 => Some(Self::Safe),
            1 => Some(Self::Low),
            2 => Some(Self::Medium),
            3 => Some(Self::High),
            4 => Some(Self::Critical),
            _ => None,
        }
    }

    /// The prototype's name (`SAFE`, `LOW_RISK`, `MEDIUM_RISK`, `HIGH_RISK`, `CRITICAL`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Safe => "SAFE",
            Self::Low => "LOW_RISK",
            Self::Medium => "MEDIUM_RISK",
            Self::High => "HIGH_RISK",
            Self::Critical => "CRITICAL",
        }
    }

    /// Parses the prototype's names, and the short forms `LOW`, `MEDIUM`, `HIGH`
    /// (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "SAFE" => Some(Self::Safe),
            "LOW" | "LOW_RISK" => Some(Self::Low),
            "MEDIUM" | "MEDIUM_RISK" => Some(Self::Medium),
            "HIGH" | "HIGH_RISK" => Some(Self::High),
            "CRITICAL" => Some(Self::Critical),
            _ => None,
        }
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a command can do, as a set of flags (libtcp's canonical bit table).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Capabilities(u16);

impl Capabilities {
    /// Deletes or overwrites data irrecoverably.
    pub const DESTRUCTIVE: Self = Self(1 << 0);
    /// Needs root (or runs as root).
    pub const REQUIRES_ROOT: Self = Self(1 << 1);
    /// Talks to the network.
    pub const NETWORK_ACCESS: Self = Self(1 << 2);
    /// Creates, changes or removes files.
    pub const FILE_MODIFICATION: Self = Self(1 << 3);
    /// Changes system configuration, services, devices or the kernel.
    pub const SYSTEM_MODIFICATION: Self = Self(1 << 4);
    /// Gains privileges the caller did not have.
    pub const PRIVILEGE_ESCALATION: Self = Self(1 << 5);
    /// Signals, stops or starts other processes.
    pub const PROCESS_CONTROL: Self = Self(1 << 6);
    /// Runs code it is given (interpreters, `eval`, `xargs`).
    pub const CODE_EXECUTION: Self = Self(1 << 7);

    /// No capability.
    pub const EMPTY: Self = Self(0);
    /// Every defined bit.
    pub const ALL_BITS: u16 = 0x00FF;

    const NAMES: [(Self, &'static str); 8] = [
        (Self::DESTRUCTIVE, "DESTRUCTIVE"),
        (Self::REQUIRES_ROOT, "REQUIRES_ROOT"),
        (Self::NETWORK_ACCESS, "NETWORK_ACCESS"),
        (Self::FILE_MODIFICATION, "FILE_MODIFICATION"),
        (Self::SYSTEM_MODIFICATION, "SYSTEM_MODIFICATION"),
        (Self::PRIVILEGE_ESCALATION, "PRIVILEGE_ESCALATION"),
        (Self::PROCESS_CONTROL, "PROCESS_CONTROL"),
        (Self::CODE_EXECUTION, "CODE_EXECUTION"),
    ];

    /// The raw bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Flags from raw bits; `None` if an undefined bit is set.
    pub const fn from_bits(bits: u16) -> Option<Self> {
        if bits & !Self::ALL_BITS == 0 {
            Some(Self(bits))
        } else {
            None
        }
    }

    /// Flags from raw bits, dropping undefined ones.
    pub const fn from_bits_truncate(bits: u16) -> Self {
        Self(bits & Self::ALL_BITS)
    }

    /// True if every flag of `other` is set in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if any flag of `other` is set in `self`.
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// True if no flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The union.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The intersection.
    pub const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }

    /// Names of the set flags, in bit order.
    pub fn names(self) -> Vec<&'static str> {
        Self::NAMES
            .iter()
            .filter(|(flag, _)| self.contains(*flag))
            .map(|(_, name)| *name)
            .collect()
    }

    /// The flag with a name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        let upper = name.to_ascii_uppercase();
        Self::NAMES
            .iter()
            .find(|(_, n)| *n == upper)
            .map(|(flag, _)| *flag)
    }
}

impl core::ops::BitOr for Capabilities {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl core::ops::BitOrAssign for Capabilities {
    fn bitor_assign(&mut self, rhs: Self) {
        self.insert(rhs);
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Capabilities({})", self.names().join(" | "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_round_trips_and_orders() {
        for (i, r) in RiskLevel::ALL.iter().enumerate() {
            assert_eq!(RiskLevel::from_u8(i as u8), Some(*r));
            assert_eq!(RiskLevel::parse(r.as_str()), Some(*r));
        }
        assert!(RiskLevel::Safe < RiskLevel::Critical);
        assert_eq!(RiskLevel::from_u8(5), None);
        assert_eq!(RiskLevel::parse("high"), Some(RiskLevel::High));
    }

    #[test]
    fn capability_names() {
        let c = Capabilities::DESTRUCTIVE | Capabilities::NETWORK_ACCESS;
        assert_eq!(c.names(), vec!["DESTRUCTIVE", "NETWORK_ACCESS"]);
        assert_eq!(
            Capabilities::from_name("network_access"),
            Some(Capabilities::NETWORK_ACCESS)
        );
        assert_eq!(Capabilities::from_bits(0x100), None);
    }
}
