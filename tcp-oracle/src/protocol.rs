//! What the host, the driver and the shim say to each other, and the fixed
//! paths inside the sandbox.

use serde::{Deserialize, Serialize};

/// Where the oracle's own binaries (and the real bash) are mounted in the sandbox.
pub const ORACLE_BIN: &str = "/oracle/bin";
/// The real bash inside the sandbox (`/bin/bash`, `sh`, ... link to it).
pub const REAL_BASH: &str = "/oracle/bin/bash";
/// The shim inside the sandbox (every other program name links to it).
pub const SHIM: &str = "/oracle/bin/tcp-oracle-shim";
/// The only directory on the lines' `PATH`: a link to the shim for every name.
pub const SHIM_PATH_DIR: &str = "/oracle/path";
/// The driver's writable run-time directory (outside the snapshotted trees).
pub const RUNTIME_DIR: &str = "/oracle/rt";
/// The shim's log: one JSON record per line, appended.
pub const LOG_PATH: &str = "/oracle/rt/log.jsonl";
/// The baseline environment the shim compares against (JSON object).
pub const BASELINE_PATH: &str = "/oracle/rt/baseline.json";
/// The file `BASH_ENV` names: defines `command_not_found_handle`.
pub const BASH_ENV_PATH: &str = "/oracle/rt/bash_env";
/// Set by `command_not_found_handle` when it runs the shim for a missing name.
pub const NOT_FOUND_VAR: &str = "TCP_ORACLE_NOT_FOUND";
/// The trees the driver resets before and snapshots around every line.
pub const WATCHED_TREES: [&str; 3] = ["/tmp", "/etc", "/dev"];
/// Names that run the real bash instead of the shim.
pub const SHELL_NAMES: [&str; 4] = ["bash", "sh", "dash", "rbash"];
/// Variables bash sets or changes by itself; never reported as differences.
pub const IGNORED_VARS: [&str; 5] = ["_", "PWD", "OLDPWD", "SHLVL", NOT_FOUND_VAR];

/// Variables bash sets itself, exported only by `set -a` (`bash -ac`, `-esacc`):
/// not the line's doing, so not reported as differences.
pub const SHELL_VARIABLES: [&str; 27] = [
    "SHELLOPTS",
    "IFS",
    "OPTIND",
    "OPTERR",
    "PS1",
    "PS2",
    "PS4",
    "PPID",
    "UID",
    "EUID",
    "HOSTNAME",
    "HOSTTYPE",
    "MACHTYPE",
    "OSTYPE",
    "DIRSTACK",
    "GROUPS",
    "SHELL",
    "HISTFILE",
    "HISTFILESIZE",
    "HISTSIZE",
    "COMP_WORDBREAKS",
    "LINENO",
    "SECONDS",
    "RANDOM",
    "EPOCHSECONDS",
    "EPOCHREALTIME",
    "SRANDOM",
];

/// Whether the shim ignores variable `name` when comparing environments:
/// bash's own (`BASH*`, [`SHELL_VARIABLES`], [`IGNORED_VARS`]).
pub fn is_ignored_var(name: &str) -> bool {
    name.starts_with("BASH") || SHELL_VARIABLES.contains(&name) || IGNORED_VARS.contains(&name)
}

/// The code `BASH_ENV` sources in every non-interactive bash: missing command
/// names run the shim under their own name (marked) and succeed. Exported so
/// that `sh -c` (bash in POSIX mode, which reads no `BASH_ENV`) has it too.
pub fn bash_env_code() -> String {
    format!(
        "command_not_found_handle() {{ {NOT_FOUND_VAR}=1 exec -a \"$1\" {SHIM} \"${{@:2}}\"; }}\n\
         export -f command_not_found_handle\n"
    )
}

/// One line to run (host to driver).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Request {
    /// Sequence number, echoed back.
    pub id: u64,
    /// The shell line.
    pub line: String,
}

/// One program bash ran (a shim record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShimRecord {
    /// `argv[0]` as bash passed it (`rm`, `/usr/bin/rm`, or what `exec -a` set).
    pub argv0: String,
    /// The path the kernel executed (`AT_EXECFN`): its base name is the program
    /// that really ran, whatever `argv[0]` says (`hash -p`, `exec -a`).
    pub exec_path: String,
    /// The arguments after `argv[0]`.
    pub args: Vec<String>,
    /// The working directory.
    pub cwd: String,
    /// Environment variables that differ from the baseline (set or changed), sorted.
    pub env: Vec<(String, String)>,
    /// The name was not found on `PATH` (run by `command_not_found_handle`).
    pub not_found: bool,
}

impl ShimRecord {
    /// The program that ran: `argv[0]`'s base name, unless the executed file's
    /// base name differs (then that one), or the name was not found.
    pub fn program(&self) -> String {
        let a0 = base_name(&self.argv0);
        let ex = base_name(&self.exec_path);
        if self.not_found || ex == a0 || ex.is_empty() {
            self.argv0.clone()
        } else {
            ex.to_owned()
        }
    }
}

/// The last path component (the whole string when it has no `/`).
pub fn base_name(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// One file-system entry's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// `file`, `dir`, `symlink` or `other`.
    pub kind: String,
    /// Size in bytes.
    pub size: u64,
    /// FNV-1a hash of the content (files) or the link target (symlinks).
    pub hash: u64,
}

/// How an entry changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// It did not exist before.
    Created,
    /// Its type, size or content changed.
    Modified,
    /// It no longer exists.
    Deleted,
}

/// A file-system change the line made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    /// Absolute path.
    pub path: String,
    /// What happened.
    pub change: ChangeKind,
    /// The entry after (none when deleted).
    pub after: Option<Entry>,
}

/// What bash did with one line (driver to host).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Observation {
    /// The request's sequence number.
    pub id: u64,
    /// `bash -n -c LINE` accepted the line.
    pub syntax_ok: bool,
    /// `bash -c LINE`'s exit status (none when killed by a signal).
    pub exit: Option<i32>,
    /// The signal that ended it, if any.
    pub signal: Option<i32>,
    /// The wall-clock limit ended it.
    pub timed_out: bool,
    /// Processes still alive after bash and its grace period, killed.
    pub strays_killed: u32,
    /// Every external program run, in log order.
    pub records: Vec<ShimRecord>,
    /// Files created, modified or deleted in the watched trees.
    pub changes: Vec<FileChange>,
    /// A driver-side error (the observation is then incomplete).
    pub error: Option<String>,
}

/// FNV-1a, 64 bits: a content fingerprint (not cryptographic; enough to see a change).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Quotes a word for bash so that it reads back as exactly `s`.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./,:@%+".contains(&b))
    {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}
