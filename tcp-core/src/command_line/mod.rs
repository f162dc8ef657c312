//! Whole command lines: `sudo rm -rf / && ls | grep x` decided as a whole.
//!
//! Agents do not run tool names, they run shell lines. [`Checker::check`] reads
//! a line the way bash does and decides every command it would run:
//!
//! 1. **Parse** ([`lexer`], [`parser`]): bash's grammar, reserved words only
//!    where bash recognises them, compound commands, here-documents,
//!    arithmetic and conditionals; what bash refuses is a syntax error here.
//!    The differential oracle (`tcp-oracle`, a test-only crate) runs lines
//!    under real bash in a sandbox and checks this reading against what bash
//!    actually ran and wrote.
//! 2. **Resolve**: static expansion ([`expand`]: braces, tilde, variables the
//!    line assigns a literal once and certainly before use), the working
//!    directory along the line (`cd`), launchers unwrapped (`sudo`, `env`,
//!    `bash -c`, `find -exec`, `xargs`), the command and subcommand found
//!    ([`families`]), options read as the program reads them (the Fig option
//!    grammars: `rm --recur` is `--recursive`).
//! 3. **Effects**: registry risk, argument rules ([`rules`]), the operation of
//!    API clients (`aws ... delete-*`, `curl -X DELETE`, `gh api`), settings
//!    and variables that name programs (`git -c core.fsmonitor=...`,
//!    `GIT_SSH_COMMAND`), code in arithmetic, traps and aliases, credential
//!    files read and the network used.
//! 4. **Policy**: the strictest reason decides; places decide writes and
//!    deletes (table below). Anything the analysis cannot follow is at least
//!    REQUIRE_APPROVAL, and every product of the work is capped (see
//!    `tests/bounded_work.rs`).
//!
//! # Where a write or delete lands
//!
//! The checker is told its working directory, home directory and workspace
//! roots ([`Checker::with_working_dir`], [`Checker::with_home_dir`],
//! [`Checker::with_workspace_roots`]); the library never reads the process's
//! own.
//!
//! | place | writes (`>`, `tee`, `cp`, `touch`, ...) | deletes (`rm`, `find -delete`, ...) |
//! |---|---|---|
//! | inside a workspace root (not `.git`) | APPROVED (new file) / CAUTION_MODE (truncating one) | CAUTION_MODE |
//! | a workspace root itself | REQUIRE_APPROVAL | REQUIRE_APPROVAL or REJECT |
//! | `.git` of a workspace (hooks, config) | REQUIRE_APPROVAL | REQUIRE_APPROVAL |
//! | `/tmp`, `/var/tmp` (not beside the workspace) | CAUTION_MODE | CAUTION_MODE (recursive: REQUIRE_APPROVAL) |
//! | home directory | REQUIRE_APPROVAL | REQUIRE_APPROVAL (the home directory itself: REJECT) |
//! | home dotfiles (`~/.bashrc`, `~/.ssh`) | REQUIRE_APPROVAL | REQUIRE_APPROVAL or REJECT |
//! | system directories, the root | REQUIRE_APPROVAL | REJECT |
//! | devices (`/dev/sda`) | REJECT | REJECT |
//!
//! Reading a credential file (`~/.ssh/id_*`, `~/.aws/credentials`, `.env`,
//! `*.pem`, `/etc/shadow`, ...) asks; a line that reads one (or prints the
//! environment) and also uses the network is rejected as exfiltration.
//! Security downgrades that last (`git config http.sslVerify false`, npm's
//! `strict-ssl`, `NODE_TLS_REJECT_UNAUTHORIZED=0`, hooks skipped with
//! `--no-verify`, history cleared) ask.
//!
//! # Failing closed
//!
//! Nothing the evaluator cannot see through is approved: a command name known
//! only at run time, a redirection to an unknown target, code read from a pipe
//! (rejected when the pipe carries downloaded content: `curl ... | sh`), a
//! script the line itself writes, inline code of other languages (`python -c`),
//! executables outside the trusted directories and the workspace, and lines
//! longer than [`MAX_LINE_BYTES`]. Unknown commands get the policy's
//! unknown-command decision (REQUIRE_APPROVAL by default). The substitutions
//! themselves are decided too: `echo $(rm -rf /)` is rejected for the `rm`.
//!
//! # Knowledge
//!
//! [`builtin`] holds the tables compiled into the crate (`tcp-core/data/`,
//! converted to JSON by `build.rs`): the registry (commands and families with
//! reviewed risk, capabilities and justifications), the argument rules (each
//! with self-test examples, run by the tests), the launchers, and the Fig
//! option grammars (`data/fig/`, see `knowledge/fig/SOURCE.md`). Users add
//! their own registry and rules on top ([`Checker::with_user_layer`]): the
//! strictest wins, so a user layer can ask or deny more, and approve (`action
//! = "allow"`) commands the built-in registry does not know, but cannot
//! approve what the built-in knowledge asks about.
//!
//! # Why a hand-written parser
//!
//! tree-sitter-bash would bring a C build and a syntax tree to walk for every
//! call, and brush-parser is a PEG parser several times slower than the
//! budget (a typical line in well under a microsecond); the lexer and parser
//! here are linear, allocation-light and fuzzed
//! (`fuzz/fuzz_targets/command_line.rs`).

pub mod builtin;
mod environment;
mod evaluate;
pub mod expand;
pub mod families;
mod globals;
mod grammar;
pub mod lexer;
mod operations;
pub mod parser;
mod place;
pub mod rules;
mod secrets;
mod state;
pub mod wrappers;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

pub use evaluate::{MAX_DEPTH, MAX_LINE_BYTES};
pub use rules::{Rule, RuleSet};

use crate::decision::{Decision, Reason};
use crate::policy::Policy;
use crate::registry::Registry;
use crate::risk::{Capabilities, RiskLevel};

/// Directories whose executables are trusted by base name by default.
pub const DEFAULT_TRUSTED_DIRS: [&str; 6] = [
    "/bin",
    "/sbin",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local/bin",
    "/usr/local/sbin",
];

/// Decides whole command lines. Cheap to clone; `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Checker {
    registry: Arc<Registry>,
    rules: Arc<RuleSet>,
    policy: Policy,
    user_registry: Option<Arc<Registry>>,
    user_rules: Option<Arc<RuleSet>>,
    trusted_dirs: Arc<[String]>,
    working_dir: Option<Arc<Path>>,
    home_dir: Option<Arc<Path>>,
    workspace_roots: Arc<[PathBuf]>,
}

impl Checker {
    /// The built-in registry and rules with the default policy.
    pub fn builtin() -> Checker {
        let k = builtin::knowledge();
        Self::with_parts(
            Arc::clone(&k.registry),
            Arc::new(k.rules.clone()),
            Policy::default(),
        )
    }

    /// A checker with its own registry and rules (instead of the built-in ones).
    /// The shell knowledge (families, launchers) is always the built-in one.
    pub fn new(registry: Arc<Registry>, rules: RuleSet, policy: Policy) -> Checker {
        Self::with_parts(registry, Arc::new(rules), policy)
    }

    fn with_parts(registry: Arc<Registry>, rules: Arc<RuleSet>, policy: Policy) -> Checker {
        Checker {
            registry,
            rules,
            policy,
            user_registry: None,
            user_rules: None,
            trusted_dirs: DEFAULT_TRUSTED_DIRS
                .iter()
                .map(|d| (*d).to_owned())
                .collect(),
            working_dir: None,
            home_dir: None,
            workspace_roots: Arc::from(Vec::new()),
        }
    }

    /// The same checker under another policy.
    pub fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// Adds a user's registry and rules on top of the checker's (strictest wins).
    pub fn with_user_layer(
        mut self,
        registry: Option<Arc<Registry>>,
        rules: Option<RuleSet>,
    ) -> Self {
        self.user_registry = registry;
        self.user_rules = rules.map(Arc::new);
        self
    }

    /// Directories whose executables are trusted by base name (`/usr/bin/rm` is
    /// `rm`); any other path names an unknown command. Default:
    /// [`DEFAULT_TRUSTED_DIRS`].
    pub fn with_trusted_dirs<I, S>(mut self, dirs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.trusted_dirs = dirs.into_iter().map(Into::into).collect();
        self
    }

    /// The working tree: `>` over a file that exists there needs approval, and a
    /// new file does not. Without it, every truncating redirection is CAUTION_MODE.
    pub fn with_working_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.working_dir = Some(Arc::from(dir.into()));
        self
    }

    /// The home directory `~` expands to (the process's `$HOME` is never read
    /// by the library: front ends pass it). Without it, `~` is a path outside
    /// every workspace.
    pub fn with_home_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.home_dir = Some(Arc::from(dir.into()));
        self
    }

    /// The workspace roots: writes and deletes inside them are the agent's own
    /// work; outside them they ask. Without any, the working directory is the
    /// only root.
    pub fn with_workspace_roots<I, P>(mut self, roots: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: Into<PathBuf>,
    {
        self.workspace_roots = roots.into_iter().map(Into::into).collect();
        self
    }

    /// The working directory given with [`with_working_dir`](Self::with_working_dir).
    pub fn working_dir(&self) -> Option<&Path> {
        self.working_dir.as_deref()
    }

    /// The home directory given with [`with_home_dir`](Self::with_home_dir).
    pub fn home_dir(&self) -> Option<&Path> {
        self.home_dir.as_deref()
    }

    /// The workspace roots (the working directory when none were given).
    pub fn workspace_roots(&self) -> Vec<&Path> {
        if self.workspace_roots.is_empty() {
            self.working_dir.as_deref().into_iter().collect()
        } else {
            self.workspace_roots.iter().map(PathBuf::as_path).collect()
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The registry (not the user layer).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Decides a line, describing every segment.
    pub fn check(&self, line: &str) -> LineVerdict {
        evaluate::check(self, line, true)
    }

    /// The decision alone: what [`check`](Self::check) returns as its
    /// `decision`, without building the segments' texts and argv (faster, for
    /// callers that only gate on the outcome).
    pub fn decide(&self, line: &str) -> Decision {
        evaluate::check(self, line, false).decision
    }
}

/// The decision for a whole line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineVerdict {
    /// The strictest decision of the segments and the line's own reasons.
    pub decision: Decision,
    /// Every simple command the line runs, nested code included, in order.
    pub segments: Vec<SegmentVerdict>,
    /// Reasons about the line as a whole (syntax errors, subshells, length).
    pub reasons: Vec<Reason>,
}

/// The decision for one simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentVerdict {
    /// The segment's source text.
    pub text: String,
    /// The resolved command (`rm`, `git push`); empty when the segment runs none.
    pub command: String,
    /// The command and its arguments after the launchers, quotes removed.
    pub argv: Vec<String>,
    /// The launchers removed, outermost first (`sudo`, `bash -c`).
    pub wrappers: Vec<String>,
    /// The risk (`None` for an unknown command).
    pub risk: Option<RiskLevel>,
    /// The capabilities, launchers' and rules' included.
    pub capabilities: Capabilities,
    /// Identifiers of the rules that fired.
    pub rules: Vec<String>,
    /// Every reason, in the order found.
    pub reasons: Vec<Reason>,
    /// The strictest decision of the reasons.
    pub decision: Decision,
    /// A safer command doing what was likely intended, when one is known.
    pub safer_alternative: Option<String>,
}

impl SegmentVerdict {
    fn new(text: &str, wrappers: &[String]) -> Self {
        Self {
            text: text.to_owned(),
            command: String::new(),
            argv: Vec::new(),
            wrappers: wrappers.to_vec(),
            risk: None,
            capabilities: Capabilities::EMPTY,
            rules: Vec::new(),
            reasons: Vec::new(),
            decision: Decision::Approved,
            safer_alternative: None,
        }
    }
}

impl LineVerdict {
    /// The verdict as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
    }

    /// The verdict as indented JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self)
            .unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
    }
}

struct Reasons<'a>(&'a [Reason]);

impl Serialize for Reasons<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(ReasonJson))
    }
}

struct ReasonJson<'a>(&'a Reason);

impl Serialize for ReasonJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("kind", r.kind())?;
        m.serialize_entry("decision", r.decision().as_str())?;
        if let Reason::Rule { id, .. } = r {
            m.serialize_entry("rule", id)?;
        }
        m.serialize_entry("message", &r.to_string())?;
        m.end()
    }
}

impl Serialize for LineVerdict {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("LineVerdict", 4)?;
        st.serialize_field("decision", self.decision.as_str())?;
        st.serialize_field("exit_code", &(self.decision as u8))?;
        st.serialize_field("segments", &self.segments)?;
        st.serialize_field("reasons", &Reasons(&self.reasons))?;
        st.end()
    }
}

impl Serialize for SegmentVerdict {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("SegmentVerdict", 10)?;
        st.serialize_field("text", &self.text)?;
        st.serialize_field("command", &self.command)?;
        st.serialize_field("argv", &self.argv)?;
        st.serialize_field("wrappers", &self.wrappers)?;
        st.serialize_field("risk", &self.risk.map(RiskLevel::as_str))?;
        st.serialize_field("capabilities", &self.capabilities.names())?;
        st.serialize_field("rules", &self.rules)?;
        st.serialize_field("decision", self.decision.as_str())?;
        st.serialize_field("reasons", &Reasons(&self.reasons))?;
        st.serialize_field("safer_alternative", &self.safer_alternative)?;
        st.end()
    }
}

/// Fuzzing entry point (`fuzz/fuzz_targets/command_line.rs`): decides the
/// bytes as a line and panics only if a property is violated: the line's
/// decision is the strictest of its parts, deciding is deterministic, and
/// wrapping the line in `bash -c '...'` never lowers its decision.
#[doc(hidden)]
#[allow(clippy::panic, reason = "a violated property must crash the fuzzer")]
pub fn fuzz_line(data: &[u8]) {
    let line = String::from_utf8_lossy(data);
    let checker = Checker::builtin();
    let v = checker.check(&line);
    if checker.decide(&line) != v.decision {
        panic!("decide and check disagree on {line:?}");
    }
    let strictest = v
        .segments
        .iter()
        .map(|s| s.decision)
        .chain(v.reasons.iter().map(Reason::decision))
        .max()
        .unwrap_or(Decision::Approved);
    if strictest != v.decision {
        panic!(
            "line decision {} but strictest part {strictest}",
            v.decision
        );
    }
    for s in &v.segments {
        let own = s
            .reasons
            .iter()
            .map(Reason::decision)
            .max()
            .unwrap_or(Decision::Approved);
        if own != s.decision {
            panic!(
                "segment {:?}: decision {} but reasons ask {own}",
                s.text, s.decision
            );
        }
    }
    if checker.check(&line) != v {
        panic!("deciding {line:?} twice gave different verdicts");
    }
    if line.len() < MAX_LINE_BYTES / 8 {
        let wrapped = format!("bash -c '{}'", line.replace('\'', r"'\''"));
        let w = checker.check(&wrapped).decision;
        if w < v.decision {
            panic!("{line:?} is {} but {wrapped:?} is {w}", v.decision);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(line: &str) -> Decision {
        Checker::builtin().check(line).decision
    }

    #[test]
    fn first_word_is_not_enough() {
        assert_eq!(d("ls -la"), Decision::Approved);
        assert_eq!(d("ls && rm -rf /"), Decision::Reject);
        assert_eq!(d("sudo rm -rf / && ls | grep x"), Decision::Reject);
        assert_eq!(d("bash -c \"rm -rf /\""), Decision::Reject);
        assert_eq!(d("frobnicate --now"), Decision::RequireApproval);
    }

    #[test]
    fn json_has_segments() {
        let v = Checker::builtin().check("sudo rm -rf build");
        let json: serde_json::Value = serde_json::from_str(&v.to_json()).unwrap();
        let seg = &json["segments"][0];
        assert_eq!(seg["command"], "rm");
        assert_eq!(seg["wrappers"][0], "sudo");
        assert_eq!(seg["rules"][0], "rm-recursive");
        assert!(
            seg["safer_alternative"]
                .as_str()
                .unwrap()
                .contains(".tcp_quarantine")
        );
        assert_eq!(json["decision"], "REQUIRE_APPROVAL");
    }

    #[test]
    fn fuzz_seeds_hold() {
        for line in [
            "",
            "ls",
            "rm -rf /",
            ":(){ :|:& };:",
            "echo 'x",
            "a\\",
            "$(",
            "bash -c 'ls'",
        ] {
            fuzz_line(line.as_bytes());
        }
        fuzz_line(&[0xff, 0xfe, b'|', b'&']);
    }

    #[test]
    fn checker_is_send_sync() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Checker>();
    }
}
