//! From tokens to segments: the simple commands a line runs, with how they connect.
//!
//! The grammar (a subset of POSIX `sh` plus the bash forms agents write):
//!
//! ```text
//! line      = list
//! list      = pipeline { ( "&&" | "||" | ";" | "&" | NEWLINE ) pipeline }
//! pipeline  = command { ( "|" | "|&" ) command }
//! command   = { keyword } ( simple | "(" list ")" | "{" list "}" | NAME "(" ")" command )
//! simple    = { word | redirection }
//! keyword   = if | then | elif | else | fi | while | until | do | done | "!" | "{" | "}"
//! ```
//!
//! Every simple command becomes a [`Segment`]; compound commands are flattened,
//! and what they add (a subshell, a function body) is kept as a flag so the
//! evaluator can fail closed. `for`/`select` headers run no command and are
//! skipped (their words' substitutions are still recorded); `case` is not
//! analysed and is reported as a [`Problems::CASE`]. Parsing stops at the first
//! syntax error, which is reported with the segments read so far.

use super::lexer::{Heredoc, LexError, Lexer, Op, RedirOp, Token, Word, WordFlags};

/// Most segments one line may have; a longer line is cut and reported.
pub const MAX_SEGMENTS: usize = 1024;

/// A redirection of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect<'a> {
    /// The descriptor number written before the operator.
    pub fd: Option<u16>,
    /// The operator.
    pub op: RedirOp,
    /// The target word (none for here-documents).
    pub target: Option<Word<'a>>,
    /// For here-documents, the index into [`Line::heredocs`].
    pub heredoc: Option<usize>,
}

/// A simple command and where it stands in the line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Segment<'a> {
    /// The source text of the segment.
    pub text: &'a str,
    /// The words, keywords removed.
    pub words: Vec<Word<'a>>,
    /// The redirections.
    pub redirects: Vec<Redirect<'a>>,
    /// Which pipeline of the line this segment belongs to (0-based).
    pub pipeline: u32,
    /// Its standard input comes from the previous segment.
    pub piped_in: bool,
    /// Its standard output goes to the next segment.
    pub piped_out: bool,
    /// It runs in the background (`&`).
    pub background: bool,
    /// It runs in a subshell `( ... )`.
    pub subshell: bool,
    /// It is part of a function body.
    pub in_function: bool,
}

/// Structures found in a line that the evaluator does not analyse further.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Problems(u16);

impl Problems {
    /// A syntax error; parsing stopped there.
    pub const PARSE_ERROR: Self = Self(1);
    /// A subshell `( ... )`.
    pub const SUBSHELL: Self = Self(1 << 1);
    /// A function definition.
    pub const FUNCTION: Self = Self(1 << 2);
    /// A function whose body calls itself (the fork-bomb shape).
    pub const RECURSIVE_FUNCTION: Self = Self(1 << 3);
    /// A here-document whose body the shell would run substitutions in.
    pub const HEREDOC_SUBSTITUTION: Self = Self(1 << 4);
    /// A `case` statement.
    pub const CASE: Self = Self(1 << 5);
    /// More than [`MAX_SEGMENTS`] segments; the rest was not read.
    pub const TOO_MANY_SEGMENTS: Self = Self(1 << 6);

    /// No problem.
    pub const EMPTY: Self = Self(0);

    /// True if every flag of `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if no flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }
}

/// A parsed line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Line<'a> {
    /// The simple commands, in order.
    pub segments: Vec<Segment<'a>>,
    /// The code of every command substitution, in order.
    pub substitutions: Vec<&'a str>,
    /// Here-document bodies.
    pub heredocs: Vec<Heredoc<'a>>,
    /// What the evaluator must fail closed on.
    pub problems: Problems,
    /// The syntax error, if parsing stopped at one.
    pub error: Option<LexError>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope<'a> {
    Paren(Option<&'a str>),
    Brace(Option<&'a str>),
}

struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    peeked: Option<(Token<'a>, usize)>,
    line: Line<'a>,
    cur: Segment<'a>,
    start: Option<usize>,
    end: usize,
    scopes: Vec<Scope<'a>>,
    pending_function: Option<&'a str>,
    expect_function_name: bool,
    skip_header: bool,
    case_depth: usize,
    pipeline: u32,
    piped_in: bool,
}

/// Parses a line; never fails: errors are reported in [`Line::error`].
pub fn parse(src: &str) -> Line<'_> {
    let mut p = Parser {
        src,
        lexer: Lexer::new(src),
        peeked: None,
        line: Line::default(),
        cur: Segment::default(),
        start: None,
        end: 0,
        scopes: Vec::new(),
        pending_function: None,
        expect_function_name: false,
        skip_header: false,
        case_depth: 0,
        pipeline: 0,
        piped_in: false,
    };
    if let Err(e) = p.run() {
        p.line.problems.insert(Problems::PARSE_ERROR);
        p.line.error = Some(e);
    }
    p.finish(false);
    if !p.scopes.is_empty() && p.line.error.is_none() {
        p.line.problems.insert(Problems::PARSE_ERROR);
        p.line.error = Some(LexError::Unterminated("group or subshell"));
    }
    let mut line = p.line;
    line.substitutions = p.lexer.substitutions;
    line.heredocs = p.lexer.heredocs;
    if line.heredocs.iter().any(|h| h.substitutes) {
        line.problems.insert(Problems::HEREDOC_SUBSTITUTION);
    }
    if line.heredocs.iter().any(|h| h.unterminated) {
        line.problems.insert(Problems::PARSE_ERROR);
    }
    line
}

impl<'a> Parser<'a> {
    fn next(&mut self) -> Result<Option<(Token<'a>, usize)>, LexError> {
        if let Some(t) = self.peeked.take() {
            return Ok(Some(t));
        }
        let t = self.lexer.next_token()?;
        Ok(t)
    }

    fn peek_is_close(&mut self) -> Result<bool, LexError> {
        if self.peeked.is_none() {
            self.peeked = self.lexer.next_token()?;
        }
        Ok(matches!(self.peeked, Some((Token::Op(Op::Close), _))))
    }

    fn touch(&mut self, at: usize) {
        if self.start.is_none() {
            self.start = Some(at);
        }
        self.end = self.lexer.position();
    }

    fn run(&mut self) -> Result<(), LexError> {
        while let Some((token, at)) = self.next()? {
            if self.line.segments.len() >= MAX_SEGMENTS {
                self.line.problems.insert(Problems::TOO_MANY_SEGMENTS);
                return Ok(());
            }
            match token {
                Token::Word(w) => self.word(w, at),
                Token::Redirect { fd, op, heredoc } => {
                    self.touch(at);
                    let target = if heredoc.is_some() {
                        None
                    } else {
                        match self.next()? {
                            Some((Token::Word(w), _)) => {
                                self.end = self.lexer.position();
                                Some(w)
                            }
                            _ => return Err(LexError::Syntax("redirection without a target")),
                        }
                    };
                    if !self.skip_header {
                        self.cur.redirects.push(Redirect {
                            fd,
                            op,
                            target,
                            heredoc,
                        });
                    }
                }
                Token::Op(op) => self.op(op)?,
            }
        }
        Ok(())
    }

    fn word(&mut self, w: Word<'a>, at: usize) {
        self.touch(at);
        if self.skip_header {
            return;
        }
        if self.expect_function_name {
            self.expect_function_name = false;
            self.pending_function = Some(w.raw);
            self.line.problems.insert(Problems::FUNCTION);
            return;
        }
        let command_position = self.cur.words.is_empty() && !w.flags.contains(WordFlags::QUOTED);
        if command_position {
            match w.raw {
                "if" | "then" | "elif" | "else" | "fi" | "while" | "until" | "do" | "done"
                | "!" => return,
                "esac" => {
                    self.case_depth = self.case_depth.saturating_sub(1);
                    return;
                }
                "{" => {
                    let f = self.pending_function.take();
                    self.scopes.push(Scope::Brace(f));
                    return;
                }
                "}" => {
                    if matches!(self.scopes.last(), Some(Scope::Brace(_))) {
                        self.scopes.pop();
                    } else {
                        self.line.problems.insert(Problems::PARSE_ERROR);
                    }
                    return;
                }
                "for" | "select" => {
                    self.skip_header = true;
                    return;
                }
                "case" => {
                    self.line.problems.insert(Problems::CASE);
                    self.skip_header = true;
                    self.case_depth += 1;
                    return;
                }
                "function" => {
                    self.expect_function_name = true;
                    return;
                }
                _ => {}
            }
        }
        self.cur.words.push(w);
    }

    fn op(&mut self, op: Op) -> Result<(), LexError> {
        match op {
            Op::Pipe | Op::PipeAll => {
                if self.cur.words.is_empty() && self.cur.redirects.is_empty() {
                    return Err(LexError::Syntax("pipe without a command"));
                }
                self.cur.piped_out = true;
                self.finish(true);
            }
            Op::And | Op::Or | Op::Semi | Op::Newline | Op::CaseEnd => {
                self.finish(false);
            }
            Op::Background => {
                self.cur.background = true;
                self.finish(false);
            }
            Op::Open => {
                if self.cur.words.len() == 1 && self.peek_is_close()? {
                    // `name ( )`: a function definition; the body follows.
                    self.peeked = None;
                    let name = self.cur.words.first().map(|w| w.raw);
                    self.cur.words.clear();
                    self.start = None;
                    self.pending_function = name;
                    self.line.problems.insert(Problems::FUNCTION);
                } else if self.cur.words.is_empty() && !self.skip_header {
                    let f = self.pending_function.take();
                    self.scopes.push(Scope::Paren(f));
                    self.line.problems.insert(Problems::SUBSHELL);
                    self.start = None;
                } else {
                    return Err(LexError::Syntax("unexpected '('"));
                }
            }
            Op::Close
                if self.case_depth > 0 && !matches!(self.scopes.last(), Some(Scope::Paren(_))) =>
            {
                // The end of a case pattern: what came before was the pattern.
                self.cur = Segment::default();
                self.start = None;
                self.skip_header = false;
            }
            Op::Close => {
                self.finish(false);
                if matches!(self.scopes.last(), Some(Scope::Paren(_))) {
                    self.scopes.pop();
                } else {
                    return Err(LexError::Syntax("unexpected ')'"));
                }
            }
        }
        Ok(())
    }

    /// Ends the current segment; `piped` says whether the next one reads its output.
    fn finish(&mut self, piped: bool) {
        self.skip_header = false;
        let mut seg = core::mem::take(&mut self.cur);
        let start = self.start.take();
        if seg.words.is_empty() && seg.redirects.is_empty() {
            if !piped {
                self.pipeline += u32::from(self.piped_in);
                self.piped_in = false;
            }
            return;
        }
        let start = start.unwrap_or(self.end);
        seg.text = self.src.get(start..self.end).unwrap_or("").trim();
        seg.pipeline = self.pipeline;
        seg.piped_in = self.piped_in;
        seg.subshell = self.scopes.iter().any(|s| matches!(s, Scope::Paren(_)));
        let functions = self.scopes.iter().filter_map(|s| match s {
            Scope::Paren(f) | Scope::Brace(f) => *f,
        });
        let mut in_function = false;
        for name in functions {
            in_function = true;
            if seg.words.first().is_some_and(|w| w.raw == name) {
                self.line.problems.insert(Problems::RECURSIVE_FUNCTION);
            }
        }
        seg.in_function = in_function;
        self.line.segments.push(seg);
        if piped {
            self.piped_in = true;
        } else {
            self.piped_in = false;
            self.pipeline += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(src: &str) -> Vec<Vec<String>> {
        parse(src)
            .segments
            .iter()
            .map(|s| s.words.iter().map(|w| w.text.to_string()).collect())
            .collect()
    }

    #[test]
    fn splits_on_every_operator() {
        assert_eq!(
            commands("sudo rm -rf / && ls | grep x; a || b & c\nd"),
            vec![
                vec!["sudo", "rm", "-rf", "/"],
                vec!["ls"],
                vec!["grep", "x"],
                vec!["a"],
                vec!["b"],
                vec!["c"],
                vec!["d"]
            ]
        );
        let line = parse("ls | grep x && echo");
        let pipes: Vec<_> = line
            .segments
            .iter()
            .map(|s| (s.pipeline, s.piped_in, s.piped_out))
            .collect();
        assert_eq!(
            pipes,
            [(0, false, true), (0, true, false), (1, false, false)]
        );
    }

    #[test]
    fn operators_in_quotes_are_words() {
        assert_eq!(
            commands("echo 'a && b' \"c; d\""),
            vec![vec!["echo", "a && b", "c; d"]]
        );
    }

    #[test]
    fn keywords_are_stripped() {
        assert_eq!(
            commands("if test -f x; then rm x; else echo no; fi"),
            vec![vec!["test", "-f", "x"], vec!["rm", "x"], vec!["echo", "no"]]
        );
        assert_eq!(
            commands("for f in a b; do rm $f; done"),
            vec![vec!["rm", "$f"]]
        );
    }

    #[test]
    fn fork_bomb_is_recursive() {
        let line = parse(":(){ :|:& };:");
        assert!(line.problems.contains(Problems::FUNCTION));
        assert!(line.problems.contains(Problems::RECURSIVE_FUNCTION));
        assert!(line.error.is_none(), "{:?}", line.error);
    }

    #[test]
    fn subshells_and_errors() {
        let line = parse("(cd /tmp && rm -rf x)");
        assert!(line.problems.contains(Problems::SUBSHELL));
        assert!(line.segments.iter().all(|s| s.subshell));
        assert!(parse("ls )").problems.contains(Problems::PARSE_ERROR));
        assert!(parse("(ls").problems.contains(Problems::PARSE_ERROR));
        assert!(parse("| ls").problems.contains(Problems::PARSE_ERROR));
        assert!(parse("echo 'x").problems.contains(Problems::PARSE_ERROR));
    }

    #[test]
    fn redirects_are_attached() {
        let line = parse("echo hi > /dev/sda 2>&1");
        let seg = &line.segments[0];
        assert_eq!(seg.words.len(), 2);
        assert_eq!(seg.redirects.len(), 2);
        assert_eq!(
            seg.redirects[0].target.as_ref().unwrap().as_str(),
            "/dev/sda"
        );
        assert_eq!(seg.text, "echo hi > /dev/sda 2>&1");
    }
}
