//! From tokens to segments: the simple commands a line runs, with how they connect.
//!
//! A recursive-descent reading of bash's grammar (`parse.y`), reserved words
//! recognised only where bash recognises them (unquoted, in command position):
//!
//! ```text
//! list      = { NEWLINE } and_or { ( ";" | "&" | NEWLINE ) { NEWLINE } and_or } [ ";" | "&" ]
//! and_or    = pipeline { ( "&&" | "||" ) { NEWLINE } pipeline }
//! pipeline  = [ "!" ] [ "time" [ "-p" ] ] command { ( "|" | "|&" ) { NEWLINE } command }
//! command   = simple | compound { redirection } | function
//! compound  = "{" list "}" | "(" list ")" | "((" arith "))" | "[[" cond "]]"
//!           | if | while | until | for | select | case
//! function  = NAME "(" ")" { NEWLINE } compound | "function" NAME [ "(" ")" ] { NEWLINE } compound
//! simple    = { word | assignment | NAME "=(" words ")" | redirection }
//! ```
//!
//! Every simple command becomes a [`Segment`] in execution order; compound
//! commands are flattened, and what they add (a subshell scope, a function
//! body, redirections of the whole compound, the pipeline around it) is kept
//! on the segments. Anything bash would refuse (`ls &&`, `ls ;; pwd`,
//! `for x do` done right, `then` out of place) is a syntax error here too:
//! parsing stops at the first one, which is reported with the segments read so
//! far. The differential oracle (`tcp-oracle`) checks this reading against
//! real bash.

use super::lexer::{Heredoc, LexError, Lexer, Op, RedirOp, Token, Word, WordFlags};

/// Most segments one line may have; a longer line is cut and reported.
pub const MAX_SEGMENTS: usize = 1024;
/// Deepest nesting of compound commands; deeper is reported, never a stack overflow.
pub const MAX_NESTING: usize = 64;

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
    /// It belongs to a compound command around the segment (`{ sh; } <<< x`):
    /// it is the segment's input unless the segment redirects its own.
    pub inherited: bool,
}

impl Redirect<'_> {
    /// True if it sets standard input (descriptor 0).
    pub fn is_stdin(&self) -> bool {
        matches!(
            self.op,
            RedirOp::Read | RedirOp::HereDoc | RedirOp::HereString | RedirOp::ReadWrite
        ) && self.fd.is_none_or(|fd| fd == 0)
    }
}

/// How a segment's running depends on what ran before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Connector {
    /// The first command of its list.
    #[default]
    Start,
    /// After `;`, `&` or a newline: it runs whatever the previous did.
    Seq,
    /// After `&&`: it runs only if the previous succeeded.
    And,
    /// After `||`: it runs only if the previous failed.
    Or,
    /// After `|`: it runs beside the previous, reading its output.
    Pipe,
}

/// What kind of command a segment stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SegmentKind {
    /// A simple command (possibly only assignments and redirections).
    #[default]
    Simple,
    /// `(( expression ))`: the single word is the expression.
    Arith,
    /// `[[ ... ]]`: the words are the conditional's.
    Cond,
    /// The redirections of a compound command (no words).
    CompoundRedirects,
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
    /// What it is.
    pub kind: SegmentKind,
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
    /// It is part of a function body (run only if the function is called).
    pub in_function: bool,
    /// The connector before it.
    pub after: Connector,
    /// The innermost subshell scope around it (0: the line's own shell); see
    /// [`Line::scope_parents`].
    pub scope: u32,
    /// It is in a loop's condition or body (it may run many times).
    pub in_loop: bool,
    /// It is in a branch of `if` or `case` (it may not run).
    pub in_branch: bool,
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
    /// Compound commands nested deeper than [`MAX_NESTING`].
    pub const TOO_DEEP: Self = Self(1 << 7);

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
    /// For each subshell scope id above 0, its parent scope (index `id - 1`).
    pub scope_parents: Vec<u32>,
    /// The variables `for` and `select` loops assign.
    pub loop_vars: Vec<&'a str>,
}

impl Line<'_> {
    /// True if scope `inner` is `outer` or nested in it.
    pub fn scope_within(&self, inner: u32, outer: u32) -> bool {
        let mut s = inner;
        for _ in 0..=self.scope_parents.len() {
            if s == outer {
                return true;
            }
            if s == 0 {
                return false;
            }
            s = self.scope_parents.get(s as usize - 1).copied().unwrap_or(0);
        }
        false
    }
}

type PResult<T> = Result<T, LexError>;

/// The context the segments being read inherit.
#[derive(Clone, Copy, Default)]
struct Ctx {
    scope: u32,
    subshell: bool,
    function: Option<usize>,
    in_loop: bool,
    in_branch: bool,
    /// Inside a compound that is an element of a pipeline: (pipeline, in, out).
    pipe: Option<(u32, bool, bool)>,
}

struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    peeked: Option<(Token<'a>, usize)>,
    line: Line<'a>,
    pipeline: u32,
    ctx: Ctx,
    depth: usize,
    functions: Vec<&'a str>,
    /// The connector for the next segment.
    connector: Connector,
    /// End offset of the last token consumed.
    end: usize,
}

/// Parses a line; never fails: errors are reported in [`Line::error`].
pub fn parse(src: &str) -> Line<'_> {
    let mut p = Parser {
        src,
        lexer: Lexer::new(src),
        peeked: None,
        line: Line::default(),
        pipeline: 0,
        ctx: Ctx::default(),
        depth: 0,
        functions: Vec::new(),
        connector: Connector::Start,
        end: 0,
    };
    if let Err(e) = p.program() {
        if e != LexError::Syntax(TOO_MANY) {
            p.line.problems.insert(Problems::PARSE_ERROR);
            p.line.error = Some(e);
        }
    }
    let mut line = p.line;
    line.substitutions = p.lexer.substitutions;
    line.heredocs = p.lexer.heredocs;
    if line.heredocs.iter().any(|h| h.substitutes) {
        line.problems.insert(Problems::HEREDOC_SUBSTITUTION);
    }
    if line.heredocs.iter().any(|h| h.unterminated) && line.error.is_none() {
        line.problems.insert(Problems::PARSE_ERROR);
        line.error = Some(LexError::Unterminated("here-document"));
    }
    line
}

const TOO_MANY: &str = "too many commands";

/// The reserved word a token is, if it is an unquoted word bash would take as one.
fn reserved<'a>(t: Option<&(Token<'a>, usize)>) -> Option<&'a str> {
    match t {
        Some((Token::Word(w), _)) if !w.flags.contains(WordFlags::QUOTED) => match w.raw {
            "if" | "then" | "elif" | "else" | "fi" | "while" | "until" | "do" | "done" | "for"
            | "select" | "case" | "esac" | "in" | "function" | "{" | "}" | "!" | "[[" | "time"
            | "coproc" => Some(w.raw),
            _ => None,
        },
        _ => None,
    }
}

fn syntax(what: &'static str) -> LexError {
    LexError::Syntax(what)
}

impl<'a> Parser<'a> {
    fn peek(&mut self) -> PResult<Option<&(Token<'a>, usize)>> {
        if self.peeked.is_none() {
            self.peeked = self.lexer.next_token()?;
        }
        Ok(self.peeked.as_ref())
    }

    fn next(&mut self) -> PResult<Option<(Token<'a>, usize)>> {
        let t = match self.peeked.take() {
            Some(t) => Some(t),
            None => self.lexer.next_token()?,
        };
        self.end = self.lexer.position();
        Ok(t)
    }

    fn peek_op(&mut self) -> PResult<Option<Op>> {
        Ok(match self.peek()? {
            Some((Token::Op(op), _)) => Some(*op),
            _ => None,
        })
    }

    fn peek_reserved(&mut self) -> PResult<Option<&'a str>> {
        Ok(reserved(self.peek()?))
    }

    fn skip_newlines(&mut self) -> PResult<()> {
        while self.peek_op()? == Some(Op::Newline) {
            self.next()?;
        }
        Ok(())
    }

    fn expect_reserved(&mut self, word: &'static str) -> PResult<()> {
        if self.peek_reserved()? == Some(word) {
            self.next()?;
            Ok(())
        } else if self.peek()?.is_none() {
            Err(syntax("unexpected end of file"))
        } else {
            Err(syntax(match word {
                "then" => "expected `then'",
                "fi" => "expected `fi'",
                "do" => "expected `do'",
                "done" => "expected `done'",
                "esac" => "expected `esac'",
                "in" => "expected `in'",
                _ => "expected `}'",
            }))
        }
    }

    fn program(&mut self) -> PResult<()> {
        // `bash -c LINE` reads a LINE that starts with `-` as its own option.
        if self.src.trim_start_matches([' ', '\t']).starts_with('-') {
            return Err(syntax("a line starting with `-` is an option to bash -c"));
        }
        self.list(&[])?;
        match self.peek()? {
            None => Ok(()),
            Some((Token::Op(Op::Close), _)) => Err(syntax("unexpected `)'")),
            Some((Token::Op(Op::CaseEnd), _)) => Err(syntax("unexpected `;;'")),
            Some(_) => Err(syntax("unexpected word")),
        }
    }

    /// A compound list, up to (not including) a reserved word of `ends`, `)`,
    /// a case terminator or the end of input.
    fn list(&mut self, ends: &[&str]) -> PResult<()> {
        loop {
            self.skip_newlines()?;
            if let Some(r) = self.peek_reserved()? {
                if ends.contains(&r) {
                    return Ok(());
                }
            }
            match self.peek()? {
                None => return Ok(()),
                Some((Token::Op(Op::Close | Op::CaseEnd), _)) => return Ok(()),
                Some((Token::Op(Op::Semi), _)) => return Err(syntax("unexpected `;'")),
                Some((Token::Op(Op::Background), _)) => return Err(syntax("unexpected `&'")),
                Some((Token::Op(Op::And | Op::Or), _)) => return Err(syntax("unexpected `&&'")),
                Some((Token::Op(Op::Pipe | Op::PipeAll), _)) => {
                    return Err(syntax("unexpected `|'"));
                }
                _ => {}
            }
            let first = self.line.segments.len();
            self.and_or()?;
            match self.peek_op()? {
                Some(Op::Semi | Op::Newline) => {
                    self.next()?;
                    self.connector = Connector::Seq;
                }
                Some(Op::Background) => {
                    self.next()?;
                    for s in self.line.segments.get_mut(first..).unwrap_or(&mut []) {
                        s.background = true;
                    }
                    self.connector = Connector::Seq;
                }
                _ => return Ok(()),
            }
        }
    }

    /// A compound list that must run at least one command (bash refuses `if then`).
    fn body(&mut self, ends: &[&str]) -> PResult<()> {
        let before = self.line.segments.len();
        self.list(ends)?;
        if self.line.segments.len() == before && self.peek()?.is_some() {
            return Err(syntax("an empty command list"));
        }
        Ok(())
    }

    fn and_or(&mut self) -> PResult<()> {
        self.pipeline()?;
        while let Some(op @ (Op::And | Op::Or)) = self.peek_op()? {
            self.next()?;
            self.skip_newlines()?;
            self.connector = if op == Op::And {
                Connector::And
            } else {
                Connector::Or
            };
            if self.peek()?.is_none() {
                return Err(syntax("unexpected end of file"));
            }
            self.pipeline()?;
        }
        Ok(())
    }

    fn pipeline(&mut self) -> PResult<()> {
        let mut prefix = true;
        while prefix {
            prefix = false;
            match self.peek_reserved()? {
                Some("!") => {
                    self.next()?;
                    prefix = true;
                }
                Some("time") => {
                    self.next()?;
                    let posix = matches!(self.peek()?, Some((Token::Word(w), _)) if w.raw == "-p");
                    if posix {
                        self.next()?;
                    }
                    prefix = true;
                }
                _ => {}
            }
        }
        let id = self.pipeline;
        self.pipeline += 1;
        let mut index = 0usize;
        loop {
            let first = self.line.segments.len();
            let piped_in = index > 0;
            self.command(id, piped_in)?;
            if let Some(Op::Pipe | Op::PipeAll) = self.peek_op()? {
                self.next()?;
                for s in self.line.segments.get_mut(first..).unwrap_or(&mut []) {
                    s.piped_out = true;
                    s.pipeline = id;
                }
                self.skip_newlines()?;
                if self.peek()?.is_none() {
                    return Err(syntax("unexpected end of file"));
                }
                if self.peek_reserved()? == Some("!") {
                    return Err(syntax("unexpected `!'"));
                }
                self.connector = Connector::Pipe;
                index += 1;
            } else {
                return Ok(());
            }
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            self.line.problems.insert(Problems::TOO_DEEP);
            return Err(syntax("compound commands nested too deeply"));
        }
        Ok(())
    }

    /// One command, element of pipeline `id`.
    fn command(&mut self, id: u32, piped_in: bool) -> PResult<()> {
        let outer = self.ctx;
        let first = self.line.segments.len();
        let len = self.src.len();
        let start = self.peek()?.map_or(len, |(_, at)| *at);
        let compound = self.compound_start()?;
        if !compound {
            return self.simple(id, piped_in);
        }
        self.enter()?;
        // Segments inside a compound pipeline element share the pipeline.
        if piped_in {
            self.ctx.pipe = Some((id, true, false));
        }
        let result = self.compound(id, piped_in);
        self.depth -= 1;
        self.ctx = outer;
        result?;
        self.compound_redirects(first, start, id, piped_in)
    }

    /// True if the next token starts a compound command (or a function definition with `function`).
    fn compound_start(&mut self) -> PResult<bool> {
        Ok(match self.peek()? {
            Some((Token::Op(Op::Open), _)) => true,
            Some((Token::Op(op), _)) => {
                return Err(syntax(match op {
                    Op::Close => "unexpected `)'",
                    Op::CaseEnd => "unexpected `;;'",
                    _ => "unexpected operator",
                }));
            }
            None => return Err(syntax("unexpected end of file")),
            _ => match self.peek_reserved()? {
                Some(
                    "{" | "if" | "while" | "until" | "for" | "select" | "case" | "function" | "[["
                    | "coproc",
                ) => true,
                Some(
                    r @ ("then" | "elif" | "else" | "fi" | "do" | "done" | "esac" | "in" | "}"),
                ) => {
                    return Err(syntax(match r {
                        "then" => "unexpected `then'",
                        "elif" => "unexpected `elif'",
                        "else" => "unexpected `else'",
                        "fi" => "unexpected `fi'",
                        "do" => "unexpected `do'",
                        "done" => "unexpected `done'",
                        "esac" => "unexpected `esac'",
                        "in" => "unexpected `in'",
                        _ => "unexpected `}'",
                    }));
                }
                _ => false,
            },
        })
    }

    fn compound(&mut self, id: u32, piped_in: bool) -> PResult<()> {
        if self.peek_op()? == Some(Op::Open) {
            let (_, at) = self.next()?.ok_or(syntax("unexpected end of file"))?;
            if let Some(body) = self.lexer.arith_command() {
                self.end = self.lexer.position();
                return self.arith_segment(at, body, id, piped_in);
            }
            self.line.problems.insert(Problems::SUBSHELL);
            self.line.scope_parents.push(self.ctx.scope);
            self.ctx.scope = u32::try_from(self.line.scope_parents.len()).unwrap_or(u32::MAX);
            self.ctx.subshell = true;
            self.body(&[])?;
            return match self.next()? {
                Some((Token::Op(Op::Close), _)) => Ok(()),
                None => Err(syntax("unexpected end of file")),
                _ => Err(syntax("expected `)'")),
            };
        }
        let word = self.peek_reserved()?.unwrap_or("");
        let (_, at) = self.next()?.ok_or(syntax("unexpected end of file"))?;
        match word {
            "{" => {
                self.body(&["}"])?;
                self.expect_reserved("}")
            }
            "if" => {
                self.ctx.in_branch = true;
                self.body(&["then"])?;
                self.expect_reserved("then")?;
                self.body(&["elif", "else", "fi"])?;
                loop {
                    match self.peek_reserved()? {
                        Some("elif") => {
                            self.next()?;
                            self.body(&["then"])?;
                            self.expect_reserved("then")?;
                            self.body(&["elif", "else", "fi"])?;
                        }
                        Some("else") => {
                            self.next()?;
                            self.body(&["fi"])?;
                            return self.expect_reserved("fi");
                        }
                        _ => return self.expect_reserved("fi"),
                    }
                }
            }
            "while" | "until" => {
                self.ctx.in_loop = true;
                self.body(&["do"])?;
                self.expect_reserved("do")?;
                self.body(&["done"])?;
                self.expect_reserved("done")
            }
            "for" | "select" => self.for_clause(at, id, piped_in),
            "case" => self.case_clause(),
            "function" => {
                let name = match self.next()? {
                    Some((Token::Word(w), _)) => w.raw,
                    None => return Err(syntax("unexpected end of file")),
                    _ => return Err(syntax("a function name is required")),
                };
                if self.peek_op()? == Some(Op::Open) {
                    self.next()?;
                    if self.peek_op()? != Some(Op::Close) {
                        return Err(syntax("expected `)'"));
                    }
                    self.next()?;
                }
                self.function_body(name, id)
            }
            "[[" => self.cond(at, id, piped_in),
            "coproc" => {
                // `coproc [NAME] command`: the command runs in the background.
                let first = self.line.segments.len();
                self.command(id, piped_in)?;
                for s in self.line.segments.get_mut(first..).unwrap_or(&mut []) {
                    s.background = true;
                }
                Ok(())
            }
            _ => Err(syntax("unexpected word")),
        }
    }

    fn function_body(&mut self, name: &'a str, id: u32) -> PResult<()> {
        self.line.problems.insert(Problems::FUNCTION);
        self.skip_newlines()?;
        if !self.compound_start()? || self.peek_reserved()? == Some("function") {
            return Err(syntax("a function body must be a compound command"));
        }
        self.functions.push(name);
        let outer = self.ctx;
        self.ctx.function = Some(self.functions.len() - 1);
        // The body's own pipeline context is its call site's, unknown here.
        self.ctx.pipe = None;
        let saved = self.connector;
        self.connector = Connector::Start;
        let r = self.command(id, false);
        self.ctx = outer;
        self.connector = saved;
        r
    }

    fn for_clause(&mut self, at: usize, id: u32, piped_in: bool) -> PResult<()> {
        self.ctx.in_loop = true;
        if self.peek_op()? == Some(Op::Open) {
            self.next()?;
            let Some(body) = self.lexer.arith_command() else {
                return Err(syntax("expected `(('"));
            };
            self.end = self.lexer.position();
            self.arith_segment(at, body, id, piped_in)?;
            if self.peek_op()? == Some(Op::Semi) {
                self.next()?;
            }
        } else {
            match self.next()? {
                Some((Token::Word(w), _)) => self.line.loop_vars.push(w.raw),
                None => return Err(syntax("unexpected end of file")),
                _ => return Err(syntax("a loop variable name is required")),
            }
            self.skip_newlines()?;
            if self.peek_reserved()? == Some("in") {
                self.next()?;
                // The words; their substitutions were recorded by the lexer.
                loop {
                    match self.peek()? {
                        Some((Token::Word(_), _)) => {
                            self.next()?;
                        }
                        Some((Token::Op(Op::Semi | Op::Newline), _)) => {
                            self.next()?;
                            break;
                        }
                        None => return Err(syntax("unexpected end of file")),
                        _ => return Err(syntax("unexpected token in a for list")),
                    }
                }
            } else if self.peek_op()? == Some(Op::Semi) {
                self.next()?;
            }
        }
        self.skip_newlines()?;
        if self.peek_reserved()? == Some("{") {
            self.next()?;
            self.body(&["}"])?;
            return self.expect_reserved("}");
        }
        self.expect_reserved("do")?;
        self.body(&["done"])?;
        self.expect_reserved("done")
    }

    fn case_clause(&mut self) -> PResult<()> {
        self.ctx.in_branch = true;
        match self.next()? {
            Some((Token::Word(_), _)) => {}
            None => return Err(syntax("unexpected end of file")),
            _ => return Err(syntax("a case word is required")),
        }
        self.skip_newlines()?;
        self.expect_reserved("in")?;
        loop {
            self.skip_newlines()?;
            if self.peek_reserved()? == Some("esac") {
                self.next()?;
                return Ok(());
            }
            if self.peek_op()? == Some(Op::Open) {
                self.next()?;
            }
            // Patterns: words separated by `|`, closed by `)`.
            loop {
                match self.next()? {
                    Some((Token::Word(_), _)) => {}
                    None => return Err(syntax("unexpected end of file")),
                    _ => return Err(syntax("a case pattern is required")),
                }
                match self.next()? {
                    Some((Token::Op(Op::Pipe), _)) => {}
                    Some((Token::Op(Op::Close), _)) => break,
                    None => return Err(syntax("unexpected end of file")),
                    _ => return Err(syntax("expected `)' after a case pattern")),
                }
            }
            self.list(&["esac"])?;
            match self.peek()? {
                Some((Token::Op(Op::CaseEnd), _)) => {
                    self.next()?;
                }
                _ => {
                    self.skip_newlines()?;
                    return self.expect_reserved("esac");
                }
            }
        }
    }

    fn cond(&mut self, at: usize, id: u32, piped_in: bool) -> PResult<()> {
        if self.peeked.is_some() {
            return Err(syntax("conditional"));
        }
        let mut words = vec![literal_word("[[")];
        loop {
            let regex = words.last().is_some_and(|w| w.raw == "=~");
            match self.lexer.cond_word(regex)? {
                None => return Err(syntax("unexpected end of file in `[['")),
                Some(w) if w.raw == "]]" => break,
                Some(w) => words.push(w),
            }
        }
        self.end = self.lexer.position();
        if words.len() == 1 {
            return Err(syntax("unexpected `]]'"));
        }
        let text = self.src.get(at..self.end).unwrap_or("").trim();
        let base = self.segment_base(id, piped_in);
        self.push(Segment {
            text,
            words,
            kind: SegmentKind::Cond,
            ..base
        })
    }

    fn arith_segment(&mut self, at: usize, body: &'a str, id: u32, piped_in: bool) -> PResult<()> {
        let text = self.src.get(at..self.end).unwrap_or("").trim();
        let words = vec![
            literal_word("(("),
            Word {
                raw: body,
                text: std::borrow::Cow::Borrowed(body),
                flags: WordFlags::QUOTED,
            },
        ];
        let base = self.segment_base(id, piped_in);
        self.push(Segment {
            text,
            words,
            kind: SegmentKind::Arith,
            ..base
        })
    }

    /// Redirections after a compound command: a segment of their own, and
    /// standard input inherited by the segments inside.
    fn compound_redirects(
        &mut self,
        first: usize,
        start: usize,
        id: u32,
        piped_in: bool,
    ) -> PResult<()> {
        let mut redirects = Vec::new();
        while let Some((Token::Redirect { .. }, _)) = self.peek()? {
            let Some((Token::Redirect { fd, op, heredoc }, _)) = self.next()? else {
                break;
            };
            redirects.push(self.redirect_target(fd, op, heredoc)?);
        }
        if let Some((Token::Word(_), _)) = self.peek()? {
            if self.peek_reserved()?.is_none() || self.peek_reserved()? == Some("{") {
                return Err(syntax("unexpected word after a compound command"));
            }
        }
        if self.peek_op()? == Some(Op::Open) {
            return Err(syntax("unexpected `('"));
        }
        if redirects.is_empty() {
            return Ok(());
        }
        for s in self.line.segments.get_mut(first..).unwrap_or(&mut []) {
            for r in redirects.iter().filter(|r| r.is_stdin()) {
                let mut r = r.clone();
                r.inherited = true;
                s.redirects.push(r);
            }
        }
        let text = self.src.get(start..self.end).unwrap_or("").trim();
        let base = self.segment_base(id, piped_in);
        self.push(Segment {
            text,
            redirects,
            kind: SegmentKind::CompoundRedirects,
            ..base
        })
    }

    fn redirect_target(
        &mut self,
        fd: Option<u16>,
        op: RedirOp,
        heredoc: Option<usize>,
    ) -> PResult<Redirect<'a>> {
        let target = if heredoc.is_some() {
            None
        } else {
            match self.next()? {
                Some((Token::Word(w), _)) => Some(w),
                _ => return Err(syntax("redirection without a target")),
            }
        };
        Ok(Redirect {
            fd,
            op,
            target,
            heredoc,
            inherited: false,
        })
    }

    fn segment_base(&mut self, id: u32, piped_in: bool) -> Segment<'a> {
        let (pipeline, pin, pout) = match self.ctx.pipe {
            Some((p, i, o)) => (p, i || piped_in, o),
            None => (id, piped_in, false),
        };
        let connector = self.connector;
        self.connector = Connector::Seq;
        Segment {
            pipeline,
            piped_in: pin,
            piped_out: pout,
            subshell: self.ctx.subshell,
            in_function: self.ctx.function.is_some(),
            in_loop: self.ctx.in_loop,
            in_branch: self.ctx.in_branch,
            after: connector,
            scope: self.ctx.scope,
            ..Segment::default()
        }
    }

    fn push(&mut self, seg: Segment<'a>) -> PResult<()> {
        if self.line.segments.len() >= MAX_SEGMENTS {
            self.line.problems.insert(Problems::TOO_MANY_SEGMENTS);
            return Err(syntax(TOO_MANY));
        }
        if let Some(f) = self.ctx.function {
            // Any enclosing function called from its own body: the fork-bomb shape.
            let name = seg.words.first().map(|w| w.raw);
            if self
                .functions
                .get(..=f)
                .unwrap_or(&[])
                .iter()
                .any(|n| Some(*n) == name)
            {
                self.line.problems.insert(Problems::RECURSIVE_FUNCTION);
            }
        }
        self.line.segments.push(seg);
        Ok(())
    }

    fn simple(&mut self, id: u32, piped_in: bool) -> PResult<()> {
        let mut seg = self.segment_base(id, piped_in);
        let mut start: Option<usize> = None;
        loop {
            match self.peek()? {
                Some((Token::Word(_), _)) => {
                    let Some((Token::Word(w), at)) = self.next()? else {
                        break;
                    };
                    start.get_or_insert(at);
                    if w.raw.ends_with('=')
                        && self.lexer_at_open_paren()
                        && is_array_assignment(w.raw)
                    {
                        let w = self.array_assignment(w, at)?;
                        seg.words.push(w);
                        continue;
                    }
                    seg.words.push(w);
                }
                Some((Token::Redirect { .. }, _)) => {
                    let Some((Token::Redirect { fd, op, heredoc }, at)) = self.next()? else {
                        break;
                    };
                    start.get_or_insert(at);
                    let r = self.redirect_target(fd, op, heredoc)?;
                    seg.redirects.push(r);
                }
                Some((Token::Op(Op::Open), _)) => {
                    if seg.words.len() == 1 && seg.redirects.is_empty() {
                        // `name ( )`: a function definition.
                        self.next()?;
                        if self.peek_op()? != Some(Op::Close) {
                            return Err(syntax("unexpected `('"));
                        }
                        self.next()?;
                        let name = seg.words.first().map_or("", |w| w.raw);
                        let connector = seg.after;
                        self.connector = connector;
                        return self.function_body(name, id);
                    }
                    return Err(syntax("unexpected `('"));
                }
                _ => break,
            }
        }
        if seg.words.is_empty() && seg.redirects.is_empty() {
            return Err(syntax("a command is missing"));
        }
        let start = start.unwrap_or(self.end);
        seg.text = self.src.get(start..self.end).unwrap_or("").trim();
        self.push(seg)
    }

    /// True if the next raw byte is `(` with nothing between (`a=(`).
    fn lexer_at_open_paren(&self) -> bool {
        self.peeked.is_none() && self.src.as_bytes().get(self.lexer.position()) == Some(&b'(')
    }

    /// `name=(elements)`: one assignment word spanning the elements.
    fn array_assignment(&mut self, head: Word<'a>, at: usize) -> PResult<Word<'a>> {
        let mut flags = head.flags;
        match self.next()? {
            Some((Token::Op(Op::Open), _)) => {}
            _ => return Err(syntax("array assignment")),
        }
        loop {
            match self.next()? {
                Some((Token::Word(w), _)) => flags |= w.flags,
                Some((Token::Op(Op::Newline), _)) => {}
                Some((Token::Op(Op::Close), _)) => break,
                None => return Err(syntax("unexpected end of file")),
                _ => return Err(syntax("unexpected token in an array assignment")),
            }
        }
        let raw = self.src.get(at..self.end).unwrap_or(head.raw);
        Ok(Word {
            raw,
            text: std::borrow::Cow::Borrowed(raw),
            flags: flags.union(WordFlags::QUOTED),
        })
    }
}

fn literal_word(s: &'static str) -> Word<'static> {
    Word {
        raw: s,
        text: std::borrow::Cow::Borrowed(s),
        flags: WordFlags::EMPTY,
    }
}

/// `NAME=` or `NAME+=` with a valid shell name.
fn is_array_assignment(raw: &str) -> bool {
    let name = raw
        .strip_suffix("+=")
        .or_else(|| raw.strip_suffix('='))
        .unwrap_or("");
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(src: &str) -> Vec<Vec<String>> {
        let line = parse(src);
        assert!(line.error.is_none(), "{src:?}: {:?}", line.error);
        line.segments
            .iter()
            .map(|s| s.words.iter().map(|w| w.text.to_string()).collect())
            .collect()
    }

    fn error(src: &str) -> bool {
        parse(src).problems.contains(Problems::PARSE_ERROR)
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
        // Without `in`, `do` opens the body at once.
        assert_eq!(
            commands("for x do rm -rf ~; done"),
            vec![vec!["rm", "-rf", "~"]]
        );
        assert_eq!(
            commands("case $x in a|b) rm a;; (c) ls;& *) pwd;;& esac"),
            vec![vec!["rm", "a"], vec!["ls"], vec!["pwd"]]
        );
        assert_eq!(
            commands("echo if then fi"),
            vec![vec!["echo", "if", "then", "fi"]]
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
        for bad in [
            "ls )",
            "(ls",
            "| ls",
            "echo 'x",
            "ls &&",
            "ls ;; pwd",
            ";ls",
            "ls; ;",
            "then",
            "fi",
            "{ ls }",
            "( )",
            "ls | ! cat",
            "if true; then ls",
            "for x in a b; ls; done",
            "echo a (b)",
            "f() ls",
            "case a in a) ls;;",
            "x=1 { ls; }",
            "[[ a",
        ] {
            assert!(error(bad), "{bad}");
        }
        for good in [
            "! ls",
            "time -p ls",
            "a=(1 2); echo ${a[0]}",
            "echo }",
            "f() { ls; } > /tmp/x",
            "if true; then :; fi | cat",
            "[[ a =~ (a|b) ]] && echo y",
            "[[ x == @(a|b) ]]",
            "for ((i=0; i<3; i++)); do echo $i; done",
            "((x = 1 + 2))",
            "coproc ls",
            "for x in a b\ndo echo $x; done",
            "ls &",
            "ls;",
            "while read l; do echo $l; done < f",
        ] {
            assert!(!error(good), "{good}: {:?}", parse(good).error);
        }
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
        let line = parse("{ bash; } <<< 'rm -rf ~'");
        assert_eq!(line.segments.len(), 2);
        assert!(line.segments[0].redirects[0].inherited);
        assert_eq!(line.segments[1].kind, SegmentKind::CompoundRedirects);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "{ ".repeat(100_000);
        assert!(error(&deep));
        let deep = "(".repeat(100_000);
        assert!(error(&deep));
    }
}
