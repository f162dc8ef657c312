//! Words and operators of a POSIX shell line (with the bash extensions agents use).
//!
//! The lexer removes quotes (`'rm'`, `"r""m"`, `\rm` are all the word `rm`),
//! keeps every expansion it cannot perform as raw text and records it in
//! [`WordFlags`], reads here-document bodies when their line ends, and notes
//! the code of every command substitution so the evaluator can decide it too.
//! It never allocates for a word without quotes or escapes.

use std::borrow::Cow;

/// What a word contains besides plain characters, as flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WordFlags(u8);

impl WordFlags {
    /// Some part was quoted or escaped.
    pub const QUOTED: Self = Self(1);
    /// A parameter or arithmetic expansion (`$x`, `${x}`, `$((1+1))`): the value is unknown here.
    pub const EXPANSION: Self = Self(1 << 1);
    /// A command or process substitution (`$(...)`, `` `...` ``, `<(...)`).
    pub const SUBSTITUTION: Self = Self(1 << 2);
    /// An unquoted glob character (`*`, `?`, `[`).
    pub const GLOB: Self = Self(1 << 3);
    /// An unquoted brace expansion (`{a,b}`, `{1..3}`).
    pub const BRACE: Self = Self(1 << 4);
    /// An unquoted leading tilde (`~`, `~user`).
    pub const TILDE: Self = Self(1 << 5);
    /// ANSI-C quoting (`$'\x72m'`) that could not be decoded.
    pub const UNDECODED: Self = Self(1 << 6);

    /// No flag.
    pub const EMPTY: Self = Self(0);

    /// True if every flag of `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if any flag of `other` is set.
    pub const fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }

    /// The union.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// True if the word's value is only known when the shell runs it.
    pub const fn is_dynamic(self) -> bool {
        self.intersects(Self(
            Self::EXPANSION.0 | Self::SUBSTITUTION.0 | Self::BRACE.0 | Self::UNDECODED.0,
        ))
    }
}

impl core::ops::BitOrAssign for WordFlags {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

/// A shell word: its source text and its value after quote removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word as written.
    pub raw: &'a str,
    /// The word after quote removal; expansions are kept as written.
    pub text: Cow<'a, str>,
    /// What the word contains.
    pub flags: WordFlags,
}

impl Word<'_> {
    /// The value after quote removal.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A control operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `&&`
    And,
    /// `||`
    Or,
    /// `;`
    Semi,
    /// A newline.
    Newline,
    /// `&` (run in the background).
    Background,
    /// `|`
    Pipe,
    /// `|&` (pipe with stderr).
    PipeAll,
    /// `(`
    Open,
    /// `)`
    Close,
    /// `;;`, `;&`, `;;&` (case clause terminators).
    CaseEnd,
}

/// A redirection operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`
    Read,
    /// `>` and `>|`: truncates the target.
    Write,
    /// `>>`
    Append,
    /// `&>` and `>&` with a file: stdout and stderr, truncating.
    WriteAll,
    /// `&>>`
    AppendAll,
    /// `<>`
    ReadWrite,
    /// `<&` and `>&` with a descriptor number or `-`.
    Duplicate,
    /// `<<<` (here-string).
    HereString,
    /// `<<` and `<<-` (here-document; the body is in [`Heredoc`]).
    HereDoc,
}

impl RedirOp {
    /// True if the operator writes to its target.
    pub const fn writes(self) -> bool {
        matches!(
            self,
            Self::Write | Self::Append | Self::WriteAll | Self::AppendAll | Self::ReadWrite
        )
    }

    /// True if the operator truncates its target.
    pub const fn truncates(self) -> bool {
        matches!(self, Self::Write | Self::WriteAll)
    }
}

/// A here-document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc<'a> {
    /// The body as written (expansions not performed).
    pub body: &'a str,
    /// The delimiter was quoted, so the body is literal.
    pub literal: bool,
    /// The body contains a command substitution that the shell would run.
    pub substitutes: bool,
    /// The delimiter line was never found.
    pub unterminated: bool,
}

/// A token and the byte range it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// A word.
    Word(Word<'a>),
    /// A control operator.
    Op(Op),
    /// A redirection operator; its target is the next word (none for here-documents).
    Redirect {
        /// The descriptor number written before the operator, if any.
        fd: Option<u16>,
        /// The operator.
        op: RedirOp,
        /// For here-documents, the index of the body in [`Lexer::heredocs`].
        heredoc: Option<usize>,
    },
}

/// Why a line could not be tokenised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LexError {
    /// A quote, substitution or expansion is not closed.
    Unterminated(&'static str),
    /// A redirection without a target, or an operator where none may be.
    Syntax(&'static str),
}

impl LexError {
    /// What went wrong, in words.
    pub const fn message(self) -> &'static str {
        match self {
            Self::Unterminated(what) | Self::Syntax(what) => what,
        }
    }
}

struct PendingHeredoc {
    delimiter: String,
    strip_tabs: bool,
    literal: bool,
    index: usize,
}

/// Turns a line into tokens; see the module doc.
pub struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    pending: Vec<PendingHeredoc>,
    /// Here-document bodies, in the order their operators appear.
    pub heredocs: Vec<Heredoc<'a>>,
    /// The code of every command and process substitution, outermost first.
    pub substitutions: Vec<&'a str>,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `src`.
    pub fn new(src: &'a str) -> Self {
        Self {
            src,
            pos: 0,
            pending: Vec::new(),
            heredocs: Vec::new(),
            substitutions: Vec::new(),
        }
    }

    /// The byte offset of the next token.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.src.as_bytes().get(at).copied()
    }

    fn peek(&self) -> Option<u8> {
        self.byte(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.byte(self.pos + n)
    }

    fn slice(&self, from: usize, to: usize) -> &'a str {
        self.src.get(from..to).unwrap_or("")
    }

    /// Skips blanks and comments; returns the next token's start, or `None` at the end.
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                Some(b'#') => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// The next token with its start offset, `Ok(None)` at the end of input.
    pub fn next_token(&mut self) -> Result<Option<(Token<'a>, usize)>, LexError> {
        self.skip_blanks();
        let start = self.pos;
        let Some(c) = self.peek() else {
            if !self.pending.is_empty() {
                self.read_heredocs();
                return Err(LexError::Unterminated("here-document"));
            }
            return Ok(None);
        };
        let next = self.peek_at(1);
        let op = |n: usize, op: Op| (n, Token::Op(op));
        let (len, token) = match (c, next) {
            (b'\n', _) => {
                self.pos += 1;
                if !self.pending.is_empty() {
                    self.read_heredocs();
                }
                return Ok(Some((Token::Op(Op::Newline), start)));
            }
            (b'&', Some(b'&')) => op(2, Op::And),
            (b'&', Some(b'>')) => {
                if self.peek_at(2) == Some(b'>') {
                    (3, redirect(None, RedirOp::AppendAll))
                } else {
                    (2, redirect(None, RedirOp::WriteAll))
                }
            }
            (b'&', _) => op(1, Op::Background),
            (b'|', Some(b'|')) => op(2, Op::Or),
            (b'|', Some(b'&')) => op(2, Op::PipeAll),
            (b'|', _) => op(1, Op::Pipe),
            (b';', Some(b';')) => {
                if self.peek_at(2) == Some(b'&') {
                    op(3, Op::CaseEnd)
                } else {
                    op(2, Op::CaseEnd)
                }
            }
            (b';', Some(b'&')) => op(2, Op::CaseEnd),
            (b';', _) => op(1, Op::Semi),
            (b'(', _) => op(1, Op::Open),
            (b')', _) => op(1, Op::Close),
            (b'<' | b'>', Some(b'(')) => {
                return self.word().map(|w| Some((Token::Word(w), start)));
            }
            (b'<' | b'>', _) => return self.redirect(None).map(|t| Some((t, start))),
            (b'0'..=b'9', _) => {
                let mut end = self.pos;
                while matches!(self.byte(end), Some(b'0'..=b'9')) {
                    end += 1;
                }
                if matches!(self.byte(end), Some(b'<' | b'>')) && self.byte(end + 1) != Some(b'(') {
                    let fd = self.slice(self.pos, end).parse::<u16>().ok();
                    self.pos = end;
                    return self.redirect(fd).map(|t| Some((t, start)));
                }
                return self.word().map(|w| Some((Token::Word(w), start)));
            }
            _ => return self.word().map(|w| Some((Token::Word(w), start))),
        };
        self.pos += len;
        Ok(Some((token, start)))
    }

    /// After the first `(` of a command: if a second `(` follows at once and a
    /// matching `))` closes it, consumes the arithmetic command and returns its
    /// expression; otherwise consumes nothing (the line has nested subshells).
    pub fn arith_command(&mut self) -> Option<&'a str> {
        if self.peek() != Some(b'(') {
            return None;
        }
        let open = self.pos;
        let mut depth = 0usize;
        let mut at = open;
        loop {
            match self.byte(at)? {
                b'(' => depth += 1,
                b')' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        if self.byte(at + 1) != Some(b')') {
                            return None;
                        }
                        let body = self.slice(open + 1, at);
                        self.substitutions.extend(embedded_code(body));
                        self.pos = at + 2;
                        return Some(body);
                    }
                }
                b'\\' => at += 1,
                b'\'' | b'"' => {
                    let q = self.byte(at)?;
                    at += 1;
                    while self.byte(at)? != q {
                        at += 1;
                    }
                }
                _ => {}
            }
            at += 1;
        }
    }

    /// The next word of a `[[ ... ]]` conditional, whose grammar differs from
    /// commands': `<`, `>`, `(`, `)`, `!`, `&&` and `||` are words, newlines
    /// are blanks, and a pattern or regex may hold `|` and parentheses.
    /// `Ok(None)` at the end of input (the conditional is unterminated).
    pub fn cond_word(&mut self, regex: bool) -> Result<Option<Word<'a>>, LexError> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n') => self.pos += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.pos += 2,
                _ => break,
            }
        }
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let op_len = match (c, self.peek_at(1)) {
            _ if regex => 0,
            (b'&', Some(b'&')) | (b'|', Some(b'|')) => 2,
            (b'(' | b')', _) => 1,
            (b'<' | b'>', next) if next != Some(b'(') => 1,
            (b';' | b'&' | b'|', _) => {
                return Err(LexError::Syntax("unexpected token in conditional"));
            }
            _ => 0,
        };
        if op_len > 0 {
            self.pos += op_len;
            let raw = self.slice(start, self.pos);
            return Ok(Some(Word {
                raw,
                text: Cow::Borrowed(raw),
                flags: WordFlags::EMPTY,
            }));
        }
        let mut depth = 0usize;
        let mut flags = WordFlags::EMPTY;
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' if depth == 0 => break,
                b'(' => {
                    depth += 1;
                    self.pos += 1;
                }
                b')' if depth == 0 => break,
                b')' => {
                    depth -= 1;
                    self.pos += 1;
                }
                b'\\' => self.pos = (self.pos + 2).min(self.src.len()),
                b'\'' => {
                    let rest = self.slice(self.pos + 1, self.src.len());
                    let end = rest
                        .find('\'')
                        .ok_or(LexError::Unterminated("single quote"))?;
                    self.pos += end + 2;
                    flags |= WordFlags::QUOTED;
                }
                b'"' => {
                    self.pos += 1;
                    let mut ignored = None;
                    self.double_quoted(&mut ignored, &mut flags)?;
                    flags |= WordFlags::QUOTED;
                }
                b'$' => flags |= self.dollar()?,
                b'`' => flags |= self.backtick()?,
                b'<' | b'>' if self.peek_at(1) == Some(b'(') => {
                    self.pos += 1;
                    self.substitution_parens(true)?;
                    flags |= WordFlags::SUBSTITUTION;
                }
                b'<' | b'>' | b'&' | b'|' | b';' if depth == 0 && !regex => break,
                b'&' | b';' if depth == 0 => break,
                _ => self.pos += self.char_len(),
            }
        }
        let raw = self.slice(start, self.pos);
        Ok(Some(Word {
            raw,
            text: Cow::Borrowed(raw),
            flags,
        }))
    }

    fn redirect(&mut self, fd: Option<u16>) -> Result<Token<'a>, LexError> {
        let c = self.peek();
        let n1 = self.peek_at(1);
        let n2 = self.peek_at(2);
        let (len, op) = match (c, n1, n2) {
            (Some(b'<'), Some(b'<'), Some(b'<')) => (3, RedirOp::HereString),
            (Some(b'<'), Some(b'<'), Some(b'-')) => (3, RedirOp::HereDoc),
            (Some(b'<'), Some(b'<'), _) => (2, RedirOp::HereDoc),
            (Some(b'<'), Some(b'&'), _) => (2, RedirOp::Duplicate),
            (Some(b'<'), Some(b'>'), _) => (2, RedirOp::ReadWrite),
            (Some(b'<'), _, _) => (1, RedirOp::Read),
            (Some(b'>'), Some(b'>'), _) => (2, RedirOp::Append),
            (Some(b'>'), Some(b'|'), _) => (2, RedirOp::Write),
            (Some(b'>'), Some(b'&'), _) => {
                // `>&word`: a descriptor when the word is a number or `-`, else a file.
                let mut end = self.pos + 2;
                while matches!(self.byte(end), Some(b' ' | b'\t')) {
                    end += 1;
                }
                let mut digits = end;
                while matches!(self.byte(digits), Some(b'0'..=b'9' | b'-')) {
                    digits += 1;
                }
                let is_fd = digits > end
                    && matches!(
                        self.byte(digits),
                        None | Some(b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b')' | b'<' | b'>')
                    );
                if is_fd {
                    (2, RedirOp::Duplicate)
                } else {
                    (2, RedirOp::WriteAll)
                }
            }
            (Some(b'>'), _, _) => (1, RedirOp::Write),
            _ => return Err(LexError::Syntax("redirection")),
        };
        let strip_tabs = len == 3 && n2 == Some(b'-');
        self.pos += len;
        if op != RedirOp::HereDoc {
            return Ok(Token::Redirect {
                fd,
                op,
                heredoc: None,
            });
        }
        self.skip_blanks();
        if matches!(
            self.peek(),
            None | Some(b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>')
        ) {
            return Err(LexError::Syntax("here-document without a delimiter"));
        }
        let delimiter = self.word()?;
        let index = self.heredocs.len() + self.pending.len();
        self.pending.push(PendingHeredoc {
            delimiter: delimiter.text.into_owned(),
            strip_tabs,
            literal: delimiter.flags.contains(WordFlags::QUOTED),
            index,
        });
        Ok(Token::Redirect {
            fd,
            op,
            heredoc: Some(index),
        })
    }

    /// Reads the bodies of the pending here-documents, starting at `pos`.
    fn read_heredocs(&mut self) {
        let pending = core::mem::take(&mut self.pending);
        for doc in pending {
            let body_start = self.pos;
            let mut terminated = false;
            let mut body_end = self.src.len();
            while self.pos < self.src.len() {
                let line_start = self.pos;
                let rest = self.slice(line_start, self.src.len());
                let line_len = rest.find('\n').unwrap_or(rest.len());
                let line = rest.get(..line_len).unwrap_or("");
                self.pos = (line_start + line_len + 1).min(self.src.len());
                let candidate = if doc.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if candidate == doc.delimiter {
                    body_end = line_start;
                    terminated = true;
                    break;
                }
            }
            let body = self.slice(body_start, body_end);
            let substitutes = !doc.literal && (body.contains("$(") || body.contains('`'));
            if substitutes {
                self.body_substitutions(body);
            }
            debug_assert_eq!(doc.index, self.heredocs.len());
            self.heredocs.push(Heredoc {
                body,
                literal: doc.literal,
                substitutes,
                unterminated: !terminated,
            });
        }
    }

    /// Records the command substitutions of an expanding here-document body.
    fn body_substitutions(&mut self, body: &'a str) {
        let mut sub = Lexer::new(body);
        while sub.pos < body.len() {
            let found = match sub.peek() {
                Some(b'\\') => {
                    sub.pos += 2;
                    continue;
                }
                Some(b'$') if sub.peek_at(1) == Some(b'(') => sub.dollar().is_ok(),
                Some(b'`') => sub.backtick().is_ok(),
                _ => {
                    sub.pos += 1;
                    continue;
                }
            };
            if !found {
                break;
            }
        }
        self.substitutions.append(&mut sub.substitutions);
    }

    /// Lexes one word starting at `pos`.
    fn word(&mut self) -> Result<Word<'a>, LexError> {
        let start = self.pos;
        let mut out: Option<String> = None;
        let mut lit = start;
        let mut flags = WordFlags::EMPTY;
        let mut brace_scanned = false;
        let mut brace_pending = false;
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b')' => break,
                b'(' if self.pos > start => break,
                b'(' => return Err(LexError::Syntax("unexpected '('")),
                b'<' | b'>' if self.peek_at(1) == Some(b'(') => {
                    // Process substitution `<(...)` / `>(...)`.
                    self.pos += 1;
                    self.substitution_parens(true)?;
                    flags |= WordFlags::SUBSTITUTION;
                }
                b'<' | b'>' => break,
                b'\\' => {
                    self.flush(&mut out, lit);
                    match self.peek_at(1) {
                        None => {
                            // A trailing backslash stands for itself.
                            self.pos += 1;
                            push(&mut out, "\\");
                            lit = self.pos;
                        }
                        Some(b'\n') => {
                            self.pos += 2;
                            lit = self.pos;
                        }
                        Some(_) => {
                            self.pos += 1;
                            lit = self.pos;
                            self.pos += self.char_len();
                            flags |= WordFlags::QUOTED;
                        }
                    }
                }
                b'\'' => {
                    self.flush(&mut out, lit);
                    let body_start = self.pos + 1;
                    let rest = self.slice(body_start, self.src.len());
                    let end = rest
                        .find('\'')
                        .ok_or(LexError::Unterminated("single quote"))?;
                    push(&mut out, rest.get(..end).unwrap_or(""));
                    self.pos = body_start + end + 1;
                    lit = self.pos;
                    flags |= WordFlags::QUOTED;
                }
                b'"' => {
                    self.flush(&mut out, lit);
                    self.pos += 1;
                    self.double_quoted(&mut out, &mut flags)?;
                    lit = self.pos;
                    flags |= WordFlags::QUOTED;
                }
                b'$' if self.peek_at(1) == Some(b'\'') => {
                    self.flush(&mut out, lit);
                    self.pos += 2;
                    let decoded = self.ansi_c()?;
                    match decoded {
                        Some(s) => push(&mut out, &s),
                        None => flags |= WordFlags::UNDECODED,
                    }
                    lit = self.pos;
                    flags |= WordFlags::QUOTED;
                }
                b'$' if self.peek_at(1) == Some(b'"') => {
                    self.flush(&mut out, lit);
                    self.pos += 2;
                    self.double_quoted(&mut out, &mut flags)?;
                    lit = self.pos;
                    flags |= WordFlags::QUOTED;
                }
                b'$' => flags |= self.dollar()?,
                b'`' => flags |= self.backtick()?,
                b'*' | b'?' | b'[' => {
                    flags |= WordFlags::GLOB;
                    self.pos += 1;
                }
                b'{' => {
                    // One forward scan per word at most: a scan that found no
                    // expansion reached the word's end, so later braces of the
                    // same word are judged by an over-approximation instead.
                    if !flags.contains(WordFlags::BRACE) && !brace_scanned {
                        brace_scanned = true;
                        if self.is_brace_expansion() {
                            flags |= WordFlags::BRACE;
                        }
                    } else if brace_scanned && !flags.contains(WordFlags::BRACE) {
                        brace_pending = true;
                    }
                    self.pos += 1;
                }
                b',' if brace_pending => {
                    flags |= WordFlags::BRACE;
                    self.pos += 1;
                }
                b'.' if brace_pending && self.peek_at(1) == Some(b'.') => {
                    flags |= WordFlags::BRACE;
                    self.pos += 1;
                }
                b'~' if self.pos == start => {
                    flags |= WordFlags::TILDE;
                    self.pos += 1;
                }
                _ => self.pos += 1,
            }
        }
        let raw = self.slice(start, self.pos);
        let text = match out {
            Some(mut s) => {
                s.push_str(self.slice(lit, self.pos));
                Cow::Owned(s)
            }
            None => Cow::Borrowed(raw),
        };
        Ok(Word { raw, text, flags })
    }

    /// The length of the UTF-8 character at `pos`.
    fn char_len(&self) -> usize {
        self.src
            .get(self.pos..)
            .and_then(|s| s.chars().next())
            .map_or(1, char::len_utf8)
    }

    fn flush(&self, out: &mut Option<String>, lit: usize) {
        let s = self.slice(lit, self.pos);
        out.get_or_insert_with(String::new).push_str(s);
    }

    /// Inside double quotes, after the opening quote; stops after the closing one.
    fn double_quoted(
        &mut self,
        out: &mut Option<String>,
        flags: &mut WordFlags,
    ) -> Result<(), LexError> {
        let mut lit = self.pos;
        loop {
            match self.peek() {
                None => return Err(LexError::Unterminated("double quote")),
                Some(b'"') => {
                    self.flush(out, lit);
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => match self.peek_at(1) {
                    Some(b'$' | b'`' | b'"' | b'\\') => {
                        self.flush(out, lit);
                        self.pos += 1;
                        lit = self.pos;
                        self.pos += 1;
                    }
                    Some(b'\n') => {
                        self.flush(out, lit);
                        self.pos += 2;
                        lit = self.pos;
                    }
                    _ => self.pos += 1,
                },
                Some(b'$') => *flags |= self.dollar()?,
                Some(b'`') => *flags |= self.backtick()?,
                Some(_) => self.pos += 1,
            }
        }
    }

    /// At `$`: consumes an expansion or substitution, keeping it as raw text.
    fn dollar(&mut self) -> Result<WordFlags, LexError> {
        match self.peek_at(1) {
            Some(b'(') if self.peek_at(2) == Some(b'(') => {
                self.pos += 1;
                let inner = self.substitution_parens(false)?;
                if inner.contains("$(") || inner.contains('`') {
                    // Arithmetic runs the substitutions inside it (array
                    // subscripts included): their code is decided too.
                    self.substitutions.extend(embedded_code(inner));
                    Ok(WordFlags::EXPANSION.union(WordFlags::SUBSTITUTION))
                } else {
                    Ok(WordFlags::EXPANSION)
                }
            }
            Some(b'(') => {
                self.pos += 1;
                self.substitution_parens(true)?;
                Ok(WordFlags::SUBSTITUTION)
            }
            Some(b'{') => {
                let body_start = self.pos + 2;
                let mut depth = 1usize;
                let mut at = body_start;
                let mut flags = WordFlags::EXPANSION;
                loop {
                    match self.byte(at) {
                        None => return Err(LexError::Unterminated("${")),
                        Some(b'{') => depth += 1,
                        Some(b'}') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        Some(b'\\') => at += 1,
                        // Quotes inside `${...}` are quotes for bash too: an
                        // unclosed one leaves the expansion unterminated.
                        Some(q @ (b'\'' | b'"')) => {
                            at += 1;
                            loop {
                                match self.byte(at) {
                                    None => return Err(LexError::Unterminated("${")),
                                    Some(b'\\') if q == b'"' => at += 2,
                                    Some(c) if c == q => break,
                                    _ => at += 1,
                                }
                            }
                        }
                        Some(b'$') if self.byte(at + 1) == Some(b'(') => {
                            flags |= WordFlags::SUBSTITUTION;
                            let saved = self.pos;
                            self.pos = at + 1;
                            let inner = self.substitution_parens(false);
                            let end = self.pos;
                            self.pos = saved;
                            inner?;
                            at = end - 1;
                        }
                        Some(b'$' | b'`') => flags |= WordFlags::SUBSTITUTION,
                        _ => {}
                    }
                    at += 1;
                }
                if flags.contains(WordFlags::SUBSTITUTION) {
                    let inner = self.slice(body_start, at);
                    self.substitutions.push(inner);
                }
                self.pos = at + 1;
                Ok(flags)
            }
            Some(c) if c == b'_' || c.is_ascii_alphabetic() => {
                self.pos += 1;
                while matches!(self.peek(), Some(c) if c == b'_' || c.is_ascii_alphanumeric()) {
                    self.pos += 1;
                }
                Ok(WordFlags::EXPANSION)
            }
            Some(b'0'..=b'9' | b'@' | b'*' | b'#' | b'?' | b'$' | b'!' | b'-') => {
                self.pos += 2;
                Ok(WordFlags::EXPANSION)
            }
            _ => {
                // A lone `$` stands for itself.
                self.pos += 1;
                Ok(WordFlags::EMPTY)
            }
        }
    }

    /// At the `(` of `$(`, `<(` or `$((`: finds the matching `)`; records the
    /// code if `record` (command substitutions, not arithmetic).
    fn substitution_parens(&mut self, record: bool) -> Result<&'a str, LexError> {
        let open = self.pos;
        let mut depth = 0usize;
        let mut at = open;
        loop {
            match self.byte(at) {
                None => return Err(LexError::Unterminated("command substitution")),
                Some(b'(') => depth += 1,
                Some(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Some(b'\\') => at += 1,
                Some(b'\'') => {
                    at += 1;
                    while !matches!(self.byte(at), None | Some(b'\'')) {
                        at += 1;
                    }
                    if self.byte(at).is_none() {
                        return Err(LexError::Unterminated("single quote"));
                    }
                }
                Some(b'"') => {
                    at += 1;
                    loop {
                        match self.byte(at) {
                            None => return Err(LexError::Unterminated("double quote")),
                            Some(b'"') => break,
                            Some(b'\\') => at += 2,
                            _ => at += 1,
                        }
                    }
                }
                _ => {}
            }
            at += 1;
        }
        let inner = self.slice(open + 1, at);
        if record {
            self.substitutions.push(inner);
        }
        self.pos = at + 1;
        Ok(inner)
    }

    /// At a backtick: finds the closing one, records the code.
    fn backtick(&mut self) -> Result<WordFlags, LexError> {
        let body_start = self.pos + 1;
        let mut at = body_start;
        loop {
            match self.byte(at) {
                None => return Err(LexError::Unterminated("backquote")),
                Some(b'`') => break,
                Some(b'\\') => at += 2,
                _ => at += 1,
            }
        }
        self.substitutions.push(self.slice(body_start, at));
        self.pos = at + 1;
        Ok(WordFlags::SUBSTITUTION)
    }

    /// At `{`: true if an unquoted `,` or `..` comes before the matching `}` in this word.
    fn is_brace_expansion(&self) -> bool {
        let mut at = self.pos + 1;
        let mut depth = 1usize;
        let mut seen = false;
        while let Some(c) = self.byte(at) {
            match c {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => {
                    return false;
                }
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return seen;
                    }
                }
                b',' => seen = true,
                b'.' if self.byte(at + 1) == Some(b'.') => seen = true,
                b'\\' => at += 1,
                _ => {}
            }
            at += 1;
        }
        false
    }

    /// After `$'`: decodes ANSI-C escapes up to the closing quote; `None` if an
    /// escape has no fixed value here.
    fn ansi_c(&mut self) -> Result<Option<String>, LexError> {
        let mut out = String::new();
        let mut ok = true;
        loop {
            let rest = self.slice(self.pos, self.src.len());
            let mut chars = rest.chars();
            let Some(c) = chars.next() else {
                return Err(LexError::Unterminated("$'"));
            };
            self.pos += c.len_utf8();
            match c {
                '\'' => return Ok(ok.then_some(out)),
                '\\' => {
                    let Some(e) = chars.next() else {
                        return Err(LexError::Unterminated("$'"));
                    };
                    self.pos += e.len_utf8();
                    let simple = match e {
                        'a' => Some('\x07'),
                        'b' => Some('\x08'),
                        'e' | 'E' => Some('\x1b'),
                        'f' => Some('\x0c'),
                        'n' => Some('\n'),
                        'r' => Some('\r'),
                        't' => Some('\t'),
                        'v' => Some('\x0b'),
                        '\\' => Some('\\'),
                        '\'' => Some('\''),
                        '"' => Some('"'),
                        '?' => Some('?'),
                        _ => None,
                    };
                    if let Some(s) = simple {
                        out.push(s);
                        continue;
                    }
                    let (radix, max) = match e {
                        'x' => (16, 2),
                        'u' => (16, 4),
                        'U' => (16, 8),
                        '0'..='7' => (8, 2),
                        _ => {
                            ok = false;
                            continue;
                        }
                    };
                    let mut value: u32 = if radix == 8 { e as u32 - '0' as u32 } else { 0 };
                    let mut n = 0;
                    while n < max {
                        let Some(d) = self
                            .byte(self.pos)
                            .and_then(|b| (b as char).to_digit(radix))
                        else {
                            break;
                        };
                        value = value * radix + d;
                        self.pos += 1;
                        n += 1;
                    }
                    if radix == 16 && n == 0 {
                        ok = false;
                        continue;
                    }
                    // Bytes above 0x7f would form arbitrary (possibly invalid) UTF-8.
                    match char::from_u32(value) {
                        Some(ch) if e == 'u' || e == 'U' || value < 0x80 => out.push(ch),
                        _ => ok = false,
                    }
                }
                other => out.push(other),
            }
        }
    }
}

/// Every command substitution written anywhere in `text`, quotes ignored.
///
/// Arithmetic evaluation (`(( ))`, `let`, `[[ -eq ]]`, `declare -i`, array
/// subscripts of `printf -v`, `read`, `test -v`, `unset`) expands `$(...)` in
/// text the shell parsed as quoted data, so such text is searched as code. An
/// unterminated substitution yields the rest of the text (which then fails to
/// parse, and so fails closed).
pub fn embedded_code(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut lx = Lexer::new(text);
    while lx.pos < text.len() {
        match lx.peek() {
            Some(b'$') if lx.peek_at(1) == Some(b'(') => {
                let start = lx.pos + 2;
                let before = lx.substitutions.len();
                lx.pos += 1;
                if lx.substitution_parens(true).is_err() {
                    lx.substitutions.truncate(before);
                    lx.substitutions.push(text.get(start..).unwrap_or(""));
                    break;
                }
            }
            Some(b'`') => {
                let start = lx.pos + 1;
                if lx.backtick().is_err() {
                    lx.substitutions.push(text.get(start..).unwrap_or(""));
                    break;
                }
            }
            _ => lx.pos += 1,
        }
    }
    out.append(&mut lx.substitutions);
    out
}

fn redirect<'a>(fd: Option<u16>, op: RedirOp) -> Token<'a> {
    Token::Redirect {
        fd,
        op,
        heredoc: None,
    }
}

fn push(out: &mut Option<String>, s: &str) {
    out.get_or_insert_with(String::new).push_str(s);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<String> {
        let mut lx = Lexer::new(src);
        let mut out = Vec::new();
        while let Some((t, _)) = lx.next_token().unwrap() {
            match t {
                Token::Word(w) => out.push(w.text.into_owned()),
                Token::Op(op) => out.push(format!("{op:?}")),
                Token::Redirect { op, fd, .. } => out.push(format!("{fd:?}{op:?}")),
            }
        }
        out
    }

    #[test]
    fn quote_removal() {
        assert_eq!(words(r#"\rm "r""m" 'rm' r\m"#), ["rm", "rm", "rm", "rm"]);
        assert_eq!(
            words(r#"echo "a && b" 'c | d'"#),
            ["echo", "a && b", "c | d"]
        );
        assert_eq!(words(r"$'\x72\155' -rf"), ["rm", "-rf"]);
        assert_eq!(words("echo \"a\\\"b\""), ["echo", "a\"b"]);
    }

    #[test]
    fn operators() {
        assert_eq!(
            words("a&&b||c;d|e&f|&g\nh"),
            [
                "a",
                "And",
                "b",
                "Or",
                "c",
                "Semi",
                "d",
                "Pipe",
                "e",
                "Background",
                "f",
                "PipeAll",
                "g",
                "Newline",
                "h"
            ]
        );
        assert_eq!(
            words("ls >out 2>&1 2> err <in"),
            [
                "ls",
                "NoneWrite",
                "out",
                "Some(2)Duplicate",
                "1",
                "Some(2)Write",
                "err",
                "NoneRead",
                "in"
            ]
        );
        assert_eq!(words("echo hi # && rm -rf /"), ["echo", "hi"]);
    }

    #[test]
    fn substitutions_are_recorded() {
        let mut lx = Lexer::new("echo $(whoami) `id` \"$(rm -rf /)\"");
        let mut flags = Vec::new();
        while let Some((t, _)) = lx.next_token().unwrap() {
            if let Token::Word(w) = t {
                flags.push(w.flags.contains(WordFlags::SUBSTITUTION));
            }
        }
        assert_eq!(flags, [false, true, true, true]);
        assert_eq!(lx.substitutions, ["whoami", "id", "rm -rf /"]);
    }

    #[test]
    fn heredoc_bodies() {
        let mut lx = Lexer::new("cat <<EOF > f\nhello $(id)\nEOF\nls");
        while lx.next_token().unwrap().is_some() {}
        assert_eq!(lx.heredocs.len(), 1);
        assert!(lx.heredocs[0].substitutes);
        let mut lx = Lexer::new("cat <<'EOF'\n$(id)\nEOF\n");
        while lx.next_token().unwrap().is_some() {}
        assert!(!lx.heredocs[0].substitutes);
        assert!(lx.heredocs[0].literal);
    }

    #[test]
    fn errors() {
        for bad in [
            "echo 'a", "echo \"a", "echo $(a", "echo `a", "echo ${a", "cat <<",
        ] {
            let mut lx = Lexer::new(bad);
            let mut res = Ok(None);
            for _ in 0..10 {
                res = lx.next_token();
                if !matches!(res, Ok(Some(_))) {
                    break;
                }
            }
            assert!(res.is_err(), "{bad}");
        }
    }
}
