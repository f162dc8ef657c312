//! Command families (git, docker, kubectl, cargo, npm, apt, systemctl, ...):
//! finding the subcommand behind global options, and the name it is known by.
//!
//! The table (`data/families.toml`) follows the prototype's hierarchical v3
//! layout, a parent with a risk floor and common capabilities plus one delta per
//! subcommand, but subcommands are found by name, so the result does not depend
//! on a process-random hash. `git -C dir status` resolves to `git status`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::Deserialize;

use super::builtin::language;
use super::lexer::Word;
use crate::risk::RiskLevel;

/// A multiply-rotate hasher (the Fx hash of rustc) for the small, trusted keys
/// of the built-in tables: names are looked up several times per segment, and
/// SipHash's flooding resistance buys nothing for keys the crate ships.
#[derive(Default, Clone, Copy)]
pub struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.write(&[i]);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` keyed by names, with [`NameHasher`].
pub type NameMap<V> = HashMap<String, V, BuildHasherDefault<NameHasher>>;

/// A family's resolved knowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// Global options that take a value.
    pub options: Vec<String>,
    /// Global arguments starting with one of these (`+nightly`).
    pub prefixes: Vec<String>,
    /// Subcommands, one or two words.
    pub subcommands: NameMap<SubcommandSpec>,
}

/// A family in `families.toml`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct FamilySpec {
    /// Risk of the bare command.
    pub risk: String,
    /// Capabilities of the bare command.
    #[serde(default)]
    pub caps: String,
    /// Justification of the bare command.
    pub why: String,
    /// Lowest risk of any subcommand.
    pub floor: String,
    /// Capabilities every subcommand has.
    #[serde(default)]
    pub common: String,
    /// Global options taking a value.
    #[serde(default)]
    pub options: Vec<String>,
    /// Global argument prefixes.
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Subcommands.
    pub sub: std::collections::BTreeMap<String, SubcommandSpec>,
}

/// A subcommand delta.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SubcommandSpec {
    /// Its risk (at least the family floor).
    pub risk: String,
    /// Its own capabilities (the family's common ones are added).
    #[serde(default)]
    pub caps: String,
    /// Justification.
    pub why: String,
    /// A safer alternative template.
    pub safer: Option<String>,
}

impl FamilySpec {
    /// The floor as a level.
    pub fn floor_level(&self) -> Option<RiskLevel> {
        RiskLevel::parse(&self.floor)
    }
}

/// Longest resolved name (`docker container rm`) kept inline.
const KEY_CAP: usize = 64;

/// A resolved command name, stored inline so resolving does not allocate.
#[derive(Clone, Copy)]
pub struct Key {
    buf: [u8; KEY_CAP],
    len: usize,
}

impl Key {
    fn new() -> Self {
        Self {
            buf: [0; KEY_CAP],
            len: 0,
        }
    }

    /// Appends a word (with a separating space); false if it does not fit.
    fn push(&mut self, word: &str) -> bool {
        let sep = usize::from(self.len > 0);
        let end = self.len + sep + word.len();
        let Some(dst) = self.buf.get_mut(self.len..end) else {
            return false;
        };
        if sep == 1 {
            if let Some(first) = dst.first_mut() {
                *first = b' ';
            }
        }
        if let Some(d) = dst.get_mut(sep..) {
            d.copy_from_slice(word.as_bytes());
        }
        self.len = end;
        true
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this is valid UTF-8.
        self.buf
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl core::fmt::Debug for Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A command resolved to the name the registry and rules know it by.
#[derive(Debug, Clone, Copy)]
pub struct Invocation<'w> {
    key: Key,
    /// The base command (`git`).
    pub base: &'w str,
    /// The arguments after the command and its subcommands.
    pub args: &'w [Word<'w>],
    /// The words that named the subcommand were found (a family subcommand the
    /// table does not list still gets a key such as `git frobnicate`).
    pub known_subcommand: bool,
}

impl Invocation<'_> {
    /// The resolved name: `rm`, `git push`, `docker container rm`.
    pub fn key(&self) -> &str {
        self.key.as_str()
    }
}

/// Resolves a command line's words (command first), following aliases.
pub fn resolve<'w>(words: &'w [Word<'w>]) -> Option<Invocation<'w>> {
    let (first, rest) = words.split_first()?;
    let (base, implied) = canonical_name(first.as_str());
    Some(resolve_with(base, implied, rest))
}

/// The canonical name of a command name (aliases followed, version suffixes
/// such as `python3.12` stripped when the name itself is unknown), and an implied
/// subcommand (`docker-compose` is `docker compose`).
pub fn canonical_name(name: &str) -> (&str, Option<&'static str>) {
    let lang = language();
    let aliased = |n: &str| -> Option<(&'static str, Option<&'static str>)> {
        let target = lang.aliases.get(n)?;
        Some(match target.split_once(' ') {
            Some((b, s)) => (b, Some(s)),
            None => (target.as_str(), None),
        })
    };
    if let Some((b, s)) = aliased(name) {
        return (b, s);
    }
    if lang.known.contains_key(name) {
        return (name, None);
    }
    // python3.12, pip3.11, gcc-13: strip the version suffix if that names something.
    let stripped = name
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
        .trim_end_matches('-');
    if !stripped.is_empty() && stripped.len() < name.len() {
        if let Some((b, s)) = aliased(stripped) {
            return (b, s);
        }
        if let Some((k, ())) = lang.known.get_key_value(stripped) {
            return (k.as_str(), None);
        }
    }
    (name, None)
}

/// Resolves `base` with its arguments: for a family, skips global options and
/// finds one or two subcommand words.
pub fn resolve_with<'w>(
    base: &'w str,
    implied: Option<&'w str>,
    rest: &'w [Word<'w>],
) -> Invocation<'w> {
    let mut key = Key::new();
    key.push(base);
    let Some(family) = language().families.get(base) else {
        return Invocation {
            key,
            base,
            args: rest,
            known_subcommand: false,
        };
    };
    let mut i = 0;
    let mut sub1: Option<&str> = implied;
    if sub1.is_none() {
        while let Some(w) = rest.get(i) {
            let a = w.as_str();
            if a == "--" {
                i += 1;
                break;
            }
            if family.prefixes.iter().any(|p| a.starts_with(p.as_str())) {
                i += 1;
                continue;
            }
            if a.starts_with('-') && a.len() > 1 {
                let takes_value = !a.contains('=') && family.options.iter().any(|o| o == a);
                i += if takes_value { 2 } else { 1 };
                continue;
            }
            sub1 = Some(a);
            i += 1;
            break;
        }
    }
    let Some(sub1) = sub1 else {
        return Invocation {
            key,
            base,
            args: rest.get(i..).unwrap_or(&[]),
            known_subcommand: false,
        };
    };
    // A two-word subcommand (`stash drop`) wins over a one-word one.
    if let Some(sub2) = rest.get(i) {
        let mut pair = Key::new();
        if pair.push(sub1)
            && pair.push(sub2.as_str())
            && family.subcommands.contains_key(pair.as_str())
        {
            let mut full = key;
            if full.push(pair.as_str()) {
                return Invocation {
                    key: full,
                    base,
                    args: rest.get(i + 1..).unwrap_or(&[]),
                    known_subcommand: true,
                };
            }
        }
    }
    let known = family.subcommands.contains_key(sub1);
    if !key.push(sub1) {
        key = Key::new();
        key.push(base);
    }
    Invocation {
        key,
        base,
        args: rest.get(i..).unwrap_or(&[]),
        known_subcommand: known,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command_line::parser::parse;

    fn key(line: &str) -> (String, Vec<String>) {
        let parsed = parse(line);
        let inv = resolve(&parsed.segments[0].words).unwrap();
        (
            inv.key().to_owned(),
            inv.args.iter().map(|w| w.as_str().to_owned()).collect(),
        )
    }

    #[test]
    fn global_options_are_skipped() {
        assert_eq!(key("git -C dir status").0, "git status");
        assert_eq!(key("git -c a=b --no-pager log -1").0, "git log");
        assert_eq!(
            key("kubectl -n prod delete pod x"),
            ("kubectl delete".into(), vec!["pod".into(), "x".into()])
        );
        assert_eq!(key("cargo +nightly test -p x").0, "cargo test");
        assert_eq!(key("git stash drop 1").0, "git stash drop");
        assert_eq!(key("docker-compose up -d").0, "docker compose up");
        assert_eq!(key("git --version").0, "git");
        assert_eq!(key("git frobnicate").0, "git frobnicate");
        assert!(
            !resolve(&parse("git frobnicate").segments[0].words)
                .unwrap()
                .known_subcommand
        );
    }

    #[test]
    fn aliases_and_versions() {
        assert_eq!(key("python3.12 x.py").0, "python");
        assert_eq!(key("apt-get install x").0, "apt install");
        assert_eq!(key("mkfs.ext4 /dev/sda").0, "mkfs");
        assert_eq!(key("egrep x").0, "grep");
    }
}
