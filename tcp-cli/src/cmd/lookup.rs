//! `tcp lookup`: one command's registry entry and decision.

use std::process::ExitCode;

use clap::Args;
use serde_json::json;
use tcp_core::Registry;

use crate::output::{hex, json_line, load_policy};

/// Arguments of `tcp lookup`.
#[derive(Args, Debug)]
pub struct LookupArgs {
    /// Registry file (TCPR, TCPDB v1/v2 or JSON); the built-in registry if absent.
    #[arg(long)]
    registry: Option<String>,
    /// Policy file (TOML) for the decision.
    #[arg(long)]
    policy: Option<String>,
    /// Command name (e.g. `rm`, `git push`).
    name: String,
}

/// Opens `path`, or returns the built-in registry.
pub fn open_registry(path: Option<&str>) -> Result<RegistryRef, String> {
    match path {
        Some(p) => Registry::open(p)
            .map(|r| RegistryRef::Owned(Box::new(r)))
            .map_err(|e| format!("{p}: {e}")),
        None => Ok(RegistryRef::Builtin(builtin_registry())),
    }
}

/// The built-in registry.
pub fn builtin_registry() -> &'static Registry {
    tcp_core::command_line::builtin::registry()
}

/// A registry opened from a file or the built-in one.
pub enum RegistryRef {
    /// Built in.
    Builtin(&'static Registry),
    /// Opened from a file.
    Owned(Box<Registry>),
}

impl RegistryRef {
    /// The registry.
    pub fn get(&self) -> &Registry {
        match self {
            Self::Builtin(r) => r,
            Self::Owned(r) => r,
        }
    }
}

/// Runs `tcp lookup`.
pub fn run(args: &LookupArgs) -> Result<ExitCode, String> {
    let registry = open_registry(args.registry.as_deref())?;
    let policy = load_policy(args.policy.as_deref())?;
    let Some(entry) = registry.get().get(&args.name) else {
        let verdict = policy.decide_unknown(&args.name);
        json_line(&json!({
            "name": args.name,
            "found": false,
            "decision": verdict.decision.as_str(),
            "reasons": verdict.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }))?;
        return Ok(ExitCode::from(1));
    };
    let decoded = entry.decode().map_err(|e| format!("{}: {e}", args.name))?;
    let verdict = policy.decide_decoded(&decoded, entry.name);
    json_line(&json!({
        "name": entry.name,
        "found": true,
        "dialect": entry.dialect.as_str(),
        "hex": hex(entry.descriptor),
        "risk": decoded.risk.map_or("UNKNOWN", |r| r.as_str()),
        "capabilities": decoded.capabilities.names(),
        "justification": entry.justification(),
        "decision": verdict.decision.as_str(),
        "reasons": verdict.reasons.iter().map(ToString::to_string).collect::<Vec<_>>(),
    }))?;
    Ok(ExitCode::SUCCESS)
}
