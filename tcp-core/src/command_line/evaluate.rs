//! Deciding a parsed line: every segment through its launchers to the command
//! it runs, its registry entry, the rules its arguments fire, and the structural
//! checks (redirections, pipes into shells, substitutions) that fail closed.

use std::borrow::Cow;

use super::builtin::{knowledge, language};
use super::expand::expand;
use super::families::{canonical_name, resolve_with};
use super::lexer::{RedirOp, Word, WordFlags, embedded_code};
use super::parser::{Connector, Line, Problems, Segment, SegmentKind, parse};
use super::place::{Place, Places};
use super::rules::WorkspaceOperands;
use super::rules::{normalize_path, positionals};
use super::state::{Cwd, Vars, is_glob};
use super::wrappers::{DANGEROUS_VARIABLES, Kind, Unwrapped, is_assignment};
use super::{Checker, LineVerdict, SegmentVerdict};
use crate::decision::{Decision, Reason};
use crate::risk::{Capabilities, RiskLevel};

/// Longest line decided; a longer one is not parsed and needs approval.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
/// Deepest nesting of shell code in shell code (`bash -c "sh -c '...'"`).
pub const MAX_DEPTH: usize = 8;
/// Most pieces of nested code (substitutions, arithmetic, traps, aliases)
/// decided in one line; past it the line asks.
const MAX_NESTED_CODE: usize = 128;
/// Most words static expansion may produce in one line.
const MAX_EXPANDED_WORDS: usize = 4096;
/// Most arguments of one command that are decided one by one.
const MAX_ARGS: usize = 1024;
/// Most redirections of one segment that are decided one by one.
const MAX_REDIRECTS: usize = 64;
/// Most words one `find -exec` command may stand for (roots times `{}`).
const MAX_FIND_WORDS: usize = 4096;
/// Most launchers unwrapped around one command.
const MAX_UNWRAP: usize = 32;

/// What the launchers around a piece of code add to it.
#[derive(Debug, Clone, Default)]
struct Inherited {
    /// Launchers unwrapped so far on the way to this code (bounds recursion).
    unwrapped: usize,
    wrappers: Vec<String>,
    floor: Option<RiskLevel>,
    caps: Capabilities,
    stdin_args: bool,
    /// Exported variables with known values, for code run by a child shell.
    exported: Vec<(String, String)>,
    /// The directory the code starts in.
    cwd: Option<Cwd>,
    /// The code's standard input is a pipe carrying what these capabilities
    /// produced (`curl ... | watch sh`).
    stdin_pipe: Option<Capabilities>,
}

/// Builtins that evaluate their operands as arithmetic or variable names,
/// where bash runs `$(...)` inside array subscripts even from quoted text.
const EVALUATING: [&str; 16] = [
    "let",
    "((",
    "[[",
    "declare",
    "typeset",
    "local",
    "export",
    "readonly",
    "printf",
    "read",
    "test",
    "[",
    "unset",
    "mapfile",
    "readarray",
    "getopts",
];

/// Commands whose operands are files, resolved against the tracked directory.
const PATH_COMMANDS: [&str; 23] = [
    "rm", "rmdir", "unlink", "shred", "truncate", "mv", "cp", "ln", "chmod", "chown", "chgrp",
    "touch", "mkdir", "tee", "install", "rsync", "cat", "less", "head", "tail", "srm", "wipe",
    "dd",
];

/// Where the working directory is along one line: the candidates (one, or
/// several when a `cd` may or may not have run), and those saved on entering
/// subshell scopes.
struct CwdTracker {
    cur: Vec<Cwd>,
    pending: Option<(Vec<Cwd>, Vec<Cwd>)>,
    /// The pending `cd` runs in a background list: it holds for the rest of
    /// that list only.
    pending_background: bool,
    saved: Vec<(u32, Vec<Cwd>)>,
}

impl CwdTracker {
    fn new(start: Cwd) -> Self {
        Self {
            cur: vec![start],
            pending: None,
            pending_background: false,
            saved: Vec::new(),
        }
    }

    /// The directory `seg` runs in.
    fn before(&mut self, line: &Line<'_>, seg: &Segment<'_>) -> Cwd {
        while let Some((scope, saved)) = self.saved.last() {
            if line.scope_within(seg.scope, *scope) {
                break;
            }
            self.cur = saved.clone();
            self.saved.pop();
            self.pending = None;
        }
        if let Some((old, new)) = self.pending.take() {
            if self.pending_background && !matches!(seg.after, Connector::And | Connector::Or) {
                // The background list ended: its `cd` changed nothing here.
                self.pending_background = false;
                return match self.cur.as_slice() {
                    [one] => one.clone(),
                    _ => Cwd::Unknown,
                };
            }
            if self.pending_background && seg.background {
                // Still inside the background list: it applies, and stays pending.
                self.pending = Some((old.clone(), new.clone()));
                return match (seg.after, new.as_slice()) {
                    (Connector::And, [one]) => one.clone(),
                    _ => Cwd::Unknown,
                };
            }
            self.pending_background = false;
            self.cur = match seg.after {
                Connector::And => new,
                Connector::Or => old,
                _ => {
                    let mut all = old;
                    for c in new {
                        if !all.contains(&c) {
                            all.push(c);
                        }
                    }
                    all
                }
            };
        }
        match self.cur.as_slice() {
            [one] => one.clone(),
            _ => Cwd::Unknown,
        }
    }

    /// `seg` is `cd ARG` (`Some(None)`: `cd` alone; `None`: not known).
    fn cd(&mut self, seg: &Segment<'_>, arg: Option<Option<&str>>) {
        if seg.piped_in || seg.piped_out {
            return;
        }
        self.pending_background = seg.background;
        if seg.scope != self.saved.last().map_or(0, |(s, _)| *s) {
            self.saved.push((seg.scope, self.cur.clone()));
        }
        let mut new: Vec<Cwd> = Vec::new();
        for c in &self.cur {
            let n = match arg {
                Some(a) => c.cd(a),
                None => Cwd::Unknown,
            };
            if !new.contains(&n) {
                new.push(n);
            }
        }
        if new.len() > 4 {
            new = vec![Cwd::Unknown];
        }
        if seg.in_loop || seg.in_function {
            // It may run any number of times, or not at all.
            new.push(Cwd::Unknown);
        }
        self.pending = Some((self.cur.clone(), new));
    }
}

/// State shared while deciding one line and the code nested in it.
struct Eval<'c> {
    checker: &'c Checker,
    /// Fill in texts, commands and argv (not needed for the decision alone).
    describe: bool,
    out: LineVerdict,
    /// A credential file was read somewhere in the line.
    secret_read: bool,
    /// The environment (with its tokens) was printed somewhere in the line.
    env_dumped: bool,
    /// Pieces of nested code (substitutions, arithmetic, traps) still to decide.
    nested_budget: usize,
    /// Words static expansion may still produce.
    expansion_budget: usize,
    /// Files the line writes (normalised, as far as known): a workspace
    /// script the line itself writes is not the project's own.
    written: Vec<String>,
}

/// Decides a line; with `describe` false the segments' text, command and argv
/// are left empty (the decisions, risks, rules and reasons are the same).
pub(crate) fn check(checker: &Checker, line: &str, describe: bool) -> LineVerdict {
    let mut e = Eval {
        checker,
        describe,
        written: Vec::new(),
        nested_budget: MAX_NESTED_CODE,
        expansion_budget: MAX_EXPANDED_WORDS,
        secret_read: false,
        env_dumped: false,
        out: LineVerdict {
            decision: Decision::Approved,
            segments: Vec::new(),
            reasons: Vec::new(),
        },
    };
    if let Some(err) = super::builtin::load_error() {
        // Without its tables the evaluator would under-decide: nothing is approved.
        e.out.reasons.push(fail(
            format!("the built-in tables, which failed to load ({err})"),
            Decision::RequireApproval,
        ));
    }
    e.line(line, 0, &Inherited::default());
    let network = e
        .out
        .segments
        .iter()
        .any(|s| s.capabilities.contains(Capabilities::NETWORK_ACCESS));
    if network && (e.secret_read || e.env_dumped) {
        e.out.reasons.push(Reason::Rule {
            id: "exfiltration".to_owned(),
            justification: "the line reads credentials (a key file, a token store or the environment) and talks to the network".to_owned(),
            decision: Decision::Reject,
        });
    }
    let mut decision = Decision::Approved;
    for r in &e.out.reasons {
        decision = decision.max(r.decision());
    }
    for s in &e.out.segments {
        decision = decision.max(s.decision);
    }
    e.out.decision = decision;
    e.out
}

fn fail(what: impl Into<String>, decision: Decision) -> Reason {
    Reason::FailClosed {
        what: what.into(),
        decision,
    }
}

impl Eval<'_> {
    fn risk_decision(&self, level: RiskLevel) -> Decision {
        self.checker.policy.decision_for_risk(level)
    }

    fn structural(&self, sv: &mut SegmentVerdict, id: &str, why: &str, risk: RiskLevel) {
        sv.rules.push(id.to_owned());
        sv.reasons.push(Reason::Rule {
            id: id.to_owned(),
            justification: why.to_owned(),
            decision: self.risk_decision(risk),
        });
        sv.risk = Some(sv.risk.map_or(risk, |r| r.max(risk)));
    }

    /// Decides a line of shell code, appending its segments.
    fn line(&mut self, src: &str, depth: usize, inh: &Inherited) {
        if src.len() > MAX_LINE_BYTES {
            self.out.reasons.push(fail(
                format!("a line of {} bytes (limit {MAX_LINE_BYTES})", src.len()),
                Decision::RequireApproval,
            ));
            return;
        }
        if depth > MAX_DEPTH {
            self.out.reasons.push(fail(
                format!("shell code nested more than {MAX_DEPTH} levels deep"),
                Decision::RequireApproval,
            ));
            return;
        }
        let line = parse(src);
        self.problems(&line);
        for seg in &line.segments {
            for r in seg.redirects.iter().filter(|r| r.op.writes()) {
                if let Some(t) = &r.target {
                    let p = normalize_path(&self.home_relative(t.as_str())).into_owned();
                    self.written.push(super::state::join("", &p));
                }
            }
            // Copies, links and downloads write their last operand or output.
            let name = seg.words.first().map_or("", |w| w.as_str());
            if matches!(
                name,
                "cp" | "mv"
                    | "ln"
                    | "install"
                    | "tee"
                    | "curl"
                    | "wget"
                    | "dd"
                    | "rsync"
                    | "scp"
                    | "cat"
                    | "printf"
                    | "echo"
                    | "base64"
                    | "xxd"
            ) {
                for w in seg.words.iter().skip(1) {
                    let a = w.as_str().trim_start_matches("of=");
                    if !a.starts_with('-') || a.len() == 1 {
                        let p = normalize_path(&self.home_relative(a)).into_owned();
                        self.written.push(super::state::join("", &p));
                    }
                }
            }
        }
        if self.written.len() > 4096 {
            self.written.truncate(4096);
        }
        let vars = Vars::scan(&line, inh.exported.clone());
        let mut cwd = CwdTracker::new(inh.cwd.clone().unwrap_or(Cwd::Start));
        let mut pipeline = u32::MAX;
        let mut pipe_caps = Capabilities::EMPTY;
        for (index, seg) in line.segments.iter().enumerate() {
            if seg.pipeline != pipeline {
                pipeline = seg.pipeline;
                pipe_caps = Capabilities::EMPTY;
            }
            let here = cwd.before(&line, seg);
            // Where a `cd` may or may not have run, the command is decided
            // from each directory it may run in (the strictest counts).
            let others: Vec<Cwd> = if here == Cwd::Unknown {
                cwd.cur
                    .iter()
                    .filter(|c| **c != Cwd::Unknown)
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            };
            let here = if !others.is_empty() && cwd.cur.len() == others.len() {
                others.first().cloned().unwrap_or(here)
            } else {
                here
            };
            let before = self.out.segments.len();
            let scope = vars.at(index, seg);
            let words = expand_words(&seg.words, &scope, &mut self.expansion_budget);
            if let Some(arg) = cd_target(&words) {
                cwd.cd(seg, arg);
            }
            let mut seg_inh = inh.clone();
            seg_inh.exported = vars.exported_at(index, &seg.words);
            seg_inh.cwd = Some(here.clone());
            self.embedded(seg, &words, depth, &seg_inh);
            let ctx = SegCtx {
                line: &line,
                seg,
                depth,
                pipe_caps,
                cwd: &here,
            };
            self.segment(&ctx, &words, &seg_inh);
            for other in others.iter().skip(1) {
                let mut other_inh = seg_inh.clone();
                other_inh.cwd = Some(other.clone());
                let ctx = SegCtx { cwd: other, ..ctx };
                self.segment(&ctx, &words, &other_inh);
            }
            for s in self.out.segments.get(before..).unwrap_or(&[]) {
                pipe_caps |= s.capabilities;
            }
        }
        for code in &line.substitutions {
            if !self.nested(code, "$(...)", depth, inh) {
                break;
            }
        }
    }

    /// Decides a piece of nested code under the launcher `label`, while the
    /// line's budget lasts; `false` (and a reason) once it is spent.
    fn nested(&mut self, code: &str, label: &str, depth: usize, inh: &Inherited) -> bool {
        if self.nested_budget == 0 {
            self.out.reasons.push(fail(
                format!("more than {MAX_NESTED_CODE} pieces of nested code"),
                Decision::RequireApproval,
            ));
            return false;
        }
        self.nested_budget -= 1;
        let mut nested = inh.clone();
        nested.wrappers.push(label.to_owned());
        self.line(code, depth + 1, &nested);
        true
    }

    /// Code that a segment's words carry into bash's evaluation: `$(...)` in
    /// arithmetic and array subscripts (even quoted), `trap` handlers, alias
    /// values; and builtins that change what a later name runs.
    fn embedded(&mut self, seg: &Segment<'_>, words: &[Word<'_>], depth: usize, inh: &Inherited) {
        let mut at = 0;
        let mut codes: Vec<(String, &'static str)> = Vec::new();
        while let Some(w) = words.get(at) {
            if !is_assignment(w.raw) {
                break;
            }
            if w.flags.contains(WordFlags::QUOTED) {
                for c in embedded_code(w.as_str()) {
                    codes.push((c.to_owned(), "assignment value"));
                }
            }
            at += 1;
        }
        let mut rest = words.get(at..).unwrap_or(&[]);
        while rest
            .first()
            .is_some_and(|w| matches!(w.as_str(), "builtin" | "command"))
        {
            rest = rest.get(1..).unwrap_or(&[]);
        }
        let name = rest.first().map_or("", |w| w.as_str());
        let args = rest.get(1..).unwrap_or(&[]);
        let mut reasons: Vec<Reason> = Vec::new();
        if seg.kind != SegmentKind::Arith
            && (EVALUATING.contains(&name) || seg.kind == SegmentKind::Cond)
        {
            for w in args {
                if w.flags.contains(WordFlags::QUOTED) || seg.kind == SegmentKind::Cond {
                    for c in embedded_code(w.as_str()) {
                        codes.push((c.to_owned(), "arithmetic"));
                    }
                }
            }
        }
        match name {
            "trap" => {
                let mut ops = args
                    .iter()
                    .map(Word::as_str)
                    .filter(|a| !a.starts_with('-'));
                if let Some(code) = ops.next() {
                    if args.iter().any(|w| w.flags.is_dynamic()) {
                        reasons.push(fail(
                            "a trap handler known only at run time",
                            Decision::RequireApproval,
                        ));
                    } else if ops.next().is_some() {
                        codes.push((code.to_owned(), "trap"));
                    }
                }
            }
            "alias" => {
                for a in args {
                    if let Some((_, value)) = a.as_str().split_once('=') {
                        codes.push((value.to_owned(), "alias"));
                        reasons.push(fail(
                            "an alias, which changes what a command name runs",
                            Decision::RequireApproval,
                        ));
                    }
                }
            }
            "hash"
                if args
                    .iter()
                    .any(|a| a.as_str().starts_with('-') && a.as_str().contains('p')) =>
            {
                reasons.push(fail(
                    "hash -p, which makes a command name run another program",
                    Decision::RequireApproval,
                ));
            }
            "enable"
                if args.iter().any(|a| {
                    a.as_str().starts_with('-')
                        && (a.as_str().contains('f') || a.as_str().contains('n'))
                }) =>
            {
                reasons.push(fail(
                    "enable -f/-n, which loads or hides shell builtins",
                    Decision::RequireApproval,
                ));
            }
            _ => {}
        }
        if !reasons.is_empty() {
            let mut sv =
                SegmentVerdict::new(if self.describe { seg.text } else { "" }, &inh.wrappers);
            sv.command = if self.describe {
                name.to_owned()
            } else {
                String::new()
            };
            sv.reasons = reasons;
            self.push(sv);
        }
        for (code, label) in codes {
            if !self.nested(&code, label, depth, inh) {
                break;
            }
        }
    }

    fn problems(&mut self, line: &Line<'_>) {
        let p = line.problems;
        let mut push = |flag: Problems, what: &str, d: Decision| {
            if p.contains(flag) {
                self.out.reasons.push(fail(what, d));
            }
        };
        push(
            Problems::RECURSIVE_FUNCTION,
            "a function that calls itself (the fork-bomb shape)",
            Decision::Reject,
        );
        push(
            Problems::FUNCTION,
            "a function definition",
            Decision::RequireApproval,
        );
        push(
            Problems::HEREDOC_SUBSTITUTION,
            "a here-document with command substitutions",
            Decision::RequireApproval,
        );
        push(
            Problems::CASE,
            "a case statement",
            Decision::RequireApproval,
        );
        push(
            Problems::TOO_MANY_SEGMENTS,
            "more commands than the parser reads",
            Decision::RequireApproval,
        );
        if p.contains(Problems::PARSE_ERROR) {
            let what = match line.error {
                Some(e) => format!("a syntax error ({})", e.message()),
                None => "a syntax error".to_owned(),
            };
            self.out.reasons.push(fail(what, Decision::RequireApproval));
        }
    }

    fn segment(&mut self, ctx: &SegCtx<'_, '_>, words: &[Word<'_>], inh: &Inherited) {
        let seg = ctx.seg;
        let mut sv = SegmentVerdict::new(if self.describe { seg.text } else { "" }, &inh.wrappers);
        self.redirects(seg, ctx.cwd, inh, &mut sv);
        let mut inh = inh.clone();
        if seg.piped_in {
            inh.stdin_pipe = Some(ctx.pipe_caps);
        } else if stdin_redirect(seg).is_some() {
            inh.stdin_pipe = None;
        }
        self.words(ctx, words, inh, sv);
    }

    /// Checks a segment's redirections.
    fn redirects(
        &mut self,
        seg: &Segment<'_>,
        cwd: &Cwd,
        inh: &Inherited,
        sv: &mut SegmentVerdict,
    ) {
        if seg.redirects.len() > MAX_REDIRECTS {
            sv.reasons.push(fail(
                format!("more than {MAX_REDIRECTS} redirections in one command"),
                Decision::RequireApproval,
            ));
            return;
        }
        for r in &seg.redirects {
            if r.op == RedirOp::Read || r.op == RedirOp::ReadWrite {
                let source = r.target.as_ref().map(|t| self.home_relative(t.as_str()));
                let secret = source
                    .as_deref()
                    .and_then(|t| cwd.resolve(t))
                    .is_some_and(|t| super::secrets::is_secret_path(&normalize_path(&t)));
                if secret {
                    self.secret_read = true;
                    sv.reasons.push(fail(
                        "a credential file fed to a command",
                        Decision::RequireApproval,
                    ));
                }
            }
            if !r.op.writes() || r.inherited {
                continue;
            }
            let Some(target) = &r.target else { continue };
            sv.capabilities |= Capabilities::FILE_MODIFICATION;
            let scope = StaticScope(&inh.exported);
            let expanded = if target.flags.intersects(
                WordFlags::EXPANSION
                    .union(WordFlags::BRACE)
                    .union(WordFlags::TILDE),
            ) {
                expand(target.raw, &scope).and_then(|v| match v.as_slice() {
                    [one] if !one.glob => Some(one.text.clone()),
                    _ => None,
                })
            } else if is_glob(target) {
                None
            } else {
                Some(target.as_str().to_owned())
            };
            let resolved = expanded.and_then(|t| cwd.resolve(&self.home_relative(&t)));
            let Some(resolved) = resolved else {
                sv.reasons.push(fail(
                    "a redirection whose target is known only at run time",
                    Decision::RequireApproval,
                ));
                continue;
            };
            let t = normalize_path(&resolved);
            let t = t.as_ref();
            match self.places().of(t) {
                Place::Null => {}
                Place::Device => {
                    sv.capabilities |= Capabilities::DESTRUCTIVE;
                    self.structural(
                        sv,
                        "redirect-to-device",
                        "writing into a device overwrites it (a disk: its partition table and file systems)",
                        RiskLevel::Critical,
                    );
                }
                Place::System => {
                    sv.capabilities |= Capabilities::SYSTEM_MODIFICATION;
                    self.structural(
                        sv,
                        "redirect-into-system-directory",
                        "writing into system directories changes the system for every user",
                        RiskLevel::High,
                    );
                }
                Place::HomeDotfile => {
                    sv.capabilities |= Capabilities::SYSTEM_MODIFICATION;
                    self.structural(
                        sv,
                        "redirect-into-dotfile",
                        "writing a login, shell or tool configuration file changes what later shells and tools run",
                        RiskLevel::High,
                    );
                }
                Place::GitInternals => self.structural(
                    sv,
                    "redirect-into-git-directory",
                    "files under .git (hooks, config) make git run code",
                    RiskLevel::High,
                ),
                Place::Tmp => sv.reasons.push(fail(
                    format!("a redirection outside the workspace ({t})"),
                    Decision::CautionMode,
                )),
                Place::Home | Place::Outside | Place::WorkspaceRoot => sv.reasons.push(fail(
                    format!("a redirection outside the workspace ({t})"),
                    Decision::RequireApproval,
                )),
                Place::Workspace if r.op.truncates() => {
                    let exists = match &self.checker.working_dir {
                        Some(dir) => dir.join(t).exists(),
                        None => true,
                    };
                    if exists {
                        sv.reasons.push(fail(
                            format!("`>` truncates a file of the workspace ({t})"),
                            Decision::CautionMode,
                        ));
                    }
                }
                Place::Workspace => {}
            }
        }
    }

    /// The directories this checker knows, for [`Place`]s.
    fn places(&self) -> Places<'_> {
        let c = self.checker;
        Places {
            roots: c
                .workspace_roots()
                .into_iter()
                .filter_map(dir_str)
                .collect(),
            home: c.home_dir.as_deref().and_then(dir_str),
            start: c.working_dir.as_deref().and_then(dir_str),
        }
    }

    /// True if every operand of `kind` lies inside the workspace.
    fn inside_workspace(&self, kind: WorkspaceOperands, args: &[Word<'_>]) -> bool {
        let places = self.places();
        let ok = |w: &Word<'_>| {
            let path = normalize_path(w.as_str());
            // `*` at the top of the workspace is the whole project.
            let whole = matches!(
                path.as_ref(),
                "*" | ".*" | ".[!.]*" | ".??*" | "?*" | "*.*" | "[!.]*" | "**"
            );
            !w.flags.is_dynamic() && !whole && places.of(&path) == Place::Workspace
        };
        let operands: Vec<&Word<'_>> = match kind {
            WorkspaceOperands::Operands | WorkspaceOperands::Last => {
                let mut after = false;
                args.iter()
                    .filter(|w| {
                        let a = w.as_str();
                        if after {
                            return true;
                        }
                        if a == "--" {
                            after = true;
                            return false;
                        }
                        !(a.starts_with('-') && a.len() > 1)
                    })
                    .collect()
            }
            WorkspaceOperands::Roots => args
                .iter()
                .take_while(|w| {
                    let a = w.as_str();
                    !(a.starts_with('-') || a == "(" || a == "!" || a == "\\(")
                })
                .collect(),
        };
        let operands: Vec<&Word<'_>> = match kind {
            WorkspaceOperands::Last => operands.last().copied().into_iter().collect(),
            _ => operands,
        };
        !operands.is_empty() && operands.into_iter().all(ok)
    }

    /// Decides the command in `words`, unwrapping launchers, and appends its verdict.
    fn words(
        &mut self,
        ctx: &SegCtx<'_, '_>,
        words: &[Word<'_>],
        mut inh: Inherited,
        mut sv: SegmentVerdict,
    ) {
        let mut cur = words;
        // Leading NAME=VALUE words.
        while let Some(w) = cur.first() {
            // `"A=1" cmd` runs the command `A=1`: the name must be written plainly.
            if !is_assignment(w.raw) {
                break;
            }
            self.assignment(w.as_str(), &mut sv);
            cur = cur.get(1..).unwrap_or(&[]);
        }
        for _ in 0..MAX_UNWRAP {
            let Some(first) = cur.first() else {
                return self.finish(ctx, None, &[], inh, sv);
            };
            if first.flags.is_dynamic() {
                sv.reasons.push(fail(
                    "a command name known only at run time",
                    Decision::RequireApproval,
                ));
                self.describe(&mut sv, first.raw, cur);
                return self.push(sv);
            }
            let Some(name) = self.command_name(first.as_str(), ctx.cwd, &mut sv) else {
                self.describe(&mut sv, first.as_str(), cur);
                return self.push(sv);
            };
            let (canon, implied) = canonical_name(name);
            let launcher = if implied.is_none() {
                language().launchers.get(canon)
            } else {
                None
            };
            let Some(launcher) = launcher else {
                return self.finish(ctx, Some((canon, implied)), cur, inh, sv);
            };
            let args = cur.get(1..).unwrap_or(&[]);
            let label = canon.to_owned();
            inh.unwrapped += 1;
            if inh.unwrapped > MAX_UNWRAP {
                break;
            }
            let adopt = |inh: &mut Inherited, sv: &mut SegmentVerdict, label: String| {
                inh.floor = Some(inh.floor.map_or(launcher.floor, |f| f.max(launcher.floor)));
                inh.caps |= launcher.adds;
                inh.stdin_args |= launcher.stdin_args();
                inh.wrappers.push(label.clone());
                sv.wrappers.push(label);
            };
            match launcher.unwrap(args) {
                Unwrapped::Command(i) => {
                    if launcher.takes_assignments() {
                        for w in args.get(..i).unwrap_or(&[]) {
                            if is_assignment(w.as_str()) {
                                self.assignment(w.as_str(), &mut sv);
                            }
                        }
                    }
                    adopt(&mut inh, &mut sv, label);
                    cur = args.get(i..).unwrap_or(&[]);
                }
                Unwrapped::Default(cmd) => {
                    adopt(&mut inh, &mut sv, label);
                    let synthetic = [Word {
                        raw: cmd,
                        text: Cow::Borrowed(cmd),
                        flags: WordFlags::EMPTY,
                    }];
                    return self.words(ctx, &synthetic, inh, sv);
                }
                Unwrapped::Split(at, rest) => {
                    adopt(&mut inh, &mut sv, format!("{label} -S"));
                    let Some(code) = code_text(args, at) else {
                        sv.reasons.push(fail(
                            "a command line known only at run time",
                            Decision::RequireApproval,
                        ));
                        return self.finish(ctx, Some((canon, None)), cur, inh, sv);
                    };
                    let parsed = parse(code);
                    let mut joined: Vec<Word<'_>> = parsed
                        .segments
                        .first()
                        .map(|s| s.words.clone())
                        .unwrap_or_default();
                    if parsed.segments.len() > 1 || !parsed.problems.is_empty() {
                        sv.reasons.push(fail(
                            "a split string that is more than one command",
                            Decision::RequireApproval,
                        ));
                    }
                    joined.extend(args.get(rest..).unwrap_or(&[]).iter().cloned());
                    return self.words(ctx, &joined, inh, sv);
                }
                Unwrapped::NoCommand => {
                    return self.finish(ctx, Some((canon, None)), cur, inh, sv);
                }
                Unwrapped::Code(at) => {
                    let kind = launcher.kind;
                    let flag = args
                        .get(at.index.saturating_sub(usize::from(at.skip == 0)))
                        .map_or("-c", |w| w.as_str());
                    let flag = if at.skip == 0 {
                        flag.to_owned()
                    } else {
                        "-c".to_owned()
                    };
                    let code = code_text(args, at);
                    if kind == Kind::Shell {
                        if let Some(code) = code {
                            if ctx.depth < MAX_DEPTH || code.is_empty() {
                                adopt(&mut inh, &mut sv, format!("{label} {flag}"));
                                if launcher.floor > RiskLevel::Safe || !sv.reasons.is_empty() {
                                    // The launcher's own verdict (sudo su -c ..., its
                                    // redirections) still counts.
                                    self.finish_launcher(canon, &sv, &inh);
                                }
                                return self.line(code, ctx.depth + 1, &inh);
                            }
                        }
                        sv.reasons.push(fail(
                            format!("{canon} code known only at run time"),
                            Decision::RequireApproval,
                        ));
                    } else {
                        sv.reasons.push(fail(
                            format!("inline {canon} code, which is not analysed"),
                            Decision::RequireApproval,
                        ));
                    }
                    return self.finish(ctx, Some((canon, None)), cur, inh, sv);
                }
                Unwrapped::Joined(i) => {
                    let rest = args.get(i..).unwrap_or(&[]);
                    if rest.iter().any(|w| w.flags.is_dynamic()) {
                        sv.reasons.push(fail(
                            format!("{canon} code known only at run time"),
                            Decision::RequireApproval,
                        ));
                        return self.finish(ctx, Some((canon, None)), cur, inh, sv);
                    }
                    let code = rest
                        .iter()
                        .map(|w| w.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    adopt(&mut inh, &mut sv, label);
                    if launcher.floor > RiskLevel::Safe
                        || !launcher.adds.is_empty()
                        || !sv.reasons.is_empty()
                    {
                        self.finish_launcher(canon, &sv, &inh);
                    }
                    return self.line(&code, ctx.depth + 1, &inh);
                }
                Unwrapped::Script(i) => {
                    let script = args.get(i);
                    if let Some(w) = script.filter(|w| w.flags.is_dynamic()) {
                        // `python3 <(curl ...)`: the program is another command's output.
                        let downloaded = w.flags.contains(WordFlags::SUBSTITUTION)
                            && embedded_code(w.raw)
                                .iter()
                                .chain(process_code(w.raw).iter())
                                .any(|c| {
                                    check(self.checker, c, false).segments.iter().any(|s| {
                                        s.capabilities.contains(Capabilities::NETWORK_ACCESS)
                                    })
                                });
                        if downloaded {
                            sv.capabilities |=
                                Capabilities::CODE_EXECUTION | Capabilities::NETWORK_ACCESS;
                            self.structural(
                                &mut sv,
                                "remote-code-to-interpreter",
                                "running a program downloaded in the same line runs code nobody reviewed",
                                RiskLevel::Critical,
                            );
                        } else {
                            sv.reasons.push(fail(
                                format!("{canon} runs a program known only at run time"),
                                Decision::RequireApproval,
                            ));
                        }
                    } else if launcher.kind == Kind::Shell {
                        let in_workspace = script.is_some_and(|w| {
                            ctx.cwd
                                .resolve(&self.home_relative(w.as_str()))
                                .is_some_and(|p| {
                                    self.places().of(&normalize_path(&p)) == Place::Workspace
                                })
                        });
                        let written = script.is_some_and(|w| {
                            w.as_str().contains("{}") || self.writes_file(ctx.cwd, w.as_str())
                        });
                        if in_workspace
                            && !written
                            && self.checker.policy.unknown_command() != Decision::Reject
                        {
                            // A script of the workspace, like `./scripts/test.sh`:
                            // decided as the project's program, not as the shell.
                            let level = inh.floor.map_or(RiskLevel::Low, |f| f.max(RiskLevel::Low));
                            sv.reasons.push(Reason::Risk {
                                level,
                                decision: self.risk_decision(level),
                            });
                            sv.risk = Some(level);
                            sv.capabilities |= inh.caps;
                            self.capability_reasons(sv.capabilities, &mut sv);
                            self.describe(&mut sv, canon, cur);
                            return self.push(sv);
                        } else {
                            sv.reasons.push(fail(
                                format!("{canon} runs a script file, which is not analysed"),
                                Decision::RequireApproval,
                            ));
                        }
                    }
                    return self.finish(ctx, Some((canon, None)), cur, inh, sv);
                }
                Unwrapped::Stdin => {
                    if launcher.kind == Kind::Shell {
                        if let Some(code) = literal_stdin(ctx) {
                            adopt(&mut inh, &mut sv, format!("{label} <<"));
                            if launcher.floor > RiskLevel::Safe || !sv.reasons.is_empty() {
                                self.finish_launcher(canon, &sv, &inh);
                            }
                            return self.line(code, ctx.depth + 1, &inh);
                        }
                    }
                    self.stdin_code(ctx, &inh, canon, launcher.kind, &mut sv);
                    return self.finish(ctx, Some((canon, None)), cur, inh, sv);
                }
            }
        }
        sv.reasons.push(fail(
            "more launchers than are unwrapped",
            Decision::RequireApproval,
        ));
        self.push(sv);
    }

    /// A launcher that adds risk of its own (sudo, su, ssh) around nested code:
    /// record it as a segment so its floor shows even if the code is empty.
    fn finish_launcher(&mut self, canon: &str, sv: &SegmentVerdict, inh: &Inherited) {
        let mut own = SegmentVerdict::new(&sv.text, &sv.wrappers);
        own.reasons.extend(sv.reasons.iter().cloned());
        own.rules.extend(sv.rules.iter().cloned());
        own.command = canon.to_owned();
        own.argv = vec![canon.to_owned()];
        let level = inh.floor.unwrap_or(RiskLevel::Safe);
        own.risk = Some(level);
        own.capabilities = sv.capabilities | inh.caps;
        own.reasons.push(Reason::Risk {
            level,
            decision: self.risk_decision(level),
        });
        self.capability_reasons(own.capabilities, &mut own);
        own.decision = own
            .reasons
            .iter()
            .map(Reason::decision)
            .max()
            .unwrap_or(Decision::Approved);
        self.out.segments.push(own);
    }

    /// The words with file operands seen from the tracked directory and the
    /// home directory written as `~`; `None` if nothing changes. A relative
    /// operand from an unknown directory becomes dynamic.
    fn resolve_paths<'w>(
        &self,
        cwd: &Cwd,
        canon: &str,
        words: &[Word<'w>],
    ) -> Option<Vec<Word<'w>>> {
        let paths = PATH_COMMANDS.contains(&canon);
        let home = self.checker.home_dir.is_some();
        if !paths && !home {
            return None;
        }
        if !paths && !words.iter().any(|w| w.as_str().starts_with('/')) {
            return None;
        }
        let mut out: Vec<Word<'w>> = words.to_vec();
        let mut after_dashes = false;
        for w in out.iter_mut().skip(1) {
            let a = w.as_str();
            if a == "--" {
                after_dashes = true;
                continue;
            }
            if w.flags.is_dynamic() || (!after_dashes && a.starts_with('-') && a.len() > 1) {
                continue;
            }
            let (prefix, path) = match a.split_once('=') {
                Some((k, v)) if canon == "dd" => (format!("{k}="), v),
                _ => (String::new(), a),
            };
            let mapped = self.home_relative(path);
            let value = if paths && !(canon == "dd" && prefix.is_empty()) {
                match cwd.resolve(&mapped) {
                    Some(p) => p,
                    None => {
                        w.flags |= WordFlags::EXPANSION;
                        continue;
                    }
                }
            } else {
                mapped
            };
            let value = format!("{prefix}{value}");
            if value != w.as_str() {
                w.text = Cow::Owned(value);
            }
        }
        Some(out)
    }

    /// Reading credential files asks; printing the environment is noted (with
    /// the network anywhere in the line, both are exfiltration).
    fn secret_reads(&mut self, key: &str, args: &[Word<'_>], sv: &mut SegmentVerdict) {
        let base = key.split(' ').next().unwrap_or(key);
        let dumps = match base {
            "env" | "printenv" => args.iter().all(|w| w.as_str().starts_with('-')),
            "set" | "export" | "declare" | "typeset" => args.iter().all(|w| w.as_str() == "-p"),
            _ => false,
        };
        if dumps {
            self.env_dumped = true;
        }
        if sv.capabilities.contains(Capabilities::NETWORK_ACCESS)
            || super::operations::classify(key, &[]).is_some()
            || matches!(base, "echo" | "printf" | "print")
        {
            let leaks = args.iter().any(|w| {
                w.flags.contains(WordFlags::EXPANSION)
                    && w.raw.split('$').skip(1).any(|v| {
                        let name: String = v
                            .trim_start_matches('{')
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                            .collect();
                        super::secrets::is_secret_variable(&name)
                    })
            });
            if leaks {
                self.secret_read = true;
                sv.reasons.push(fail(
                    format!("{key} sends a credential from the environment"),
                    Decision::RequireApproval,
                ));
            }
        }
        if super::secrets::NOT_READING.contains(&base) {
            return;
        }
        let identity_option = |prev: Option<&Word<'_>>| {
            matches!(base, "ssh" | "scp" | "sftp" | "rsync" | "git")
                && prev.is_some_and(|p| matches!(p.as_str(), "-i" | "-F" | "-o"))
        };
        let output_option = |prev: Option<&Word<'_>>| {
            prev.is_some_and(|p| {
                matches!(
                    p.as_str(),
                    "-out" | "-keyout" | "-o" | "--output" | "-O" | "--out"
                )
            })
        };
        if matches!(base, "sed" | "perl") && args.iter().any(|w| w.as_str().starts_with("-i")) {
            // Edited in place: nothing is printed.
            return;
        }
        // A copy's destination is written, not read.
        let last = if matches!(base, "cp" | "mv" | "install" | "rsync") {
            args.iter().rposition(|w| !w.as_str().starts_with('-'))
        } else {
            None
        };
        let mut prev: Option<&Word<'_>> = None;
        for (i, w) in args.iter().enumerate() {
            let a = w.as_str();
            let pathlike =
                !a.contains(' ') && (a.contains('/') || a.contains('.') || a.starts_with('~'));
            if pathlike
                && Some(i) != last
                && !w.flags.is_dynamic()
                && !identity_option(prev)
                && !output_option(prev)
            {
                let hit = super::secrets::candidate_paths(a)
                    .map(|p| normalize_path(&self.home_relative(p)).into_owned())
                    .find(|p| super::secrets::is_secret_path(p));
                if let Some(p) = hit {
                    self.secret_read = true;
                    sv.reasons.push(fail(
                        format!("{key} reads a credential file ({p})"),
                        Decision::RequireApproval,
                    ));
                    return;
                }
            }
            prev = Some(w);
        }
    }

    /// Commands that create or change files: a target outside the workspace
    /// (and `/tmp`) asks; a home dotfile, a system path or a device asks too.
    fn writes_outside(&self, targets: &[&str], key: &str, sv: &mut SegmentVerdict) {
        let places = self.places();
        for a in targets {
            let place = places.of(&normalize_path(a));
            if !matches!(place, Place::Workspace | Place::Tmp | Place::Null) {
                sv.reasons.push(fail(
                    format!("{key} writes outside the workspace ({a})"),
                    Decision::RequireApproval,
                ));
                return;
            }
        }
    }

    /// Deleting commands: operands outside the workspace (and `/tmp`) ask.
    fn deletes_outside(&self, args: &[Word<'_>], key: &str, sv: &mut SegmentVerdict) {
        let places = self.places();
        let mut after = false;
        for w in args {
            let a = w.as_str();
            if !after && a == "--" {
                after = true;
                continue;
            }
            if !after && a.starts_with('-') && a.len() > 1 {
                continue;
            }
            let place = places.of(&normalize_path(a));
            if !matches!(place, Place::Workspace | Place::Tmp | Place::Null) {
                sv.reasons.push(fail(
                    format!("{key} deletes outside the workspace ({a})"),
                    Decision::RequireApproval,
                ));
                return;
            }
        }
    }

    /// True if the line writes `path` (a script it may then run).
    fn writes_file(&self, cwd: &Cwd, path: &str) -> bool {
        let Some(p) = cwd.resolve(&self.home_relative(path)) else {
            return true;
        };
        let p = super::state::join("", &normalize_path(&p));
        let base = p.rsplit('/').next().unwrap_or(&p);
        self.written
            .iter()
            .any(|w| *w == p || w.rsplit('/').next() == Some(base))
    }

    /// `path` with the checker's home directory written as `~`.
    fn home_relative(&self, path: &str) -> String {
        if let Some(home) = self.checker.home_dir.as_deref().and_then(|h| h.to_str()) {
            let home = home.trim_end_matches('/');
            if !home.is_empty() {
                if path == home {
                    return "~".to_owned();
                }
                if let Some(rest) = path.strip_prefix(home).filter(|r| r.starts_with('/')) {
                    return format!("~{rest}");
                }
            }
        }
        path.to_owned()
    }

    /// Code a shell or interpreter reads from standard input.
    fn stdin_code(
        &self,
        ctx: &SegCtx<'_, '_>,
        inh: &Inherited,
        canon: &str,
        kind: Kind,
        sv: &mut SegmentVerdict,
    ) {
        let from_heredoc = ctx
            .seg
            .redirects
            .iter()
            .any(|r| matches!(r.op, RedirOp::HereDoc | RedirOp::HereString | RedirOp::Read));
        let piped = if ctx.seg.piped_in {
            Some(ctx.pipe_caps)
        } else if from_heredoc {
            None
        } else {
            inh.stdin_pipe
        };
        if let Some(pipe_caps) = piped {
            if pipe_caps.contains(Capabilities::NETWORK_ACCESS) {
                sv.capabilities |= Capabilities::CODE_EXECUTION | Capabilities::NETWORK_ACCESS;
                self.structural(
                    sv,
                    "remote-code-to-interpreter",
                    "piping downloaded content into a shell or interpreter runs code nobody reviewed",
                    RiskLevel::Critical,
                );
            } else {
                sv.reasons.push(fail(
                    format!("{canon} code read from a pipe"),
                    Decision::RequireApproval,
                ));
            }
        } else if from_heredoc || kind == Kind::Shell {
            sv.reasons.push(fail(
                format!("{canon} code read from standard input"),
                Decision::RequireApproval,
            ));
        }
    }

    fn describe(&self, sv: &mut SegmentVerdict, command: &str, words: &[Word<'_>]) {
        if self.describe {
            sv.command = command.to_owned();
            sv.argv = words.iter().map(|w| w.as_str().to_owned()).collect();
        }
    }

    /// The reasons the policy gives `caps` (capabilities it asks about or denies).
    fn capability_reasons(&self, caps: Capabilities, sv: &mut SegmentVerdict) {
        let mut v = crate::decision::Verdict {
            decision: Decision::Approved,
            reasons: Vec::new(),
        };
        self.checker.policy.push_capability_reasons(caps, &mut v);
        sv.reasons.extend(v.reasons);
    }

    fn assignment(&self, word: &str, sv: &mut SegmentVerdict) {
        let (name, value) = word.split_once('=').unwrap_or((word, ""));
        let name = name.strip_suffix('+').unwrap_or(name);
        if DANGEROUS_VARIABLES.contains(&name) || super::environment::risky(name, value).is_some() {
            let why = super::environment::risky(name, value)
                .unwrap_or("this variable changes which program runs or injects code into it");
            sv.capabilities |= Capabilities::CODE_EXECUTION;
            self.structural(sv, "dangerous-variable", why, RiskLevel::High);
        }
    }

    /// The name a command word stands for: paths are trusted only in trusted directories.
    fn command_name<'w>(
        &self,
        word: &'w str,
        cwd: &Cwd,
        sv: &mut SegmentVerdict,
    ) -> Option<&'w str> {
        if !word.contains('/') {
            return Some(word);
        }
        let norm = normalize_path(word);
        let (dir, base) = norm.rsplit_once('/').unwrap_or(("", &norm));
        let dir = if dir.is_empty() { "/" } else { dir };
        let trusted = norm.starts_with('/') && self.checker.trusted_dirs.iter().any(|d| d == dir);
        if trusted && !base.is_empty() {
            let start = word.len().saturating_sub(base.len());
            if word.get(start..) == Some(base) {
                return word.get(start..);
            }
            // The path was normalised (`/usr/bin/../bin/rm`): find the base name in the word.
            return word.rsplit('/').next().filter(|b| *b == base);
        }
        let project = cwd
            .resolve(&self.home_relative(word))
            .is_some_and(|p| self.places().of(&normalize_path(&p)) == Place::Workspace);
        // A workspace program named like a system command (`./ls`, `bin/rm`)
        // or like a release step (`./deploy.sh`) is not routine.
        let stem = base.split('.').next().unwrap_or(base).to_ascii_lowercase();
        // System programs and launchers a project has no reason to ship a copy of.
        let system_name = [
            "ls",
            "rm",
            "cp",
            "mv",
            "cat",
            "chmod",
            "chown",
            "dd",
            "ln",
            "find",
            "grep",
            "sed",
            "awk",
            "tar",
            "curl",
            "wget",
            "ssh",
            "scp",
            "git",
            "kill",
            "ps",
            "mount",
            "sudo",
            "su",
            "env",
            "bash",
            "sh",
            "zsh",
            "python",
            "python3",
            "perl",
            "node",
            "id",
            "whoami",
            "mkfs",
            "shred",
            "crontab",
            "systemctl",
            "docker",
            "kubectl",
            "nc",
            "openssl",
        ]
        .contains(&base);
        let masquerade = system_name
            || language().launchers.contains_key(base)
            || [
                "deploy", "release", "publish", "destroy", "teardown", "nuke", "wipe", "prod",
                "drop", "purge", "migrate",
            ]
            .iter()
            .any(|w| stem.contains(w));
        let tool_dir = [
            "/.venv/bin",
            "/venv/bin",
            "/node_modules/.bin",
            "/vendor/bin",
            "/.tox/bin",
        ]
        .iter()
        .any(|d| format!("/{dir}").ends_with(d));
        if project && tool_dir && !base.is_empty() {
            // A project environment's copy of a tool is that tool.
            let start = word.len().saturating_sub(base.len());
            if let Some(b) = word.get(start..).filter(|b| *b == base) {
                return Some(b);
            }
        }
        if project && !masquerade && !self.writes_file(cwd, word) {
            // The project's own scripts and tools (`./gradlew`, `.venv/bin/pytest`):
            // running them is the agent's work, like `make` or `npm test`.
            let strict = self.checker.policy.unknown_command() == Decision::Reject;
            if strict {
                sv.reasons.push(fail(
                    format!("runs a program of the workspace ({word})"),
                    Decision::Reject,
                ));
            } else {
                sv.reasons.push(Reason::Risk {
                    level: RiskLevel::Low,
                    decision: self.risk_decision(RiskLevel::Low),
                });
            }
            return None;
        }
        sv.reasons.push(fail(
            format!("an executable given by a path outside the trusted directories ({word})"),
            self.checker
                .policy
                .unknown_command()
                .max(Decision::RequireApproval),
        ));
        None
    }

    /// Decides a resolved command and records its verdict.
    fn finish(
        &mut self,
        ctx: &SegCtx<'_, '_>,
        name: Option<(&str, Option<&str>)>,
        words: &[Word<'_>],
        inh: Inherited,
        mut sv: SegmentVerdict,
    ) {
        let Some((canon, implied)) = name else {
            // Assignments or redirections only.
            let level = sv.risk.unwrap_or(RiskLevel::Safe);
            sv.capabilities |= inh.caps;
            sv.reasons.push(Reason::Risk {
                level,
                decision: self.risk_decision(level),
            });
            return self.push(sv);
        };
        if words.len() > MAX_ARGS {
            // Rules and path checks are per argument: past the cap the command asks.
            sv.reasons.push(fail(
                format!("{canon} with more than {MAX_ARGS} arguments"),
                Decision::RequireApproval,
            ));
            self.describe(&mut sv, canon, words.get(..1).unwrap_or(&[]));
            return self.push(sv);
        }
        let resolved = self.resolve_paths(ctx.cwd, canon, words);
        let words = resolved.as_deref().unwrap_or(words);
        let spelled = canonical_options(canon, words);
        let words = spelled.as_deref().unwrap_or(words);
        let args = words.get(1..).unwrap_or(&[]);
        let inv = resolve_with(canon, implied, args);
        let key = inv.key();
        self.describe(&mut sv, key, words);
        if canon == "find" {
            self.find_exec(ctx, args, &inh, &sv);
        }
        let checker = self.checker;
        let mut risk: Option<RiskLevel> = None;
        let mut caps = Capabilities::EMPTY;
        let mut known = false;
        for reg in [Some(&checker.registry), checker.user_registry.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Some(entry) = reg.get(key) {
                known = true;
                let level = entry.risk.unwrap_or(RiskLevel::Critical);
                risk = Some(risk.map_or(level, |r| r.max(level)));
                caps |= entry.capabilities;
            }
        }
        let stdin = match stdin_redirect(ctx.seg) {
            Some(r) if matches!(r.op, RedirOp::HereDoc | RedirOp::HereString) => {
                match literal_stdin(ctx) {
                    Some(text) => super::operations::Stdin::Literal(text),
                    None => super::operations::Stdin::Unknown,
                }
            }
            Some(_) => super::operations::Stdin::Unknown,
            None if ctx.seg.piped_in || inh.stdin_pipe.is_some() => {
                super::operations::Stdin::Unknown
            }
            None => super::operations::Stdin::None,
        };
        if let Some(op) = super::operations::classify_with_input(key, inv.args, stdin) {
            // The operation decides, not the client's name.
            known = true;
            risk = Some(op.level);
            caps |= op.caps;
            sv.rules.push(op.id.to_owned());
            sv.reasons.push(Reason::Rule {
                id: op.id.to_owned(),
                justification: op.why,
                decision: self.risk_decision(op.level),
            });
        }
        // Replacing rules (built-in only) first, then raising ones.
        let mut safer: Option<(&str, &[String])> = None;
        let mut fired: Vec<(&super::rules::Rule, bool)> = Vec::new();
        for rule in checker.rules.matching(key, inv.args) {
            fired.push((rule, false));
        }
        if let Some(user) = &checker.user_rules {
            for rule in user.matching(key, inv.args) {
                fired.push((rule, true));
            }
        }
        if let Some((rule, _)) = fired.iter().find(|(r, user)| r.replace && !user) {
            if known {
                risk = rule.risk.or(risk);
                caps = rule.capabilities;
            }
        }
        let mut allowed = false;
        let mut any_rule = false;
        for (rule, user) in &fired {
            if rule.replace && !user {
                continue;
            }
            // The agent's own files: a rule that allows for it asks no more
            // than CAUTION_MODE when its operands all lie in the workspace.
            let contained = !user
                && rule
                    .inside_workspace
                    .is_some_and(|k| self.inside_workspace(k, inv.args));
            let rule_risk = match rule.risk {
                Some(level) if contained => Some(level.min(RiskLevel::Medium)),
                other => other,
            };
            let decision = match (rule.action, rule_risk) {
                (Some(a), _) => a,
                (None, Some(level)) => self.risk_decision(level),
                (None, None) => Decision::Approved,
            };
            if *user && rule.action == Some(Decision::Approved) {
                allowed = true;
            }
            if let Some(level) = rule_risk {
                risk = Some(risk.map_or(level, |r| r.max(level)));
            }
            caps |= rule.capabilities;
            sv.rules.push(rule.id.clone());
            sv.reasons.push(Reason::Rule {
                id: rule.id.clone(),
                justification: rule.justification.clone(),
                decision,
            });
            // The first rule that fires speaks for the alternative: a rule for
            // `rm -rf /` without one means there is none, not the generic `rm` one.
            if !any_rule {
                any_rule = true;
                safer = rule.safer.as_deref().map(|s| (s, rule.drop.as_slice()));
            }
        }
        if let Some(floor) = inh.floor {
            risk = Some(risk.map_or(floor, |r| r.max(floor)));
        }
        caps |= inh.caps | sv.capabilities;
        if inh.stdin_args
            && caps.intersects(Capabilities::DESTRUCTIVE | Capabilities::PROCESS_CONTROL)
        {
            sv.reasons.push(fail(
                format!("{key} with arguments read from standard input"),
                Decision::RequireApproval,
            ));
        }
        if caps.contains(Capabilities::DESTRUCTIVE) && inv.args.iter().any(|w| w.flags.is_dynamic())
        {
            sv.reasons.push(fail(
                format!("{key} with an argument known only at run time"),
                Decision::RequireApproval,
            ));
        } else if caps.contains(Capabilities::NETWORK_ACCESS)
            && inv
                .args
                .iter()
                .any(|w| w.flags.contains(WordFlags::SUBSTITUTION))
        {
            sv.reasons.push(fail(
                format!("{key} sends the output of a command over the network"),
                Decision::RequireApproval,
            ));
        } else if inv.args.iter().any(may_be_option)
            && checker.rules.has_option_rules_for(key)
            && dynamic_options(canon, words)
        {
            // `git push origin $(printf -- --force)`: the value could be an
            // option one of the command's rules is about.
            sv.reasons.push(fail(
                format!("{key} with an argument known only at run time, which could be an option"),
                Decision::RequireApproval,
            ));
        }
        if (risk.is_none_or(|r| r >= RiskLevel::Medium) || OVERWRITING.contains(&key))
            && inv.args.iter().any(|w| w.flags.is_dynamic())
            && !sv
                .reasons
                .iter()
                .any(|r| r.decision() >= Decision::RequireApproval)
        {
            // A command that changes things, given a value only the run knows.
            sv.reasons.push(fail(
                format!("{key} with an argument known only at run time"),
                Decision::RequireApproval,
            ));
        }
        self.secret_reads(key, inv.args, &mut sv);
        match key {
            "export" | "declare" | "typeset" | "local" | "readonly" => {
                for a in inv.args.iter().filter(|a| is_assignment(a.as_str())) {
                    self.assignment(a.as_str(), &mut sv);
                }
            }
            "unset" => {
                for a in inv.args.iter().filter(|a| !a.as_str().starts_with('-')) {
                    self.assignment(&format!("{}=", a.as_str()), &mut sv);
                }
            }
            _ => {}
        }
        let globals = words.get(1..).unwrap_or(&[]).iter().map(Word::as_str);
        let global_risk = match canon {
            "git" => super::globals::git_globals(globals),
            "cargo" => super::globals::cargo_globals(globals),
            _ => None,
        };
        let config_key = (key == "git config")
            .then(|| positionals(inv.args).next())
            .flatten()
            .and_then(super::globals::git_key)
            .filter(|_| positionals(inv.args).nth(1).is_some());
        if let Some(why) = global_risk.or(config_key) {
            caps |= Capabilities::CODE_EXECUTION;
            sv.rules.push("settings-run-programs".to_owned());
            sv.reasons.push(Reason::Rule {
                id: "settings-run-programs".to_owned(),
                justification: why.to_owned(),
                decision: self.risk_decision(RiskLevel::High),
            });
            risk = Some(risk.map_or(RiskLevel::High, |r| r.max(RiskLevel::High)));
        }
        if DELETING.contains(&key) {
            self.deletes_outside(inv.args, key, &mut sv);
        } else if let Some(which) = written_operands(key, inv.args) {
            self.writes_outside(&which, key, &mut sv);
        }
        let level = match risk.max(sv.risk) {
            Some(level) => level,
            None => RiskLevel::Safe,
        };
        if known || allowed || sv.risk.is_some() || inh.floor.is_some() {
            sv.risk = Some(level);
        }
        sv.capabilities = caps;
        if known || allowed {
            sv.reasons.push(Reason::Risk {
                level,
                decision: self.risk_decision(level),
            });
        } else {
            if let Some(floor) = inh.floor {
                sv.reasons.push(Reason::Risk {
                    level: floor.max(level),
                    decision: self.risk_decision(floor.max(level)),
                });
            }
            sv.reasons.push(Reason::UnknownCommand {
                command: key.to_owned(),
                decision: checker.policy.unknown_command(),
            });
        }
        self.capability_reasons(caps, &mut sv);
        sv.decision = sv
            .reasons
            .iter()
            .map(Reason::decision)
            .max()
            .unwrap_or(Decision::Approved);
        if sv.decision > Decision::Approved {
            let template = safer.or_else(|| {
                if any_rule {
                    return None;
                }
                knowledge()
                    .safer
                    .get(key)
                    .map(|s| (s.as_str(), &[] as &[String]))
            });
            sv.safer_alternative = template.map(|(t, drop)| render_safer(t, drop, inv.args));
        }
        self.push(sv);
    }

    /// `find ... -exec CMD {} ;`: decides CMD, `{}` standing for the search roots.
    fn find_exec(
        &mut self,
        ctx: &SegCtx<'_, '_>,
        args: &[Word<'_>],
        inh: &Inherited,
        sv: &SegmentVerdict,
    ) {
        let roots: Vec<&Word<'_>> = args
            .iter()
            .take_while(|w| {
                let a = w.as_str();
                !(a.starts_with('-') || a == "(" || a == "!" || a == "\\(")
            })
            .collect();
        let mut i = 0;
        while let Some(w) = args.get(i) {
            let a = w.as_str();
            i += 1;
            if !matches!(a, "-exec" | "-execdir" | "-ok" | "-okdir") {
                continue;
            }
            let start = i;
            while let Some(t) = args.get(i) {
                if matches!(t.as_str(), ";" | "+") {
                    break;
                }
                i += 1;
            }
            let body = args.get(start..i).unwrap_or(&[]);
            let placeholders = body.iter().filter(|t| t.as_str() == "{}").count();
            if placeholders.saturating_mul(roots.len().max(1)) + body.len() > MAX_FIND_WORDS {
                // Roots times placeholders is a product: past the cap the
                // command is not built (bounded work), and the line asks.
                let mut over = SegmentVerdict::new(&sv.text, &inh.wrappers);
                over.reasons.push(fail(
                    "a find -exec command with more operands than are decided",
                    Decision::RequireApproval,
                ));
                self.push(over);
                continue;
            }
            let mut cmd: Vec<Word<'_>> = Vec::new();
            for t in body {
                if t.as_str() == "{}" {
                    // `{}` is a file found under each root: `ROOT/{}`.
                    if roots.is_empty() {
                        cmd.push(literal("./{}"));
                    }
                    // `{}` is a file found under each root; under `.` it is a
                    // file of the workspace, elsewhere the root stands for it.
                    cmd.extend(roots.iter().map(|r| {
                        let mut w = (*r).clone();
                        if matches!(w.as_str(), "." | "./") {
                            w.text = Cow::Borrowed("./{}");
                        }
                        w
                    }));
                } else {
                    cmd.push(t.clone());
                }
            }
            let mut nested = inh.clone();
            nested.unwrapped += 1;
            if nested.unwrapped > MAX_UNWRAP {
                let mut over = SegmentVerdict::new(&sv.text, &nested.wrappers);
                over.reasons.push(fail(
                    "more nested commands than are unwrapped",
                    Decision::RequireApproval,
                ));
                self.push(over);
                return;
            }
            nested.wrappers.push(format!("find {a}"));
            let nested_sv = SegmentVerdict::new(&sv.text, &nested.wrappers);
            self.words(ctx, &cmd, nested, nested_sv);
        }
    }

    fn push(&mut self, mut sv: SegmentVerdict) {
        sv.decision = sv
            .reasons
            .iter()
            .map(Reason::decision)
            .max()
            .unwrap_or(Decision::Approved);
        self.out.segments.push(sv);
    }
}

/// The segment being decided, for checks that look beyond the words.
struct SegCtx<'l, 's> {
    line: &'l Line<'s>,
    seg: &'l Segment<'s>,
    depth: usize,
    pipe_caps: Capabilities,
    cwd: &'l Cwd,
}

/// The words with long options as the program reads them: an abbreviation
/// (`rm --recur`, `git reset --har`) becomes the option's full name, and an
/// ambiguous one every option it could be (the rules then see the worst);
/// `None` if nothing changes. Uses the command's option grammar.
fn canonical_options<'w>(canon: &str, words: &[Word<'w>]) -> Option<Vec<Word<'w>>> {
    let args = words.get(1..)?;
    if !args
        .iter()
        .any(|w| w.as_str().starts_with("--") && w.as_str().len() > 2)
    {
        return None;
    }
    let grammar = super::grammar::Grammar::lookup(canon)?;
    let texts: Vec<&str> = args.iter().map(Word::as_str).collect();
    let parsed = super::grammar::parse(grammar, &texts);
    let mut out: Vec<Word<'w>> = words.to_vec();
    let mut extra: Vec<(usize, Vec<String>)> = Vec::new();
    let mut changed = false;
    for o in &parsed.options {
        let spelled = texts.get(o.position).copied().unwrap_or("");
        if !spelled.starts_with("--") {
            continue;
        }
        let name = spelled.split('=').next().unwrap_or(spelled);
        if name == o.canonical || !o.canonical.starts_with("--") {
            continue;
        }
        let text = match spelled.split_once('=') {
            Some((_, v)) => format!("{}={v}", o.canonical),
            None => o.canonical.to_owned(),
        };
        if let Some(w) = out.get_mut(o.position + 1) {
            w.text = Cow::Owned(text);
            changed = true;
        }
    }
    for a in &parsed.ambiguous {
        extra.push((
            a.position,
            a.candidates.iter().map(|c| (*c).to_owned()).collect(),
        ));
    }
    if !extra.is_empty() {
        // One pass: each ambiguous word becomes its candidates.
        let mut expanded: Vec<Word<'w>> = Vec::with_capacity(out.len() + extra.len() * 2);
        let mut pending = extra.into_iter().peekable();
        for (i, w) in out.into_iter().enumerate() {
            match pending.next_if(|(pos, _)| pos + 1 == i) {
                Some((_, candidates)) => {
                    for c in candidates {
                        let mut n = w.clone();
                        n.text = Cow::Owned(c);
                        expanded.push(n);
                    }
                }
                None => expanded.push(w),
            }
        }
        return Some(expanded);
    }
    changed.then_some(out)
}

/// The operands a file-writing command writes: every operand (`touch`,
/// `mkdir`, `tee`, `mv`), all but the first (`chmod MODE FILE...`), or the
/// destination (`cp`, `ln`, `install`, `-t DIR`); `None` for other commands.
fn written_operands<'a>(key: &str, args: &'a [Word<'_>]) -> Option<Vec<&'a str>> {
    // Output options of commands otherwise read-only (`sort -o`, `curl -o`).
    let output_options: &[&str] = match key {
        "sort" | "iconv" | "tree" | "zstd" | "gpg" | "shuf" | "pandoc" => &["-o", "--output"],
        "openssl" => &["-out", "-keyout"],
        "curl" => &["-o", "--output"],
        "wget" => &["-O", "--output-document"],
        "unzip" => &["-d"],
        "tar" => &["-C", "--directory"],
        _ => &[],
    };
    if !output_options.is_empty() {
        let mut out = Vec::new();
        let mut it = args.iter().map(Word::as_str).peekable();
        while let Some(a) = it.next() {
            if output_options.contains(&a) {
                out.extend(it.next());
            } else if let Some((k, v)) = a.split_once('=') {
                if output_options.contains(&k) {
                    out.push(v);
                }
            } else if let Some(v) = output_options
                .iter()
                .filter(|o| o.len() == 2)
                .find_map(|o| a.strip_prefix(o).filter(|v| !v.is_empty()))
            {
                out.push(v);
            }
        }
        return Some(out);
    }
    if key == "sed"
        && args
            .iter()
            .any(|w| w.as_str().starts_with("-i") || w.as_str().starts_with("--in-place"))
    {
        let mut script_given = false;
        let mut operands: Vec<&str> = Vec::new();
        let mut it = args.iter().map(Word::as_str);
        while let Some(a) = it.next() {
            if matches!(a, "-e" | "-f" | "--expression" | "--file") {
                script_given = true;
                it.next();
            } else if a.starts_with("--expression=") || a.starts_with("--file=") {
                script_given = true;
            } else if !a.starts_with('-') && !a.is_empty() {
                operands.push(a);
            }
        }
        return Some(
            operands
                .into_iter()
                .skip(usize::from(!script_given))
                .collect(),
        );
    }
    let kind = match key {
        "touch" | "mkdir" | "tee" | "mv" | "mkfifo" | "sponge" => 0,
        "chmod" | "chown" | "chgrp" | "chattr" | "setfacl" => 1,
        "cp" | "ln" | "install" | "rsync" => 2,
        "dd" => {
            return Some(
                args.iter()
                    .filter_map(|w| w.as_str().strip_prefix("of="))
                    .collect(),
            );
        }
        _ => return None,
    };
    let mut operands: Vec<&str> = Vec::new();
    let mut target_dir: Option<&str> = None;
    let mut after = false;
    let mut it = args.iter().map(Word::as_str).peekable();
    while let Some(a) = it.next() {
        if !after && a == "--" {
            after = true;
            continue;
        }
        if !after && (a == "-t" || a == "--target-directory") {
            target_dir = it.next();
            continue;
        }
        if !after && a.starts_with("--target-directory=") {
            target_dir = a.split_once('=').map(|(_, v)| v);
            continue;
        }
        if !after && a.starts_with('-') && a.len() > 1 {
            continue;
        }
        operands.push(a);
    }
    Some(match kind {
        0 => operands,
        1 => operands.into_iter().skip(1).collect(),
        _ => match target_dir {
            Some(d) => vec![d],
            None if operands.len() >= 2 => operands.last().copied().into_iter().collect(),
            None => Vec::new(),
        },
    })
}

/// Commands that overwrite their destination.
const OVERWRITING: [&str; 6] = ["mv", "cp", "ln", "install", "rsync", "dd"];

/// Commands that delete their operands.
const DELETING: [&str; 8] = [
    "rm", "rmdir", "unlink", "shred", "truncate", "srm", "wipe", "trash",
];

/// The code of each process substitution (`<(...)`, `>(...)`) in a word.
fn process_code(raw: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = raw;
    while let Some(i) = rest.find(['<', '>']) {
        let after = rest.get(i + 1..).unwrap_or("");
        if after.starts_with('(') {
            let inner = after.get(1..).unwrap_or("");
            let mut depth = 1usize;
            let mut end = inner.len();
            for (j, c) in inner.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            end = j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            out.push(inner.get(..end).unwrap_or(inner));
        }
        rest = after;
    }
    out
}

/// True if some word that may be an option (see [`may_be_option`]) is not the
/// value of an option before it, as the command's grammar reads the argv
/// (`git commit -m "$(cat msg)"`: the message, not an option).
fn dynamic_options(canon: &str, words: &[Word<'_>]) -> bool {
    let args = words.get(1..).unwrap_or(&[]);
    let Some(grammar) = super::grammar::Grammar::lookup(canon) else {
        return true;
    };
    let texts: Vec<&str> = args.iter().map(Word::as_str).collect();
    let parsed = super::grammar::parse(grammar, &texts);
    args.iter().enumerate().any(|(i, w)| {
        may_be_option(w) && !parsed.options.iter().any(|o| o.value_position == Some(i))
    })
}

/// True if a word's value is known only at run time and could begin with `-`.
fn may_be_option(w: &Word<'_>) -> bool {
    w.flags.is_dynamic() && w.raw.trim_start_matches('"').starts_with(['$', '`', '{'])
}

/// A directory as text without a trailing slash (`/` stays).
fn dir_str(p: &std::path::Path) -> Option<&str> {
    let s = p.to_str()?;
    Some(if s.len() > 1 {
        s.trim_end_matches('/')
    } else {
        s
    })
}

/// Variables from the code around a line (for redirection targets).
struct StaticScope<'v>(&'v [(String, String)]);

impl super::expand::Scope for StaticScope<'_> {
    fn var(&self, name: &str) -> Option<&str> {
        if name == "HOME" {
            return Some("~");
        }
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    fn home(&self) -> Option<&str> {
        Some("~")
    }
}

/// The words after static expansion: a word whose value the line fixes is
/// replaced by what bash makes of it (several words for braces and unquoted
/// variables); others stay as written (dynamic).
fn expand_words<'a>(
    words: &[Word<'a>],
    scope: &dyn super::expand::Scope,
    budget: &mut usize,
) -> Vec<Word<'a>> {
    let mut out = Vec::with_capacity(words.len());
    let mut prefix = true;
    for w in words {
        // Leading assignments are expanded by the shell as assignments, not here.
        let assignment = prefix && is_assignment(w.raw);
        prefix = assignment;
        // Past the budget (or for a huge word) the word stays dynamic.
        let expandable = w
            .flags
            .intersects(WordFlags::EXPANSION.union(WordFlags::BRACE))
            && !w
                .flags
                .intersects(WordFlags::SUBSTITUTION.union(WordFlags::UNDECODED))
            && !assignment
            && w.raw.len() <= 4096
            && *budget > 0;
        let expanded = if expandable {
            expand(w.raw, scope)
        } else {
            None
        };
        if let Some(list) = &expanded {
            *budget = budget.saturating_sub(list.len());
        }
        match expanded {
            Some(list) => out.extend(list.into_iter().map(|e| Word {
                raw: w.raw,
                text: Cow::Owned(e.text),
                flags: if e.glob {
                    WordFlags::QUOTED.union(WordFlags::GLOB)
                } else {
                    WordFlags::QUOTED
                },
            })),
            None => out.push(w.clone()),
        }
    }
    out
}

/// If the words run `cd`/`pushd`/`popd`: `Some(Some(dir))`, `Some(None)` for
/// `cd` alone; `None` inside means the target is not known.
fn cd_target<'w>(words: &'w [Word<'_>]) -> Option<Option<Option<&'w str>>> {
    let mut rest = words;
    while rest.first().is_some_and(|w| is_assignment(w.raw)) {
        rest = rest.get(1..).unwrap_or(&[]);
    }
    while rest
        .first()
        .is_some_and(|w| matches!(w.as_str(), "builtin" | "command"))
    {
        rest = rest.get(1..).unwrap_or(&[]);
    }
    let name = rest.first()?.as_str();
    if !matches!(name, "cd" | "pushd" | "popd") {
        return None;
    }
    if name == "popd" {
        return Some(None);
    }
    let mut ops =
        rest.get(1..).unwrap_or(&[]).iter().filter(|w| {
            !(w.as_str().starts_with('-') && w.as_str().len() > 1) || w.as_str() == "--"
        });
    match ops.next() {
        None => Some(Some(None)),
        Some(w) if w.as_str() == "--" => match ops.next() {
            None => Some(Some(None)),
            Some(w) if w.flags.is_dynamic() || is_glob(w) => Some(None),
            Some(w) => Some(Some(Some(w.as_str()))),
        },
        Some(w) if w.flags.is_dynamic() || is_glob(w) => Some(None),
        Some(w) => Some(Some(Some(w.as_str()))),
    }
}

fn literal(s: &'static str) -> Word<'static> {
    Word {
        raw: s,
        text: Cow::Borrowed(s),
        flags: WordFlags::EMPTY,
    }
}

/// The code a launcher was given, if it is literal.
fn code_text<'a>(args: &'a [Word<'a>], at: super::wrappers::CodeAt) -> Option<&'a str> {
    let w = args.get(at.index)?;
    if w.flags.is_dynamic() {
        return None;
    }
    w.as_str().get(at.skip..)
}

/// The redirection that is a segment's standard input: the last of its own
/// (bash applies them in order, so the last wins), else the last inherited
/// from a compound command around it.
fn stdin_redirect<'r, 's>(seg: &'r Segment<'s>) -> Option<&'r super::parser::Redirect<'s>> {
    let own = seg
        .redirects
        .iter()
        .rev()
        .find(|r| r.is_stdin() && !r.inherited);
    own.or_else(|| seg.redirects.iter().rev().find(|r| r.is_stdin()))
}

/// Literal shell code on standard input: a quoted here-document or a here-string.
fn literal_stdin<'a>(ctx: &'a SegCtx<'a, '_>) -> Option<&'a str> {
    let r = stdin_redirect(ctx.seg)?;
    match r.op {
        RedirOp::HereDoc => {
            let doc = ctx.line.heredocs.get(r.heredoc?)?;
            (doc.literal || !(doc.body.contains('$') || doc.body.contains('`'))).then_some(doc.body)
        }
        RedirOp::HereString => {
            let w = r.target.as_ref()?;
            (!w.flags.is_dynamic()).then(|| w.as_str())
        }
        _ => None,
    }
}

/// Renders a safer-alternative template: `{targets}` are the non-option
/// arguments, `{args}` every argument but those in `drop`, each shell-quoted.
fn render_safer(template: &str, drop: &[String], args: &[Word<'_>]) -> String {
    let targets = positionals(args).map(quote).collect::<Vec<_>>().join(" ");
    let all = args
        .iter()
        .map(Word::as_str)
        .filter(|a| !drop.iter().any(|d| d == a))
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ");
    template
        .replace("{targets}", &targets)
        .replace("{args}", &all)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Quotes a word for a POSIX shell when needed.
fn quote(word: &str) -> Cow<'_, str> {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:=@%+,-~".contains(&b));
    if plain {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}
