//! Seed lines for mutation: the string literals of tcp-core's line tables
//! (`tcp-core/tests/command_lines.rs`) and the `line` fields of any
//! `tcp-core/tests/corpus/*.jsonl` file, read at run time.

use std::fs;
use std::path::{Path, PathBuf};

/// tcp-core's directory in this workspace.
pub fn tcp_core_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tcp-core")
}

/// Every seed line found (sorted, de-duplicated), tables first.
pub fn load() -> Vec<String> {
    let dir = tcp_core_dir().join("tests");
    let mut out = Vec::new();
    if let Ok(src) = fs::read_to_string(dir.join("command_lines.rs")) {
        out.extend(table_literals(&src));
    }
    if let Ok(rd) = fs::read_dir(dir.join("corpus")) {
        let mut files: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect();
        files.sort();
        for f in files {
            if let Ok(text) = fs::read_to_string(&f) {
                for l in text.lines() {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(l)
                        && let Some(s) = v.get("line").and_then(|x| x.as_str())
                    {
                        out.push(s.to_owned());
                    }
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The first string literal of every tuple `("...", ...)` or `(r"...", ...)`
/// in Rust source, unescaped.
pub fn table_literals(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b.get(i) == Some(&b'(') {
            let mut j = i + 1;
            let raw_hashes = match (b.get(j), b.get(j + 1)) {
                (Some(b'r'), Some(b'"')) => {
                    j += 1;
                    Some(0)
                }
                (Some(b'r'), Some(b'#')) => {
                    let mut k = j + 1;
                    while b.get(k) == Some(&b'#') {
                        k += 1;
                    }
                    let n = k - j - 1;
                    j = k;
                    Some(n)
                }
                _ => None,
            };
            if b.get(j) == Some(&b'"') {
                if let Some((lit, end)) = read_literal(src, j + 1, raw_hashes) {
                    // A tuple, not a call: the literal is followed by a comma.
                    if src
                        .get(end..)
                        .is_some_and(|r| r.trim_start().starts_with(','))
                    {
                        out.push(lit);
                    }
                    i = end;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

/// Reads a literal whose body starts at byte `start`; returns it and the end.
fn read_literal(src: &str, start: usize, raw_hashes: Option<usize>) -> Option<(String, usize)> {
    let body = src.get(start..)?;
    if let Some(n) = raw_hashes {
        let close = format!("\"{}", "#".repeat(n));
        let end = body.find(&close)?;
        return Some((body.get(..end)?.to_owned(), start + end + close.len()));
    }
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return Some((out, start + k + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                '0' => out.push('\0'),
                '\\' => out.push('\\'),
                '"' => out.push('"'),
                '\'' => out.push('\''),
                '\n' => {
                    // Line continuation: skip the next line's leading blanks.
                    let rest = chars.as_str();
                    let skip = rest.len() - rest.trim_start().len();
                    for _ in 0..rest.get(..skip)?.chars().count() {
                        chars.next();
                    }
                }
                'x' => {
                    let h: String = [chars.next()?.1, chars.next()?.1].iter().collect();
                    out.push(char::from(u8::from_str_radix(&h, 16).ok()?));
                }
                'u' => {
                    chars.next()?; // {
                    let mut h = String::new();
                    for (_, d) in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                        h.push(d);
                    }
                    out.push(char::from_u32(u32::from_str_radix(&h, 16).ok()?)?);
                }
                other => {
                    out.push('\\');
                    out.push(other);
                }
            },
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn literals_of_tables() {
        let src = r###"const T: &[(&str, Want)] = &[("rm -rf ~", Reject), (r"a\b", Ask),
            ("say \"hi\"\n", Approve), (r#"x "y""#, Ask), ("\u{e9}\x41", Ask)]; f("no")"###;
        assert_eq!(
            table_literals(src),
            ["rm -rf ~", "a\\b", "say \"hi\"\n", "x \"y\"", "éA"]
        );
    }

    #[test]
    fn tcp_core_tables_are_found() {
        let seeds = load();
        assert!(seeds.len() > 50, "{}", seeds.len());
        assert!(seeds.iter().any(|s| s.contains("rm -rf")));
    }
}
