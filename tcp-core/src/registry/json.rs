//! Registries as JSON: libtcp's schema (read with simd-json, written with
//! serde_json) and the prototype's `tcp_export.json`.
//!
//! libtcp's schema:
//! ```json
//! {"format": "libtcp-registry", "version": 1, "entries": [
//!   {"name": "rm", "risk": "HIGH_RISK", "capabilities": ["DESTRUCTIVE"],
//!    "exec_ms": 5, "memory_mb": 2, "output_kb": 1, "justification": "…"},
//!   {"name": "ls", "dialect": "v2-kb", "hex": "5443…", "justification": ""}]}
//! ```
//! An entry gives either the fields (written as a C24 descriptor) or a
//! dialect and the descriptor's hex.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hash::command_hash;
use crate::risk::{Capabilities, RiskLevel};
use crate::wire::{Dialect, canonical};

use super::RegistryBuilder;

/// One entry in libtcp's JSON schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonEntry {
    /// Command name.
    pub name: String,
    /// Risk level name (for field entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    /// Capability names (for field entries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Typical execution time, ms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_ms: Option<u32>,
    /// Typical memory, MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_mb: Option<u16>,
    /// Typical output, KiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_kb: Option<u16>,
    /// Dialect of `hex` (for raw entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<String>,
    /// Descriptor bytes as hex (for raw entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hex: Option<String>,
    /// Why the entry says what it says.
    #[serde(default)]
    pub justification: String,
}

/// libtcp's JSON document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonRegistry {
    /// Always `libtcp-registry`.
    pub format: String,
    /// Always 1.
    pub version: u32,
    /// The entries.
    pub entries: Vec<JsonEntry>,
}

#[derive(Deserialize)]
struct ExportEntry {
    binary_hex: String,
}

#[derive(Deserialize)]
struct Export {
    commands: std::collections::BTreeMap<String, ExportEntry>,
}

fn bad(detail: String) -> Error {
    Error::BadInput { detail }
}

pub(crate) fn decode_hex(hex: &str) -> Result<Vec<u8>> {
    let hex = hex.trim();
    if hex.len() % 2 != 0 {
        return Err(bad(format!("odd-length hex ({} digits)", hex.len())));
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| bad(format!("invalid hex digit at position {i}")))
        })
        .collect()
}

impl JsonEntry {
    fn add_to(&self, b: &mut RegistryBuilder) -> Result<()> {
        if let Some(hex) = &self.hex {
            let dialect = Dialect::parse(self.dialect.as_deref().unwrap_or("c24"))?;
            let bytes = decode_hex(hex)?;
            return b.add_raw(&self.name, dialect, &bytes, &self.justification);
        }
        let risk_name = self
            .risk
            .as_deref()
            .ok_or_else(|| bad(format!("entry {:?} has neither risk nor hex", self.name)))?;
        let risk = RiskLevel::parse(risk_name)
            .ok_or_else(|| bad(format!("entry {:?}: unknown risk {risk_name:?}", self.name)))?;
        let mut caps = Capabilities::EMPTY;
        for c in &self.capabilities {
            caps |= Capabilities::from_name(c)
                .ok_or_else(|| bad(format!("entry {:?}: unknown capability {c:?}", self.name)))?;
        }
        b.add(
            &self.name,
            canonical::Repr {
                risk,
                capabilities: caps,
                command_hash: command_hash(&self.name),
                exec_ms: self.exec_ms.unwrap_or(0),
                memory_mb: self.memory_mb.unwrap_or(0),
                output_kb: self.output_kb.unwrap_or(0),
            },
            &self.justification,
        )
    }
}

/// Builds a registry from JSON: libtcp's schema or the prototype's export.
pub(crate) fn from_json(text: &mut [u8]) -> Result<RegistryBuilder> {
    let mut builder = RegistryBuilder::new();
    // simd-json parses in place; keep a copy for the second schema attempt.
    let backup = text.to_vec();
    match simd_json::serde::from_slice::<JsonRegistry>(text) {
        Ok(doc) => {
            if doc.format != "libtcp-registry" || doc.version != 1 {
                return Err(bad(format!(
                    "unsupported registry document {:?} version {}",
                    doc.format, doc.version
                )));
            }
            for e in &doc.entries {
                e.add_to(&mut builder)?;
            }
            Ok(builder)
        }
        Err(_) => {
            let mut again = backup.clone();
            let Ok(export) = simd_json::serde::from_slice::<Export>(&mut again) else {
                return Err(bad(explain_unreadable(&backup)));
            };
            for (name, e) in &export.commands {
                builder.add_raw(name, Dialect::V2Kb, &decode_hex(&e.binary_hex)?, "")?;
            }
            Ok(builder)
        }
    }
}

/// Says, in the reader's terms, why a JSON document is neither schema: not
/// JSON at all, not an object, an object of another kind (its top-level keys),
/// or one of the two schemas with a bad field (serde_json's line and column;
/// simd-json's own errors name parser internals).
fn explain_unreadable(text: &[u8]) -> String {
    const EXPECTED: &str = "expected libtcp's registry JSON (top-level \"format\", \"version\", \"entries\") \
         or the prototype's export (top-level \"commands\")";
    let value: serde_json::Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) => return format!("not valid JSON: {e}"),
    };
    let serde_json::Value::Object(map) = &value else {
        return format!(
            "not a registry: {EXPECTED}, found a JSON {}",
            json_kind(&value)
        );
    };
    let schema_error = if map.contains_key("entries") || map.contains_key("format") {
        serde_json::from_slice::<JsonRegistry>(text).err()
    } else if map.contains_key("commands") {
        serde_json::from_slice::<Export>(text).err()
    } else {
        None
    };
    if let Some(e) = schema_error {
        return format!("not a valid registry: {e}");
    }
    let keys: Vec<String> = map.keys().take(8).map(|k| format!("{k:?}")).collect();
    let keys = if keys.is_empty() {
        "an empty object".to_owned()
    } else {
        format!("top-level keys {}", keys.join(", "))
    };
    format!("not a registry: {EXPECTED}, found {keys}")
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}
