//! Argument rules: risk that depends on what a command is given.
//!
//! Rules are data (`data/rules.toml` for the built-in set; users write the same
//! format). Each rule names the commands it applies to, conditions on their
//! arguments, the risk and capabilities it adds, a justification, and examples
//! that must and must not match; [`RuleSet::from_toml`] runs those examples and
//! refuses a table whose examples disagree with its rules.

use std::borrow::Cow;

use serde::Deserialize;

use super::families::{self, NameMap};
use super::lexer::Word;
use super::parser;
use crate::decision::Decision;
use crate::error::{Error, Result};
use crate::risk::{Capabilities, RiskLevel};

/// One condition on a command's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    /// An option is present (short options also inside clusters).
    Flag(Vec<String>),
    /// Some argument matches a glob.
    Word(Vec<String>),
    /// Some non-option argument matches a glob (paths normalised).
    Arg(Vec<String>),
    /// The last non-option argument matches a glob.
    LastArg(Vec<String>),
    /// Exactly this many non-option arguments.
    NArgs(usize),
}

/// A rule: when it matches, the command has at least its risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Stable identifier.
    pub id: String,
    /// The commands (resolved names such as `rm` or `git push`) it applies to.
    pub commands: Vec<String>,
    when: Vec<Condition>,
    unless: Vec<Condition>,
    /// The risk the command has at least (or exactly, for `replace` rules).
    pub risk: Option<RiskLevel>,
    /// Capabilities added.
    pub capabilities: Capabilities,
    /// Sets the risk instead of raising it (built-in table only).
    pub replace: bool,
    /// The decision the rule asks for directly (user rules: allow / ask / deny).
    pub action: Option<Decision>,
    /// Why the rule exists.
    pub justification: String,
    /// A safer alternative template.
    pub safer: Option<String>,
    /// Options left out of `{args}` in the safer alternative.
    pub drop: Vec<String>,
    /// Which operands must lie inside the workspace for the rule to ask at
    /// most CAUTION_MODE (the agent's own files): `"operands"` (every
    /// non-option argument), `"roots"` (`find`'s search roots), `"last"` (the
    /// destination).
    pub inside_workspace: Option<WorkspaceOperands>,
}

/// Which operands of a command are the files a rule's effect lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkspaceOperands {
    /// Every non-option argument.
    Operands,
    /// The arguments before the first expression word (`find`).
    Roots,
    /// The last non-option argument (a copy's destination).
    Last,
}

/// A set of rules, indexed by command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleSet {
    rules: Vec<Rule>,
    by_command: NameMap<Vec<usize>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConditionSpec {
    flag: Option<Vec<String>>,
    word: Option<Vec<String>>,
    arg: Option<Vec<String>>,
    last_arg: Option<Vec<String>>,
    nargs: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    id: String,
    command: OneOrMany,
    #[serde(default)]
    when: Vec<ConditionSpec>,
    #[serde(default)]
    unless: Vec<ConditionSpec>,
    risk: Option<String>,
    #[serde(default)]
    caps: String,
    #[serde(default)]
    replace: bool,
    action: Option<String>,
    why: String,
    safer: Option<String>,
    #[serde(default)]
    drop: Vec<String>,
    inside_workspace: Option<String>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    not: Vec<String>,
}

fn bad(detail: String) -> Error {
    Error::BadInput { detail }
}

/// Parses a space-separated list of capability names.
pub(crate) fn parse_caps(text: &str, context: &str) -> Result<Capabilities> {
    let mut caps = Capabilities::EMPTY;
    for name in text.split_whitespace() {
        caps |= Capabilities::from_name(name)
            .ok_or_else(|| bad(format!("{context}: unknown capability {name:?}")))?;
    }
    Ok(caps)
}

fn condition(spec: ConditionSpec, id: &str) -> Result<Condition> {
    let ConditionSpec {
        flag,
        word,
        arg,
        last_arg,
        nargs,
    } = spec;
    match (flag, word, arg, last_arg, nargs) {
        (Some(v), None, None, None, None) => Ok(Condition::Flag(v)),
        (None, Some(v), None, None, None) => Ok(Condition::Word(v)),
        (None, None, Some(v), None, None) => Ok(Condition::Arg(v)),
        (None, None, None, Some(v), None) => Ok(Condition::LastArg(v)),
        (None, None, None, None, Some(n)) => Ok(Condition::NArgs(n)),
        _ => Err(bad(format!(
            "rule {id}: each condition needs exactly one of flag, word, arg, last_arg, nargs"
        ))),
    }
}

impl RuleSet {
    /// The built-in rules (`data/rules.toml`), checked once.
    pub fn builtin() -> RuleSet {
        super::builtin::knowledge().rules.clone()
    }

    /// Reads a user rule table. `replace` rules are refused here: a user layer
    /// may only make decisions stricter (or approve commands nothing else knows).
    pub fn from_toml(text: &str) -> Result<RuleSet> {
        Self::load(text, false)
    }

    /// Reads a rule table; `trusted` allows `replace` rules (the built-in table).
    pub(crate) fn load(text: &str, trusted: bool) -> Result<RuleSet> {
        Self::load_checked(text, trusted, true)
    }

    /// Reads a rule table; `self_test` runs each rule's examples (the
    /// built-in table's are run by its tests and by `build.rs`-time checks in
    /// the test suite, not on every start of a process).
    pub(crate) fn load_checked(text: &str, trusted: bool, self_test: bool) -> Result<RuleSet> {
        let file: File =
            toml::from_str(text).map_err(|e| bad(format!("rules: {}", e.message())))?;
        Self::from_file(file, trusted, self_test)
    }

    /// The built-in table as JSON (converted from TOML by `build.rs`).
    pub(crate) fn load_json(text: &str, trusted: bool, self_test: bool) -> Result<RuleSet> {
        let file: File = serde_json::from_str(text).map_err(|e| bad(format!("rules: {e}")))?;
        Self::from_file(file, trusted, self_test)
    }

    fn from_file(file: File, trusted: bool, self_test: bool) -> Result<RuleSet> {
        let mut set = RuleSet::default();
        for spec in file.rule {
            let id = spec.id;
            if id.is_empty() || set.rules.iter().any(|r| r.id == id) {
                return Err(Error::DuplicateName { name: id });
            }
            if spec.replace && !trusted {
                return Err(bad(format!(
                    "rule {id}: replace is only allowed in the built-in table"
                )));
            }
            if spec.why.trim().is_empty() {
                return Err(bad(format!("rule {id}: a justification (why) is required")));
            }
            if spec.examples.is_empty() {
                return Err(Error::RuleSelfTest {
                    detail: format!("rule {id}: at least one example is required"),
                });
            }
            let commands = match spec.command {
                OneOrMany::One(c) => vec![c],
                OneOrMany::Many(v) => v,
            };
            if commands.is_empty() || commands.iter().any(|c| c.trim().is_empty()) {
                return Err(bad(format!("rule {id}: empty command")));
            }
            let risk = match spec.risk {
                Some(r) => Some(
                    RiskLevel::parse(&r)
                        .ok_or_else(|| bad(format!("rule {id}: unknown risk {r:?}")))?,
                ),
                None => None,
            };
            let action = match spec.action {
                Some(a) => Some(
                    Decision::parse(&a)
                        .ok_or_else(|| bad(format!("rule {id}: unknown action {a:?}")))?,
                ),
                None => None,
            };
            if risk.is_none() && action.is_none() {
                return Err(bad(format!("rule {id}: needs a risk or an action")));
            }
            let when = spec
                .when
                .into_iter()
                .map(|c| condition(c, &id))
                .collect::<Result<Vec<_>>>()?;
            let unless = spec
                .unless
                .into_iter()
                .map(|c| condition(c, &id))
                .collect::<Result<Vec<_>>>()?;
            let inside_workspace = match spec.inside_workspace.as_deref() {
                None => None,
                Some("operands") => Some(WorkspaceOperands::Operands),
                Some("roots") => Some(WorkspaceOperands::Roots),
                Some("last") => Some(WorkspaceOperands::Last),
                Some(other) => {
                    return Err(bad(format!(
                        "rule {id}: inside_workspace is operands, roots or last, not {other:?}"
                    )));
                }
            };
            let rule = Rule {
                inside_workspace,
                capabilities: parse_caps(&spec.caps, &format!("rule {id}"))?,
                id,
                commands,
                when,
                unless,
                risk,
                replace: spec.replace,
                action,
                justification: spec.why,
                safer: spec.safer,
                drop: spec.drop,
            };
            if self_test {
                rule.self_test(&spec.examples, &spec.not)?;
            }
            let index = set.rules.len();
            for c in &rule.commands {
                set.by_command.entry(c.clone()).or_default().push(index);
            }
            set.rules.push(rule);
        }
        Ok(set)
    }

    /// True if any rule names `command`.
    pub fn has_rules_for(&self, command: &str) -> bool {
        self.by_command.contains_key(command)
    }

    /// True if a rule for `command` looks at its options (a value known only
    /// at run time could then be such an option).
    pub fn has_option_rules_for(&self, command: &str) -> bool {
        self.by_command.get(command).is_some_and(|ids| {
            ids.iter().filter_map(|&i| self.rules.get(i)).any(|r| {
                r.when
                    .iter()
                    .any(|c| matches!(c, Condition::Flag(_) | Condition::Word(_)))
            })
        })
    }

    /// Every rule, in table order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True if there is no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules for a command whose arguments match, in table order.
    pub fn matching<'s, 'w>(
        &'s self,
        command: &str,
        args: &'w [Word<'w>],
    ) -> impl Iterator<Item = &'s Rule> + use<'s, 'w> {
        let indices: &'s [usize] = self.by_command.get(command).map_or(&[], Vec::as_slice);
        indices
            .iter()
            .filter_map(|&i| self.rules.get(i))
            .filter(move |r| r.matches(args))
    }
}

impl Rule {
    /// True if the arguments satisfy every `when` condition and no `unless` one.
    /// A glob too costly to decide counts against the arguments (the rule fires).
    pub fn matches(&self, args: &[Word<'_>]) -> bool {
        self.when.iter().all(|c| c.holds(args, true))
            && !self.unless.iter().any(|c| c.holds(args, false))
    }

    fn self_test(&self, examples: &[String], not: &[String]) -> Result<()> {
        for (line, expected) in examples
            .iter()
            .map(|e| (e, true))
            .chain(not.iter().map(|e| (e, false)))
        {
            let parsed = parser::parse(line);
            let found = parsed.segments.first().is_some_and(|seg| {
                let Some(inv) = families::resolve(&seg.words) else {
                    return false;
                };
                self.commands.iter().any(|c| c == inv.key()) && self.matches(inv.args)
            });
            if found != expected {
                return Err(Error::RuleSelfTest {
                    detail: format!(
                        "rule {}: {line:?} should {}match",
                        self.id,
                        if expected { "" } else { "not " }
                    ),
                });
            }
        }
        Ok(())
    }
}

impl Condition {
    /// Whether the condition holds; `undecided` is the answer when a glob
    /// exceeds its step budget on a huge argument.
    fn holds(&self, args: &[Word<'_>], undecided: bool) -> bool {
        let m = |pattern: &str, text: &str, path: bool| {
            let mut budget = GLOB_BUDGET;
            glob_bytes(pattern.as_bytes(), text.as_bytes(), path, &mut budget).unwrap_or(undecided)
        };
        match self {
            Self::Flag(flags) => flags.iter().any(|f| has_flag(args, f)),
            Self::Word(globs) => args
                .iter()
                .any(|a| globs.iter().any(|g| m(g, a.as_str(), false))),
            Self::Arg(globs) => positionals(args).any(|a| {
                let a = normalize_path(a);
                globs.iter().any(|g| m(g, &a, true))
            }),
            Self::LastArg(globs) => positionals(args).last().is_some_and(|a| {
                let a = normalize_path(a);
                globs.iter().any(|g| m(g, &a, true))
            }),
            Self::NArgs(n) => positionals(args).count() == *n,
        }
    }
}

/// Steps one glob match may take; backtracking over `*` on a huge argument
/// stops there and the match is undecided.
const GLOB_BUDGET: usize = 1 << 20;

/// The non-option arguments: those not starting with `-`, and all after `--`.
pub(crate) fn positionals<'a>(args: &'a [Word<'a>]) -> impl Iterator<Item = &'a str> + 'a {
    let mut after_dashes = false;
    args.iter().filter_map(move |w| {
        let a = w.as_str();
        if after_dashes {
            return Some(a);
        }
        if a == "--" {
            after_dashes = true;
            return None;
        }
        if a.len() > 1 && a.starts_with('-') {
            None
        } else {
            Some(a)
        }
    })
}

/// True if `flag` is among the options (before `--`).
fn has_flag(args: &[Word<'_>], flag: &str) -> bool {
    let short = flag.len() == 2 && flag.starts_with('-') && !flag.starts_with("--");
    let short_char = flag.as_bytes().get(1).copied();
    for w in args {
        let a = w.as_str();
        if a == "--" {
            return false;
        }
        if !a.starts_with('-') || a.len() < 2 {
            continue;
        }
        if short {
            if !a.starts_with("--") {
                if let Some(c) = short_char {
                    if a.as_bytes().iter().skip(1).any(|b| *b == c) {
                        return true;
                    }
                }
            }
        } else if let Some(rest) = a.strip_prefix(flag) {
            if rest.is_empty() || rest.starts_with('=') {
                return true;
            }
        }
    }
    false
}

/// Normalises a path lexically: `$HOME` is `~`, `//`, `/./` and `..` are folded,
/// trailing slashes dropped. Other words are returned unchanged.
pub(crate) fn normalize_path(word: &str) -> Cow<'_, str> {
    let (base, rest) = if let Some(r) = word.strip_prefix("${HOME}") {
        ("~", r)
    } else if let Some(r) = word.strip_prefix("$HOME") {
        ("~", r)
    } else if let Some(r) = word.strip_prefix('~') {
        if !(r.is_empty() || r.starts_with('/')) {
            return Cow::Borrowed(word);
        }
        ("~", r)
    } else if word.starts_with('/') {
        ("", word)
    } else {
        let trimmed = word.trim_end_matches('/');
        return if trimmed.is_empty() || trimmed.len() == word.len() {
            Cow::Borrowed(word)
        } else {
            Cow::Borrowed(trimmed)
        };
    };
    let clean = !rest.contains("//")
        && !rest.contains("/./")
        && !rest.contains("/../")
        && !rest.ends_with("/.")
        && !rest.ends_with("/..")
        && (!rest.ends_with('/') || (base.is_empty() && rest == "/"))
        && base.is_empty();
    if clean {
        return Cow::Borrowed(word);
    }
    let mut parts: Vec<&str> = Vec::new();
    let mut escaped_home = false;
    for part in rest.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() && base == "~" {
                    escaped_home = true;
                }
            }
            p => parts.push(p),
        }
    }
    let mut out = String::with_capacity(word.len());
    if base == "~" && !escaped_home {
        out.push('~');
    }
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

/// Path glob match (tests): `*` (not across `/`), `**` (across `/`), `?`, `[...]`, `\\` escapes.
/// A match too costly to decide is false.
#[cfg(test)]
fn glob(pattern: &str, text: &str) -> bool {
    let mut budget = GLOB_BUDGET;
    glob_bytes(pattern.as_bytes(), text.as_bytes(), true, &mut budget).unwrap_or(false)
}

/// Word glob match: like `glob`, but `*` also matches `/`.
#[cfg(test)]
fn glob_any(pattern: &str, text: &str) -> bool {
    let mut budget = GLOB_BUDGET;
    glob_bytes(pattern.as_bytes(), text.as_bytes(), false, &mut budget).unwrap_or(false)
}

/// `None` when the step budget runs out.
fn glob_bytes(p: &[u8], t: &[u8], path: bool, budget: &mut usize) -> Option<bool> {
    let (mut pi, mut ti) = (0usize, 0usize);
    while let Some(&pc) = p.get(pi) {
        *budget = budget.checked_sub(1)?;
        match pc {
            b'*' => {
                let double = p.get(pi + 1) == Some(&b'*') || !path;
                let rest_start = if p.get(pi + 1) == Some(&b'*') {
                    pi + 2
                } else {
                    pi + 1
                };
                let rest = p.get(rest_start..).unwrap_or(&[]);
                let mut k = ti;
                loop {
                    if glob_bytes(rest, t.get(k..).unwrap_or(&[]), path, budget)? {
                        return Some(true);
                    }
                    match t.get(k) {
                        None => return Some(false),
                        Some(b'/') if !double => return Some(false),
                        Some(_) => k += 1,
                    }
                }
            }
            b'?' => {
                if t.get(ti).is_none() {
                    return Some(false);
                }
                pi += 1;
                ti += 1;
            }
            b'[' => {
                let Some(&c) = t.get(ti) else {
                    return Some(false);
                };
                let Some(close) = p
                    .get(pi + 1..)
                    .and_then(|s| s.iter().position(|&b| b == b']'))
                else {
                    return Some(false);
                };
                let class = p.get(pi + 1..pi + 1 + close).unwrap_or(&[]);
                let mut hit = false;
                let mut i = 0;
                while let Some(&lo) = class.get(i) {
                    if class.get(i + 1) == Some(&b'-') {
                        if let Some(&hi) = class.get(i + 2) {
                            hit |= lo <= c && c <= hi;
                            i += 3;
                            continue;
                        }
                    }
                    hit |= lo == c;
                    i += 1;
                }
                if !hit {
                    return Some(false);
                }
                pi += close + 2;
                ti += 1;
            }
            b'\\' => {
                let Some(&lit) = p.get(pi + 1) else {
                    return Some(false);
                };
                if t.get(ti) != Some(&lit) {
                    return Some(false);
                }
                pi += 2;
                ti += 1;
            }
            c => {
                if t.get(ti) != Some(&c) {
                    return Some(false);
                }
                pi += 1;
                ti += 1;
            }
        }
    }
    Some(ti == t.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("/etc/*", "/etc/passwd"));
        assert!(!glob("/etc/*", "/etc/ssh/sshd_config"));
        assert!(glob("/etc/**", "/etc/ssh/sshd_config"));
        assert!(glob("of=/dev/*", "of=/dev/sda"));
        assert!(glob("[0-7][0-7][2367]", "777"));
        assert!(!glob("[0-7][0-7][2367]", "755"));
        assert!(glob("/\\*", "/*"));
        assert!(!glob("/\\*", "/x"));
        assert!(glob_any("*DROP *", "psql DROP TABLE"));
        assert!(glob_any("@*", "@/etc/passwd"));
        // Backtracking on a huge word stops at the budget instead of running for hours.
        let huge = "a".repeat(60_000);
        let start = std::time::Instant::now();
        assert!(!glob_any("*b*c*d*", &huge));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn paths() {
        assert_eq!(normalize_path("/boot/"), "/boot");
        assert_eq!(normalize_path("//"), "/");
        assert_eq!(normalize_path("/tmp/../"), "/");
        assert_eq!(normalize_path("/./etc/./"), "/etc");
        assert_eq!(normalize_path("~/"), "~");
        assert_eq!(normalize_path("$HOME/x/"), "~/x");
        assert_eq!(normalize_path("~/.."), "/");
        assert_eq!(normalize_path("build/"), "build");
        assert_eq!(normalize_path("/"), "/");
        assert_eq!(normalize_path("-rf"), "-rf");
    }

    #[test]
    fn self_tests_run_at_load() {
        let ok = r#"
[[rule]]
id = "x"
command = "rm"
when = [{ flag = ["-r"] }]
risk = "HIGH"
why = "because"
examples = ["rm -rf x"]
not = ["rm x"]
"#;
        assert_eq!(RuleSet::from_toml(ok).unwrap().len(), 1);
        let wrong = ok.replace("not = [\"rm x\"]", "not = [\"rm -r x\"]");
        let err = RuleSet::from_toml(&wrong).unwrap_err();
        assert_eq!(err.code(), crate::error::ErrorCode::RuleSelfTest);
        let replace = ok.replace("risk = \"HIGH\"", "risk = \"SAFE\"\nreplace = true");
        assert!(RuleSet::from_toml(&replace).is_err());
        let no_example = ok.replace("examples = [\"rm -rf x\"]", "");
        assert!(RuleSet::from_toml(&no_example).is_err());
    }
}
