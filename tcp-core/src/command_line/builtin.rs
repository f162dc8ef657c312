//! The built-in knowledge, compiled into the crate from `tcp-core/data/`:
//! the command registry (`commands.toml` and `families.toml`), the argument
//! rules (`rules.toml`) and the launchers (`launchers.toml`).
//!
//! Everything is built once, on first use. The tables are tested; should one
//! still fail to load, the failure is kept ([`load_error`]) and the registry is
//! left empty, so every command is unknown and nothing is approved by accident.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use super::families::{Family, FamilySpec, NameMap};
use super::rules::{RuleSet, parse_caps};
use super::wrappers::{Launcher, LauncherSpec};
use crate::error::{Error, Result};
use crate::hash::command_hash;
use crate::registry::{Registry, RegistryBuilder};
use crate::risk::{Capabilities, RiskLevel};
use crate::wire::canonical::Repr;

/// `data/commands.toml`.
pub const COMMANDS_TOML: &str = include_str!("../../data/commands.toml");
/// `data/families.toml`.
pub const FAMILIES_TOML: &str = include_str!("../../data/families.toml");
/// `data/rules.toml`.
pub const RULES_TOML: &str = include_str!("../../data/rules.toml");
/// `data/launchers.toml`.
pub const LAUNCHERS_TOML: &str = include_str!("../../data/launchers.toml");

// The same tables as JSON, converted by `build.rs`: read at run time.
const COMMANDS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/commands.json"));
const FAMILIES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/families.json"));
const LAUNCHERS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/launchers.json"));
pub(crate) const RULES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/rules.json"));

/// How the shell language is spoken: families, launchers, aliases.
#[derive(Debug, Default)]
pub(crate) struct Language {
    pub families: NameMap<Family>,
    pub launchers: NameMap<Launcher>,
    pub aliases: NameMap<String>,
    /// Every command name the tables define.
    pub known: NameMap<()>,
    pub error: Option<Error>,
}

/// The built-in registry, rules and safer alternatives.
#[derive(Debug)]
pub(crate) struct Knowledge {
    pub registry: Arc<Registry>,
    pub rules: RuleSet,
    pub safer: NameMap<String>,
    pub error: Option<Error>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandsFile {
    aliases: BTreeMap<String, String>,
    commands: BTreeMap<String, CommandSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandSpec {
    risk: String,
    #[serde(default)]
    caps: String,
    why: String,
    safer: Option<String>,
}

fn bad(detail: String) -> Error {
    Error::BadInput { detail }
}

fn json_error(file: &str, e: &serde_json::Error) -> Error {
    bad(format!("{file}: {e}"))
}

static LANGUAGE: OnceLock<Language> = OnceLock::new();
static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();

/// The families, launchers and aliases (no rules: rule self-tests use these).
pub(crate) fn language() -> &'static Language {
    LANGUAGE.get_or_init(|| {
        load_language().unwrap_or_else(|e| Language {
            error: Some(e),
            ..Language::default()
        })
    })
}

/// The built-in registry, rules and safer alternatives.
pub(crate) fn knowledge() -> &'static Knowledge {
    KNOWLEDGE.get_or_init(|| {
        let (registry, safer, reg_error) = match load_registry() {
            Ok((r, s)) => (r, s, None),
            Err(e) => (empty_registry(), NameMap::default(), Some(e)),
        };
        // The built-in rules' examples are checked by the tests
        // (`builtin_rules_pass_their_self_tests`), not on every start.
        let (rules, rules_error) = match RuleSet::load_json(RULES_JSON, true, false) {
            Ok(r) => (r, None),
            Err(e) => (RuleSet::default(), Some(e)),
        };
        Knowledge {
            registry: Arc::new(registry),
            rules,
            safer,
            error: language().error.clone().or(reg_error).or(rules_error),
        }
    })
}

/// The built-in registry: every command of `commands.toml` and every family and
/// subcommand of `families.toml`, with risk, capabilities and justification.
pub fn registry() -> &'static Registry {
    &knowledge().registry
}

/// The built-in registry, shared.
pub fn shared_registry() -> Arc<Registry> {
    Arc::clone(&knowledge().registry)
}

/// Why the built-in tables failed to load, if they did (then the registry is empty).
pub fn load_error() -> Option<&'static Error> {
    knowledge().error.as_ref()
}

fn empty_registry() -> Registry {
    // An empty builder always builds; if even that failed, an empty JSON registry is
    // the last resort (both are covered by tests).
    RegistryBuilder::new()
        .build()
        .or_else(|_| Registry::from_json(&mut b"{}".to_vec()))
        .unwrap_or_else(|_| unreachable_registry())
}

#[expect(
    clippy::panic,
    reason = "an empty registry always builds; tests cover it, so this is unreachable"
)]
fn unreachable_registry() -> Registry {
    panic!("an empty registry could not be built")
}

fn load_language() -> Result<Language> {
    let commands: CommandsFile =
        serde_json::from_str(COMMANDS_JSON).map_err(|e| json_error("commands.toml", &e))?;
    let families: BTreeMap<String, FamilySpec> =
        serde_json::from_str(FAMILIES_JSON).map_err(|e| json_error("families.toml", &e))?;
    let launchers: BTreeMap<String, LauncherSpec> =
        serde_json::from_str(LAUNCHERS_JSON).map_err(|e| json_error("launchers.toml", &e))?;
    let mut lang = Language::default();
    for (name, spec) in launchers {
        let l = Launcher::new(&name, spec)?;
        lang.launchers.insert(name, l);
    }
    for (name, spec) in families {
        lang.known.insert(name.clone(), ());
        lang.families.insert(
            name,
            Family {
                options: spec.options,
                prefixes: spec.prefixes,
                subcommands: spec.sub.into_iter().collect(),
            },
        );
    }
    lang.known
        .extend(commands.commands.into_keys().map(|k| (k, ())));
    let launchers: Vec<String> = lang.launchers.keys().cloned().collect();
    lang.known.extend(launchers.into_iter().map(|k| (k, ())));
    for (alias, target) in commands.aliases {
        let base = target.split(' ').next().unwrap_or("");
        if !lang.known.contains_key(base) {
            return Err(bad(format!(
                "alias {alias:?} names unknown command {target:?}"
            )));
        }
        lang.aliases.insert(alias, target);
    }
    Ok(lang)
}

fn level(text: &str, context: &str) -> Result<RiskLevel> {
    RiskLevel::parse(text).ok_or_else(|| bad(format!("{context}: unknown risk {text:?}")))
}

fn repr(name: &str, risk: RiskLevel, capabilities: Capabilities) -> Repr {
    Repr {
        risk,
        capabilities,
        command_hash: command_hash(name),
        exec_ms: 0,
        memory_mb: 0,
        output_kb: 0,
    }
}

fn load_registry() -> Result<(Registry, NameMap<String>)> {
    let commands: CommandsFile =
        serde_json::from_str(COMMANDS_JSON).map_err(|e| json_error("commands.toml", &e))?;
    let families: BTreeMap<String, FamilySpec> =
        serde_json::from_str(FAMILIES_JSON).map_err(|e| json_error("families.toml", &e))?;
    let mut builder = RegistryBuilder::new();
    let mut safer = NameMap::default();
    for (name, spec) in &commands.commands {
        if spec.why.trim().is_empty() {
            return Err(bad(format!(
                "command {name}: a justification (why) is required"
            )));
        }
        let risk = level(&spec.risk, name)?;
        let caps = parse_caps(&spec.caps, name)?;
        builder.add(name, repr(name, risk, caps), &spec.why)?;
        if let Some(s) = &spec.safer {
            safer.insert(name.clone(), s.clone());
        }
    }
    for (family, spec) in &families {
        let floor = level(&spec.floor, family)?;
        let common = parse_caps(&spec.common, family)?;
        let risk = level(&spec.risk, family)?;
        let caps = parse_caps(&spec.caps, family)?;
        builder.add(family, repr(family, risk, caps), &spec.why)?;
        for (sub, delta) in &spec.sub {
            let name = format!("{family} {sub}");
            let risk = level(&delta.risk, &name)?;
            if risk < floor {
                return Err(bad(format!(
                    "{name}: risk {risk} is below the family floor {floor}"
                )));
            }
            let caps = common | parse_caps(&delta.caps, &name)?;
            builder.add(&name, repr(&name, risk, caps), &delta.why)?;
            if let Some(s) = &delta.safer {
                safer.insert(name, s.clone());
            }
        }
    }
    Ok((builder.build()?, safer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_pass_their_self_tests() {
        let checked = RuleSet::load(RULES_TOML, true);
        assert!(checked.is_ok(), "{:?}", checked.err());
    }

    #[test]
    fn tables_load() {
        assert!(language().error.is_none(), "{:?}", language().error);
        assert!(load_error().is_none(), "{:?}", load_error());
        assert!(registry().len() >= 300, "{}", registry().len());
        assert!(knowledge().rules.len() >= 50);
    }

    #[test]
    fn reviewed_levels() {
        let risk = |n: &str| registry().get(n).and_then(|e| e.risk);
        assert_eq!(risk("ls"), Some(RiskLevel::Safe));
        assert_eq!(risk("git status"), Some(RiskLevel::Safe));
        assert_eq!(risk("mkfs"), Some(RiskLevel::Critical));
        assert_eq!(risk("terraform destroy"), Some(RiskLevel::Critical));
        let e = registry().get("git push").unwrap();
        assert!(e.capabilities.contains(Capabilities::NETWORK_ACCESS));
        assert!(!e.justification().is_empty());
        assert!(
            registry()
                .get("kubectl get")
                .unwrap()
                .capabilities
                .contains(Capabilities::NETWORK_ACCESS)
        );
    }

    #[test]
    fn empty_registry_builds() {
        assert!(empty_registry().is_empty());
    }
}
