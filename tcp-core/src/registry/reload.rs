//! Hot reload: replacing a loaded registry (and policy) while it is in use.
//!
//! [`Reloadable`] holds a value behind an [`ArcSwap`]: readers take an
//! `Arc` of the current value (lock-free) and finish on it, even if a reload
//! swaps in a new one meanwhile; a reload builds the new value completely
//! before swapping, and a reload that fails leaves the old value in place
//! and records why. [`LiveChecker`] is a [`Checker`] built from files
//! ([`CheckerSource`]) that reloads them on request (e.g. on `SIGHUP`).

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use arc_swap::ArcSwap;

use super::Registry;
use crate::command_line::{Checker, LineVerdict, RuleSet, builtin};
use crate::error::{Error, Result};
use crate::policy::Policy;

/// What happened to a [`Reloadable`]'s reloads so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadStatus {
    /// Successful reloads (each swapped in a new value).
    pub reloads: u64,
    /// Failed reloads (each kept the old value).
    pub failures: u64,
    /// When the last reload was attempted, successful or not.
    pub last_attempt: Option<SystemTime>,
    /// When the value in use was loaded by a reload (`None`: the initial one).
    pub last_success: Option<SystemTime>,
    /// Why the last reload failed; `None` if it succeeded or none was tried.
    pub last_error: Option<String>,
}

/// A value replaced whole and atomically while readers use it. `Send + Sync`
/// when `T` is.
pub struct Reloadable<T> {
    current: ArcSwap<T>,
    /// Serialises reloads (held while the new value loads).
    reloading: Mutex<()>,
    /// The reload record (held only to update or copy it).
    status: Mutex<ReloadStatus>,
}

impl<T> core::fmt::Debug for Reloadable<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reloadable")
            .field("status", &self.status())
            .finish_non_exhaustive()
    }
}

impl<T> Reloadable<T> {
    /// Starts with `value`.
    pub fn new(value: T) -> Self {
        Self {
            current: ArcSwap::from_pointee(value),
            reloading: Mutex::new(()),
            status: Mutex::new(ReloadStatus::default()),
        }
    }

    /// The value in use now. Hold the `Arc` for the whole of one decision: a
    /// reload meanwhile does not change it.
    pub fn load(&self) -> Arc<T> {
        self.current.load_full()
    }

    /// Builds a new value with `load` and swaps it in; if `load` fails, the
    /// old value stays and the error is recorded and returned. Reloads are
    /// serialised; readers are never blocked.
    pub fn reload_with(&self, load: impl FnOnce() -> Result<T>) -> Result<()> {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let now = SystemTime::now();
        let loaded = load();
        // `status()` is not blocked while a slow load runs, only for this update.
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        status.last_attempt = Some(now);
        match loaded {
            Ok(value) => {
                self.current.store(Arc::new(value));
                status.reloads += 1;
                status.last_success = Some(now);
                status.last_error = None;
                Ok(())
            }
            Err(e) => {
                status.failures += 1;
                status.last_error = Some(e.to_string());
                Err(e)
            }
        }
    }

    /// The reload record so far.
    pub fn status(&self) -> ReloadStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Where a [`LiveChecker`] loads its registry and policy from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckerSource {
    /// A registry file ([`Registry::open`]) that replaces the built-in
    /// registry; `None`: the built-in one.
    pub registry: Option<PathBuf>,
    /// A policy file (TOML, [`Policy::from_toml`]); `None`: the default policy.
    pub policy: Option<PathBuf>,
}

impl CheckerSource {
    /// Loads the files into a checker: the registry (if any) with the
    /// built-in argument rules, under the policy (if any), as
    /// `Checker::new` makes it.
    pub fn load(&self) -> Result<Checker> {
        if let Some(e) = builtin::load_error() {
            return Err(e.clone());
        }
        let policy = match &self.policy {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| Error::Io {
                    detail: format!("{}: {e}", p.display()),
                })?;
                Policy::from_toml(&text)?
            }
            None => Policy::default(),
        };
        Ok(match &self.registry {
            Some(r) => Checker::new(Arc::new(Registry::open(r)?), RuleSet::builtin(), policy),
            None => Checker::builtin().with_policy(policy),
        })
    }
}

/// A [`Checker`] loaded from files that can be reloaded while in use.
#[derive(Debug)]
pub struct LiveChecker {
    source: CheckerSource,
    checker: Reloadable<Checker>,
}

impl LiveChecker {
    /// Loads `source`; fails if it does not load.
    pub fn open(source: CheckerSource) -> Result<Self> {
        let checker = Reloadable::new(source.load()?);
        Ok(Self { source, checker })
    }

    /// Reloads the files. On failure (missing file, bad digest, bad policy)
    /// the checker in use stays and the error is returned and recorded.
    pub fn reload(&self) -> Result<()> {
        self.checker.reload_with(|| self.source.load())
    }

    /// The checker in use now; decisions made with it are unaffected by reloads.
    pub fn checker(&self) -> Arc<Checker> {
        self.checker.load()
    }

    /// Decides a command line with the checker in use now.
    pub fn check(&self, line: &str) -> LineVerdict {
        self.checker.load().check(line)
    }

    /// Where the checker is loaded from.
    pub fn source(&self) -> &CheckerSource {
        &self.source
    }

    /// The reload record so far.
    pub fn status(&self) -> ReloadStatus {
        self.checker.status()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]
    use super::*;
    use crate::Decision;
    use crate::registry::RegistryBuilder;
    use crate::risk::{Capabilities, RiskLevel};
    use crate::wire::canonical;

    fn registry_with(name: &str, risk: RiskLevel) -> RegistryBuilder {
        let mut b = RegistryBuilder::new();
        let repr = canonical::Repr {
            risk,
            capabilities: Capabilities::EMPTY,
            command_hash: crate::hash::command_hash(name),
            exec_ms: 1,
            memory_mb: 1,
            output_kb: 1,
        };
        b.add(name, repr, "test").unwrap();
        b
    }

    #[test]
    fn failed_reload_keeps_old_value_and_reports() {
        let r = Reloadable::new(1u32);
        let held = r.load();
        r.reload_with(|| Ok(2)).unwrap();
        assert_eq!(*held, 1, "a reader's Arc is not changed by a reload");
        assert_eq!(*r.load(), 2);
        assert!(r.reload_with(|| Err(Error::DigestMismatch)).is_err());
        assert_eq!(*r.load(), 2);
        let s = r.status();
        assert_eq!((s.reloads, s.failures), (1, 1));
        assert!(s.last_error.unwrap().contains("digest"));
        r.reload_with(|| Ok(3)).unwrap();
        assert_eq!(r.status().last_error, None);
    }

    #[test]
    fn live_checker_reloads_registry_and_policy() {
        let dir = std::env::temp_dir().join(format!("tcp-live-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let reg = dir.join("r.tcpr");
        let pol = dir.join("p.toml");
        registry_with("frobnicate", RiskLevel::Safe)
            .write(&reg)
            .unwrap();
        std::fs::write(&pol, "").unwrap();
        let live = LiveChecker::open(CheckerSource {
            registry: Some(reg.clone()),
            policy: Some(pol.clone()),
        })
        .unwrap();
        assert_eq!(live.check("frobnicate").decision, Decision::Approved);
        let before = live.checker();

        registry_with("frobnicate", RiskLevel::Critical)
            .write(&reg)
            .unwrap();
        live.reload().unwrap();
        assert_eq!(live.check("frobnicate").decision, Decision::Reject);
        assert_eq!(
            before.check("frobnicate").decision,
            Decision::Approved,
            "an in-flight checker keeps the old registry"
        );

        // A bad policy, a corrupt registry and a missing registry keep the old checker.
        std::fs::write(&pol, "deny = [\"TELEPORT\"]\n").unwrap();
        assert!(live.reload().is_err());
        std::fs::write(&pol, "").unwrap();
        let mut bytes = std::fs::read(&reg).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&reg, &bytes).unwrap();
        assert_eq!(live.reload().unwrap_err(), Error::DigestMismatch);
        std::fs::remove_file(&reg).unwrap();
        assert!(matches!(live.reload(), Err(Error::Io { .. })));
        assert_eq!(live.check("frobnicate").decision, Decision::Reject);
        let s = live.status();
        assert_eq!((s.reloads, s.failures), (1, 3));
        assert!(s.last_error.unwrap().contains("r.tcpr"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
