//! The soundness checks: what bash did must never be more dangerous than what
//! the checker said about the line.
//!
//! The checks see the checker only through [`Decider`], so a test can put a
//! deliberately wrong decider behind them and show that they catch it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tcp_core::command_line::{Checker, LineVerdict};
use tcp_core::{Decision, Reason};

use crate::fixture::Layout;
use crate::protocol::{ChangeKind, Observation, ShimRecord, base_name, shell_quote};

/// Decides a line as if run from `cwd`.
pub trait Decider {
    /// The verdict for `line` run from `cwd`.
    fn check(&self, cwd: &str, line: &str) -> LineVerdict;
}

impl<F: Fn(&str, &str) -> LineVerdict> Decider for F {
    fn check(&self, cwd: &str, line: &str) -> LineVerdict {
        self(cwd, line)
    }
}

/// tcp-core's built-in checker, with the fixture's home and project as its
/// home directory and only workspace root; one checker per working directory.
#[derive(Debug)]
pub struct TcpDecider {
    home: PathBuf,
    project: PathBuf,
    cache: Mutex<HashMap<String, Checker>>,
}

impl TcpDecider {
    /// A decider for `layout`.
    pub fn new(layout: &Layout) -> Self {
        Self {
            home: layout.home(),
            project: layout.project(),
            cache: Mutex::new(HashMap::new()),
        }
    }
}

impl Decider for TcpDecider {
    fn check(&self, cwd: &str, line: &str) -> LineVerdict {
        let checker = {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            cache
                .entry(cwd.to_owned())
                .or_insert_with(|| {
                    Checker::builtin()
                        .with_working_dir(cwd)
                        .with_home_dir(&self.home)
                        .with_workspace_roots([&self.project])
                })
                .clone()
        };
        checker.check(line)
    }
}

/// Which check a divergence broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// `bash -n` rejects the line and the checker approves it.
    Syntax,
    /// A program bash ran is stricter alone than the whole line.
    CommandOrder,
    /// A program bash ran is not in the checker's analysis, and the line is
    /// neither failed closed at REQUIRE_APPROVAL or above nor rejected.
    CommandUnseen,
    /// A file bash wrote is stricter alone (`: > PATH`) than the whole line.
    FileOrder,
    /// Bash wrote outside the project and the line is below REQUIRE_APPROVAL.
    FileOutside,
}

impl CheckKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Syntax => "syntax",
            Self::CommandOrder => "command-order",
            Self::CommandUnseen => "command-unseen",
            Self::FileOrder => "file-order",
            Self::FileOutside => "file-outside",
        }
    }
}

/// One broken check.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Divergence {
    /// The line.
    pub line: String,
    /// The check.
    pub check: CheckKind,
    /// What bash did that the check compared with (a concrete command line or a path).
    pub observed: String,
    /// The checker's decision for the observed command or file alone, when compared.
    pub observed_decision: Option<String>,
    /// The checker's decision for the line.
    pub line_decision: String,
    /// The checker's verdict for the line (JSON).
    pub verdict: serde_json::Value,
    /// The shim records of the line (JSON).
    pub records: serde_json::Value,
}

/// The shell line that runs `rec` alone: changed variables as `NAME=value`
/// prefixes, then the program and its arguments, quoted.
pub fn concrete_line(rec: &ShimRecord) -> String {
    let mut words: Vec<String> = rec
        .env
        .iter()
        .map(|(k, v)| format!("{k}={}", shell_quote(v)))
        .collect();
    let prog = rec.program();
    let name = if base_name(&rec.argv0) == prog && !rec.argv0.starts_with("/oracle/") {
        rec.argv0.clone()
    } else {
        prog
    };
    let quoted = shell_quote(&name);
    // A first word with `=` would read as an assignment.
    words.push(if quoted.contains('=') && !quoted.starts_with('\'') {
        format!("'{name}'")
    } else {
        quoted
    });
    words.extend(rec.args.iter().map(|a| shell_quote(a)));
    words.join(" ")
}

fn fail_closed(v: &LineVerdict) -> bool {
    let fc = |rs: &[Reason]| rs.iter().any(|r| matches!(r, Reason::FailClosed { .. }));
    fc(&v.reasons) || v.segments.iter().any(|s| fc(&s.reasons))
}

/// The program names the verdict analysed: each segment's `argv[0]` and
/// command, and each launcher's first word, by base name.
fn analysed_names(v: &LineVerdict) -> Vec<String> {
    let mut out = Vec::new();
    for s in &v.segments {
        if let Some(a0) = s.argv.first() {
            out.push(base_name(a0).to_owned());
        }
        if let Some(c) = s.command.split_whitespace().next() {
            out.push(base_name(c).to_owned());
        }
        for w in &s.wrappers {
            if let Some(c) = w.split_whitespace().next() {
                out.push(base_name(c).to_owned());
            }
        }
    }
    out
}

fn is_under(path: &str, dir: &Path) -> bool {
    Path::new(path).starts_with(dir)
}

/// Runs every check on one line's observation; returns the divergences.
pub fn check_line(
    decider: &dyn Decider,
    layout: &Layout,
    line: &str,
    obs: &Observation,
) -> Vec<Divergence> {
    let project = layout.project();
    let cwd = project.to_string_lossy().into_owned();
    let verdict = decider.check(&cwd, line);
    let lined = verdict.decision;
    // A background loop can run the same command hundreds of times: each once.
    let mut uniq: Vec<&ShimRecord> = Vec::new();
    for r in &obs.records {
        if !uniq.contains(&r) {
            uniq.push(r);
        }
    }
    let records_json =
        serde_json::to_value(uniq.iter().take(20).collect::<Vec<_>>()).unwrap_or_default();
    let mut out = Vec::new();
    let mut push = |check: CheckKind, observed: String, od: Option<Decision>| {
        out.push(Divergence {
            line: line.to_owned(),
            check,
            observed,
            observed_decision: od.map(|d| d.to_string()),
            line_decision: lined.to_string(),
            verdict: serde_json::to_value(&verdict).unwrap_or_default(),
            records: records_json.clone(),
        });
    };

    if !obs.syntax_ok && lined == Decision::Approved {
        push(CheckKind::Syntax, "bash -n: syntax error".into(), None);
    }

    let names = analysed_names(&verdict);
    let failed_closed = lined >= Decision::RequireApproval && fail_closed(&verdict);
    for rec in uniq {
        let concrete = concrete_line(rec);
        let alone = decider.check(&rec.cwd, &concrete).decision;
        // The soundness property: what bash ran is decided at least as
        // strictly, unless the line was declared opaque and held for approval.
        if alone > lined && !failed_closed {
            push(CheckKind::CommandOrder, concrete.clone(), Some(alone));
        }
        let prog = rec.program();
        // A rejected line does not run: nothing in it needs to be seen.
        if !names.iter().any(|n| n == base_name(&prog))
            && !failed_closed
            && lined < Decision::Reject
        {
            push(CheckKind::CommandUnseen, concrete, Some(alone));
        }
    }

    for ch in &obs.changes {
        let is_dir = ch.after.as_ref().is_some_and(|e| e.kind == "dir");
        if ch.change != ChangeKind::Deleted && !is_dir {
            let write = format!(": > {}", shell_quote(&ch.path));
            let alone = decider.check(&cwd, &write).decision;
            if alone > lined && !failed_closed {
                push(CheckKind::FileOrder, write, Some(alone));
            }
        }
        // Scratch files in /tmp (outside the fixture, which lives there too)
        // are allowed at CAUTION_MODE; anything else outside the project asks.
        let fixture = project.parent().unwrap_or(Path::new("/"));
        let scratch = is_under(&ch.path, Path::new("/tmp")) && !is_under(&ch.path, fixture);
        if !is_under(&ch.path, &project) && !scratch && lined < Decision::RequireApproval {
            push(
                CheckKind::FileOutside,
                format!("{:?} {}", ch.change, ch.path),
                None,
            );
        }
    }
    out
}

/// A coarse shape of a line for de-duplication: runs of word characters
/// become `w`, runs of blanks one space; punctuation stays.
pub fn shape(line: &str) -> String {
    let mut out = String::new();
    let mut last = ' ';
    for c in line.chars() {
        let k = if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '/' {
            'w'
        } else if c == ' ' || c == '\t' {
            ' '
        } else {
            c
        };
        if (k == 'w' || k == ' ') && k == last {
            continue;
        }
        out.push(k);
        last = k;
    }
    out
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests")]
mod tests {
    use super::*;

    fn rec(argv0: &str, exec: &str, args: &[&str], env: &[(&str, &str)]) -> ShimRecord {
        ShimRecord {
            argv0: argv0.into(),
            exec_path: exec.into(),
            args: args.iter().map(|s| (*s).to_owned()).collect(),
            cwd: "/p".into(),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            not_found: false,
        }
    }

    #[test]
    fn concrete_lines_quote_and_prefix() {
        let r = rec(
            "git",
            "/oracle/path/git",
            &["push", "--force"],
            &[("F", "a b")],
        );
        assert_eq!(concrete_line(&r), "F='a b' git push --force");
        let r = rec("ls", "/usr/bin/rm", &["-rf", "it's", ""], &[]);
        assert_eq!(concrete_line(&r), "rm -rf 'it'\\''s' ''");
        let r = rec("/usr/bin/dd", "/usr/bin/dd", &["of=/dev/sda"], &[]);
        assert_eq!(concrete_line(&r), "/usr/bin/dd 'of=/dev/sda'");
        let r = rec("a=b", "/oracle/path/x", &[], &[]);
        assert_eq!(concrete_line(&r), "x");
    }

    #[test]
    fn shapes_collapse_words() {
        assert_eq!(shape("rm -rf ~ && ls"), "w w ~ && w");
        assert_eq!(shape("git  push\t--force"), "w w w");
        assert_ne!(shape("a | b"), shape("a ; b"));
    }
}
