//! `tcp registry build|inspect`.

use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;
use tcp_core::Registry;

use crate::output::json_line;

/// Registry subcommands.
#[derive(Subcommand, Debug)]
pub enum RegistryCommand {
    /// Write a TCPR registry from JSON (libtcp's schema or the prototype's export) or a TCPDB file.
    ///
    /// The output is replaced atomically (a temporary file beside it, fsynced
    /// and renamed over it), never rewritten in place: processes that have the
    /// old file open keep reading it whole, and a crash leaves the old file or
    /// the new one.
    Build {
        /// Source: JSON, TCPDB v1/v2 or TCPR.
        #[arg(long)]
        from: String,
        /// Output TCPR file.
        #[arg(long)]
        out: String,
    },
    /// Describe a registry file (any format); `--json` dumps every entry.
    Inspect {
        /// Print every entry in libtcp's JSON schema.
        #[arg(long)]
        json: bool,
        /// Registry file; the built-in registry if absent.
        file: Option<String>,
    },
}

/// Runs `tcp registry …`.
pub fn run(c: &RegistryCommand) -> Result<ExitCode, String> {
    match c {
        RegistryCommand::Build { from, out } => {
            let reg = Registry::open(from).map_err(|e| format!("{from}: {e}"))?;
            let bytes = reg.to_tcpr().map_err(|e| e.to_string())?;
            tcp_core::registry::write_file_atomic(out, &bytes).map_err(|e| e.to_string())?;
            json_line(
                &json!({"out": out, "entries": reg.len(), "bytes": bytes.len(), "format": "tcpr-v1"}),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        RegistryCommand::Inspect { json, file } => {
            let reg = crate::cmd::lookup::open_registry(file.as_deref())?;
            let reg = reg.get();
            if *json {
                let doc = serde_json::to_value(reg.to_json()).map_err(|e| e.to_string())?;
                json_line(&doc)?;
            } else {
                let mut by_risk = std::collections::BTreeMap::<&str, usize>::new();
                for e in reg.iter() {
                    *by_risk
                        .entry(e.risk.map_or("UNKNOWN", |r| r.as_str()))
                        .or_default() += 1;
                }
                json_line(&json!({
                    "format": reg.format().as_str(),
                    "entries": reg.len(),
                    "bytes": reg.as_bytes().len(),
                    "generated_unix": reg.generated_unix(),
                    "risk_distribution": by_risk,
                }))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
