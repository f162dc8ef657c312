//! Launchers: wrappers (`sudo`, `env`, `timeout`, `xargs`, ...), shells
//! (`bash -c`, `eval`, `source`) and interpreters (`python -c`), read from
//! `data/launchers.toml`. [`Launcher::unwrap`] reads a launcher's own options
//! and says what it runs; the evaluator then decides that.
//!
//! A wrapper missing from the table is not a bypass: its name is then an
//! ordinary command, and an unknown command is never approved.

use serde::Deserialize;

use super::lexer::Word;
use crate::error::{Error, Result};
use crate::risk::{Capabilities, RiskLevel};

/// What kind of launcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Runs the command in its arguments.
    Wrapper,
    /// Runs shell code.
    Shell,
    /// Runs code in another language (opaque here).
    Interpreter,
}

/// A launcher's table entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LauncherSpec {
    kind: Kind,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    code: Vec<String>,
    #[serde(default)]
    module: Vec<String>,
    #[serde(default)]
    no_command: Vec<String>,
    #[serde(default)]
    skip: usize,
    #[serde(default)]
    assignments: bool,
    #[serde(default)]
    split: Vec<String>,
    #[serde(default)]
    joined: bool,
    #[serde(default)]
    stdin_args: bool,
    #[serde(default)]
    user_positional: bool,
    /// `-c` is a flag, not an option with a value: the code is the first
    /// operand after every option (`bash -cx 'code'`, `bash -c -e 'code'`).
    #[serde(default)]
    code_is_flag: bool,
    default: Option<String>,
    floor: Option<String>,
    #[serde(default)]
    adds: String,
    why: String,
}

/// A launcher, ready to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launcher {
    /// Its kind.
    pub kind: Kind,
    spec: LauncherSpec,
    /// Lowest risk of whatever runs through it.
    pub floor: RiskLevel,
    /// Capabilities whatever runs through it gets.
    pub adds: Capabilities,
}

/// Where the code of a shell or interpreter is: a word, or its tail after a prefix
/// (`--command=...`, `-crm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeAt {
    /// Index of the word.
    pub index: usize,
    /// Bytes of the word before the code.
    pub skip: usize,
}

/// What a launcher runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwrapped {
    /// The command starting at this argument index.
    Command(usize),
    /// A command line given as one string (`env -S '...'`), then the arguments from index `rest`.
    Split(CodeAt, usize),
    /// Nothing: the launcher acts alone (`sudo -l`, `command -v ls`).
    NoCommand,
    /// Its default command (`xargs` runs `echo`).
    Default(&'static str),
    /// Shell or interpreter code.
    Code(CodeAt),
    /// Shell code made of the arguments from this index, joined by spaces.
    Joined(usize),
    /// A script or module named by the argument at this index.
    Script(usize),
    /// Code read from standard input.
    Stdin,
}

impl Launcher {
    /// Builds a launcher from its table entry.
    pub fn new(name: &str, spec: LauncherSpec) -> Result<Self> {
        let floor = match &spec.floor {
            Some(f) => RiskLevel::parse(f).ok_or_else(|| Error::BadInput {
                detail: format!("launcher {name}: unknown risk {f:?}"),
            })?,
            None => RiskLevel::Safe,
        };
        let adds = super::rules::parse_caps(&spec.adds, &format!("launcher {name}"))?;
        if spec.why.trim().is_empty() {
            return Err(Error::BadInput {
                detail: format!("launcher {name}: a justification (why) is required"),
            });
        }
        Ok(Self {
            kind: spec.kind,
            spec,
            floor,
            adds,
        })
    }

    /// True if the command it runs gets extra arguments from standard input.
    pub fn stdin_args(&self) -> bool {
        self.spec.stdin_args
    }

    /// True if NAME=VALUE words may precede its command.
    pub fn takes_assignments(&self) -> bool {
        self.spec.assignments
    }

    /// Why it is a launcher.
    pub fn justification(&self) -> &str {
        &self.spec.why
    }

    /// Reads the launcher's options in `args` (the words after its name).
    pub fn unwrap(&'static self, args: &[Word<'_>]) -> Unwrapped {
        let mut i = match self.options(args, 0) {
            Ok(i) => i,
            Err(found) => return found,
        };
        if self.spec.user_positional {
            // `su [-] [user] [options]`: options may follow the user name.
            if args.get(i).is_some_and(|w| w.as_str() == "-") {
                i += 1;
            }
            if args.get(i).is_some_and(|w| !w.as_str().starts_with('-')) {
                i += 1;
            }
            i = match self.options(args, i) {
                Ok(i) => i,
                Err(found) => return found,
            };
        }
        if self.spec.skip > 0 {
            let needed = i + self.spec.skip;
            if needed > args.len() {
                return self.alone();
            }
            i = needed;
            // `flock FILE -c CMD`: code options may follow the skipped words.
            i = match self.options(args, i) {
                Ok(i) => i,
                Err(found) => return found,
            };
        }
        let has_more = i < args.len();
        match self.kind {
            Kind::Wrapper if self.spec.joined => {
                if has_more {
                    Unwrapped::Joined(i)
                } else {
                    self.alone()
                }
            }
            Kind::Wrapper => {
                if has_more {
                    Unwrapped::Command(i)
                } else {
                    self.alone()
                }
            }
            Kind::Shell if self.spec.joined => {
                if has_more {
                    Unwrapped::Joined(i)
                } else {
                    Unwrapped::NoCommand
                }
            }
            Kind::Shell | Kind::Interpreter => match args.get(i) {
                Some(w) if w.as_str() == "-" => Unwrapped::Stdin,
                Some(_) => Unwrapped::Script(i),
                None => Unwrapped::Stdin,
            },
        }
    }

    fn alone(&'static self) -> Unwrapped {
        match &self.spec.default {
            Some(d) => Unwrapped::Default(d.as_str()),
            None => Unwrapped::NoCommand,
        }
    }

    /// Skips options from `start`; `Ok(index of the first non-option)` or
    /// `Err(result)` when an option decides what runs.
    fn options(&self, args: &[Word<'_>], start: usize) -> Result<usize, Unwrapped> {
        let s = &self.spec;
        let is = |list: &[String], name: &str| list.iter().any(|o| o == name);
        let mut i = start;
        let mut command_mode = false;
        let mut stdin_mode = false;
        // A shell in command mode runs its first operand as code; with -s it
        // reads its code from standard input whatever the operands.
        let operand = |i: usize, command_mode: bool, stdin_mode: bool| {
            if stdin_mode && !command_mode {
                return Err(Unwrapped::Stdin);
            }
            if !command_mode {
                return Ok(i);
            }
            if args.get(i).is_some() {
                Err(Unwrapped::Code(CodeAt { index: i, skip: 0 }))
            } else {
                // `bash -c` without code: bash refuses the line.
                Err(Unwrapped::NoCommand)
            }
        };
        while let Some(w) = args.get(i) {
            let a = w.as_str();
            if a == "--" || (a == "-" && s.code_is_flag) {
                return operand(i + 1, command_mode, stdin_mode);
            }
            if let Some(long) = a.strip_prefix("--").filter(|l| !l.is_empty()) {
                let (name_len, has_value) = match long.find('=') {
                    Some(eq) => (eq + 2, true),
                    None => (a.len(), false),
                };
                let name = a.get(..name_len).unwrap_or(a);
                if is(&s.no_command, name) {
                    return Err(Unwrapped::NoCommand);
                }
                let code_at = |skip| {
                    if has_value {
                        CodeAt {
                            index: i,
                            skip: name_len + 1,
                        }
                    } else {
                        CodeAt { index: i + 1, skip }
                    }
                };
                if is(&s.code, name) {
                    return Err(self.code(args, code_at(0)));
                }
                if s.code_is_flag
                    && (name == "--login"
                        || name == "--noprofile"
                        || name == "--norc"
                        || name == "--posix"
                        || name == "--restricted"
                        || name == "--verbose"
                        || name == "--debugger"
                        || name == "--noediting"
                        || name == "--dump-strings"
                        || name == "--dump-po-strings"
                        || name == "--pretty-print")
                {
                    i += 1;
                    continue;
                }
                if is(&s.split, name) {
                    let at = code_at(0);
                    return Err(Unwrapped::Split(at, at.index + 1));
                }
                if is(&s.module, name) {
                    return Err(Unwrapped::Script(i));
                }
                i += if is(&s.options, name) && !has_value {
                    2
                } else {
                    1
                };
                continue;
            }
            let signed = a.len() > 1
                && (a.starts_with('-') || (a.starts_with('+') && self.kind == Kind::Shell));
            if signed {
                if a.bytes().skip(1).all(|b| b.is_ascii_digit()) {
                    // `nice -10`, `kill`-style numeric options.
                    i += 1;
                    continue;
                }
                let sign = a.get(..1).unwrap_or("-");
                let mut consumed_next = false;
                if s.code_is_flag && !a.chars().skip(1).all(|c| c.is_ascii_alphanumeric()) {
                    // Not an option cluster (bash refuses it as an invalid
                    // option); decided as the code it would otherwise be.
                    return operand(i, command_mode, stdin_mode);
                }
                if s.code_is_flag {
                    // Each value-taking letter of the cluster takes the next word.
                    let mut takes = 0usize;
                    for ch in a.chars().skip(1) {
                        let mut buf = [0u8; 8];
                        let opt = format!("{sign}{}", ch.encode_utf8(&mut buf));
                        if is(&s.code, &opt) {
                            command_mode = true;
                        } else if ch == 's' && sign == "-" {
                            // `bash -s [args]`: the code is standard input.
                            stdin_mode = true;
                        } else if is(&s.options, &opt) {
                            takes += 1;
                        }
                    }
                    i += 1 + takes;
                    continue;
                }
                for (pos, ch) in a.char_indices().skip(1) {
                    let mut buf = [0u8; 8];
                    let ch_str: &str = ch.encode_utf8(&mut buf);
                    let is = |list: &[String]| {
                        list.iter().any(|o| {
                            o.len() == sign.len() + ch_str.len()
                                && o.starts_with(sign)
                                && o.get(sign.len()..) == Some(ch_str)
                        })
                    };
                    let rest_at = pos + ch.len_utf8();
                    let attached = rest_at < a.len();
                    if is(&s.no_command) {
                        return Err(Unwrapped::NoCommand);
                    }
                    let at = if attached {
                        CodeAt {
                            index: i,
                            skip: rest_at,
                        }
                    } else {
                        CodeAt {
                            index: i + 1,
                            skip: 0,
                        }
                    };
                    if is(&s.code) {
                        return Err(self.code(args, at));
                    }
                    if is(&s.split) {
                        return Err(Unwrapped::Split(at, at.index + 1));
                    }
                    if is(&s.module) {
                        return Err(Unwrapped::Script(i));
                    }
                    if is(&s.options) {
                        consumed_next = !attached;
                        break;
                    }
                }
                i += if consumed_next { 2 } else { 1 };
                continue;
            }
            if s.assignments && is_assignment(a) {
                i += 1;
                continue;
            }
            return operand(i, command_mode, stdin_mode);
        }
        operand(i, command_mode, stdin_mode)
    }

    fn code(&self, args: &[Word<'_>], at: CodeAt) -> Unwrapped {
        if args.get(at.index).is_some() {
            Unwrapped::Code(at)
        } else {
            // `bash -c` with nothing after it: bash refuses; treat as reading stdin.
            Unwrapped::Stdin
        }
    }
}

/// True if a word is `NAME=VALUE` with a valid shell name.
pub fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Environment variables that change which program runs or inject code into it;
/// setting them in front of a command is decided like the rule `export-loader-or-path`.
pub const DANGEROUS_VARIABLES: [&str; 14] = [
    "PATH",
    "LD_PRELOAD",
    "LD_LIBRARY_PATH",
    "LD_AUDIT",
    "BASH_ENV",
    "ENV",
    "PROMPT_COMMAND",
    "PS4",
    "IFS",
    "GIT_SSH_COMMAND",
    "GIT_EXTERNAL_DIFF",
    "PYTHONSTARTUP",
    "NODE_OPTIONS",
    "PERL5OPT",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command_line::builtin::language;
    use crate::command_line::parser::parse;

    fn unwrap(line: &str) -> (Unwrapped, Vec<String>) {
        let parsed = parse(line);
        let words = &parsed.segments[0].words;
        let (name, _) = crate::command_line::families::canonical_name(words[0].as_str());
        let launcher = language().launchers.get(name).unwrap();
        let rest = &words[1..];
        let u = launcher.unwrap(rest);
        (u, rest.iter().map(|w| w.as_str().to_owned()).collect())
    }

    #[test]
    fn wrappers_find_their_command() {
        assert_eq!(unwrap("sudo -u root -E rm -rf /").0, Unwrapped::Command(3));
        assert_eq!(unwrap("sudo -uroot rm x").0, Unwrapped::Command(1));
        assert_eq!(unwrap("sudo -l").0, Unwrapped::NoCommand);
        assert_eq!(unwrap("env -i A=1 B=2 rm x").0, Unwrapped::Command(3));
        assert_eq!(unwrap("timeout -s KILL 10 rm x").0, Unwrapped::Command(3));
        assert_eq!(unwrap("nice -n 5 rm x").0, Unwrapped::Command(2));
        assert_eq!(unwrap("nice -10 rm x").0, Unwrapped::Command(1));
        assert_eq!(unwrap("xargs -0 -I{} rm {}").0, Unwrapped::Command(2));
        assert_eq!(unwrap("xargs").0, Unwrapped::Default("echo"));
        assert_eq!(unwrap("command -v rm").0, Unwrapped::NoCommand);
        assert_eq!(unwrap("ssh -p 22 host rm -rf /").0, Unwrapped::Joined(3));
        assert_eq!(
            unwrap("env -S 'rm -rf /' x").0,
            Unwrapped::Split(CodeAt { index: 1, skip: 0 }, 2)
        );
    }

    #[test]
    fn shells_find_their_code() {
        assert_eq!(
            unwrap("bash -c 'rm -rf /'").0,
            Unwrapped::Code(CodeAt { index: 1, skip: 0 })
        );
        assert_eq!(
            unwrap("bash -lc 'x'").0,
            Unwrapped::Code(CodeAt { index: 1, skip: 0 })
        );
        assert_eq!(
            unwrap("sh -e -x -c 'x'").0,
            Unwrapped::Code(CodeAt { index: 3, skip: 0 })
        );
        assert_eq!(unwrap("bash script.sh").0, Unwrapped::Script(0));
        assert_eq!(unwrap("bash").0, Unwrapped::Stdin);
        assert_eq!(
            unwrap("su - root -c 'id'").0,
            Unwrapped::Code(CodeAt { index: 3, skip: 0 })
        );
        assert_eq!(
            unwrap("python3 -c 'print(1)'").0,
            Unwrapped::Code(CodeAt { index: 1, skip: 0 })
        );
        assert_eq!(unwrap("python -m pytest").0, Unwrapped::Script(0));
        assert_eq!(
            unwrap("perl -pe 's/a/b/' f").0,
            Unwrapped::Code(CodeAt { index: 1, skip: 0 })
        );
        assert_eq!(unwrap("eval rm -rf /").0, Unwrapped::Joined(0));
        // `-c` is a flag of bash: the letters after it are options, the code
        // is the first operand.
        assert_eq!(
            unwrap("bash -cx 'rm -rf ~'").0,
            Unwrapped::Code(CodeAt { index: 1, skip: 0 })
        );
        assert_eq!(
            unwrap("bash -c -e 'rm -rf ~'").0,
            Unwrapped::Code(CodeAt { index: 2, skip: 0 })
        );
        assert_eq!(
            unwrap("sh -eco pipefail 'rm -rf ~' name").0,
            Unwrapped::Code(CodeAt { index: 2, skip: 0 })
        );
        assert_eq!(
            unwrap("bash -O extglob -c 'x'").0,
            Unwrapped::Code(CodeAt { index: 3, skip: 0 })
        );
        assert_eq!(unwrap("bash -c").0, Unwrapped::NoCommand);
    }
}
