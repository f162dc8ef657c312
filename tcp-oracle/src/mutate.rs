//! Mutations of seed lines: byte-level, word-level and operator-level
//! insertions, deletions and swaps (always valid UTF-8).

use proptest::prelude::*;

/// Fragments inserted by mutation: operators, quotes, expansions.
const FRAGMENTS: &[&str] = &[
    ";",
    "&&",
    "||",
    "|",
    "&",
    "\n",
    "'",
    "\"",
    "$'",
    "\\",
    "`",
    "$(",
    ")",
    "(",
    "{",
    "}",
    "#",
    " ",
    "\t",
    "\r",
    "~",
    "*",
    "?",
    "<<",
    "<<<",
    ">",
    ">>",
    "<",
    "$x",
    "${x:-rm}",
    "$((",
    "))",
    "eval ",
    "bash -c ",
    "sh -c '",
    "rm -rf ~",
    "; rm -rf / ;",
    "x=rm; $x",
    "\\\n",
    "é",
    "\u{a0}",
    "!",
    "=",
    "[[",
    "]]",
    "2>&1",
    ";;",
    "esac",
    "done",
    "fi",
];

/// One mutation.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Insert a fragment at a relative position (0..=1000 of the length).
    Insert(usize, &'static str),
    /// Delete `n` characters at a relative position.
    Delete(usize, usize),
    /// Swap two whitespace-separated words.
    SwapWords(usize, usize),
    /// Duplicate a word.
    DupWord(usize),
    /// Replace an operator (`&&`, `||`, `;`, `|`) with another.
    ReplaceOp(usize, &'static str),
}

fn char_pos(s: &str, rel: usize) -> usize {
    let n = s.chars().count();
    let k = rel * n / 1000;
    s.char_indices().nth(k).map_or(s.len(), |(i, _)| i)
}

/// Applies `m` to `s`.
pub fn apply(s: &str, m: &Mutation) -> String {
    match m {
        Mutation::Insert(rel, f) => {
            let p = char_pos(s, *rel);
            let (a, b) = s.split_at(p);
            format!("{a}{f}{b}")
        }
        Mutation::Delete(rel, n) => {
            let p = char_pos(s, *rel);
            let (a, b) = s.split_at(p);
            let rest: String = b.chars().skip(*n).collect();
            format!("{a}{rest}")
        }
        Mutation::SwapWords(i, j) => {
            let mut w: Vec<&str> = s.split(' ').collect();
            let n = w.len();
            if n > 1 {
                w.swap(i % n, j % n);
            }
            w.join(" ")
        }
        Mutation::DupWord(i) => {
            let mut w: Vec<&str> = s.split(' ').collect();
            let n = w.len();
            if let Some(x) = w.get(i % n.max(1)).copied() {
                w.insert(i % n.max(1), x);
            }
            w.join(" ")
        }
        Mutation::ReplaceOp(k, with) => {
            let ops = ["&&", "||", ";", "|"];
            let found: Vec<(usize, &str)> = ops
                .iter()
                .flat_map(|o| s.match_indices(o).collect::<Vec<_>>())
                .collect();
            match found.get(k % found.len().max(1)) {
                Some((p, o)) => {
                    let (a, b) = s.split_at(*p);
                    format!("{a}{with}{}", b.get(o.len()..).unwrap_or(""))
                }
                None => s.to_owned(),
            }
        }
    }
}

fn mutation() -> BoxedStrategy<Mutation> {
    prop_oneof![
        4 => (0usize..=1000, proptest::sample::select(FRAGMENTS))
            .prop_map(|(p, f)| Mutation::Insert(p, f)),
        2 => (0usize..=1000, 1usize..4).prop_map(|(p, n)| Mutation::Delete(p, n)),
        1 => (0usize..8, 0usize..8).prop_map(|(i, j)| Mutation::SwapWords(i, j)),
        1 => (0usize..8).prop_map(Mutation::DupWord),
        1 => (0usize..4, proptest::sample::select(&["&&", "||", ";", "|", "&", "\n", ";;", "|&"][..]))
            .prop_map(|(k, o)| Mutation::ReplaceOp(k, o)),
    ]
    .boxed()
}

/// A seed line with one to three mutations applied.
pub fn mutated(seeds: Vec<String>) -> BoxedStrategy<String> {
    (
        proptest::sample::select(seeds),
        proptest::collection::vec(mutation(), 1..4),
    )
        .prop_map(|(s, ms)| ms.iter().fold(s, |acc, m| apply(&acc, m)))
        .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_apply_on_char_boundaries() {
        assert_eq!(apply("ab", &Mutation::Insert(500, ";")), "a;b");
        assert_eq!(apply("éé", &Mutation::Insert(500, "x")), "éxé");
        assert_eq!(apply("abcd", &Mutation::Delete(250, 2)), "ad");
        assert_eq!(apply("a b c", &Mutation::SwapWords(0, 2)), "c b a");
        assert_eq!(apply("a b", &Mutation::DupWord(1)), "a b b");
        assert_eq!(apply("a && b", &Mutation::ReplaceOp(0, "|")), "a | b");
        assert_eq!(apply("a", &Mutation::ReplaceOp(0, "|")), "a");
    }
}
