//! What earlier commands of a line change for later ones: shell variables
//! assigned a literal value (`F=--force; git push $F`) and the working
//! directory (`cd / && rm -rf *`).
//!
//! Both are tracked only where the answer is certain; everything else is
//! unknown, and an unknown value is decided as the worst it could be.

use std::collections::HashMap;

use super::expand::Scope;
use super::lexer::{Word, WordFlags};
use super::parser::{Connector, Line, Segment, SegmentKind};
use super::wrappers::is_assignment;

/// A variable's assignments in one line.
#[derive(Debug, Clone)]
struct Assigned {
    /// Segment index and value of its only assignment, if it has exactly one
    /// that certainly runs and is a literal.
    only: Option<(usize, String, bool)>,
}

/// The variables of one line of shell code.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vars {
    assigned: HashMap<String, Assigned>,
    /// Code that may assign any variable runs (`eval`, `source`, namerefs).
    poisoned: bool,
    /// Exported variables with known values from the code around this line
    /// (`F=x bash -c '...'`).
    base: Vec<(String, String)>,
}

/// Builtins whose operands name variables they assign.
const ASSIGNING: [&str; 8] = [
    "read",
    "mapfile",
    "readarray",
    "getopts",
    "unset",
    "let",
    "wait",
    "((",
];
/// Builtins that declare variables (`export F=x`).
const DECLARING: [&str; 5] = ["export", "declare", "typeset", "local", "readonly"];

fn valid_name(name: &str) -> bool {
    let mut c = name.chars();
    matches!(c.next(), Some(f) if f == '_' || f.is_ascii_alphabetic())
        && c.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

impl Vars {
    /// Reads a parsed line's assignments; `base` holds the exported variables
    /// known from the code around it.
    pub(crate) fn scan(line: &Line<'_>, base: Vec<(String, String)>) -> Vars {
        let mut v = Vars {
            base,
            ..Vars::default()
        };
        for name in &line.loop_vars {
            v.unknown(name);
        }
        for (i, seg) in line.segments.iter().enumerate() {
            v.segment(i, seg);
        }
        v
    }

    fn unknown(&mut self, name: &str) {
        self.assigned
            .insert(name.to_owned(), Assigned { only: None });
    }

    fn assign(&mut self, i: usize, seg: &Segment<'_>, word: &Word<'_>, exported: bool) {
        let text = word.as_str();
        let Some((name, value)) = text.split_once('=') else {
            return;
        };
        let name = name.strip_suffix('+').unwrap_or(name);
        let certain = !seg.in_loop
            && !seg.in_branch
            && !seg.in_function
            && !seg.background
            && !seg.piped_in
            && !seg.piped_out
            && seg.scope == 0
            && matches!(seg.after, Connector::Start | Connector::Seq)
            && !word.flags.is_dynamic()
            && !text.contains(['`', '$'])
            && !text.get(name.len()..).unwrap_or("").starts_with("+=");
        let first = !self.assigned.contains_key(name);
        let entry = Assigned {
            only: (certain && first).then(|| (i, value.to_owned(), exported)),
        };
        self.assigned.insert(name.to_owned(), entry);
    }

    fn segment(&mut self, i: usize, seg: &Segment<'_>) {
        let words = &seg.words;
        let mut at = 0;
        while let Some(w) = words.get(at) {
            if !is_assignment(w.raw) {
                break;
            }
            at += 1;
        }
        let prefix = words.get(..at).unwrap_or(&[]);
        let rest = words.get(at..).unwrap_or(&[]);
        let Some(cmd) = rest.first() else {
            // Assignments alone change the shell's variables.
            for w in prefix {
                self.assign(i, seg, w, false);
            }
            return;
        };
        let name = cmd.as_str();
        let args = rest.get(1..).unwrap_or(&[]);
        if seg.kind == SegmentKind::Arith || seg.kind == SegmentKind::Cond {
            self.poison_identifiers(args);
            return;
        }
        match name {
            "eval" | "source" | "." => self.poisoned = true,
            _ if DECLARING.contains(&name) => {
                let opts: String = args
                    .iter()
                    .map(Word::as_str)
                    .filter(|a| a.starts_with(['-', '+']))
                    .collect();
                if opts.contains(['n', 'a', 'A', 'i']) {
                    self.poisoned |= opts.contains('n');
                    for a in args {
                        let n = a.as_str().split('=').next().unwrap_or("");
                        self.unknown(n);
                    }
                    return;
                }
                let exported = name == "export" || opts.contains('x');
                for a in args {
                    if is_assignment(a.raw) {
                        self.assign(i, seg, a, exported);
                    } else if valid_name(a.as_str()) && exported {
                        // `export F`: its value is kept, it is exported now.
                        if let Some(Assigned {
                            only: Some((_, _, e)),
                        }) = self.assigned.get_mut(a.as_str())
                        {
                            *e = true;
                        }
                    }
                }
            }
            "printf" => {
                let mut it = args.iter();
                while let Some(a) = it.next() {
                    if a.as_str() == "-v" {
                        if let Some(n) = it.next() {
                            self.unknown(n.as_str().split('[').next().unwrap_or(""));
                        }
                    }
                }
            }
            _ if ASSIGNING.contains(&name) => self.poison_identifiers(args),
            _ => {}
        }
    }

    /// Every identifier in `words` may be assigned (arithmetic, `read`).
    fn poison_identifiers(&mut self, words: &[Word<'_>]) {
        for w in words {
            for ident in w
                .as_str()
                .split(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
                .filter(|s| valid_name(s))
            {
                self.unknown(ident);
            }
        }
    }

    /// The variables as segment `index` sees them.
    pub(crate) fn at<'v>(&'v self, index: usize, seg: &Segment<'_>) -> VarScope<'v> {
        VarScope {
            vars: self,
            index,
            in_function: seg.in_function,
        }
    }

    /// The exported variables with a known value at segment `index`, plus
    /// `prefix` (assignments written before the command), for code run by a
    /// child shell.
    pub(crate) fn exported_at(&self, index: usize, prefix: &[Word<'_>]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if !self.poisoned {
            for (k, v) in &self.base {
                if !self.assigned.contains_key(k) {
                    out.push((k.clone(), v.clone()));
                }
            }
            for (k, a) in &self.assigned {
                if let Some((i, v, true)) = &a.only {
                    if *i < index {
                        out.push((k.clone(), v.clone()));
                    }
                }
            }
        }
        for w in prefix {
            if w.flags.is_dynamic() {
                continue;
            }
            if let Some((k, v)) = w.as_str().split_once('=') {
                out.retain(|(n, _)| n != k);
                out.push((k.to_owned(), v.to_owned()));
            }
        }
        out
    }
}

/// The variables one segment sees.
pub(crate) struct VarScope<'v> {
    vars: &'v Vars,
    index: usize,
    in_function: bool,
}

impl Scope for VarScope<'_> {
    fn var(&self, name: &str) -> Option<&str> {
        let v = self.vars;
        if v.poisoned {
            return None;
        }
        match v.assigned.get(name) {
            Some(Assigned {
                only: Some((i, value, _)),
            }) if *i < self.index && !self.in_function => Some(value),
            Some(_) => None,
            None => {
                if name == "HOME" {
                    return Some("~");
                }
                v.base
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, value)| value.as_str())
            }
        }
    }

    fn home(&self) -> Option<&str> {
        Some("~")
    }
}

/// Where the shell is when a command runs, as far as the line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cwd {
    /// The directory the line started in (relative paths stay as written).
    Start,
    /// A directory named by the line: absolute, `~/...`, or relative to the start.
    At(String),
    /// Not known (`cd "$d"`, `cd -`, `popd`).
    Unknown,
}

/// Joins `path` onto `base` lexically (`..` and `.` resolved), keeping `~`.
pub(crate) fn join(base: &str, path: &str) -> String {
    let (root, mut parts): (&str, Vec<&str>) = if path.starts_with('/') {
        ("/", Vec::new())
    } else if path == "~" || path.starts_with("~/") {
        ("~", Vec::new())
    } else if base.starts_with('/') {
        ("/", base.split('/').filter(|p| !p.is_empty()).collect())
    } else if base == "~" || base.starts_with("~/") {
        (
            "~",
            base.split('/').skip(1).filter(|p| !p.is_empty()).collect(),
        )
    } else {
        (
            "",
            base.split('/')
                .filter(|p| !p.is_empty() && *p != ".")
                .collect(),
        )
    };
    let rest = if root == "~" && (path == "~" || path.starts_with("~/")) {
        path.get(1..).unwrap_or("")
    } else {
        path
    };
    for p in rest.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                let climb = parts.last().is_none_or(|l| *l == "..");
                if climb {
                    if root.is_empty() {
                        parts.push("..");
                    } else if root == "~" {
                        // Above the home directory: an absolute path we cannot name.
                        return "/..".to_owned();
                    }
                } else {
                    parts.pop();
                }
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    match root {
        "/" => format!("/{body}"),
        "~" if body.is_empty() => "~".to_owned(),
        "~" => format!("~/{body}"),
        _ if body.is_empty() => ".".to_owned(),
        _ => body,
    }
}

impl Cwd {
    /// The directory after `cd ARG` from here (`None` arg: `cd` alone).
    pub(crate) fn cd(&self, arg: Option<&str>) -> Cwd {
        match arg {
            None | Some("~") => Cwd::At("~".to_owned()),
            Some("-") => Cwd::Unknown,
            Some(p) => match self {
                Cwd::Unknown if !(p.starts_with('/') || p.starts_with("~/")) => Cwd::Unknown,
                Cwd::Start | Cwd::Unknown => {
                    let j = join("", p);
                    if j == "." { Cwd::Start } else { Cwd::At(j) }
                }
                Cwd::At(base) => Cwd::At(join(base, p)),
            },
        }
    }

    /// `path` as seen from here: `None` if the directory is unknown and the
    /// path relative.
    pub(crate) fn resolve(&self, path: &str) -> Option<String> {
        if path.starts_with('/') || path == "~" || path.starts_with("~/") {
            return Some(path.to_owned());
        }
        match self {
            Cwd::Start => Some(join("", path)),
            Cwd::At(base) => Some(join(base, path)),
            Cwd::Unknown => None,
        }
    }
}

/// True if a word may stand for several files (an unquoted glob).
pub(crate) fn is_glob(w: &Word<'_>) -> bool {
    w.flags.contains(WordFlags::GLOB)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command_line::parser::parse;

    fn var_at(src: &str, seg: usize, name: &str) -> Option<String> {
        let line = parse(src);
        let v = Vars::scan(&line, Vec::new());
        let s = &line.segments[seg];
        v.at(seg, s).var(name).map(str::to_owned)
    }

    #[test]
    fn only_certain_literal_assignments_are_known() {
        assert_eq!(
            var_at("F=--force; git push $F", 1, "F").as_deref(),
            Some("--force")
        );
        assert_eq!(var_at("export F=x; ls $F", 1, "F").as_deref(), Some("x"));
        assert_eq!(var_at("git push $F; F=--force", 0, "F"), None);
        assert_eq!(var_at("F=a; F=b; ls $F", 2, "F"), None);
        assert_eq!(var_at("true && F=a; ls $F", 2, "F"), None);
        assert_eq!(var_at("if x; then F=a; fi; ls $F", 2, "F"), None);
        assert_eq!(var_at("F=a; for F in b; do ls $F; done", 1, "F"), None);
        assert_eq!(var_at("F=a; read F; ls $F", 2, "F"), None);
        assert_eq!(var_at("F=a; eval x; ls $F", 2, "F"), None);
        assert_eq!(var_at("F=$(id); ls $F", 1, "F"), None);
        assert_eq!(var_at("ls $HOME", 0, "HOME").as_deref(), Some("~"));
    }

    #[test]
    fn joins() {
        assert_eq!(join("/", "*"), "/*");
        assert_eq!(join("~", "."), "~");
        assert_eq!(join("", "../../x"), "../../x");
        assert_eq!(join("", "./../x"), "../x");
        assert_eq!(join("a/b", "../../.."), "..");
        assert_eq!(join("/usr", "../etc"), "/etc");
        assert_eq!(join("~/p", "../.."), "/..");
        assert_eq!(Cwd::Start.cd(Some("/")).resolve("*").as_deref(), Some("/*"));
        assert_eq!(Cwd::Start.cd(None).resolve(".").as_deref(), Some("~"));
        assert_eq!(Cwd::Unknown.resolve("x"), None);
    }
}
