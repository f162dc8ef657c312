//! Shared output helpers: JSON lines and exit codes.

use std::io::Write;

/// Exit status for bad input or usage (any subcommand).
pub const EXIT_USAGE: u8 = 2;

/// Writes one JSON value as a line on stdout; a closed pipe ends quietly.
pub fn json_line(value: &serde_json::Value) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{value}") {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing output: {e}")),
    }
}

/// Reads a file, or stdin for `-`.
pub fn read_input(path: &str) -> Result<Vec<u8>, String> {
    if path == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)
            .map_err(|e| format!("reading stdin: {e}"))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| format!("{path}: {e}"))
    }
}

/// Loads a policy file, or the default policy.
pub fn load_policy(path: Option<&str>) -> Result<tcp_core::Policy, String> {
    match path {
        None => Ok(tcp_core::Policy::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"))?;
            tcp_core::Policy::from_toml(&text).map_err(|e| format!("{p}: {e}"))
        }
    }
}

/// Hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
