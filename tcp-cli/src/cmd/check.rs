//! `tcp check`: decide a whole command line.
//!
//! Exit status: 0 APPROVED, 1 CAUTION_MODE, 2 REQUIRE_APPROVAL, 3 REJECT
//! (a usage or input error also exits 2, so it is never mistaken for approval).

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use tcp_core::Registry;
use tcp_core::command_line::{Checker, LineVerdict, RuleSet};

use crate::output::load_policy;

/// Arguments of `tcp check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Print the verdict as JSON: every segment with its command, wrappers,
    /// risk, capabilities, the rules that fired and a safer alternative.
    #[arg(long)]
    pub json: bool,
    /// Policy file (TOML); the default policy if absent.
    #[arg(long)]
    pub policy: Option<String>,
    /// A user registry (TCPR, TCPDB or JSON) added on top of the built-in one
    /// (strictest wins).
    #[arg(long)]
    pub registry: Option<String>,
    /// A user rule file (TOML, the format of tcp-core/data/rules.toml, with
    /// `action = "allow" | "ask" | "deny"`) added on top of the built-in rules.
    #[arg(long)]
    pub rules: Option<String>,
    /// Do not look at the working directory (then every `>` is CAUTION_MODE
    /// instead of asking only for files that exist).
    #[arg(long)]
    pub no_working_dir: bool,
    /// The directory the line runs in (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<String>,
    /// The home directory `~` stands for (default: `$HOME`).
    #[arg(long, value_name = "DIR")]
    pub home: Option<String>,
    /// A workspace root: writes and deletes inside it are the agent's own work
    /// (repeatable; default: the working directory).
    #[arg(long, value_name = "DIR")]
    pub workspace: Vec<String>,
    /// The command line (the words after `--` are joined by spaces).
    #[arg(required = true, num_args = 1.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub line: Vec<String>,
}

/// Runs `tcp check`.
pub fn run(args: &CheckArgs) -> Result<ExitCode, String> {
    let policy = load_policy(args.policy.as_deref())?;
    let user_registry = match &args.registry {
        Some(p) => Some(Arc::new(
            Registry::open(p).map_err(|e| format!("{p}: {e}"))?,
        )),
        None => None,
    };
    let user_rules = match &args.rules {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"))?;
            Some(RuleSet::from_toml(&text).map_err(|e| format!("{p}: {e}"))?)
        }
        None => None,
    };
    if let Some(e) = tcp_core::command_line::builtin::load_error() {
        return Err(format!("built-in tables: {e}"));
    }
    let mut checker = Checker::builtin()
        .with_policy(policy)
        .with_user_layer(user_registry, user_rules);
    if !args.no_working_dir {
        let cwd = match &args.cwd {
            Some(d) => Some(std::path::PathBuf::from(d)),
            None => std::env::current_dir().ok(),
        };
        if let Some(dir) = cwd {
            checker = checker.with_working_dir(dir);
        }
    }
    let home = args
        .home
        .clone()
        .or_else(|| std::env::var("HOME").ok())
        .filter(|h| !h.is_empty());
    if let Some(home) = home {
        checker = checker.with_home_dir(home);
    }
    if !args.workspace.is_empty() {
        checker = checker.with_workspace_roots(args.workspace.iter().map(std::path::PathBuf::from));
    }
    let line = args.line.join(" ");
    let verdict = checker.check(&line);
    print(&verdict, args.json)?;
    Ok(ExitCode::from(verdict.decision as u8))
}

fn print(verdict: &LineVerdict, json: bool) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    let text = if json {
        verdict.to_json_pretty()
    } else {
        human(verdict)
    };
    match writeln!(out, "{text}") {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("writing output: {e}")),
    }
}

/// The decision, then one line per segment and per line-level reason.
fn human(verdict: &LineVerdict) -> String {
    let mut s = verdict.decision.as_str().to_owned();
    for seg in &verdict.segments {
        let risk = seg.risk.map_or("UNKNOWN", |r| r.as_str());
        let wrappers = if seg.wrappers.is_empty() {
            String::new()
        } else {
            format!(" via {}", seg.wrappers.join(" > "))
        };
        s.push_str(&format!(
            "\n  {}: {} [{}{}]",
            seg.decision,
            if seg.text.is_empty() {
                &seg.command
            } else {
                &seg.text
            },
            risk,
            wrappers
        ));
        for r in seg.reasons.iter().filter(|r| r.decision() == seg.decision) {
            s.push_str(&format!("\n    - {r}"));
        }
        if let Some(alt) = &seg.safer_alternative {
            s.push_str(&format!("\n    safer: {alt}"));
        }
    }
    for r in &verdict.reasons {
        s.push_str(&format!("\n  line: {r}"));
    }
    s
}
