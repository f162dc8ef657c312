//! Static word expansion: what bash would make of a word when everything it
//! depends on is written in the line itself.
//!
//! Brace expansion (`{rm,-rf,~}` is three words), tilde expansion (with the
//! checker's home directory), parameter expansion of variables assigned a
//! literal value earlier in the line (`F=--force; git push $F`), quote
//! removal and field splitting of unquoted results. Anything else (command
//! substitution, arithmetic, `${x/a/b}`, variables from the environment) makes
//! the word dynamic: [`expand`] returns `None` and the evaluator decides the
//! word as unknown. Every product is capped ([`MAX_WORDS`], [`MAX_BYTES`]):
//! past a cap the word is dynamic, never an error or a long computation.

/// Most words one word may expand to.
pub const MAX_WORDS: usize = 256;
/// Most bytes one word's expansion may hold.
pub const MAX_BYTES: usize = 128 * 1024;

/// One word after expansion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// Its value.
    pub text: String,
    /// It holds an unquoted glob character, so the shell may match it against files.
    pub glob: bool,
}

/// The values the expansion may use.
pub trait Scope {
    /// The literal value of a variable, `None` if it is not known here.
    fn var(&self, name: &str) -> Option<&str>;
    /// The home directory `~` stands for.
    fn home(&self) -> Option<&str>;
}

/// Expands `raw` (a word as written) into the words bash would pass, or `None`
/// if some part is only known at run time or a cap is hit.
pub fn expand(raw: &str, scope: &dyn Scope) -> Option<Vec<Expanded>> {
    let mut braced = Vec::new();
    brace(raw, &mut braced, 0)?;
    let mut out = Vec::new();
    let mut bytes = 0usize;
    for piece in &braced {
        for w in expand_one(piece, scope)? {
            bytes += w.text.len();
            out.push(w);
            if out.len() > MAX_WORDS || bytes > MAX_BYTES {
                return None;
            }
        }
    }
    Some(out)
}

/// Brace expansion of one word into `out` (words still quoted as written).
fn brace(word: &str, out: &mut Vec<String>, depth: usize) -> Option<()> {
    if depth > 16 || out.len() > MAX_WORDS {
        return None;
    }
    let Some((open, close, parts)) = find_brace(word) else {
        out.push(word.to_owned());
        return Some(());
    };
    let head = word.get(..open)?;
    let tail = word.get(close + 1..)?;
    let inner = word.get(open + 1..close)?;
    let items: Vec<String> = match parts {
        BraceKind::List(commas) => {
            let mut items = Vec::new();
            let mut from = 0;
            for c in commas.iter().copied().chain(std::iter::once(inner.len())) {
                items.push(inner.get(from..c)?.to_owned());
                from = c + 1;
            }
            items
        }
        BraceKind::Sequence => sequence(inner)?,
    };
    for item in items {
        let word = format!("{head}{item}{tail}");
        if word.len() > MAX_BYTES {
            return None;
        }
        brace(&word, out, depth + 1)?;
    }
    Some(())
}

enum BraceKind {
    /// Offsets (in the inner text) of the top-level commas.
    List(Vec<usize>),
    /// `{a..b}` or `{a..b..step}`.
    Sequence,
}

/// The leftmost unquoted `{...}` that is a brace expansion: (open, close,
/// kind). One pass with a stack of open braces, so linear in the word.
fn find_brace(word: &str) -> Option<(usize, usize, BraceKind)> {
    let b = word.as_bytes();
    let mut i = 0;
    let mut quote = 0u8;
    let mut open: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut best: Option<(usize, usize, BraceKind)> = None;
    while let Some(&c) = b.get(i) {
        match (quote, c) {
            (0, b'\\') | (b'"', b'\\') => i += 1,
            (0, b'\'' | b'"') => quote = c,
            (q, c) if q != 0 && c == q => quote = 0,
            // `${...}` is a parameter expansion, not a brace.
            (0, b'$') if b.get(i + 1) == Some(&b'{') => i = skip_group(b, i + 1)?,
            (0, b'{') => open.push((i, Vec::new())),
            (0, b',') => {
                if let Some((at, commas)) = open.last_mut() {
                    commas.push(i - *at - 1);
                }
            }
            (0, b'}') => {
                if let Some((at, commas)) = open.pop() {
                    let earlier = best.as_ref().is_none_or(|(o, _, _)| at < *o);
                    if earlier {
                        if !commas.is_empty() {
                            best = Some((at, i, BraceKind::List(commas)));
                        } else if is_sequence(word.get(at + 1..i)?) {
                            best = Some((at, i, BraceKind::Sequence));
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    best
}

fn skip_group(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while let Some(&c) = b.get(i) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'\\' => i += 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// True if `inner` has the form of a sequence expression (`1..5`, `a..e..2`).
fn is_sequence(inner: &str) -> bool {
    let parts: Vec<&str> = inner.split("..").collect();
    let int = |s: &str| {
        let d = s.strip_prefix(['-', '+']).unwrap_or(s);
        !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
    };
    match parts.as_slice() {
        [a, b] => (int(a) && int(b)) || (single_char(a).is_some() && single_char(b).is_some()),
        [a, b, c] => {
            int(c) && ((int(a) && int(b)) || (single_char(a).is_some() && single_char(b).is_some()))
        }
        _ => false,
    }
}

/// `a..e`, `1..10`, `10..1..2`: the items, or `None` if not a sequence.
fn sequence(inner: &str) -> Option<Vec<String>> {
    let mut parts = inner.split("..");
    let (a, b) = (parts.next()?, parts.next()?);
    let step: i64 = match parts.next() {
        Some(s) => s.parse().ok()?,
        None => 1,
    };
    if parts.next().is_some() {
        return None;
    }
    let step = step.unsigned_abs().max(1);
    if let (Ok(x), Ok(y)) = (a.parse::<i64>(), b.parse::<i64>()) {
        let n = x.abs_diff(y) / step + 1;
        if n > MAX_WORDS as u64 {
            return None;
        }
        let width = if (a.starts_with('0') && a.len() > 1) || (b.starts_with('0') && b.len() > 1) {
            a.len().max(b.len())
        } else {
            0
        };
        let mut v = Vec::new();
        let mut cur = x;
        for _ in 0..n {
            v.push(format!("{cur:0width$}"));
            cur = if x <= y {
                cur.checked_add(i64::try_from(step).ok()?)?
            } else {
                cur.checked_sub(i64::try_from(step).ok()?)?
            };
        }
        return Some(v);
    }
    let (ca, cb) = (single_char(a)?, single_char(b)?);
    let (x, y) = (u32::from(ca), u32::from(cb));
    let mut v = Vec::new();
    let step = u32::try_from(step).ok()?;
    let mut cur = x;
    loop {
        v.push(char::from_u32(cur)?.to_string());
        if v.len() > MAX_WORDS || cur == y {
            break;
        }
        if x <= y {
            cur = cur.checked_add(step)?;
            if cur > y {
                break;
            }
        } else {
            cur = cur.checked_sub(step)?;
            if cur < y {
                break;
            }
        }
    }
    Some(v)
}

fn single_char(s: &str) -> Option<char> {
    let mut c = s.chars();
    let first = c.next()?;
    (c.next().is_none() && first.is_ascii_alphabetic()).then_some(first)
}

/// Fields being built: the current one, and whether anything (even an empty
/// quoted string) made it exist.
struct Fields {
    done: Vec<Expanded>,
    cur: String,
    exists: bool,
    glob: bool,
}

impl Fields {
    fn push_quoted(&mut self, s: &str) {
        self.cur.push_str(s);
        self.exists = true;
    }

    fn push_unquoted(&mut self, s: &str) {
        for c in s.chars() {
            if matches!(c, '*' | '?' | '[') {
                self.glob = true;
            }
            self.cur.push(c);
        }
        if !s.is_empty() {
            self.exists = true;
        }
    }

    /// An unquoted expansion's value: split on blanks (default IFS).
    fn push_split(&mut self, s: &str) {
        let blank = [' ', '\t', '\n'];
        let pieces = s.split(blank).filter(|p| !p.is_empty());
        if s.starts_with(blank) {
            self.end();
        }
        let mut first = true;
        for p in pieces {
            if !first {
                self.end();
            }
            self.push_unquoted(p);
            first = false;
        }
        if s.ends_with(blank) {
            self.end();
        }
    }

    fn end(&mut self) {
        if self.exists {
            self.done.push(Expanded {
                text: std::mem::take(&mut self.cur),
                glob: self.glob,
            });
        }
        self.cur.clear();
        self.exists = false;
        self.glob = false;
    }
}

/// Tilde, parameter expansion, quote removal and field splitting of one word.
fn expand_one(word: &str, scope: &dyn Scope) -> Option<Vec<Expanded>> {
    let mut f = Fields {
        done: Vec::new(),
        cur: String::new(),
        exists: false,
        glob: false,
    };
    let mut rest = word;
    if let Some(after) = rest.strip_prefix('~') {
        if after.is_empty() || after.starts_with('/') {
            f.push_quoted(scope.home()?);
            rest = after;
        } else {
            return None;
        }
    }
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                let (_, n) = chars.next()?;
                f.push_quoted(n.encode_utf8(&mut [0; 4]));
            }
            '\'' => {
                let body_start = i + 1;
                let end = rest.get(body_start..)?.find('\'')? + body_start;
                f.push_quoted(rest.get(body_start..end)?);
                while chars.peek().is_some_and(|(j, _)| *j <= end) {
                    chars.next();
                }
            }
            '"' => {
                f.exists = true;
                loop {
                    let (j, d) = chars.next()?;
                    match d {
                        '"' => break,
                        '\\' => {
                            let (_, n) = chars.next()?;
                            if matches!(n, '$' | '`' | '"' | '\\') {
                                f.push_quoted(n.encode_utf8(&mut [0; 4]));
                            } else if n != '\n' {
                                f.push_quoted("\\");
                                f.push_quoted(n.encode_utf8(&mut [0; 4]));
                            }
                        }
                        '$' => {
                            let (value, len) = parameter(rest.get(j..)?, scope)?;
                            f.push_quoted(value);
                            skip(&mut chars, j + len);
                        }
                        '`' => return None,
                        other => f.push_quoted(other.encode_utf8(&mut [0; 4])),
                    }
                }
            }
            '$' => {
                if rest.get(i + 1..)?.starts_with('\'') || rest.get(i + 1..)?.starts_with('"') {
                    return None;
                }
                let (value, len) = parameter(rest.get(i..)?, scope)?;
                f.push_split(value);
                skip(&mut chars, i + len);
            }
            '`' => return None,
            other => f.push_unquoted(other.encode_utf8(&mut [0; 4])),
        }
    }
    f.end();
    Some(f.done)
}

fn skip(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, until: usize) {
    while chars.peek().is_some_and(|(j, _)| *j < until) {
        chars.next();
    }
}

/// At `$`: a known variable's value and the length of the expansion text.
fn parameter<'s>(text: &str, scope: &'s dyn Scope) -> Option<(&'s str, usize)> {
    let body = text.get(1..)?;
    let (name, len) = if let Some(inner) = body.strip_prefix('{') {
        let end = inner.find('}')?;
        (inner.get(..end)?, end + 3)
    } else {
        let end = body
            .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
            .unwrap_or(body.len());
        (body.get(..end)?, end + 1)
    };
    let mut c = name.chars();
    let valid = matches!(c.next(), Some(f) if f == '_' || f.is_ascii_alphabetic())
        && c.all(|c| c == '_' || c.is_ascii_alphanumeric());
    if !valid {
        return None;
    }
    Some((scope.var(name)?, len))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Vars(&'static [(&'static str, &'static str)]);

    impl Scope for Vars {
        fn var(&self, name: &str) -> Option<&str> {
            self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
        }
        fn home(&self) -> Option<&str> {
            Some("/home/dev")
        }
    }

    fn words(raw: &str, vars: &'static [(&'static str, &'static str)]) -> Option<Vec<String>> {
        expand(raw, &Vars(vars)).map(|v| v.into_iter().map(|w| w.text).collect())
    }

    #[test]
    fn braces() {
        assert_eq!(
            words("{rm,-rf,~}", &[]).unwrap(),
            ["rm", "-rf", "/home/dev"]
        );
        assert_eq!(words("a{1..3}", &[]).unwrap(), ["a1", "a2", "a3"]);
        assert_eq!(words("x{a,b{c,d}}", &[]).unwrap(), ["xa", "xbc", "xbd"]);
        assert_eq!(words("'{a,b}'", &[]).unwrap(), ["{a,b}"]);
        assert_eq!(words("{a}", &[]).unwrap(), ["{a}"]);
        assert_eq!(words("${x}", &[("x", "1")]).unwrap(), ["1"]);
        assert!(words("{1..100000}", &[]).is_none());
        assert!(words(&"{a,b}".repeat(20), &[]).is_none());
    }

    #[test]
    fn variables() {
        let v: &[(&str, &str)] = &[("F", "--force"), ("R", "-r -f"), ("E", "")];
        assert_eq!(words("$F", v).unwrap(), ["--force"]);
        assert_eq!(words("$R", v).unwrap(), ["-r", "-f"]);
        assert_eq!(words("\"$R\"", v).unwrap(), ["-r -f"]);
        assert_eq!(words("$E", v).unwrap(), Vec::<String>::new());
        assert_eq!(words("\"$E\"", v).unwrap(), [""]);
        assert_eq!(words("--x=${F}y", v).unwrap(), ["--x=--forcey"]);
        assert!(words("$UNSET", v).is_none());
        assert!(words("$(id)", v).is_none());
        assert!(words("${F:-x}", v).is_none());
        assert_eq!(words("~/x", v).unwrap(), ["/home/dev/x"]);
        assert!(words("~root", v).is_none());
        assert_eq!(words(r"r\m", v).unwrap(), ["rm"]);
    }

    #[test]
    fn huge_inputs_are_bounded() {
        let many = "{".repeat(60_000);
        assert_eq!(words(&many, &[]).unwrap(), [many.as_str()]);
        let many = "{a,".repeat(20_000);
        let t = std::time::Instant::now();
        let _ = words(&many, &[]);
        assert!(t.elapsed().as_millis() < 500);
    }
}
